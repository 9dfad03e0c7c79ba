"""nnfast.relu / linear / softmax against the notes' NumPy code: relu and linear exactly,
softmax against the long-double reference within its error bound (registry_bounds)."""

import numpy as np
import pytest

import nnfast
import reference as ref
from conftest import LAYOUTS, as_layout, random_array
from registry_bounds import LD, assert_classified_close, assert_exact, check_softmax_rows

SHAPES_ANY = [(), (0,), (1,), (7,), (0, 3), (3, 0), (1, 1), (1, 5), (5, 1), (13, 17), (300, 64),
              (2, 3, 4), (0, 2, 3), (2, 1, 0, 3)]
SHAPES_SOFTMAX = [s for s in SHAPES_ANY if len(s) >= 1]

ELEMENTWISE = {"relu": (nnfast.relu, ref.relu), "linear": (nnfast.linear, ref.linear)}


def _layouts_for(shape):
    return ["C"] if len(shape) == 0 else LAYOUTS


CASES_ANY = [(s, lay) for s in SHAPES_ANY for lay in _layouts_for(s)]
CASES_SOFTMAX = [(s, lay) for s in SHAPES_SOFTMAX for lay in LAYOUTS]


# ---------------------------------------------------------------------------
# relu and linear
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shape,layout", CASES_ANY, ids=str)
def test_elementwise(rng, dtype, name, shape, layout):
    fn, reffn = ELEMENTWISE[name]
    x = as_layout(random_array(rng, shape, dtype), layout)
    x0 = x.copy()
    result = fn(x)
    assert_exact(result, reffn(x), dtype)
    assert np.shape(result) == shape
    np.testing.assert_array_equal(x, x0)  # input untouched


@pytest.mark.parametrize("layout", LAYOUTS)
def test_linear_is_a_copy(rng, dtype, layout):
    x = as_layout(random_array(rng, (4, 5), dtype), layout)
    result = nnfast.linear(x)
    assert isinstance(result, np.ndarray)
    assert not np.shares_memory(result, x)
    np.testing.assert_array_equal(result, x)  # exact: a copy
    result[...] = 0
    assert np.any(x != 0)


def test_relu_exact_values(dtype):
    x = np.array([-2.0, -0.5, 0.0, 1e-30, 0.25, 3.0, -np.inf, np.inf], dtype=dtype)
    result = nnfast.relu(x)
    assert result.dtype == dtype
    np.testing.assert_array_equal(result, np.maximum(0, x))


def test_relu_nan_propagates(dtype):
    x = np.array([[np.nan, -1.0, 2.0], [1.0, np.nan, -np.nan]], dtype=dtype)
    result = nnfast.relu(x)
    np.testing.assert_array_equal(np.isnan(result), np.isnan(x))
    np.testing.assert_array_equal(result[~np.isnan(x)], np.maximum(0, x)[~np.isnan(x)])


def test_relu_negative_zero(dtype):
    result = nnfast.relu(np.array([-0.0, 0.0], dtype=dtype))
    assert result.dtype == dtype
    assert np.all(result == 0)  # -0.0 or 0.0 both fine


def test_linear_keeps_nan_and_inf(dtype):
    x = np.array([np.nan, np.inf, -np.inf, -0.0, 1.5], dtype=dtype)
    result = nnfast.linear(x)
    np.testing.assert_array_equal(result, x)
    assert np.signbit(result[3])


def test_scalar_inputs():
    for value in (-2.5, 0.0, 3.25):
        r = nnfast.relu(value)
        assert np.shape(r) == () and np.asarray(r).dtype == np.float64
        assert float(r) == max(0.0, value)
        r = nnfast.linear(value)
        assert np.shape(r) == () and np.asarray(r).dtype == np.float64 and float(r) == value
    r = nnfast.relu(np.float32(-1.5))
    assert np.shape(r) == () and np.asarray(r).dtype == np.float32 and float(r) == 0.0


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("t", [np.int8, np.int32, np.int64, np.uint8, np.uint64, np.bool_],
                         ids=lambda t: np.dtype(t).name)
def test_elementwise_integer_inputs_give_float64(rng, name, t):
    fn, reffn = ELEMENTWISE[name]
    raw = rng.integers(-50, 50, size=(4, 6))
    x = (raw > 0) if t is np.bool_ else (np.abs(raw) if np.dtype(t).kind == "u" else raw).astype(t)
    result = fn(x)
    assert_exact(result, reffn(x.astype(np.float64)), np.float64)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_lists(name):
    fn, reffn = ELEMENTWISE[name]
    data = [[1.5, -2.0, 0.0], [-0.1, 4.0, -7.25]]
    assert_exact(fn(data), reffn(np.array(data)), np.float64)
    ints = [[1, -2, 3], [0, -5, 6]]
    assert_exact(fn(ints), reffn(np.array(ints, dtype=np.float64)), np.float64)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_float16_with_nothing_else_is_rejected(name):
    fn, _ = ELEMENTWISE[name]
    with pytest.raises(TypeError, match="float16"):
        fn(np.ones(3, np.float16))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("lout", ["C", "F", "strided", "negstride"])
