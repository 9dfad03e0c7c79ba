"""nnfast.dense against the notes' np.dot(inputs, weights) + biases -> activation."""

import threading

import numpy as np
import pytest

import nnfast
import reference as ref
from registry_bounds import assert_exact, check_affine
from conftest import LAYOUTS, as_layout, random_array

ACTIVATIONS = [None, "linear", "relu", "softmax"]
# (n_samples, n_inputs, n_neurons); n_samples None -> one 1-D sample
SHAPES = [
    (0, 3, 4), (1, 1, 1), (1, 2, 3), (5, 1, 3), (5, 4, 1), (3, 0, 4), (3, 4, 0), (0, 0, 0),
    (None, 2, 3), (None, 1, 1), (None, 0, 3), (None, 5, 0),
    (7, 2, 3), (300, 2, 64), (300, 64, 3), (33, 17, 9),
]


def _inputs_shape(n, k):
    return (k,) if n is None else (n, k)


def _check_dense(result, x, w, b, activation, dtype, shape=None):
    """nnfast.dense's result (a new array) against activation(x @ w + b) within the product's
    error bound (registry_bounds.check_affine: long double, dtype and shape checked)."""
    assert isinstance(result, np.ndarray), type(result)
    check_affine(result, x, w, b, activation, dtype, shape)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("bias_2d", [False, True], ids=["bias1d", "bias2d"])
def test_dense_shapes_activations(rng, dtype, shape, activation, bias_2d):
    n, k, m = shape
    x = random_array(rng, _inputs_shape(n, k), dtype)
    w = random_array(rng, (k, m), dtype, -1, 1)
    b = random_array(rng, (1, m) if bias_2d else (m,), dtype)
    result = nnfast.dense(x, w, b, activation=activation)
    assert result.shape == ((m,) if n is None else (n, m))
    _check_dense(result, x, w, b, activation, dtype, result.shape)


@pytest.mark.parametrize("lx", LAYOUTS)
@pytest.mark.parametrize("lw", LAYOUTS)
@pytest.mark.parametrize("lb", ["C", "strided", "negstride"])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_layouts(rng, dtype, lx, lw, lb, activation):
    n, k, m = 9, 6, 5
    x = as_layout(random_array(rng, (n, k), dtype), lx)
    w = as_layout(random_array(rng, (k, m), dtype, -1, 1), lw)
    b = as_layout(random_array(rng, (1, m), dtype), lb)
    result = nnfast.dense(x, w, b, activation)
    assert result.shape == (n, m)
    _check_dense(result, x, w, b, activation, dtype)


@pytest.mark.parametrize("lx", ["C", "strided", "negstride"])
@pytest.mark.parametrize("lw", LAYOUTS)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_single_sample_layouts(rng, dtype, lx, lw, activation):
    k, m = 7, 4
    x = as_layout(random_array(rng, (k,), dtype), lx)
    w = as_layout(random_array(rng, (k, m), dtype, -1, 1), lw)
    b = as_layout(random_array(rng, (m,), dtype), lx)
    result = nnfast.dense(x, w, b, activation=activation)
    assert result.shape == (m,)
    _check_dense(result, x, w, b, activation, dtype)


def test_dense_single_sample_with_2d_bias(rng, dtype):
    x = random_array(rng, (3,), dtype)
    w = random_array(rng, (3, 4), dtype)
    b = random_array(rng, (1, 4), dtype)
    result = nnfast.dense(x, w, b)
    assert result.shape == (4,)
    _check_dense(result, x, w, b, None, dtype, shape=(4,))


def test_dense_default_activation_is_linear(rng, dtype):
    x = random_array(rng, (4, 3), dtype)
    w = random_array(rng, (3, 2), dtype)
    b = random_array(rng, (2,), dtype)
    _check_dense(nnfast.dense(x, w, b), x, w, b, None, dtype)


def test_dense_relu_zeroes_negatives_exactly(rng, dtype):
    x = random_array(rng, (50, 4), dtype)
    w = random_array(rng, (4, 6), dtype)
    b = random_array(rng, (6,), dtype)
    result = nnfast.dense(x, w, b, activation="relu")
    pre = np.dot(x, w) + b
    assert np.all(result >= 0)
    assert np.all(result[pre < -1e-3] == 0)


