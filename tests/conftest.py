"""Shared fixtures and helpers for the nnfast test suite.

The central helper is :func:`as_layout`: it returns the same logical array in
a chosen memory layout (C-contiguous, transposed/Fortran, strided with step 2,
negative strides, or a transposed strided view).  Memory around strided views
is filled with a poison value so a kernel that ignores strides reads garbage
and the comparison fails.
"""

import numpy as np
import pytest

from model_paths import layer_by_layer

DTYPES = [np.float32, np.float64]
LAYOUTS = ["C", "F", "strided", "negstride", "Tstrided"]


def _poison(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return np.nan
    if dtype.kind == "b":
        return True
    if dtype.kind in "iu":
        return np.iinfo(dtype).max
    return 0


def as_layout(arr, layout):
    """Return a new array equal to ``arr`` (same dtype, shape and values)
    stored in the memory layout ``layout``.

    C          C-contiguous copy
    F          Fortran order: a C-contiguous copy of the transpose, transposed back
    strided    every second element on each axis of a larger poisoned buffer
    negstride  negative strides on each axis (reversed slices of a poisoned buffer)
    Tstrided   the transpose of a step-(2, 3, ...) strided buffer, transposed back
    """
    arr = np.asarray(arr)
    shape = arr.shape
    nd = arr.ndim
    if layout == "C":
        out = np.array(arr, order="C", copy=True)
    elif layout == "F":
        out = np.array(arr.transpose(), order="C", copy=True).transpose()
    elif layout == "strided":
        big = np.full(tuple(2 * s + 1 for s in shape), _poison(arr.dtype), dtype=arr.dtype)
        out = big[tuple(slice(1, 1 + 2 * s, 2) for s in shape)]
        out[...] = arr
    elif layout == "negstride":
        big = np.full(tuple(s + 2 for s in shape), _poison(arr.dtype), dtype=arr.dtype)
        out = big[tuple(slice(s, 0, -1) for s in shape)]
        out[...] = arr
    elif layout == "Tstrided":
        tshape = shape[::-1]
        steps = [2 + i for i in range(nd)]
        big = np.full(tuple(st * s + 1 for st, s in zip(steps, tshape)), _poison(arr.dtype),
                      dtype=arr.dtype)
        view = big[tuple(slice(0, st * s, st) for st, s in zip(steps, tshape))]
        out = view.transpose()
        out[...] = arr
    else:  # pragma: no cover
        raise ValueError(layout)
    assert out.shape == shape and out.dtype == arr.dtype
    np.testing.assert_array_equal(out, arr)
    if layout in ("strided", "negstride", "Tstrided") and out.size > 1 and nd >= 1:
        assert not out.flags.c_contiguous or nd == 0
    return out


def random_array(rng, shape, dtype=np.float64, low=-3.0, high=3.0):
    """Uniform random values in [low, high) of the given shape and dtype."""
    return rng.uniform(low, high, size=shape).astype(dtype)


@pytest.fixture
def rng(request):
    """A NumPy Generator with a seed derived from the test id (stable across runs)."""
    seed = sum(ord(ch) * (i + 1) for i, ch in enumerate(request.node.nodeid)) % (2**32)
    return np.random.default_rng(seed)


@pytest.fixture(params=DTYPES, ids=["float32", "float64"])
def dtype(request):
    return np.dtype(request.param)


@pytest.fixture(params=LAYOUTS)
def layout(request):
    return request.param


@pytest.fixture
def layouts_of(rng):
    """``layouts_of(arr)`` -> dict layout name -> the same values in that layout."""
    def make(arr):
        return {name: as_layout(arr, name) for name in LAYOUTS}
    return make


@pytest.fixture
def restore_global_seed():
    """Save and restore NumPy's global RNG state around a test that seeds it."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


@pytest.fixture(params=["network", "layers"])
def model_path(request):
    """Run the test on each path: yields "network" or "layers"."""
    if request.param == "network":
        yield "network"
    else:
        with layer_by_layer():
            yield "layers"
