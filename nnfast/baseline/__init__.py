"""The notes' and the book's code in plain NumPy: the contender nnfast is measured against
and the expected side its results are checked against.

- ``nnfast.baseline.notes``: the notes' neuron, dense layer, activations, softmax,
  categorical cross-entropy, accuracy and forward pass, as the notes write them.
- ``nnfast.baseline.book``: the book's classes of chapters 9-22 ("Neural Networks from
  Scratch in Python": layers, activations, losses, optimizers, accuracy, Model) and the
  same formulas as functions of arrays.

``python -m nnfast``, ``python -m nnfast.bench``, benchmarks/ and the tests use this one
copy. It imports NumPy only, never nnfast's compiled code nor nnfast.nn: a baseline that ran
on the code it is compared with could not disagree with it.
"""

from . import book, notes

__all__ = ["book", "notes"]