def test_dense_softmax_rows_sum_to_one_and_stable(dtype):
    # huge pre-activations: the row max must be subtracted before exp
    x = np.array([[1.0, 2.0], [-3.0, 0.5], [100.0, -100.0]], dtype=dtype)
    w = np.array([[400.0, 380.0, -50.0], [300.0, 310.0, 0.0]], dtype=dtype)
    b = np.array([10.0, 0.0, -10.0], dtype=dtype)
    result = nnfast.dense(x, w, b, activation="softmax")
    assert np.all(np.isfinite(result))
    np.testing.assert_allclose(result.sum(axis=1), 1.0, rtol=1e-5 if dtype == np.float32 else 1e-12)
    _check_dense(result, x, w, b, "softmax", dtype)


@pytest.mark.parametrize("n_rows", [1, 2, 5, 8, 9, 260])
def test_dense_softmax_is_dense_then_softmax(rng, dtype, n_rows):
    """The softmax nnfast.dense takes of a narrow product's sums in SIMD registers is
    nnfast.softmax's of the product, bit for bit: the C network's output layer (dense with
    its softmax, and its cross-entropy) and the layers' two calls agree. test_isa.py re-runs
    this under every SIMD path, whose register widths decide which rows take the registers
    (generic float64's 2 lanes sum a row of 4 in lanes, not in order)."""
    for k in (2, 7, 61, 64):
        for n in range(2, 10):
            x = random_array(rng, (n_rows, k), dtype)
            w = random_array(rng, (k, n), dtype, -1, 1)
            b = random_array(rng, (n,), dtype)
            np.testing.assert_array_equal(nnfast.dense(x, w, b, activation="softmax"),
                                          nnfast.softmax(nnfast.dense(x, w, b)),
                                          err_msg=f"({n_rows}, {k}) @ ({k}, {n})")


def test_dense_inputs_not_modified(rng, dtype):
    x = random_array(rng, (5, 3), dtype)
    w = random_array(rng, (3, 3), dtype)
    b = random_array(rng, (3,), dtype)
    copies = [a.copy() for a in (x, w, b)]
    nnfast.dense(x, w, b, activation="softmax")
    for a, c in zip((x, w, b), copies):
        np.testing.assert_array_equal(a, c)


def test_dense_keyword_arguments(rng, dtype):
    x = random_array(rng, (4, 3), dtype)
    w = random_array(rng, (3, 2), dtype)
    b = random_array(rng, (2,), dtype)
    result = nnfast.dense(inputs=x, weights=w, biases=b, activation="relu")
    _check_dense(result, x, w, b, "relu", dtype)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

MIXED = [  # (inputs, weights, biases)
    (np.float32, np.float64, np.float64),
    (np.float64, np.float32, np.float32),
    (np.float32, np.float32, np.float64),
    (np.float32, np.float16, np.float32),
    (np.int8, np.float32, np.float32),
    (np.uint8, np.float32, np.float32),
    (np.int32, np.float32, np.float32),
    (np.int64, np.float64, np.float64),
    (np.bool_, np.float32, np.float32),
    (np.float32, np.float32, np.int64),
    (np.float32, np.float32, np.int8),
]


def _cast(a, t):
    if t is np.bool_:
        return a > 0
    if np.dtype(t).kind in "iu":
        return np.round(a * 3).astype(t) if np.dtype(t).kind == "i" else np.abs(np.round(a * 3)).astype(t)
    return a.astype(t)


@pytest.mark.parametrize("types", MIXED, ids=lambda ts: "-".join(np.dtype(t).name for t in ts))
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_mixed_dtypes_follow_numpy(rng, types, activation):
    tx, tw, tb = types
    x = _cast(random_array(rng, (6, 4)), tx)
    w = _cast(random_array(rng, (4, 3), low=-1, high=1), tw)
    b = _cast(random_array(rng, (3,)), tb)
    numpy_dtype = ref.dense(x, w, b, activation).dtype
    assert numpy_dtype == np.result_type(x, w, b)
    # values: the whole computation in the compute dtype (NumPy itself would round
    # float32 @ float32 to float32 before adding float64 biases), so the compute dtype's bound
    result = nnfast.dense(x, w, b, activation)
    _check_dense(result, x, w, b, activation, numpy_dtype)


