"""Small Fashion-MNIST-like data sets written to disk by the tests, in the book's PNG folder
layout and as IDX files, without nnfast: PNGs through Pillow, IDX bytes through struct.

``easy_images`` draws images a network learns in a few epochs: class k has a bright
horizontal bar at rows 2k+4, 2k+5 and a bright vertical bar at columns 2k+4, 2k+5 over
dark noise.
"""

import gzip
import struct

import numpy as np
from PIL import Image

FASHION_MNIST_LABELS = {  # the book's chapter 22 names
    0: "T-shirt/top",
    1: "Trouser",
    2: "Pullover",
    3: "Dress",
    4: "Coat",
    5: "Sandal",
    6: "Shirt",
    7: "Sneaker",
    8: "Bag",
    9: "Ankle boot",
}


def easy_images(per_class, rng, classes=10, size=28):
    """(X uint8 (per_class * classes, size, size), y uint8), class by class."""
    X = rng.integers(0, 60, size=(per_class * classes, size, size), dtype=np.uint8)
    y = np.repeat(np.arange(classes, dtype=np.uint8), per_class)
    for i, k in enumerate(y):
        X[i, 2 * k + 4:2 * k + 6, :] = rng.integers(200, 256, size=(2, size))
        X[i, :, 2 * k + 4:2 * k + 6] = rng.integers(200, 256, size=(size, 2))
    return X, y


def write_png(path, image):
    """An 8-bit grayscale PNG of the 2-D uint8 array `image` (row r of the array is row r of
    the picture)."""
    assert image.dtype == np.uint8 and image.ndim == 2
    Image.fromarray(image).save(path, format="PNG")


def write_folder(root, dataset, X, y, names=None):
    """The book's layout: root/dataset/<label>/<name>.png, one PNG per image; names[i] (the
    file name without .png) defaults to the image's index, zero-padded."""
    for i, (image, label) in enumerate(zip(X, y)):
        folder = root / dataset / str(int(label))
        folder.mkdir(parents=True, exist_ok=True)
        write_png(folder / f"{names[i] if names is not None else f'{i:05d}'}.png", image)


def idx_bytes(array, magic=None, dims=None):
    """The IDX encoding of a uint8 array: magic 0x0000 08 <ndim>, big-endian uint32
    dimensions, the data in C order; magic and dims override the header."""
    array = np.ascontiguousarray(array, np.uint8)
    magic = bytes([0, 0, 0x08, array.ndim]) if magic is None else magic
    dims = array.shape if dims is None else dims
    return magic + struct.pack(f">{len(dims)}I", *dims) + array.tobytes()


def write_idx(path, data, gz):
    """Write bytes `data` to path (gzip-compressed when gz)."""
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def write_idx_set(root, prefix, X, y, gz=True):
    """root/<prefix>-images-idx3-ubyte[.gz] and root/<prefix>-labels-idx1-ubyte[.gz]."""
    suffix = ".gz" if gz else ""
    write_idx(root / f"{prefix}-images-idx3-ubyte{suffix}", idx_bytes(X), gz)
    write_idx(root / f"{prefix}-labels-idx1-ubyte{suffix}", idx_bytes(y), gz)
