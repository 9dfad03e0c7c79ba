"""Random sources and drawing helpers of the API registry (api_registry.py).

Drawing goes through a Source, so the same generator serves hypothesis (DrawSource: the
test case shrinks) and plain NumPy randomness (RngSource: the leak and thread tests). The
helpers draw axis lengths within a Size, values with special values mixed in, class
labels, and memory layouts (strided, reversed, transposed, inside poisoned buffers).
"""

import math
from dataclasses import dataclass

import numpy as np


class RngSource:
    """Draws from a NumPy Generator."""

    def __init__(self, rng):
        self.rng = rng

    def int(self, lo, hi):
        return int(self.rng.integers(lo, hi + 1))

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]


class DrawSource:
    """Draws through hypothesis (`data.draw`), so failures shrink."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self._st = st
        self.draw = draw

    def int(self, lo, hi):
        return self.draw(self._st.integers(lo, hi))

    def pick(self, seq):
        return self.draw(self._st.sampled_from(list(seq)))


@dataclass
class Size:
    """How big drawn arrays may be: each axis in [lo, hi], at most `cap` elements per array
    and `work` multiply-adds per product; `specials` allows NaN/inf/-0.0/denormals/huge."""
    lo: int = 0
    hi: int = 200
    cap: int = 20_000
    work: int = 1_000_000
    specials: bool = True
    outs: bool = True


PROPERTY = Size()
TINY = Size(lo=1, hi=3, specials=False, outs=False)
THREADED = Size(lo=48, hi=160, cap=40_000, work=3_000_000, specials=False, outs=False)


def dims(src, size, count, cap=None):
    """`count` axis lengths in [size.lo, size.hi], small ones often, product <= cap."""
    cap = size.cap if cap is None else cap
    out = []
    for _ in range(count):
        if size.lo == 0 and src.pick([True, False]):
            out.append(src.int(0, min(4, size.hi)))
        else:
            out.append(src.int(max(size.lo, 0), size.hi))
    return shrink(out, cap, size.lo)


def shrink(out, limit, lo):
    """Halve the longest axis of out until the product is at most limit."""
    out = list(out)
    while math.prod(out) > limit:
        i = out.index(max(out))
        if out[i] <= max(lo, 1):
            break
        out[i] = max(lo, out[i] // 2)
    return tuple(out)


def specials(dtype, huge):
    """NaN, +-inf, signed zeros, denormals, the smallest normal and +-huge, in dtype."""
    fi = np.finfo(dtype)
    h = fi.max if huge == "max" else dtype.type(1e150 if dtype == np.float64 else 1e17)
    return np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, fi.smallest_subnormal,
                     -7 * fi.smallest_subnormal, fi.tiny, h, -h], dtype=dtype)


def poison(dtype):
    dtype = np.dtype(dtype)
    return np.nan if dtype.kind == "f" else True if dtype.kind == "b" else np.iinfo(dtype).max


def in_layout(src, arr):
    """The same values as arr in a drawn memory layout: every axis stepped by 1, 2 or 3,
    forwards or backwards, the whole optionally stored transposed, inside a larger buffer
    filled with poison (NaN for floats) so a kernel reading outside the view shows."""
    arr = np.asarray(arr)
    nd = arr.ndim
    kind = src.pick(["C", "C", "strided"]) if nd else "C"
    if kind == "C":
        return np.array(arr, copy=True, order=src.pick(["C", "F"]))
    steps = [src.pick([1, 2, 3]) for _ in range(nd)]
    back = [src.pick([False, True]) for _ in range(nd)]
    order = list(range(nd))[::-1] if src.pick([False, True]) else list(range(nd))
    big = np.full([steps[a] * arr.shape[a] + 1 for a in order], poison(arr.dtype), arr.dtype)
    index = []
    for a in order:
        n, s = arr.shape[a], steps[a]
        if n == 0:
            index.append(slice(0, 0))
        elif back[a]:
            index.append(slice(s * (n - 1), None, -s))
        else:
            index.append(slice(0, s * n, s))
    view = big[tuple(index)].transpose(np.argsort(order))
    view[...] = arr
    assert view.shape == arr.shape
    return view


def floats(src, shape, dtype, size, huge="max", low=-3.0, high=3.0, special_set=None):
    """Uniform values in [low, high) of dtype, some replaced by special values, in a
    drawn layout."""
    rng = np.random.default_rng(src.int(0, 2**32 - 1))
    x = np.asarray(rng.uniform(low, high, size=shape)).astype(dtype)
    if size.specials and x.size:
        frac = src.pick([0.0, 0.0, 0.02, 0.2, 1.0])
        sp = specials(dtype, huge) if special_set is None else np.asarray(special_set, dtype)
        mask = np.asarray(rng.random(shape) < frac)
        x[mask] = sp[rng.integers(len(sp), size=int(mask.sum()))]
    return in_layout(src, x)


LABEL_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint64, np.intp]


def labels(src, m, n, dtype, size):
    """Class labels for m samples of n classes: indices (any integer dtype) or one-hot rows
    (non-negative: besides 0 and 1 they may hold NaN, +inf, 0.5 and "huge")."""
    rng = np.random.default_rng(src.int(0, 2**32 - 1))
    if (n > 0 or m == 0) and src.pick(["index", "onehot"]) == "index":
        ldt = src.pick(LABEL_DTYPES)
        hi = min(max(n, 1), np.iinfo(ldt).max)
        return in_layout(src, rng.integers(0, hi, size=m).astype(ldt))
    y = np.zeros((m, n), dtype)
    if n:
        y[np.arange(m), rng.integers(0, n, size=m)] = 1
    if size.specials and y.size and src.pick([False, True]):
        sp = np.array([np.nan, np.inf, 0.5, 1e-3, 1e150 if dtype == np.float64 else 1e17], dtype)
        mask = rng.random(y.shape) < 0.1
        y[mask] = sp[rng.integers(len(sp), size=int(mask.sum()))]
    return in_layout(src, y)


def prob_floats(src, shape, dtype, size):
    """Values in [0, 1] (what sigmoid/softmax produce) with the specials that make sense
    there: NaN, +-inf, signed zeros, denormals, the smallest normal and 1."""
    fi = np.finfo(dtype)
    sp = [np.nan, np.inf, -np.inf, -0.0, 0.0, fi.smallest_subnormal, fi.tiny, 1.0]
    return floats(src, shape, dtype, size, low=0.0, high=1.0, special_set=sp)


def maybe_out(src, size, shape, dtype):
    """None, or (size.outs) a NaN-filled `out` of shape in a drawn layout."""
    if not size.outs or src.pick([True, True, False]):
        return None
    return in_layout(src, np.full(shape, np.nan, dtype))
