"""categorical_crossentropy, softmax_crossentropy and accuracy against the notes: losses and
probabilities against the long-double references within their error bounds
(registry_bounds), accuracies exactly."""

import math
import warnings

import numpy as np
import pytest

import nnfast
import reference as ref
from api_registry import BY_NAME
from conftest import LAYOUTS, as_layout, random_array
from registry_bounds import LD, check_cce, check_ulps

SHAPES = [(0, 3), (1, 1), (1, 3), (5, 1), (7, 2), (10, 3), (64, 10), (300, 3)]
LABEL_DTYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
                np.intp]
REDUCTIONS = ["mean", "sum", "none"]


def _probs(rng, shape, dtype, extremes=True):
    """Softmax outputs (the notes' y_pred), with some exact 0 and 1 entries to hit the clip
    (``extremes=False``: all values well inside (1e-7, 1 - 1e-7))."""
    logits = rng.normal(size=shape) * (3 if extremes else 0.5)
    p = ref.softmax(logits).astype(dtype)
    n, c = shape
    if extremes and n >= 4 and c >= 2:
        p[0] = 0
        p[0, 0] = 1          # exactly one -> clipped to 1 - 1e-7
        p[1, :] = 0          # all zero -> clipped to 1e-7
    return p


def _labels(rng, n, c, t=np.int64):
    return rng.integers(0, c, size=n).astype(t)


def _onehot(labels, c, t):
    return np.eye(c, dtype=t)[labels].reshape(len(labels), c)


def _check_cce(result, y_pred, y_true, reduction, dtype):
    """An array per sample for "none", else a NumPy scalar; within the loss bound."""
    if reduction == "none":
        assert isinstance(result, np.ndarray)
    else:
        assert isinstance(result, np.generic), f"expected a NumPy scalar, got {type(result)}"
    with np.errstate(all="ignore"):
        check_cce(result, y_pred, y_true, reduction, np.dtype(dtype))


def _check_softmax_cce(result, logits, y_true, dtype):
    """(mean loss, probabilities) within their bounds (the registry's row's check)."""
    assert isinstance(result, tuple) and len(result) == 2
    assert isinstance(result[0], np.generic), type(result[0])
    with np.errstate(all="ignore"):
        BY_NAME["softmax_crossentropy"].check(result, (logits, y_true), {}, np.dtype(dtype))


# ---------------------------------------------------------------------------
# categorical_crossentropy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cce_index_labels(rng, dtype, shape, reduction):
    n, c = shape
    y_pred = _probs(rng, shape, dtype)
    y_true = _labels(rng, n, c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of 0 samples
        result = nnfast.categorical_crossentropy(y_pred, y_true, reduction=reduction)
    expected = ref.categorical_crossentropy(y_pred, y_true, reduction)
    assert np.asarray(expected).dtype == dtype  # NumPy's result type: nnfast's too
    _check_cce(result, y_pred, y_true, reduction, dtype)


def test_cce_default_reduction_is_mean(rng, dtype):
    y_pred = _probs(rng, (20, 4), dtype)
    y_true = _labels(rng, 20, 4)
    _check_cce(nnfast.categorical_crossentropy(y_pred, y_true), y_pred, y_true, "mean", dtype)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("onehot_dtype", [None, np.uint8, np.bool_], ids=["same", "uint8", "bool"])
def test_cce_onehot_labels(rng, dtype, shape, reduction, onehot_dtype):
    n, c = shape
    y_pred = _probs(rng, shape, dtype)
    y_true = _onehot(_labels(rng, n, c), c, onehot_dtype or dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = nnfast.categorical_crossentropy(y_pred, y_true, reduction=reduction)
    expected = ref.categorical_crossentropy(y_pred, y_true, reduction)
    assert np.asarray(expected).dtype == dtype
    _check_cce(result, y_pred, y_true, reduction, dtype)


def test_cce_soft_labels(rng, dtype):
    # 2-D targets need not be exactly one-hot: the formula is -log(sum(clip(p) * t))
    y_pred = _probs(rng, (12, 4), dtype)
    y_true = ref.softmax(rng.normal(size=(12, 4))).astype(dtype)
    _check_cce(nnfast.categorical_crossentropy(y_pred, y_true, reduction="none"), y_pred, y_true,
               "none", dtype)


@pytest.mark.parametrize("ldt", LABEL_DTYPES, ids=lambda t: np.dtype(t).name)
def test_cce_any_integer_label_dtype(rng, dtype, ldt):
    y_pred = _probs(rng, (30, 5), dtype)
    y_true = _labels(rng, 30, 5, ldt)
    result = nnfast.categorical_crossentropy(y_pred, y_true, reduction="none")
    _check_cce(result, y_pred, y_true, "none", dtype)


@pytest.mark.parametrize("lp", LAYOUTS)
@pytest.mark.parametrize("ll", ["C", "strided", "negstride"])
@pytest.mark.parametrize("onehot", [False, True], ids=["index", "onehot"])
def test_cce_layouts(rng, dtype, lp, ll, onehot):
    n, c = 17, 4
    y_pred = as_layout(_probs(rng, (n, c), dtype), lp)
    labels = _labels(rng, n, c)
    y_true = as_layout(_onehot(labels, c, dtype) if onehot else labels, ll)
    for reduction in REDUCTIONS:
        result = nnfast.categorical_crossentropy(y_pred, y_true, reduction=reduction)
        _check_cce(result, y_pred, y_true, reduction, dtype)


def test_cce_clipping_values(dtype):
    y_pred = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [1e-12, 1 - 1e-12]], dtype=dtype)
    y_true = np.array([0, 0, 1, 1])
    result = nnfast.categorical_crossentropy(y_pred, y_true, reduction="none")
    assert np.all(np.isfinite(result))
    _check_cce(result, y_pred, y_true, "none", dtype)
    # -log(1e-7) (the bound in the dtype) for a confident wrong answer, not inf; the log is
    # within an ulp (test_cce_log_within_an_ulp)
    check_ulps(result[1], -np.log(LD(dtype.type(1e-7))), dtype, 1)