@pytest.mark.parametrize("t", [np.int8, np.int32, np.int64, np.uint8, np.bool_],
                         ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_integer_only_computes_float64(rng, t, activation):
    x = _cast(random_array(rng, (5, 3)), t)
    w = _cast(random_array(rng, (3, 4)), t)
    b = _cast(random_array(rng, (4,)), t)
    result = nnfast.dense(x, w, b, activation)
    assert isinstance(result, np.ndarray)
    if activation == "softmax":
        check_affine(result, x, w, b, activation, np.float64)
    else:  # small integers: every sum is exact in float64
        expected = ref.dense(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), activation)
        assert_exact(result, expected, np.float64)


def test_dense_python_lists():
    x = [[1.0, 2.0], [-3.0, 0.5]]
    w = [[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]]
    b = [2.0, 3.0, 0.5]
    for act in ACTIVATIONS:
        _check_dense(nnfast.dense(x, w, b, act), x, w, b, act, np.float64)
    # the notes' day-2 numbers: one sample, lists only (ints and floats mixed -> float64)
    inputs = [1, 2, 3, 2.5]
    weights = [[0.2, 0.5, -0.26], [0.8, -0.91, -0.27], [-0.5, 0.26, 0.17], [1.0, -0.5, 0.87]]
    biases = [2, 3, 0.5]
    result = nnfast.dense(inputs, weights, biases)
    _check_dense(result, inputs, weights, biases, None, np.float64)


# ---------------------------------------------------------------------------
# out=
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("lout", ["C", "F", "strided", "negstride"])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_out(rng, dtype, lout, activation):
    x = random_array(rng, (7, 5), dtype)
    w = random_array(rng, (5, 3), dtype)
    b = random_array(rng, (3,), dtype)
    out = as_layout(np.full((7, 3), 99.0, dtype), lout)
    result = nnfast.dense(x, w, b, activation, out=out)
    assert result is out
    check_affine(out, x, w, b, activation, dtype)


def test_dense_out_single_sample(rng, dtype):
    x = random_array(rng, (5,), dtype)
    w = random_array(rng, (5, 3), dtype)
    b = random_array(rng, (1, 3), dtype)
    out = np.empty((3,), dtype)
    assert nnfast.dense(x, w, b, "softmax", out=out) is out
    check_affine(out, x, w, b, "softmax", dtype, shape=(3,))


def test_dense_out_strided_view_leaves_rest_untouched(rng, dtype):
    x = random_array(rng, (4, 3), dtype)
    w = random_array(rng, (3, 5), dtype)
    b = random_array(rng, (5,), dtype)
    big = np.full((8, 10), -7.0, dtype)
    view = big[::2, ::2]
    assert nnfast.dense(x, w, b, "relu", out=view) is view
    check_affine(big[::2, ::2], x, w, b, "relu", dtype)
    mask = np.ones(big.shape, bool)
    mask[::2, ::2] = False
    assert np.all(big[mask] == -7.0)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("n", [1, 4, 33])
def test_dense_out_aliases_inputs(rng, dtype, activation, n):
    x = random_array(rng, (n, n), dtype)
    w = random_array(rng, (n, n), dtype, -1, 1)
    b = random_array(rng, (n,), dtype)
    x0 = x.copy()
    assert nnfast.dense(x, w, b, activation, out=x) is x
    check_affine(x, x0, w, b, activation, dtype)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_out_aliases_weights(rng, dtype, activation):
    n = 6
    x = random_array(rng, (n, n), dtype)
    w = random_array(rng, (n, n), dtype, -1, 1)
    b = random_array(rng, (n,), dtype)
    w0 = w.copy()
    assert nnfast.dense(x, w, b, activation, out=w) is w
    check_affine(w, x, w0, b, activation, dtype)


def test_dense_out_aliases_biases(rng, dtype):
    x = random_array(rng, (1, 5), dtype)
    w = random_array(rng, (5, 4), dtype)
    b = random_array(rng, (1, 4), dtype)
    b0 = b.copy()
    assert nnfast.dense(x, w, b, "softmax", out=b) is b
    check_affine(b, x, w, b0, "softmax", dtype)


# ---------------------------------------------------------------------------
# threads (the GIL is released): results stay correct when calls run concurrently
# ---------------------------------------------------------------------------

