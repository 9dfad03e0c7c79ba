"""The data sets of the notes and of the book "Neural Networks from Scratch in Python".

Generated (the arrays of the ``nnfs`` package's ``nnfs.datasets`` for the same seed):
:func:`spiral_data`, :func:`sine_data`, :func:`vertical_data`.

Fashion-MNIST, the book's chapters 19-22, read from files already on disk (nothing is
downloaded): :func:`load_mnist_dataset` and :func:`create_data_mnist` read the book's PNG
folders (with Pillow: ``pip install nnfast[images]``) or Zalando's original IDX files.
docs/datasets.md says where each comes from.
"""

from .generated import sine_data, spiral_data, vertical_data
from .mnist import create_data_mnist, load_mnist_dataset

__all__ = ["spiral_data", "sine_data", "vertical_data", "load_mnist_dataset",
           "create_data_mnist"]