def test_cce_log_within_an_ulp(dtype):
    """The per-sample -log (computed in SIMD registers) against the exact value (long double)
    over the whole clipped range, the clip bounds, the reduction boundary near sqrt(2)/2 and
    the lane tails: at most one ulp off, as libm's log."""
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.random(20_000), 10 ** rng.uniform(-7, 0, 20_000),
                        1 - 10 ** rng.uniform(-7, -1, 2_000),
                        np.nextafter(np.sqrt(0.5), [0, 1]), [1e-7, 1 - 1e-7, 0.5, 1.0]])
    p = p[: len(p) - 3].astype(dtype)  # a length that is no multiple of the lanes
    loss = nnfast.categorical_crossentropy(p[:, None], np.zeros(len(p), np.intp), reduction="none")
    clipped = np.clip(p, dtype.type(1e-7), dtype.type(1 - 1e-7))
    exact = -np.log(clipped.astype(np.longdouble))
    ulps = np.abs(loss.astype(np.longdouble) - exact) / np.spacing(np.abs(exact).astype(dtype))
    assert float(ulps.max()) <= 1.0


def test_cce_sum_and_mean_agree_with_none(rng, dtype):
    y_pred = _probs(rng, (25, 3), dtype)
    y_true = _labels(rng, 25, 3)
    for reduction in ("sum", "mean"):
        _check_cce(nnfast.categorical_crossentropy(y_pred, y_true, reduction=reduction), y_pred,
                   y_true, reduction, dtype)


@pytest.mark.parametrize("m", [1, 7, 8, 9, 100, 128, 129, 200, 256, 257, 300, 600])
def test_cce_sums_add_the_samples_as_np_sum_a_chunk_at_a_time(rng, dtype, m):
    """The cross-entropy kernels sum the per-sample losses in float64 in np.sum's pairwise
    order, 256 rows at a time, the chunks' sums added in order: for up to 256 samples the
    book's np.sum (its np.mean times m) of the same float64 losses, bit for bit. The same
    sum in every kernel: the loss and mean, softmax + cross-entropy's training step (its
    loss sum, the C network's output layer too), so that the class path and Model.train in
    C agree. Several draws per size: two orders of the additions often round alike."""
    for _ in range(8):
        # losses from about 0 to 16 (logits spread wide, two rows clipped)
        p = _probs(rng, (m, 3), dtype)
        y = _labels(rng, m, 3)
        per = nnfast.categorical_crossentropy(p, y, reduction="none").astype(np.float64)
        expected = 0.0
        for i in range(0, m, 256):
            expected += float(np.sum(per[i:i + 256]))
        _, loss_sum, _ = nnfast.softmax_crossentropy_backward(p, y, with_stats=True)
        assert loss_sum == expected
        assert nnfast.categorical_crossentropy(p, y, reduction="sum") == dtype.type(expected)
        assert nnfast.categorical_crossentropy(p, y, reduction="mean") == dtype.type(expected / m)
        if m <= 256:
            assert loss_sum == float(np.sum(per))


