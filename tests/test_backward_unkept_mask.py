"""The C kernel nnf_dense_backward with a ReLU output and drelu NULL: the masked dvalues are
not kept (a network's first layer, whose masked gradient nothing reads, saves writing it).
Its dweights, dbiases and dinputs must be bitwise those of the same call keeping drelu, and
within the product bound of NumPy's, on every instruction set, both dtypes, the one-sweep
path of a few inputs (with and without dinputs) and the general path, contiguous, strided,
transposed and negative-stride inputs, 0 and 1 rows, several blocks of rows. Called through
ctypes: the Python binding always keeps the masked gradient."""
import ctypes

import numpy as np
import pytest

from conftest import as_layout, random_array
from isa_select import LIB, each_isa  # noqa: F401 (a fixture)

IDX = ctypes.c_ssize_t


def _mat(a):
    """Pointer, row stride and column stride (in elements) of a 2-D array, or NULL."""
    if a is None:
        return [None, IDX(0), IDX(0)]
    rs, cs = (s // a.itemsize for s in a.strides)
    return [ctypes.c_void_p(a.ctypes.data), IDX(rs), IDX(cs)]


def _backward(dv, relu_out, keep, x, w, need_dx):
    """dw, db, dx (None when not asked) and drelu (None when not kept) of one call."""
    (m, n), k = dv.shape, x.shape[1]
    fn = LIB.nnf_dense_backward_f64 if dv.dtype == np.float64 else LIB.nnf_dense_backward_f32
    dw = np.full((k, n), np.nan, dv.dtype)
    db = np.full((1, n), np.nan, dv.dtype)
    dx = np.full((m, k), np.nan, dv.dtype) if need_dx else None
    dr = np.full((m, n), np.nan, dv.dtype) if keep else None
    reg = (ctypes.c_double * 4)(0, 0, 0, 0)
    status = fn(IDX(m), IDX(k), IDX(n), *_mat(dv), *_mat(relu_out), *_mat(dr), *_mat(x),
                *_mat(w), None, IDX(0), reg, *_mat(dw), ctypes.c_void_p(db.ctypes.data), IDX(1),
                *_mat(dx))
    assert status == 0
    return dw, db, dx, dr


def _within_product_bound(got, a, b):
    """got = a @ b within (k + 2) eps (|a| @ |b|), the bound of a sum in any order."""
    exact = a.astype(np.longdouble) @ b.astype(np.longdouble)
    bound = (a.shape[1] + 2) * np.finfo(a.dtype).eps * (np.abs(a).astype(np.longdouble)
                                                        @ np.abs(b).astype(np.longdouble))
    assert np.all(np.abs(got - exact) <= bound)


@pytest.mark.usefixtures("each_isa")
@pytest.mark.parametrize("m,k,n", [(0, 2, 5), (1, 2, 64), (7, 3, 17), (129, 1, 3), (300, 2, 64),
                                   (260, 4, 200), (1, 8, 3), (9, 6, 9), (130, 20, 17)])
@pytest.mark.parametrize("layout", ["C", "strided", "negstride", "Tstrided"])
@pytest.mark.parametrize("need_dx", [True, False])
def test_unkept_mask_gives_the_kept_numbers(rng, dtype, m, k, n, layout, need_dx):
    x = as_layout(random_array(rng, (m, k), dtype), layout)
    w = random_array(rng, (k, n), dtype)
    dv = as_layout(random_array(rng, (m, n), dtype), layout)
    relu_out = as_layout(np.maximum(0, random_array(rng, (m, n), dtype)), layout)
    if m > 3:
        relu_out[3, 0] = np.nan  # NaN is not <= 0: the book's mask keeps dvalues there
    d = np.where(relu_out <= 0, 0, dv).astype(dtype)
    dw, db, dx, _ = _backward(dv, relu_out, False, x, w, need_dx)
    kept_dw, kept_db, kept_dx, dr = _backward(dv, relu_out, True, x, w, need_dx)
    np.testing.assert_array_equal(dr, d)
    np.testing.assert_array_equal(dw, kept_dw)
    np.testing.assert_array_equal(db, kept_db)
    assert dx is None if not need_dx else np.array_equal(dx, kept_dx)
    _within_product_bound(dw, x.T, d)
    _within_product_bound(db, np.ones((1, m), dtype), d)
    if need_dx:
        _within_product_bound(dx, d, w.T)
