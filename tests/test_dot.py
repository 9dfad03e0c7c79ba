"""nnfast.dot against numpy.dot (via tests/reference.py)."""

import numpy as np
import pytest

import nnfast
import reference as ref
from conftest import LAYOUTS, as_layout, random_array
from registry_bounds import assert_exact, check_affine

VV_K = [0, 1, 2, 7, 64, 301]
MV_SHAPES = [(0, 3), (1, 1), (1, 5), (4, 0), (5, 7), (17, 33), (3, 300)]
MM_SHAPES = [  # (m, k, n)
    (0, 3, 4), (3, 0, 4), (3, 4, 0), (0, 0, 0),
    (1, 1, 1), (1, 5, 1), (1, 6, 3), (4, 6, 1),
    (2, 3, 5), (7, 13, 5), (33, 17, 65), (64, 64, 64), (5, 300, 3),
]


def _check_dot(a, b, result):
    """Compare nnfast's result with np.dot on the same inputs: NumPy's result type and shape,
    values within the product's error bound against the long-double product
    (registry_bounds.check_affine)."""
    expected = ref.dot(a, b)
    if np.ndim(expected) == 0:
        assert isinstance(result, np.generic), f"expected a NumPy scalar, got {type(result)}"
    else:
        assert isinstance(result, np.ndarray)
    check_affine(result, a, b, None, None, expected.dtype)


# ---------------------------------------------------------------------------
# the four ndim combinations, both dtypes, all layouts
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("k", VV_K)
@pytest.mark.parametrize("la", LAYOUTS)
def test_vector_vector(rng, dtype, k, la):
    a = as_layout(random_array(rng, (k,), dtype), la)
    b = as_layout(random_array(rng, (k,), dtype), "negstride" if la == "C" else "C")
    result = nnfast.dot(a, b)
    _check_dot(a, b, result)
    assert np.ndim(result) == 0


@pytest.mark.parametrize("shape", MV_SHAPES, ids=str)
@pytest.mark.parametrize("la", LAYOUTS)
@pytest.mark.parametrize("lb", ["C", "strided", "negstride"])
def test_matrix_vector(rng, dtype, shape, la, lb):
    m, k = shape
    a = as_layout(random_array(rng, (m, k), dtype), la)
    b = as_layout(random_array(rng, (k,), dtype), lb)
    result = nnfast.dot(a, b)
    assert result.shape == (m,)
    _check_dot(a, b, result)


@pytest.mark.parametrize("shape", MV_SHAPES, ids=str)
@pytest.mark.parametrize("la", ["C", "strided", "negstride"])
@pytest.mark.parametrize("lb", LAYOUTS)
def test_vector_matrix(rng, dtype, shape, la, lb):
    n, k = shape
    a = as_layout(random_array(rng, (k,), dtype), la)
    b = as_layout(random_array(rng, (k, n), dtype), lb)
    result = nnfast.dot(a, b)
    assert result.shape == (n,)
    _check_dot(a, b, result)


@pytest.mark.parametrize("mkn", MM_SHAPES, ids=str)
@pytest.mark.parametrize("la", LAYOUTS)
@pytest.mark.parametrize("lb", LAYOUTS)
def test_matrix_matrix(rng, dtype, mkn, la, lb):
    m, k, n = mkn
    a = as_layout(random_array(rng, (m, k), dtype), la)
    b = as_layout(random_array(rng, (k, n), dtype), lb)
    result = nnfast.dot(a, b)
    assert result.shape == (m, n)
    _check_dot(a, b, result)