def test_cce_zero_samples_mean_is_nan(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = nnfast.categorical_crossentropy(np.empty((0, 3), dtype), np.empty(0, np.int64))
    assert isinstance(r, np.generic) and r.dtype == dtype and np.isnan(r)
    r = nnfast.categorical_crossentropy(np.empty((0, 3), dtype), np.empty(0, np.int64), reduction="sum")
    assert r == 0 and r.dtype == dtype
    r = nnfast.categorical_crossentropy(np.empty((0, 3), dtype), np.empty((0, 3), dtype), reduction="none")
    assert isinstance(r, np.ndarray) and r.shape == (0,) and r.dtype == dtype


MIXED = [  # (y_pred dtype, one-hot dtype)
    (np.float32, np.float64),
    (np.float64, np.float32),
    (np.float32, np.int64),
    (np.float32, np.int8),
    (np.float16, np.float32),
    (np.int64, np.float32),
]


@pytest.mark.parametrize("types", MIXED, ids=lambda ts: "-".join(np.dtype(t).name for t in ts))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cce_mixed_onehot_dtypes_follow_numpy(rng, types, reduction):
    tp, tl = types
    labels = _labels(rng, 9, 3)
    if np.dtype(tp).kind == "f":
        # no values near the clip bounds: 1 - 1e-7 is not representable in float16/float32,
        # so where the clip acts the result depends on the precision it is applied in
        y_pred = _probs(rng, (9, 3), tp, extremes=False)
    else:
        y_pred = rng.integers(0, 2, size=(9, 3)).astype(tp)
    y_true = _onehot(labels, 3, tl)
    expected = ref.categorical_crossentropy(y_pred, y_true, reduction)
    dt = np.asarray(expected).dtype
    assert dt == np.result_type(y_pred, y_true)
    result = nnfast.categorical_crossentropy(y_pred, y_true, reduction=reduction)
    _check_cce(result, y_pred, y_true, reduction, dt)


@pytest.mark.parametrize("t", [np.int64, np.uint8, np.bool_], ids=lambda t: np.dtype(t).name)
def test_cce_integer_predictions_compute_float64(rng, t):
    raw = rng.integers(0, 2, size=(8, 3))
    y_pred = (raw > 0) if t is np.bool_ else raw.astype(t)
    y_true = _labels(rng, 8, 3)
    result = nnfast.categorical_crossentropy(y_pred, y_true, reduction="none")
    _check_cce(result, y_pred, y_true, "none", np.float64)
    # integer one-hot with integer predictions: float64 too
    onehot = _onehot(y_true, 3, np.int64)
    result = nnfast.categorical_crossentropy(y_pred, onehot, reduction="none")
    _check_cce(result, y_pred, onehot, "none", np.float64)


def test_cce_python_lists():
    y_pred = [[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]]
    y_true = [0, 1, 1]
    _check_cce(nnfast.categorical_crossentropy(y_pred, y_true), np.array(y_pred),
               np.array(y_true), "mean", np.float64)
    onehot = [[1, 0, 0], [0, 1, 0], [0, 1, 0]]
    _check_cce(nnfast.categorical_crossentropy(y_pred, onehot), np.array(y_pred),
               np.array(onehot), "mean", np.float64)


# ---------------------------------------------------------------------------
# softmax_crossentropy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("onehot", [False, True], ids=["index", "onehot"])
def test_softmax_crossentropy(rng, dtype, shape, onehot):
    n, c = shape
    logits = random_array(rng, shape, dtype, -6, 6)
    labels = _labels(rng, n, c)
    y_true = _onehot(labels, c, dtype) if onehot else labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = nnfast.softmax_crossentropy(logits, y_true)
    _check_softmax_cce(result, logits, y_true, dtype)


@pytest.mark.parametrize("lx", LAYOUTS)
@pytest.mark.parametrize("ll", ["C", "strided", "negstride"])
def test_softmax_crossentropy_layouts(rng, dtype, lx, ll):
    logits = as_layout(random_array(rng, (13, 5), dtype, -4, 4), lx)
    y_true = as_layout(_labels(rng, 13, 5, np.int32), ll)
    _check_softmax_cce(nnfast.softmax_crossentropy(logits, y_true), logits, y_true, dtype)


def test_softmax_crossentropy_extreme_logits_use_clip(dtype):
    logits = np.array([[1000.0, -1000.0, 0.0], [-50.0, 50.0, 0.0], [0.0, 0.0, 0.0]], dtype=dtype)
    y_true = np.array([1, 1, 2])
    result = nnfast.softmax_crossentropy(logits, y_true)
    assert np.isfinite(result[0])
    _check_softmax_cce(result, logits, y_true, dtype)


def test_softmax_crossentropy_equals_separate_calls_reference(rng, dtype):
    logits = random_array(rng, (40, 6), dtype)
    y_true = _labels(rng, 40, 6, np.uint8)
    result = nnfast.softmax_crossentropy(logits, y_true)
    _check_softmax_cce(result, logits, y_true, dtype)
    np.testing.assert_array_equal(nnfast.categorical_crossentropy(result[1], y_true), result[0])


def test_softmax_crossentropy_integer_logits_float64(rng):
    logits = rng.integers(-3, 4, size=(6, 3))
    y_true = _labels(rng, 6, 3)
    _check_softmax_cce(nnfast.softmax_crossentropy(logits, y_true), logits, y_true, np.float64)


def test_softmax_crossentropy_lists():
    logits = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]
    y_true = [1, 2]
    _check_softmax_cce(nnfast.softmax_crossentropy(logits, y_true), np.array(logits),
                       np.array(y_true), np.float64)


