"""The book's chapter 19 loaders: Fashion-MNIST from the book's image folders or from
Zalando's original IDX files. Nothing is ever downloaded."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .idx import read_idx
from .image_folder import read_image_folder

__all__ = ["load_mnist_dataset", "create_data_mnist"]

BOOK_IMAGES = "https://nnfs.io/datasets/fashion_mnist_images.zip"
ZALANDO_IDX = "https://github.com/zalandoresearch/fashion-mnist"
# The original files name the test set "t10k".
IDX_PREFIX = {"train": "train", "test": "t10k"}


def _idx_file(root: Path, name: str) -> Path | None:
    """``root/name``, else ``root/name.gz``, else None."""
    for candidate in (root / name, root / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing(where: str, dataset: str, root: Path) -> FileNotFoundError:
    prefix = IDX_PREFIX.get(dataset)
    idx = (f"; or Zalando's Fashion-MNIST IDX files {root / prefix}-images-idx3-ubyte.gz and "
           f"{root / prefix}-labels-idx1-ubyte.gz (gzipped or not, from {ZALANDO_IDX})"
           if prefix else "")
    absent = "" if root.is_dir() else " (the folder does not exist)"
    return FileNotFoundError(
        f"{where}: no {dataset!r} data in {root}{absent}: expected the book's layout "
        f"{root / dataset}/<label>/<image>.png (the folder in {BOOK_IMAGES}, unzipped){idx}. "
        "nnfast does not download data sets"
    )


def load_mnist_dataset(
    dataset: str, path: str | os.PathLike[str]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Load one part (``'train'`` or ``'test'``) of Fashion-MNIST, as the book's chapter 19
    ``load_mnist_dataset`` does.

    Two layouts are read, the first found:

    - the book's folders, ``path/<dataset>/<label>/<image>.png`` (the zip at
      https://nnfs.io/datasets/fashion_mnist_images.zip): 8-bit grayscale PNGs of one size,
      each folder named by its label (0-255). Labels come in increasing order and each
      label's files in name order (the book takes ``os.listdir``'s order, which varies
      between file systems); names starting with ``.`` are skipped. Needs Pillow:
      ``pip install nnfast[images]``.
    - Zalando's original IDX files in ``path`` itself
      (https://github.com/zalandoresearch/fashion-mnist): for ``'train'``,
      ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``; for ``'test'``,
      ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``; each plain or gzipped
      (``.gz``), the plain one taken when both are there. Needs nothing beyond NumPy.

    Parameters
    ----------
    dataset : str
        The part to load: the name of the folder under ``path`` (``'train'`` or
        ``'test'`` in the book); for IDX files ``'train'`` or ``'test'``.
    path : str or os.PathLike
        The data set's folder (the book's ``'fashion_mnist_images'``).

    Returns
    -------
    X : numpy.ndarray, uint8, shape (n, height, width)
        The images (28x28 for Fashion-MNIST), pixel values 0-255.
    y : numpy.ndarray, uint8, shape (n,)
        The label of each image.

    Raises
    ------
    TypeError
        If ``dataset`` is not a string.
    FileNotFoundError
        If neither layout is found; the message says what is expected and where the data
        comes from (nothing is downloaded).
    ImportError
        If the images are PNGs and Pillow is not installed (``pip install nnfast[images]``).
    ValueError
        Naming the file: a PNG that is not 8-bit grayscale or not of the first image's
        size, an entry that is not a label folder or an image file, an IDX file whose magic
        number, dimensions or size are wrong, or image and label files of different lengths.
    """
    where = "load_mnist_dataset"
    if not isinstance(dataset, str):
        raise TypeError(f"{where}: dataset must be a string such as 'train' or 'test', got "
                        f"{type(dataset).__name__} {dataset!r}")
    root = Path(path)
    if (root / dataset).is_dir():
        return read_image_folder(where, root / dataset)
    prefix = IDX_PREFIX.get(dataset)
    images_name, labels_name = f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"
    images_file, labels_file = _idx_file(root, images_name), _idx_file(root, labels_name)
    if prefix is None or (images_file is None and labels_file is None):
        raise _missing(where, dataset, root)
    if images_file is None or labels_file is None:
        missing = images_name if images_file is None else labels_name
        raise FileNotFoundError(f"{where}: {root} holds {labels_file or images_file} but not "
                                f"{missing} (or {missing}.gz), its other half ({ZALANDO_IDX})")
    X, y = read_idx(where, images_file, 3), read_idx(where, labels_file, 1)
    if len(X) != len(y):
        raise ValueError(f"{where}: {images_file} holds {len(X)} images but {labels_file} "
                         f"holds {len(y)} labels")
    return X, y


def create_data_mnist(
    path: str | os.PathLike[str],
) -> tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]:
    """Load Fashion-MNIST's training and test sets, as the book's chapter 19
    ``create_data_mnist`` does: ``load_mnist_dataset('train', path)`` and
    ``load_mnist_dataset('test', path)`` (see it for the layouts read and the errors).

    Returns
    -------
    X, y, X_test, y_test : numpy.ndarray, uint8
        Images ``(n, height, width)`` and labels ``(n,)`` of each set.
    """
    X, y = load_mnist_dataset("train", path)
    X_test, y_test = load_mnist_dataset("test", path)
    return X, y, X_test, y_test