def test_inputs_not_modified(rng, dtype):
    a = random_array(rng, (6, 5), dtype)
    b = random_array(rng, (5, 4), dtype)
    a0, b0 = a.copy(), b.copy()
    nnfast.dot(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_extreme_magnitudes(dtype):
    # tiny * huge products of order 1; 1e20 * 1e20 overflows float32 to inf like NumPy.
    a = np.array([[1e18, 2e18, -1e18], [1e20, 1e20, 0.0]], dtype=dtype)
    b = np.array([[1e-18, 3e-18], [2e-18, 1e-18], [1e-18, 1e-18]], dtype=dtype)
    _check_dot(a, b, nnfast.dot(a, b))
    c = np.array([[1e20, 1e20]], dtype=dtype)
    d = np.array([[1e20], [1e20]], dtype=dtype)
    if dtype == np.float32:
        # the overflow to inf is exact (the long-double product is finite: no bound applies)
        result = nnfast.dot(c, d)
        assert isinstance(result, np.ndarray)
        assert_exact(result, ref.dot(c, d), dtype)
        assert np.all(np.isinf(result))
    else:
        _check_dot(c, d, nnfast.dot(c, d))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_and_inf_propagate(dtype):
    a = np.array([[1.0, np.nan], [2.0, 3.0], [np.inf, 1.0]], dtype=dtype)
    b = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=dtype)
    result = nnfast.dot(a, b)
    expected = ref.dot(a, b)
    np.testing.assert_array_equal(np.isnan(result), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(result), np.isinf(expected))
    check_affine(result, a, b, None, None, dtype)  # NaN/inf exactly, finite values in the bound


# ---------------------------------------------------------------------------
# dtype promotion, lists, integers
# ---------------------------------------------------------------------------

MIXED = [
    (np.float32, np.float64),
    (np.float64, np.float32),
    (np.float16, np.float32),
    (np.int8, np.float32),
    (np.uint8, np.float32),
    (np.int16, np.float32),
    (np.int32, np.float32),
    (np.int64, np.float32),
    (np.int64, np.float64),
    (np.bool_, np.float32),
    (np.float64, np.int32),
]