def test_softmax_crossentropy_does_not_modify_inputs(rng, dtype):
    logits = random_array(rng, (5, 3), dtype)
    y_true = _labels(rng, 5, 3)
    l0, y0 = logits.copy(), y_true.copy()
    nnfast.softmax_crossentropy(logits, y_true)
    np.testing.assert_array_equal(logits, l0)
    np.testing.assert_array_equal(y_true, y0)


# ---------------------------------------------------------------------------
# accuracy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1), (1, 3), (5, 1), (7, 2), (10, 3), (300, 3), (64, 10)], ids=str)
@pytest.mark.parametrize("onehot", [False, True], ids=["index", "onehot"])
def test_accuracy(rng, dtype, shape, onehot):
    n, c = shape
    y_pred = _probs(rng, shape, dtype)
    labels = _labels(rng, n, c)
    # make about half of the predictions right so the value is not trivially 0 or 1
    right = rng.random(n) < 0.5
    labels[right] = np.argmax(y_pred, axis=1)[right]
    y_true = _onehot(labels, c, np.uint8) if onehot else labels
    result = nnfast.accuracy(y_pred, y_true)
    assert isinstance(result, float)
    assert result == ref.accuracy(y_pred, y_true)


@pytest.mark.parametrize("lp", LAYOUTS)
@pytest.mark.parametrize("ll", ["C", "strided", "negstride"])
def test_accuracy_layouts(rng, dtype, lp, ll):
    y_pred = _probs(rng, (23, 4), dtype)
    labels = _labels(rng, 23, 4, np.int16)
    labels[::3] = np.argmax(y_pred, axis=1)[::3]
    expected = ref.accuracy(y_pred, labels)
    assert nnfast.accuracy(as_layout(y_pred, lp), as_layout(labels, ll)) == expected
    onehot = as_layout(_onehot(labels, 4, dtype), ll)
    assert nnfast.accuracy(as_layout(y_pred, lp), onehot) == expected


@pytest.mark.parametrize("ldt", LABEL_DTYPES, ids=lambda t: np.dtype(t).name)
def test_accuracy_label_dtypes(rng, ldt):
    y_pred = _probs(rng, (20, 3), np.float64)
    labels = _labels(rng, 20, 3, ldt)
    assert nnfast.accuracy(y_pred, labels) == ref.accuracy(y_pred, labels)


