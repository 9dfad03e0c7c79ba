"""The .npz container of nnfast's files, written with np.savez and read so that nothing the file
carries runs and nothing larger than the file is allocated.

Every member is checked before any array is read: a stored (uncompressed) ``.npy`` entry, no
larger than the file, whose header (read with NumPy's own header reader) declares a float32 or
float64 array (uint8 for the architecture) whose bytes are exactly the member's size. NumPy's
reader allocates the array its header declares before reading it, so a header claiming terabytes
would otherwise be honoured first and found short later.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

ARCHITECTURE = "architecture"  # the member holding the JSON description, as UTF-8 bytes
MAX_ARCHITECTURE_BYTES = 1 << 20  # a description is a few kB; anything past this is not one

ZIP_MAGIC = b"PK\x03\x04"
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_BYTES = np.dtype(np.uint8)
# NumPy's read errors for a damaged archive or member, besides the ValueErrors of its readers
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RecursionError)

Header = tuple[tuple[int, ...], np.dtype[Any]]  # an array's shape and dtype, from its .npy header


def write_archive(path: str | os.PathLike[str], architecture: dict[str, Any],
                  arrays: dict[str, NDArray[Any]]) -> None:
    """Write ``architecture`` as JSON and ``arrays`` (float32/float64, checked by the caller) to
    ``path`` exactly as given (through an open file, so np.savez appends no ".npz")."""
    text = json.dumps(architecture, allow_nan=False, indent=1)
    # (typed Any: NumPy's stub reads a keyword of np.savez as its allow_pickle flag)
    entries: dict[str, Any] = {ARCHITECTURE: np.frombuffer(text.encode("utf-8"), np.uint8),
                               **arrays}
    with open(path, "wb") as file:
        np.savez(file, **entries)


class ArchiveReader:
    """An open nnfast archive whose members have all been checked (see the module's notes):
    ``headers`` maps each array's name to its declared shape and dtype, ``architecture()`` parses
    the JSON entry, ``read(name)`` reads an array no larger than its member."""

    def __init__(self, where: str, file: IO[bytes]) -> None:
        self._where = where
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
        try:
            self._npz = np.load(file, allow_pickle=False)
        except (ValueError, *_DAMAGED) as exc:
            raise self.error(f"not a complete .npz archive (truncated or damaged): {exc}") from None
        if not isinstance(self._npz, np.lib.npyio.NpzFile):
            raise self.error("not an .npz archive")
        self.headers: dict[str, Header] = {}
        assert self._npz.zip is not None  # (None once closed)
        try:
            for info in self._npz.zip.infolist():
                name = self._check_member(info, size)
                self.headers[name] = self._read_header(name, info)
        except BaseException:
            self.close()
            raise

    def error(self, what: str) -> ValueError:
        return ValueError(f"{self._where}: {what}")

    def close(self) -> None:
        self._npz.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_member(self, info: zipfile.ZipInfo, size: int) -> str:
        if not info.filename.endswith(".npy"):
            raise self.error(f"entry {info.filename!r} is not an .npy array")
        name = info.filename[:-len(".npy")]
        if name in self.headers:
            raise self.error(f"entry {info.filename!r} appears twice")
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise self.error(f"entry {info.filename!r} is compressed or encrypted; nnfast writes "
                             "its arrays uncompressed (np.savez)")
        if info.file_size != info.compress_size or info.header_offset + info.file_size > size:
            raise self.error(f"entry {info.filename!r} declares {info.file_size} bytes, more "
                             f"than the file's {size} hold (truncated or crafted)")
        return name

    def _read_header(self, name: str, info: zipfile.ZipInfo) -> Header:
        try:
            assert self._npz.zip is not None
            with self._npz.zip.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(member)
                else:
                    raise ValueError(f".npy format version {version} (nnfast writes 1.0)")
                offset = member.tell()
        except (ValueError, *_DAMAGED) as exc:
            raise self.error(f"entry {name!r} has no valid .npy header: {exc}") from None
        allowed = (_BYTES,) if name == ARCHITECTURE else FLOAT_DTYPES
        if dtype not in allowed:  # object arrays (pickles) among them
            raise self.error(f"entry {name!r} holds an array of dtype {dtype}; nnfast's files hold "
                             f"{' or '.join(str(d) for d in allowed)} arrays only")
        if any(n < 0 for n in shape):
            raise self.error(f"entry {name!r} declares the shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        if offset + nbytes != info.file_size:
            raise self.error(f"entry {name!r} declares a {dtype} array of shape {shape} "
                             f"({nbytes} bytes) but holds {info.file_size - offset} bytes of data")
        return tuple(shape), dtype

    def architecture(self) -> object:
        """The parsed JSON entry (any JSON value: the caller checks it). NaN, Infinity and keys
        given twice are refused."""
        if ARCHITECTURE not in self.headers:
            raise self.error(f"no {ARCHITECTURE!r} entry: not a file written by nnfast")
        shape, _ = self.headers[ARCHITECTURE]
        if len(shape) != 1 or shape[0] > MAX_ARCHITECTURE_BYTES:
            raise self.error(f"the {ARCHITECTURE!r} entry has the shape {shape}, not that of a "
                             f"description (1-D, at most {MAX_ARCHITECTURE_BYTES} bytes)")
        data = self.read(ARCHITECTURE).tobytes()
        try:
            return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant,
                              object_pairs_hook=_object_without_repeats)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            raise self.error(f"the {ARCHITECTURE!r} entry is not valid JSON: {exc}") from None

    def read(self, name: str) -> NDArray[Any]:
        """The array ``name`` (checked: at most the size of its member)."""
        try:
            array = self._npz[name]
        except (ValueError, *_DAMAGED) as exc:
            raise self.error(f"entry {name!r} cannot be read (truncated or damaged): "
                             f"{exc}") from None
        assert isinstance(array, np.ndarray)  # its header was checked to be a .npy array's
        return array


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number nnfast writes")


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError(f"a key given twice in {[key for key, _ in pairs]}")
    return result