def test_dense_concurrent_calls_are_correct(dtype):
    rng = np.random.default_rng(2024)
    jobs = []
    for _ in range(4):
        x = random_array(rng, (200, 32), dtype)
        w = random_array(rng, (32, 48), dtype, -1, 1)
        b = random_array(rng, (48,), dtype)
        jobs.append((x, w, b))
    results = [None] * len(jobs)

    def work(i):
        x, w, b = jobs[i]
        for _ in range(20):
            results[i] = nnfast.dense(x, w, b, "softmax")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (x, w, b), result in zip(jobs, results):
        _check_dense(result, x, w, b, "softmax", dtype)


# ---------------------------------------------------------------------------
# sizes around SIMD widths / register blocks, unaligned and byte-swapped data
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_neuron_counts(rng, dtype, m, activation):
    for n, k in ((1, 2), (7, 3), (300, 2), (13, 64)):
        x = random_array(rng, (n, k), dtype)
        w = random_array(rng, (k, m), dtype, -1, 1)
        b = random_array(rng, (1, m), dtype)
        _check_dense(nnfast.dense(x, w, b, activation), x, w, b, activation, dtype)
        _check_dense(nnfast.dense(x[-1], w, b, activation), x[-1], w, b, activation, dtype,
                     shape=(m,))


@pytest.mark.parametrize("neurons", [513, 1100])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_layers_wider_than_a_packed_block(rng, dtype, neurons, activation):
    """Layers past the 512 columns csrc/gemm/ packs at a time (NC) and the 128 rows of
    weights per block (KC): the softmax over each whole row. Against the long-double
    reference within the product bound (registry_bounds.check_affine)."""
    x = random_array(rng, (9, 300), dtype)
    w = random_array(rng, (300, neurons), dtype, -1, 1)
    b = random_array(rng, (neurons,), dtype)
    check_affine(nnfast.dense(x, w, b, activation), x, w, b, activation, dtype)


def _unaligned(arr):
    buf = np.zeros(arr.nbytes + 1, np.uint8)
    out = np.ndarray(arr.shape, arr.dtype, buffer=buf, offset=1)
    out[...] = arr
    assert not out.flags.aligned
    return out


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_unaligned_and_byteswapped(rng, dtype, activation):
    x = random_array(rng, (6, 5), dtype)
    w = random_array(rng, (5, 4), dtype, -1, 1)
    b = random_array(rng, (4,), dtype)
    _check_dense(nnfast.dense(_unaligned(x), _unaligned(w), _unaligned(b), activation),
                 x, w, b, activation, dtype)
    out = _unaligned(np.zeros((6, 4), dtype))
    assert nnfast.dense(x, w, b, activation, out=out) is out
    check_affine(out, x, w, b, activation, dtype)
    sw = [a.astype(a.dtype.newbyteorder("S")) for a in (x, w, b)]
    result = nnfast.dense(*sw, activation)
    assert result.dtype.kind == "f" and result.dtype.itemsize == dtype.itemsize
    check_affine(result.astype(dtype), x, w, b, activation, dtype)


def test_dense_read_only_inputs(rng, dtype):
    x, w, b = random_array(rng, (4, 3), dtype), random_array(rng, (3, 2), dtype), random_array(rng, (2,), dtype)
    for a in (x, w, b):
        a.flags.writeable = False
    _check_dense(nnfast.dense(x, w, b, "relu"), x, w, b, "relu", dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_start_on_a_cache_line(dtype):
    """Arrays nnfast allocates (from 1 KB up) start on a 64-byte boundary, so the next
    kernel's full-width loads never straddle two cache lines; they are ordinary writeable
    C-order arrays that share memory with no input."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((300, 64)).astype(dtype)
    w = rng.standard_normal((64, 32)).astype(dtype)
    dv = rng.standard_normal((300, 32)).astype(dtype)
    results = [nnfast.dot(x, w), nnfast.dense(x, w, np.zeros(32, dtype), "relu"), nnfast.relu(x),
               nnfast.softmax(x), *nnfast.dense_backward(dv, x, w, np.zeros(32, dtype))]
    for r in results:
        assert r.dtype == dtype and r.flags.c_contiguous and r.flags.writeable
        if r.nbytes >= 1024:
            assert r.ctypes.data % 64 == 0, r.shape
        assert not any(np.shares_memory(r, a) for a in (x, w, dv))
    first = results[0].copy()
    results[0][:] = 0  # writing one result leaves the others and the inputs alone
    assert np.array_equal(results[1], np.maximum(0, first))
    np.testing.assert_allclose(first, x.astype(np.float64) @ w, rtol=1e-4, atol=1e-3)