def test_accuracy_ties_take_first_maximum():
    y_pred = np.array([[0.5, 0.5, 0.0], [0.2, 0.4, 0.4], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    assert nnfast.accuracy(y_pred, np.array([0, 1, 0, 0])) == 1.0
    assert nnfast.accuracy(y_pred, np.array([1, 2, 2, 1])) == 0.0
    onehot_true = np.array([[0, 1, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0]])
    assert nnfast.accuracy(y_pred, onehot_true) == 0.75


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_accuracy_wide_rows_find_numpys_argmax(rng, dtype):
    """Rows of 16 and more take a SIMD search (each vector width's threshold is crossed by
    the widths here): every row's prediction is np.argmax's, with ties (the first maximum),
    NaN anywhere (the first NaN), infinities, all -inf, and reversed or strided rows."""
    for n in (15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000):
        p = rng.standard_normal((64, n)).astype(dtype)
        p[1::8] = np.round(p[1::8])  # ties
        p[2::8, rng.integers(0, n)] = np.nan
        p[3::8, -1] = np.nan
        p[4::8, rng.integers(0, n)] = np.inf
        p[5::8] = -np.inf
        p[6::8, rng.integers(0, n)] = -np.inf
        p[7::8, 0] = p[7::8].max(axis=1)  # the maximum at 0 and again later
        for view in (p, p[:, ::-1], np.repeat(p, 2, axis=1)[:, ::2]):
            best = np.argmax(view, axis=1)
            assert nnfast.accuracy(view, best) == 1.0, n
            assert nnfast.accuracy(view, (best + 1) % n) == 0.0, n


def test_accuracy_exact_fractions():
    y_pred = np.eye(3)[[0, 1, 2, 0, 1, 2, 0]]
    assert nnfast.accuracy(y_pred, [0, 1, 2, 0, 1, 2, 0]) == 1.0
    assert nnfast.accuracy(y_pred, [0, 0, 0, 0, 0, 0, 0]) == 3 / 7
    assert nnfast.accuracy(y_pred.astype(np.float32), np.array([1, 1, 1, 1, 1, 1, 1])) == \
        2 / 7


def test_accuracy_zero_samples_is_nan(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = nnfast.accuracy(np.empty((0, 3), dtype), np.empty(0, np.int64))
    assert isinstance(r, float) and math.isnan(r)


def test_accuracy_integer_predictions(rng):
    y_pred = rng.integers(0, 10, size=(30, 4))
    labels = _labels(rng, 30, 4)
    assert nnfast.accuracy(y_pred, labels) == ref.accuracy(y_pred, labels)


def test_losses_unaligned_and_byteswapped(rng, dtype):
    y_pred = _probs(rng, (9, 4), dtype)
    labels = _labels(rng, 9, 4)
    buf = np.zeros(y_pred.nbytes + 1, np.uint8)
    un = np.ndarray(y_pred.shape, y_pred.dtype, buffer=buf, offset=1)
    un[...] = y_pred
    assert not un.flags.aligned
    _check_cce(nnfast.categorical_crossentropy(un, labels, reduction="none"), y_pred, labels, "none",
               dtype)
    sw_pred = y_pred.astype(y_pred.dtype.newbyteorder("S"))
    sw_lab = labels.astype(labels.dtype.newbyteorder("S"))
    result = nnfast.categorical_crossentropy(sw_pred, sw_lab, reduction="none")
    _check_cce(result, y_pred, labels, "none", dtype)
    assert nnfast.accuracy(sw_pred, sw_lab) == ref.accuracy(y_pred, labels)
    _check_softmax_cce(nnfast.softmax_crossentropy(sw_pred, sw_lab), y_pred, labels, dtype)


@pytest.mark.parametrize("c", [1, 2, 3, 7, 8, 9, 16, 17, 33, 100])
def test_softmax_crossentropy_class_counts(rng, dtype, c):
    logits = random_array(rng, (11, c), dtype, -8, 8)
    labels = _labels(rng, 11, c, np.uint8)
    _check_softmax_cce(nnfast.softmax_crossentropy(logits, labels), logits, labels, dtype)
    probs = ref.softmax(logits)
    _check_cce(nnfast.categorical_crossentropy(probs, labels, reduction="none"), probs, labels,
               "none", dtype)