def test_elementwise_out(rng, dtype, name, lout):
    fn, reffn = ELEMENTWISE[name]
    x = random_array(rng, (6, 5), dtype)
    out = as_layout(np.full((6, 5), 42.0, dtype), lout)
    assert fn(x, out=out) is out
    assert_exact(out, reffn(x), dtype)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_elementwise_out_aliases_input(rng, dtype, name, layout):
    fn, reffn = ELEMENTWISE[name]
    x = as_layout(random_array(rng, (7, 6), dtype), layout)
    expected = reffn(x.copy())
    assert fn(x, out=x) is x
    assert_exact(x, expected, dtype)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_out_is_reversed_view_of_input(rng, dtype, name):
    fn, reffn = ELEMENTWISE[name]
    x = random_array(rng, (9,), dtype)
    expected = reffn(x.copy())
    out = x[::-1]
    assert fn(x, out=out) is out
    assert_exact(out, expected, dtype)


def test_relu_out_strided_leaves_rest_untouched(rng, dtype):
    x = random_array(rng, (3, 4), dtype)
    big = np.full((6, 8), 5.5, dtype)
    view = big[1::2, ::2]
    assert nnfast.relu(x, out=view) is view
    assert_exact(big[1::2, ::2], ref.relu(x), dtype)
    mask = np.ones(big.shape, bool)
    mask[1::2, ::2] = False
    assert np.all(big[mask] == 5.5)


def test_relu_out_zero_dim(dtype):
    out = np.empty((), dtype)
    assert nnfast.relu(np.asarray(-3.0, dtype), out=out) is out
    assert out[()] == 0
    assert nnfast.linear(np.asarray(-3.0, dtype), out=out) is out
    assert out[()] == -3.0


# ---------------------------------------------------------------------------
# softmax
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,layout", CASES_SOFTMAX, ids=str)
def test_softmax(rng, dtype, shape, layout):
    x = as_layout(random_array(rng, shape, dtype, -5, 5), layout)
    x0 = x.copy()
    result = nnfast.softmax(x)
    assert isinstance(result, np.ndarray)
    check_softmax_rows(result, x, dtype)  # each row's sum then within 1 by the bounds' sum
    np.testing.assert_array_equal(x, x0)


def test_softmax_is_numerically_stable(dtype):
    x = np.array([[1000.0, 1001.0, 1002.0],
                  [-1000.0, -1001.0, -1002.0],
                  [3.0e4, -3.0e4, 0.0],
                  [0.0, 0.0, 0.0]], dtype=dtype)
    result = nnfast.softmax(x)
    assert np.all(np.isfinite(result))
    check_softmax_rows(result, x, dtype)
    # shift invariance
    check_softmax_rows(result[0], np.array([0.0, 1.0, 2.0], dtype=dtype), dtype)


def test_softmax_single_column_is_one(rng, dtype):
    x = random_array(rng, (5, 1), dtype, -100, 100)
    result = nnfast.softmax(x)
    np.testing.assert_array_equal(result, np.ones((5, 1), dtype))


def test_softmax_empty_rows_and_columns(dtype):
    r = nnfast.softmax(np.empty((4, 0), dtype))
    assert r.shape == (4, 0) and r.dtype == dtype
    r = nnfast.softmax(np.empty((0, 3), dtype))
    assert r.shape == (0, 3) and r.dtype == dtype


def test_softmax_1d_is_one_row(rng, dtype):
    x = random_array(rng, (10,), dtype)
    check_softmax_rows(nnfast.softmax(x), x, dtype)


@pytest.mark.parametrize("t", [np.int8, np.int64, np.uint8, np.bool_], ids=lambda t: np.dtype(t).name)
def test_softmax_integer_inputs_give_float64(rng, t):
    raw = rng.integers(-5, 5, size=(3, 4))
    x = (raw > 0) if t is np.bool_ else (np.abs(raw) if np.dtype(t).kind == "u" else raw).astype(t)
    check_softmax_rows(nnfast.softmax(x), x.astype(np.float64), np.dtype(np.float64))


def test_softmax_lists():
    data = [[1.0, 2.0, 3.0], [-1.0, 0.0, 10.0]]
    f64 = np.dtype(np.float64)
    check_softmax_rows(nnfast.softmax(data), np.array(data), f64)
    check_softmax_rows(nnfast.softmax([1, 2, 3]), np.array([1.0, 2.0, 3.0]), f64)