@pytest.mark.parametrize("ta,tb", MIXED, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("ndims", [(1, 1), (2, 1), (1, 2), (2, 2)], ids=str)
def test_mixed_dtypes_follow_numpy(rng, ta, tb, ndims):
    shapes = {(1, 1): ((6,), (6,)), (2, 1): ((4, 6), (6,)),
              (1, 2): ((6,), (6, 3)), (2, 2): ((4, 6), (6, 3))}[ndims]
    a = random_array(rng, shapes[0], np.float64, -5, 5)
    b = random_array(rng, shapes[1], np.float64, -5, 5)
    a = (a > 0) if ta is np.bool_ else a.astype(ta)
    b = (b > 0) if tb is np.bool_ else b.astype(tb)
    result = nnfast.dot(a, b)
    expected = np.dot(a, b)
    assert result.dtype == expected.dtype == np.result_type(a, b)
    _check_dot(a, b, result)


@pytest.mark.parametrize("t", [np.int8, np.int32, np.int64, np.uint16, np.bool_],
                         ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("ndims", [(1, 1), (2, 1), (1, 2), (2, 2)], ids=str)
def test_integer_only_is_exactly_numpy_dot(rng, t, ndims):
    shapes = {(1, 1): ((7,), (7,)), (2, 1): ((3, 7), (7,)),
              (1, 2): ((7,), (7, 2)), (2, 2): ((3, 7), (7, 2))}[ndims]
    a = rng.integers(-9, 10, size=shapes[0])
    b = rng.integers(-9, 10, size=shapes[1])
    a = (a > 0) if t is np.bool_ else np.abs(a).astype(t) if np.dtype(t).kind == "u" else a.astype(t)
    b = (b > 0) if t is np.bool_ else np.abs(b).astype(t) if np.dtype(t).kind == "u" else b.astype(t)
    result = nnfast.dot(a, b)
    expected = np.dot(a, b)
    assert np.asarray(result).dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)
    assert np.shape(result) == np.shape(expected)


def test_python_lists():
    a = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    b = [[1.0, 0.5], [0.25, -1.0], [2.0, 3.0]]
    # every product and partial sum here is exact in float64: an exact comparison
    for x, y in ((a, b), ([1.0, 2.0], [3.0, 4.0])):
        r = nnfast.dot(x, y)
        assert isinstance(r, (np.ndarray, np.generic))
        assert_exact(r, np.dot(x, y), np.float64)
    # list of ints with a float32 array -> what NumPy gives (int64 with float32 -> float64)
    w = np.array([[0.5], [1.5], [-2.0]], dtype=np.float32)
    r = nnfast.dot([[1, 2, 3]], w)
    assert isinstance(r, np.ndarray)
    assert_exact(r, np.dot([[1, 2, 3]], w), np.dot([[1, 2, 3]], w).dtype)
    # lists of ints only -> exactly numpy.dot
    r = nnfast.dot([1, 2, 3], [4, 5, 6])
    assert r == 32 and np.asarray(r).dtype == np.dot([1, 2, 3], [4, 5, 6]).dtype


def test_tuples_and_nested_sequences(rng):
    a = random_array(rng, (3, 4))
    b = random_array(rng, (4,))
    _check_dot(a, b, nnfast.dot(tuple(map(tuple, a)), tuple(b)))


# ---------------------------------------------------------------------------
# out=
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mkn", [(4, 5, 3), (1, 1, 1), (0, 3, 2), (3, 0, 2), (16, 40, 9)], ids=str)
@pytest.mark.parametrize("lout", ["C", "F", "strided", "negstride"])
def test_out_matrix_matrix(rng, dtype, mkn, lout):
    m, k, n = mkn
    a = random_array(rng, (m, k), dtype)
    b = random_array(rng, (k, n), dtype)
    out = as_layout(np.full((m, n), 123.0, dtype=dtype), lout)
    result = nnfast.dot(a, b, out=out)
    assert result is out
    check_affine(out, a, b, None, None, dtype)


@pytest.mark.parametrize("lout", ["C", "strided", "negstride"])
def test_out_matrix_vector_and_vector_matrix(rng, dtype, lout):
    a = random_array(rng, (5, 6), dtype)
    v = random_array(rng, (6,), dtype)
    out = as_layout(np.zeros(5, dtype), lout)
    assert nnfast.dot(a, v, out=out) is out
    check_affine(out, a, v, None, None, dtype)
    w = random_array(rng, (5,), dtype)
    out2 = as_layout(np.zeros(6, dtype), lout)
    assert nnfast.dot(w, a, out=out2) is out2
    check_affine(out2, w, a, None, None, dtype)


def test_out_strided_view_leaves_rest_untouched(rng, dtype):
    a = random_array(rng, (4, 3), dtype)
    b = random_array(rng, (3, 5), dtype)
    big = np.full((8, 10), -7.0, dtype=dtype)
    view = big[::2, ::2]
    result = nnfast.dot(a, b, out=view)
    assert result is view
    check_affine(big[::2, ::2], a, b, None, None, dtype)
    mask = np.ones(big.shape, bool)
    mask[::2, ::2] = False
    assert np.all(big[mask] == -7.0)


def test_out_mixed_dtype_result(rng):
    a = random_array(rng, (3, 4), np.float32)
    b = random_array(rng, (4, 2), np.float64)
    out = np.empty((3, 2), np.float64)
    assert nnfast.dot(a, b, out=out) is out
    check_affine(out, a, b, None, None, np.float64)


@pytest.mark.parametrize("n", [1, 3, 8, 33])
def test_out_aliases_first_input(rng, dtype, n):
    a = random_array(rng, (n, n), dtype)
    b = random_array(rng, (n, n), dtype)
    a0 = a.copy()
    result = nnfast.dot(a, b, out=a)
    assert result is a
    check_affine(a, a0, b, None, None, dtype)


@pytest.mark.parametrize("n", [1, 3, 8, 33])
def test_out_aliases_second_input(rng, dtype, n):
    a = random_array(rng, (n, n), dtype)
    b = random_array(rng, (n, n), dtype)
    b0 = b.copy()
    assert nnfast.dot(a, b, out=b) is b
    check_affine(b, a, b0, None, None, dtype)


@pytest.mark.parametrize("n", [3, 8, 33])
def test_out_aliases_both_inputs(rng, dtype, n):
    a = random_array(rng, (n, n), dtype)
    a0 = a.copy()
    assert nnfast.dot(a, a, out=a) is a
    check_affine(a, a0, a0, None, None, dtype)


@pytest.mark.parametrize("n", [3, 8, 33])
def test_out_is_transposed_view_of_input(rng, dtype, n):
    a = random_array(rng, (n, n), dtype)
    b = random_array(rng, (n, n), dtype)
    a0 = a.copy()
    out = a.T
    assert nnfast.dot(a, b, out=out) is out
    check_affine(out, a0, b, None, None, dtype)


def test_out_matrix_vector_aliases_vector(rng, dtype):
    a = random_array(rng, (6, 6), dtype)
    v = random_array(rng, (6,), dtype)
    v0 = v.copy()
    assert nnfast.dot(a, v, out=v) is v
    check_affine(v, a, v0, None, None, dtype)
    # and a row of the matrix itself as output
    a = random_array(rng, (6, 6), dtype)
    a0 = a.copy()
    out = a[2]
    assert nnfast.dot(a, a[2], out=out) is out
    check_affine(out, a0, a0[2], None, None, dtype)


# ---------------------------------------------------------------------------
# sizes around SIMD widths / register blocks, unaligned and byte-swapped data
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mkn", [(m, k, n) for m in (1, 3, 5, 9) for k in (1, 7, 8, 17)
                                 for n in (7, 8, 9, 15, 16, 17, 31, 33, 65)], ids=str)
