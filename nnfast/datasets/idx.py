"""IDX files of unsigned bytes (the format of the original MNIST and Fashion-MNIST files),
plain or gzipped.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>`` (type 0x08: unsigned
bytes), ``ndim`` big-endian uint32 dimensions, then the data in C order. The header is
checked against the data before anything of the declared size is allocated: a plain
file's size is compared with it, a gzipped file is decompressed in chunks and refused as
soon as it holds more than declared, so a header that declares gigabytes costs nothing.
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["read_idx"]


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


UNSIGNED_BYTE = 0x08
CHUNK = 1 << 20  # decompressed bytes per read: memory grows with the data, not the header


def _read_exactly(where: str, path: Path, f: _Readable, count: int, what: str) -> bytes:
    data = f.read(count)
    if len(data) != count:
        raise ValueError(f"{where}: {path} is truncated: it ends inside its {what}")
    return data


def _read_header(where: str, path: Path, f: _Readable, ndim: int) -> tuple[int, ...]:
    magic = _read_exactly(where, path, f, 4, "magic number")
    expected = bytes([0, 0, UNSIGNED_BYTE, ndim])
    if magic != expected:
        gzipped = " (it is gzipped: name it with .gz)" if magic[:2] == b"\x1f\x8b" else ""
        raise ValueError(
            f"{where}: {path} is not an IDX file of unsigned bytes with {ndim} "
            f"dimension{'s' if ndim > 1 else ''}: its magic number is 0x{magic.hex()}, "
            f"expected 0x{expected.hex()}{gzipped}"
        )
    dims = np.frombuffer(_read_exactly(where, path, f, 4 * ndim, "dimensions"), ">u4")
    return tuple(int(d) for d in dims)


def _read_gzipped_data(where: str, path: Path, f: _Readable, size: int) -> NDArray[np.uint8]:
    buffer = bytearray()
    while len(buffer) <= size:  # one byte past the declared size tells "too long"
        chunk = f.read(min(CHUNK, size + 1 - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    if len(buffer) != size:
        held = "more than that" if len(buffer) > size else f"{len(buffer)}"
        raise ValueError(
            f"{where}: {path}'s header declares {size} bytes of data but the file holds {held}"
        )
    return np.frombuffer(buffer, np.uint8)


def _read_plain_data(where: str, path: Path, f: _Readable, size: int,
                     header_size: int) -> NDArray[np.uint8]:
    held = path.stat().st_size - header_size
    if held != size:
        raise ValueError(
            f"{where}: {path}'s header declares {size} bytes of data but the file holds {held}"
        )
    return np.frombuffer(_read_exactly(where, path, f, size, "data"), np.uint8).copy()


def read_idx(where: str, path: Path, ndim: int) -> NDArray[np.uint8]:
    """The ``ndim``-dimensional uint8 array in the IDX file ``path`` (gzipped when its name
    ends in ``.gz``).

    Raises ValueError (naming ``where`` and the file) when the magic number is not that of
    unsigned bytes with ``ndim`` dimensions, the file is truncated, its size does not match
    its header, or the gzip stream is damaged.
    """
    header_size = 4 + 4 * ndim
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
            dims = _read_header(where, path, f, ndim)
            size = math.prod(dims)
            if path.suffix == ".gz":
                data = _read_gzipped_data(where, path, f, size)
            else:
                data = _read_plain_data(where, path, f, size, header_size)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(f"{where}: {path} is not a valid gzip file ({error})") from None
    return data.reshape(dims)