@pytest.mark.parametrize("lout", ["C", "F", "strided", "negstride"])
def test_softmax_out(rng, dtype, lout):
    x = random_array(rng, (6, 5), dtype)
    out = as_layout(np.full((6, 5), 42.0, dtype), lout)
    assert nnfast.softmax(x, out=out) is out
    check_softmax_rows(out, x, dtype)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(1, 1), (7, 6), (3, 33), (2, 3, 4)], ids=str)
def test_softmax_out_aliases_input(rng, dtype, layout, shape):
    x = as_layout(random_array(rng, shape, dtype), layout)
    x0 = x.copy()
    assert nnfast.softmax(x, out=x) is x
    check_softmax_rows(x, x0, dtype)


def test_softmax_out_is_permuted_view_of_input(rng, dtype):
    x = random_array(rng, (6, 6), dtype)
    x0 = x.copy()
    out = x.T
    assert nnfast.softmax(x, out=out) is out
    check_softmax_rows(out, x0, dtype)
    x = random_array(rng, (5, 4), dtype)
    x0 = x.copy()
    out = x[::-1, ::-1]
    assert nnfast.softmax(x, out=out) is out
    check_softmax_rows(out, x0, dtype)


# ---------------------------------------------------------------------------
# lengths around SIMD widths, offset starts, unaligned / byte-swapped data
# ---------------------------------------------------------------------------

LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000]


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("offset", [0, 1, 3])
def test_elementwise_lengths_and_offsets(rng, dtype, n, offset):
    base = random_array(rng, (n + offset,), dtype)
    x = base[offset:]
    for name, (fn, reffn) in ELEMENTWISE.items():
        assert_exact(fn(x), reffn(x), dtype)
        out_base = np.full(n + offset, 9.0, dtype)
        out = out_base[offset:]
        assert fn(x, out=out) is out
        assert_exact(out, reffn(x), dtype)
        assert np.all(out_base[:offset] == 9.0)


@pytest.mark.parametrize("c", LENGTHS)
@pytest.mark.parametrize("offset", [0, 1])
def test_softmax_row_lengths(rng, dtype, c, offset):
    base = random_array(rng, (3, c + offset), dtype, -20, 20)
    x = base[:, offset:]
    check_softmax_rows(nnfast.softmax(x), x, dtype)
    y = np.ascontiguousarray(x).reshape(-1)[offset:offset + c] if offset else x[0]
    check_softmax_rows(nnfast.softmax(y), y, dtype)


def test_softmax_with_minus_inf(dtype):
    x = np.array([[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf]], dtype=dtype)
    with np.errstate(invalid="ignore"):  # the long-double reference's -inf - max
        check_softmax_rows(nnfast.softmax(x), x, dtype)


def test_softmax_many_columns(rng, dtype):
    x = random_array(rng, (4, 5000), dtype, -30, 30)
    check_softmax_rows(nnfast.softmax(x), x, dtype)


def _unaligned(arr):
    buf = np.zeros(arr.nbytes + 1, np.uint8)
    out = np.ndarray(arr.shape, arr.dtype, buffer=buf, offset=1)
    out[...] = arr
    assert not out.flags.aligned
    return out


@pytest.mark.parametrize("fname", ["relu", "linear", "softmax"])
def test_unaligned_and_byteswapped(rng, dtype, fname):
    fn = getattr(nnfast, fname)

    def check(result, x):
        if fname == "softmax":
            check_softmax_rows(result, x, dtype)
        else:
            assert_exact(result, getattr(ref, fname)(x), dtype)

    x = random_array(rng, (6, 7), dtype)
    check(fn(_unaligned(x)), x)
    out = _unaligned(np.zeros((6, 7), dtype))
    assert fn(x, out=out) is out
    check(out, x)
    swapped = x.astype(x.dtype.newbyteorder("S"))
    result = fn(swapped)
    assert result.dtype.kind == "f" and result.dtype.itemsize == dtype.itemsize
    check(result.astype(dtype), x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_exp_over_its_whole_range(dtype):
    """softmax computes exp in SIMD registers with a polynomial; rows (0, x) for x across the
    whole float range, through underflow to subnormals and zero, must match NumPy's exp."""
    lim = 800.0 if dtype == np.float64 else 110.0
    x = np.linspace(-lim, lim, 20011).astype(dtype)
    x = np.concatenate([x, np.array([-np.inf, 0.0, -0.0, 1e-300, -1e-30], dtype=dtype)])
    rows = np.stack([np.zeros_like(x), x], axis=1)
    with np.errstate(all="ignore"):
        expected = ref.softmax(rows.astype(LD))
    # x - max is exact here (one of the two is 0), so what remains is exp's error (1 ulp),
    # the sum's and the division's roundings: 4 eps relative; a subnormal result within 2
    # units of the last place (its ulp is absolute).
    fi = np.finfo(dtype)
    bound = 4 * LD(fi.eps) * np.abs(expected) + 2 * LD(fi.smallest_subnormal)
    assert_classified_close(nnfast.softmax(rows), expected, bound)