def test_matrix_matrix_block_edges(rng, dtype, mkn):
    m, k, n = mkn
    a = random_array(rng, (m, k), dtype)
    b = random_array(rng, (k, n), dtype)
    _check_dot(a, b, nnfast.dot(a, b))
    _check_dot(b.T, a.T, nnfast.dot(b.T, a.T))


@pytest.mark.parametrize("k", [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 4097])
def test_vector_vector_lengths(rng, dtype, k):
    a = random_array(rng, (k,), dtype)
    b = random_array(rng, (k,), dtype)
    _check_dot(a, b, nnfast.dot(a, b))
    _check_dot(a[1:], b[:-1], nnfast.dot(a[1:], b[:-1]))  # offset starts


def test_large_matrix_product(dtype):
    rng = np.random.default_rng(7)
    a = random_array(rng, (129, 257), dtype)
    b = random_array(rng, (257, 130), dtype)
    _check_dot(a, b, nnfast.dot(a, b))
    _check_dot(a[::-1, ::3], b[::3, ::-1], nnfast.dot(a[::-1, ::3], b[::3, ::-1]))


def _unaligned(arr):
    """A copy of ``arr`` whose data pointer is not a multiple of its itemsize."""
    buf = np.zeros(arr.nbytes + 1, np.uint8)
    out = np.ndarray(arr.shape, arr.dtype, buffer=buf, offset=1)
    out[...] = arr
    assert not out.flags.aligned
    return out


def test_unaligned_inputs(rng, dtype):
    a = _unaligned(random_array(rng, (5, 6), dtype))
    b = _unaligned(random_array(rng, (6, 4), dtype))
    _check_dot(a, b, nnfast.dot(a, b))
    out = _unaligned(np.zeros((5, 4), dtype))
    assert nnfast.dot(a, b, out=out) is out
    check_affine(out, a, b, None, None, dtype)


def test_byteswapped_inputs(rng, dtype):
    a = random_array(rng, (5, 6), dtype)
    b = random_array(rng, (6, 4), dtype)
    sa = a.astype(a.dtype.newbyteorder("S"))
    sb = b.astype(b.dtype.newbyteorder("S"))
    np.testing.assert_array_equal(sa, a)
    result = nnfast.dot(sa, sb)
    assert result.dtype.kind == "f" and result.dtype.itemsize == dtype.itemsize
    check_affine(result.astype(dtype), a, b, None, None, dtype)


def test_read_only_inputs(rng, dtype):
    a = random_array(rng, (4, 3), dtype)
    b = random_array(rng, (3, 2), dtype)
    a.flags.writeable = False
    b.flags.writeable = False
    _check_dot(a, b, nnfast.dot(a, b))
