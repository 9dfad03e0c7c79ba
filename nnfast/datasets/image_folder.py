"""The book's image folders: ``<folder>/<label>/<image>.png``, read with Pillow.

The book reads them with OpenCV in ``os.listdir`` order, which depends on the file system;
here labels are taken in increasing numeric order and the files of a label in name order,
so the same folder gives the same arrays everywhere. Names starting with ``.`` (such as
``.DS_Store``) are skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = ["read_image_folder"]

PILLOW_MISSING = (
    "reading the book's PNG images needs Pillow, an optional dependency of nnfast: "
    "pip install nnfast[images]"
)


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _label_folders(where: str, folder: Path) -> list[tuple[int, Path]]:
    """``(label, folder)`` for each label folder, in increasing label order."""
    labels = []
    for entry in _visible(folder):
        name = entry.name
        if not (entry.is_dir() and name.isascii() and name.isdigit() and int(name) <= 255):
            raise ValueError(
                f"{where}: {entry} is not a label folder: {folder} must hold only folders "
                "named by their class, 0 to 255 (the labels are uint8), each holding that "
                "class's images"
            )
        labels.append((int(name), entry))
    return sorted(labels)


def _image_files(where: str, label_folder: Path) -> list[Path]:
    files = _visible(label_folder)
    for path in files:
        if not path.is_file():
            raise ValueError(f"{where}: {path} is not an image file: a label folder holds "
                             "only its class's PNG images")
    return files


def read_image_folder(where: str, folder: Path) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """``(X, y)``: every image under ``folder/<label>/`` as uint8 ``(n, height, width)`` and
    its label as uint8 ``(n,)``, ordered by label, then by file name.

    Raises ImportError naming the ``images`` extra when Pillow is not installed; ValueError
    naming the file for an entry that is not a label folder or a PNG file, an image that is
    not 8-bit grayscale, or one whose size differs from the first image's, and when the
    folder holds no images.
    """
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as error:
        raise ImportError(f"{where}: {PILLOW_MISSING}") from error

    files = [(label, path) for label, label_folder in _label_folders(where, folder)
             for path in _image_files(where, label_folder)]
    if not files:
        raise ValueError(f"{where}: {folder} holds no images: expected "
                         f"{folder}/<label>/<image>.png")
    X: NDArray[np.uint8] | None = None
    first = files[0][1]
    for i, (_, path) in enumerate(files):
        try:
            image = Image.open(path, formats=["PNG"])
        except UnidentifiedImageError:
            raise ValueError(f"{where}: {path} is not a PNG image") from None
        with image:
            if image.mode != "L":
                raise ValueError(
                    f"{where}: {path} is a {image.mode!r} image; expected 8-bit grayscale "
                    "(Pillow's mode 'L'), as the book's Fashion-MNIST images are: convert it, "
                    "for example with Image.open(path).convert('L').save(path)"
                )
            if X is None:
                X = np.empty((len(files), image.height, image.width), np.uint8)
            elif (image.height, image.width) != X.shape[1:]:
                raise ValueError(
                    f"{where}: {path} is {image.width}x{image.height} pixels but {first} is "
                    f"{X.shape[2]}x{X.shape[1]}: every image must have the same size"
                )
            try:
                X[i] = np.asarray(image)
            except OSError as error:  # data that cannot be decoded (a truncated file)
                raise ValueError(f"{where}: {path} cannot be decoded ({error})") from None
    assert X is not None
    y = np.array([label for label, _ in files], np.uint8)
    return X, y
