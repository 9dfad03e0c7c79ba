"""The public API as a table, shared by the hardening tests.

test_properties.py (hypothesis), test_hostile.py, test_leaks.py and test_threads.py loop
over API below: one Api entry per public function or class method says how to call it,
how to draw valid arguments for it (any size, dtype, memory layout and special values),
which of its arguments are float arrays, labels or `out`, and how to check a result
against the NumPy references in reference.py. A new public function is covered by all
four test files once it has an entry here.

Drawing goes through a Source, so the same generator serves hypothesis (DrawSource: the
test case shrinks) and plain NumPy randomness (RngSource: the leak and thread tests).

Tolerances (eps, tiny: np.finfo(dtype).eps and .tiny):
- products (dot, dense, Neuron, Layer_Dense): against np.dot in np.longdouble, every
  finite element within (k + 2) * eps * (|a| @ |b| + |bias|) + (k + 2) * tiny, the classic
  bound for a k-term sum in any order; NaN and +-inf exactly where the long-double product
  has them. Values that could overflow a partial sum (whose result would then depend on
  the summation order) are not drawn for products: "huge" is 1e150 (float64), 1e17 (float32).
- softmax: against the long-double softmax, relative error eps * (n + 10 + |x - max(x)|)
  (the rounding of x - max is amplified by exp), absolute 2 * tiny; NaN rows exactly.
- losses: per sample eps * (n + 4) + 4 * eps * |loss| (one rounding per term of the
  one-hot sum, the log, the clip bounds in the dtype); mean/sum the same bound averaged.
- relu, linear, accuracy, spiral_data: exact (NaN where NumPy has NaN, signs of zeros too).

Training (issue 4), eps and tiny of the compute dtype again:
- element-wise formulas (sigmoid, sigmoid/cce/softmax-cce/BCE/MSE/MAE backward, dropout,
  optimizer states): against the book's expression evaluated by NumPy in the compute dtype,
  within k * eps * |expected| + k * tiny, k = 4 for exp/log (NumPy's against libm's),
  2-4 for a few roundings, 0 for dropout (the same single roundings); relu_backward exact.
- optimizer parameters: 2 * steps * eps * (|param| + 8 * |update|) + 4 * steps * tiny (fused
  multiply-adds and the update's roundings); states 4 * steps ulps.
- dense_backward, Layer_Dense.backward: the product bound above per product ((m + 4) for
  dweights/dbiases, (n + 4) for dinputs) over |inputs|.T @ |dvalues| plus each regularization
  term. softmax_backward: eps * |s| * ((n + 3) * sum|s * dvalues| + 2 |dvalues|) + 2 eps
  |expected| + 2 tiny against long double.
- BCE/MSE/MAE losses: per sample eps * (sum of per-element bounds + (n + 2) * sum |term|) / n
  + eps * |loss| + tiny against long double with the clip bounds rounded to the dtype;
  Loss.calculate adds (log2(m + 1) + 1) * eps * mean|loss| for np.mean's pairwise sum.
- regularization_loss (float64 accumulation): (size + 3) * eps64 * (l1 sum|x| + l2 sum x^2).
- Model.predict/evaluate: the product bound carried through both layers (the first layer's
  error times |W2|), softmax as for dense; accuracy within the rows whose top two
  probabilities are closer than their bounds.
"""

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

import nnfast
import nnfast.nn as nn
import reference as ref

LD = np.longdouble


# ---------------------------------------------------------------------------------------
# Sources of randomness

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


# ---------------------------------------------------------------------------------------
# Checks against the references

def _eps_tiny(dtype):
    fi = np.finfo(dtype)
    return LD(fi.eps), LD(fi.tiny)


def result_dtype(*arrays):
    """The dtype nnfast computes in: NumPy's float result type, float64 for integers."""
    t = np.result_type(*[np.asarray(a) for a in arrays])
    return t if t in (np.float32, np.float64) else np.dtype(np.float64)


def assert_classified_close(actual, expected, bound, what=""):
    """actual (dtype) against expected (long double): NaN exactly where expected is NaN,
    the same infinities, finite values within bound (an array or scalar)."""
    actual = np.asarray(actual)
    expected = np.asarray(expected, dtype=LD)
    assert actual.shape == expected.shape, f"{what}shape {actual.shape} != {expected.shape}"
    nan = np.isnan(expected)
    bad = np.isnan(actual) != nan
    assert not bad.any(), (f"{what}NaN mismatch at {np.argwhere(bad)[:5].tolist()}: "
                           f"got {actual[bad][:5]}, expected {expected[bad][:5]}")
    inf = np.isinf(expected)
    bad = inf & (actual.astype(LD) != expected)
    assert not bad.any(), f"{what}inf mismatch: got {actual[bad][:5]}, expected {expected[bad][:5]}"
    fin = ~nan & ~inf
    bound = np.broadcast_to(np.asarray(bound, dtype=LD), expected.shape)
    err = np.abs(actual.astype(LD) - expected)
    bad = fin & ~(err <= bound)
    assert not bad.any(), (f"{what}error above bound at {np.argwhere(bad)[:5].tolist()}: got "
                           f"{actual[bad][:5]}, expected {expected[bad][:5]}, bound {bound[bad][:5]}")


def assert_exact(actual, expected, dtype):
    """Same dtype and shape; NaN at the same places; equal values with equal signs."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.dtype == dtype, f"dtype {actual.dtype} != {dtype}"
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_array_equal(actual, expected.astype(dtype))
    same = ~np.isnan(expected)
    np.testing.assert_array_equal(np.signbit(actual[same]), np.signbit(expected[same]))


def softmax_bound(x_ld, p_ld, dtype):
    eps, tiny = _eps_tiny(dtype)
    n = x_ld.shape[-1] if x_ld.ndim else 1
    with np.errstate(invalid="ignore"):
        d = np.abs(x_ld - np.max(x_ld, axis=-1, keepdims=True)) if x_ld.size else x_ld
    d = np.where(np.isfinite(d), d, 0)
    return eps * (n + 10 + d) * np.abs(p_ld) + 2 * tiny


def check_softmax_rows(actual, x, dtype, what=""):
    x_ld = np.asarray(x, dtype=LD)
    with np.errstate(all="ignore"):
        p = ref.softmax(x_ld)
    assert np.asarray(actual).dtype == dtype, f"{what}dtype {np.asarray(actual).dtype} != {dtype}"
    assert_classified_close(actual, p, softmax_bound(x_ld, p, dtype), what)


def check_affine(actual, a, b, bias, activation, dtype, shape=None):
    """actual == activation(a @ b + bias) within the product bound (bias may be None or a
    scalar/array broadcast as NumPy does)."""
    eps, tiny = _eps_tiny(dtype)
    a, b = np.asarray(a), np.asarray(b)
    k = a.shape[-1] if a.ndim else 1
    with np.errstate(all="ignore"):
        z = ref.dot_longdouble(a, b)
        mag = ref.dot_longdouble(np.abs(a), np.abs(b))
        if bias is not None:
            z = z + np.asarray(bias, dtype=LD)
            mag = mag + np.abs(np.asarray(bias, dtype=LD))
    if shape is not None:
        z, mag = z.reshape(shape), mag.reshape(shape)
    bound = (k + 2) * eps * np.where(np.isfinite(mag), mag, 0) + (k + 2) * tiny
    actual_arr = np.asarray(actual)
    assert actual_arr.dtype == dtype, f"dtype {actual_arr.dtype} != {dtype}"
    if activation in (None, "linear"):
        assert_classified_close(actual, z, bound)
    elif activation == "relu":
        with np.errstate(invalid="ignore"):
            assert_classified_close(actual, np.where(z < 0, LD(0), z), bound)
    else:  # softmax: the logits' error e moves each probability by a factor up to exp(2e)
        with np.errstate(all="ignore"):
            p = ref.softmax(z)
            e = np.max(bound, axis=-1, keepdims=True) if z.size else bound
            factor = np.expm1(2 * e)
            moved = np.where(factor > 1, 1, factor * np.abs(p))  # a probability stays in [0, 1]
        assert_classified_close(actual, p, softmax_bound(z, p, dtype) + moved)


def loss_bound(losses, n, dtype):
    eps, _ = _eps_tiny(dtype)
    with np.errstate(invalid="ignore"):
        return eps * (n + 4) + 4 * eps * np.where(np.isfinite(losses), np.abs(losses), 0)


def check_cce(actual, y_pred, y_true, reduction, dtype, n_extra=0):
    """categorical_crossentropy against the long-double reference (labels as given)."""
    p = np.asarray(y_pred, dtype=LD)
    y = np.asarray(y_true)
    y = y.astype(LD) if y.ndim == 2 else y
    n = p.shape[1]
    with np.errstate(all="ignore"):
        per = ref.categorical_crossentropy_samples(p, y)
    bound = loss_bound(per, n + n_extra, dtype)
    actual_arr = np.asarray(actual)
    assert actual_arr.dtype == dtype, f"dtype {actual_arr.dtype} != {dtype}"
    if reduction == "none":
        assert_classified_close(actual, per, bound)
        return
    with np.errstate(all="ignore"):
        total = np.sum(per)
        expected = total if reduction == "sum" else (total / len(per) if len(per) else LD(np.nan))
        b = np.sum(bound) if reduction == "sum" else (np.mean(bound) if len(per) else 0)
    assert actual_arr.shape == (), actual_arr.shape
    assert_classified_close(actual, expected, b)


# ---------------------------------------------------------------------------------------
# The table

@dataclass
class Api:
    """One public callable.

    call(*args, **kwargs): the nnfast side. draw(src, dtype, size) -> (args, kwargs): valid
    arguments. check(result, args, kwargs, dtype): asserts the result against the
    reference. arrays: positions of float-array arguments; label: position of y_true;
    out: whether `out=` is accepted; names: words one of which an error message must
    contain (the C function's name); global_rng: draws from NumPy's global generator (so
    concurrent calls interleave their draws, as any np.random.* calls do); inplace:
    positions of arrays the function updates in place (call works on fresh copies of them,
    fresh_like, and returns them); pick: the array `out=` receives, from a result that is
    a tuple; labels_indexed: a label outside [0, classes) is an IndexError (accuracy only
    compares labels); cycles: a call leaves reference cycles (Model's layers link to each
    other), so reference counts are taken after a collection."""
    name: str
    call: Callable
    draw: Callable
    check: Callable
    arrays: tuple = ()
    label: Optional[int] = None
    out: bool = False
    names: tuple = field(default_factory=tuple)
    global_rng: bool = False
    inplace: tuple = ()
    cycles: bool = False
    pick: Callable = lambda res: res
    labels_indexed: bool = True


def _draw_dot(src, dtype, size):
    nda, ndb = src.pick([1, 2]), src.pick([1, 2])
    m, k, n = shrink(dims(src, size, 3), size.work, size.lo)
    a = floats(src, (m, k) if nda == 2 else (k,), dtype, size, huge="safe")
    b = floats(src, (k, n) if ndb == 2 else (k,), dtype, size, huge="safe")
    return (a, b), {}


def _check_dot(res, args, kwargs, dtype):
    check_affine(res, args[0], args[1], None, None, dtype)
    if np.ndim(args[0]) == 1 and np.ndim(args[1]) == 1 and "out" not in kwargs:
        assert isinstance(res, np.generic), type(res)  # numpy.dot returns a scalar


def _draw_dense(src, dtype, size):
    m, k, n = shrink(dims(src, size, 3), size.work, size.lo)
    one = src.pick([False, False, True])
    x = floats(src, (k,) if one else (m, k), dtype, size, huge="safe")
    w = floats(src, (k, n), dtype, size, huge="safe")
    b = floats(src, src.pick([(n,), (1, n)]), dtype, size, huge="safe")
    return (x, w, b), {"activation": src.pick([None, "linear", "relu", "softmax"])}


def _check_dense(res, args, kwargs, dtype):
    x, w, b = args
    n = np.shape(w)[1]
    shape = (n,) if np.ndim(x) == 1 else (np.shape(x)[0], n)
    check_affine(res, x, w, np.reshape(b, -1), kwargs.get("activation"), dtype, shape)


def _draw_elementwise(src, dtype, size, min_nd=0):
    nd = src.int(min_nd, 3)
    return (floats(src, dims(src, size, nd), dtype, size),), {}


def _check_relu(res, args, kwargs, dtype):
    with np.errstate(invalid="ignore"):
        assert_exact(res, ref.relu(np.asarray(args[0])), dtype)


def _check_linear(res, args, kwargs, dtype):
    assert_exact(res, ref.linear(args[0]), dtype)
    if kwargs.get("out") is None:
        assert not np.shares_memory(res, args[0])


def _check_softmax(res, args, kwargs, dtype):
    check_softmax_rows(res, args[0], dtype)


def _draw_loss_inputs(src, dtype, size, probabilities, min_classes=0):
    m, n = dims(src, size, 2)
    n = max(n, min_classes)
    if probabilities:
        p = floats(src, (m, n), dtype, size, low=0.0, high=1.0)
    else:
        p = floats(src, (m, n), dtype, size)
    return p, labels(src, m, n, dtype, size)


def _draw_cce(src, dtype, size):
    p, y = _draw_loss_inputs(src, dtype, size, True)
    return (p, y), {"reduction": src.pick(["mean", "sum", "none"])}


def _check_cce(res, args, kwargs, dtype):
    check_cce(res, args[0], args[1], kwargs.get("reduction", "mean"), dtype)


def _draw_softmax_cce(src, dtype, size):
    return _draw_loss_inputs(src, dtype, size, False), {}


def _check_softmax_cce(res, args, kwargs, dtype):
    logits, y = args
    loss, probs = res
    t = dtype
    check_softmax_rows(probs, logits, t, "probabilities: ")
    # The loss of the computed probabilities, as the reference computes it, within the
    # loss bound plus what the probabilities' own error (softmax bound) moves -log by.
    x = np.asarray(logits, dtype=LD)
    n = x.shape[1]
    d = np.abs(x - np.max(x, axis=1, keepdims=True)) if x.size else x
    extra = int(np.max(np.where(np.isfinite(d), np.minimum(d, 40), 0), initial=0)) + 10 + n
    with np.errstate(all="ignore"):
        check_cce(loss, ref.softmax(x), y, "mean", t, n_extra=extra)


def _check_accuracy(res, args, kwargs, dtype):
    expected = ref.accuracy(np.asarray(args[0]), np.asarray(args[1]))
    assert isinstance(res, float), type(res)
    if math.isnan(expected):
        assert math.isnan(res)
    else:
        assert res == expected, (res, expected)


def _draw_accuracy(src, dtype, size):
    return _draw_loss_inputs(src, dtype, size, False, min_classes=1), {}


def _draw_spiral(src, dtype, size):
    return (src.int(0, size.hi), src.int(0, 12)), {}


def _call_spiral(samples, classes):
    state = np.random.get_state()
    np.random.seed(1234)
    try:
        return nnfast.datasets.spiral_data(samples, classes)
    finally:
        np.random.set_state(state)


def _check_spiral(res, args, kwargs, dtype):
    state = np.random.get_state()
    np.random.seed(1234)
    try:
        X, y = ref.spiral_data(*args)
    finally:
        np.random.set_state(state)
    assert_exact(res[0], X, np.dtype(np.float64))
    assert res[1].dtype == np.uint8
    np.testing.assert_array_equal(res[1], y)


# The notes' classes: each method called on an object set up with the drawn arguments.

def _neuron_forward(inputs, weights, bias):
    return nn.Neuron(weights, bias).forward(inputs)


def _draw_neuron(src, dtype, size):
    k, m = dims(src, size, 2)
    x = floats(src, src.pick([(k,), (m, k)]), dtype, size, huge="safe")
    w = floats(src, (k,), dtype, size, huge="safe")
    bias = float(floats(src, (), dtype, size, huge="safe"))
    return (x, w, bias), {}


def _check_neuron(res, args, kwargs, dtype):
    x, w, bias = args
    check_affine(res, x, w, bias, None, dtype)


def _layer_forward(inputs, weights, biases):
    layer = nn.Layer_Dense(0, 0)
    layer.weights, layer.biases = weights, biases
    return layer.forward(inputs)


def _draw_layer(src, dtype, size):
    (x, w, b), _ = _draw_dense(src, dtype, size)
    return (x, w, b), {}


def _check_layer(res, args, kwargs, dtype):
    x, w, b = args
    n = np.shape(w)[1]
    # The notes' shapes: np.dot(x, W) + biases broadcasts a 1-D sample with (1, n) biases.
    shape = np.broadcast_shapes((n,) if np.ndim(x) == 1 else (np.shape(x)[0], n), np.shape(b))
    check_affine(res, x, w, np.reshape(b, -1), None, dtype, shape)


def _method(cls, method="forward"):
    def call(*args, **kwargs):
        obj = cls()
        out = getattr(obj, method)(*args, **kwargs)
        if method == "forward" and hasattr(obj, "output"):
            assert obj.output is out
        return out
    call.__name__ = f"{cls.__name__}.{method}"
    return call


def _draw_softmax_2d(src, dtype, size):
    return (floats(src, dims(src, size, 2), dtype, size),), {}


def _check_loss_forward(res, args, kwargs, dtype):
    _check_cce(res, args, {"reduction": "none"}, dtype)


def _check_loss_calculate(res, args, kwargs, dtype):
    _check_cce(res, args, {"reduction": "mean"}, dtype)


def _draw_loss_class(src, dtype, size):
    return _draw_loss_inputs(src, dtype, size, True), {}


API = [
    Api("dot", nnfast.dot, _draw_dot, _check_dot, arrays=(0, 1), out=True, names=("dot",)),
    Api("dense", nnfast.dense, _draw_dense, _check_dense, arrays=(0, 1, 2), out=True,
        names=("dense",)),
    Api("relu", nnfast.relu, _draw_elementwise, _check_relu, arrays=(0,), out=True,
        names=("relu",)),
    Api("linear", nnfast.linear, _draw_elementwise, _check_linear, arrays=(0,), out=True,
        names=("linear",)),
    Api("softmax", nnfast.softmax, lambda s, d, z: _draw_elementwise(s, d, z, 1),
        _check_softmax, arrays=(0,), out=True, names=("softmax",)),
    Api("categorical_crossentropy", nnfast.categorical_crossentropy, _draw_cce, _check_cce,
        arrays=(0,), label=1, names=("categorical_crossentropy",)),
    Api("softmax_crossentropy", nnfast.softmax_crossentropy, _draw_softmax_cce,
        _check_softmax_cce, arrays=(0,), label=1, names=("softmax_crossentropy",)),
    Api("accuracy", nnfast.accuracy, _draw_accuracy, _check_accuracy, arrays=(0,), label=1,
        names=("accuracy",), labels_indexed=False),
    Api("datasets.spiral_data", _call_spiral, _draw_spiral, _check_spiral,
        names=("spiral_data",), global_rng=True),
    Api("nn.Neuron.forward", _neuron_forward, _draw_neuron, _check_neuron, arrays=(0, 1),
        names=("dot",)),
    Api("nn.Layer_Dense.forward", _layer_forward, _draw_layer, _check_layer,
        arrays=(0, 1, 2), names=("dense",)),
    Api("nn.Activation_ReLU.forward", _method(nn.Activation_ReLU), _draw_elementwise,
        _check_relu, arrays=(0,), names=("relu",)),
    Api("nn.Activation_Linear.forward", _method(nn.Activation_Linear), _draw_elementwise,
        _check_linear, arrays=(0,), names=("linear",)),
    Api("nn.Activation_Softmax.forward", _method(nn.Activation_Softmax), _draw_softmax_2d,
        _check_softmax, arrays=(0,), names=("softmax",)),
    Api("nn.Loss_CategoricalCrossentropy.forward", _method(nn.Loss_CategoricalCrossentropy),
        _draw_loss_class, _check_loss_forward, arrays=(0,), label=1,
        names=("categorical_crossentropy",)),
    Api("nn.Loss_CategoricalCrossentropy.calculate",
        _method(nn.Loss_CategoricalCrossentropy, "calculate"), _draw_loss_class,
        _check_loss_calculate, arrays=(0,), label=1, names=("categorical_crossentropy",)),
]


# ---------------------------------------------------------------------------------------
# Training (issue 4): backward passes, more losses, dropout, optimizer steps, regularization.
#
# Element-wise formulas are checked against the book's expression evaluated by NumPy in the
# compute dtype (in_dtype): nnfast evaluates the same IEEE operations in the same order, so
# overflow and underflow happen alike, and the only differences are fused multiply-adds and
# the last bit of exp/log (NumPy's against libm's). Sums (losses, softmax_backward, the
# dense products, regularization) are checked against long double as above.

def in_dtype(dtype, *arrays):
    return [np.asarray(a).astype(dtype) for a in arrays]


def ulp_bound(expected, dtype, k):
    """k roundings of the result: k * eps * |expected| + k * tiny."""
    eps, tiny = _eps_tiny(dtype)
    with np.errstate(invalid="ignore"):
        mag = np.where(np.isfinite(expected), np.abs(np.asarray(expected, dtype=LD)), 0)
    return k * eps * mag + k * tiny


def check_ulps(actual, expected, dtype, k, what=""):
    actual_arr = np.asarray(actual)
    assert actual_arr.dtype == dtype, f"{what}dtype {actual_arr.dtype} != {dtype}"
    assert_classified_close(actual, np.asarray(expected, dtype=LD), ulp_bound(expected, dtype, k),
                            what)


def fresh_like(a):
    """A new copy of ndarray a in the same memory: dtype (byte order included), strides,
    address modulo 64 (so misaligned stays misaligned) and writeable flag. Other objects are
    returned as they are. In-place entries call nnfast on these, so every call starts from
    the drawn values whatever else (another thread, an earlier call) used them."""
    if not isinstance(a, np.ndarray):
        return a
    # the byte extent from the strides (not __array_interface__, which tracemalloc sees
    # keeping ~48 bytes per call in NumPy 2.4, and test_leaks counts them)
    low = sum(st * (n - 1) for st, n in zip(a.strides, a.shape) if st < 0 and n)
    high = sum(st * (n - 1) for st, n in zip(a.strides, a.shape) if st > 0 and n)
    raw = np.zeros(high - low + a.itemsize + 64, np.uint8)
    start = (a.ctypes.data + low - raw.ctypes.data) % 64 - low
    b = np.ndarray(a.shape, a.dtype, buffer=raw, offset=start, strides=a.strides)
    b[...] = a
    if not a.flags.writeable:
        b.setflags(write=False)
    return b


def _inplace(fn, positions):
    """fn updates the arrays at `positions` in place and returns None: the entry calls it on
    fresh copies of them (fresh_like) and returns the updated copies."""
    def call(*args, **kwargs):
        args = list(args)
        for i in positions:
            args[i] = fresh_like(args[i])
        assert fn(*args, **kwargs) is None
        return tuple(args[i] for i in positions)
    call.__name__ = fn.__name__
    call.direct = fn  # the function itself: test_leaks counts references around it
    return call


def first_of(res):
    """The array `out=` receives, of a result that may be a tuple."""
    return res[0] if isinstance(res, tuple) else res


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


# dense_backward

def _draw_dense_backward(src, dtype, size, biases=(None, "1d", "2d")):
    m, k, n = shrink(dims(src, size, 3), size.work, size.lo)
    dv = floats(src, (m, n), dtype, size, huge="safe")
    x = floats(src, (m, k), dtype, size, huge="safe")
    w = floats(src, (k, n), dtype, size, huge="safe")
    b = {None: None, "1d": (n,), "2d": (1, n)}[src.pick(biases)]
    b = None if b is None else floats(src, b, dtype, size, huge="safe")
    regs = [src.pick([0.0, 0.0, 0.5, 1e-3]) for _ in range(2 if b is None else 4)]
    regs += [0.0] * (4 - len(regs))  # bias regularizers need the biases (test_hostile)
    kwargs = {"relu_output": src.pick([None, "relu"]), "need_dinputs": src.pick([True, False])}
    if kwargs["relu_output"]:
        kwargs["relu_output"] = floats(src, (m, n), dtype, size, huge="safe")
    t = np.dtype(dtype)
    for name, shape in [("dweights", (k, n)), ("dbiases", (1, n) if b is None else b.shape),
                        ("dinputs", (m, k))]:
        o = maybe_out(src, size, shape, t)
        if o is not None:
            kwargs[name] = o
    return (dv, x, w, b, *regs), kwargs


def _check_dense_backward(res, args, kwargs, dtype):
    dv, x, w, b = (None if a is None else np.asarray(a) for a in args[:4])
    regs = args[4:8]
    ro = kwargs.get("relu_output")
    assert isinstance(res, tuple) and len(res) == 3, type(res)
    eps, tiny = _eps_tiny(dtype)

    def L(a):
        return None if a is None else np.asarray(a, dtype=LD)

    with np.errstate(all="ignore"):
        dv_ld = L(dv) if ro is None else ref_train.relu_backward(L(dv), L(ro))
        dw, db, dx = ref_train.dense_backward(dv_ld, L(x), L(w), L(b), *regs)
        # magnitudes: the products' |a| @ |b|, plus every regularization term
        adv = np.abs(dv_ld)
        mag_w = np.abs(L(x)).T @ adv + regs[0]
        mag_b = np.sum(adv, axis=0) + regs[2]
        if regs[1] > 0:  # the book adds each term only when its factor is > 0
            mag_w = mag_w + 2 * regs[1] * np.abs(L(w))
        if regs[3] > 0:
            mag_b = mag_b + 2 * regs[3] * np.abs(L(b)).reshape(-1)
        mag_x = adv @ np.abs(L(w)).T
    m, n = dv.shape

    def bound(mag, terms):
        return (terms + 4) * eps * np.where(np.isfinite(mag), mag, 0) + (terms + 4) * tiny

    assert_classified_close(res[0], dw, bound(mag_w, m), "dweights: ")
    assert_classified_close(res[1], db, bound(mag_b.reshape(db.shape), m), "dbiases: ")
    for r in res:
        assert r is None or np.asarray(r).dtype == dtype
    if kwargs.get("need_dinputs", True):
        assert_classified_close(res[2], dx, bound(mag_x, n), "dinputs: ")
    else:
        assert res[2] is None
    for i, name in enumerate(["dweights", "dbiases", "dinputs"]):
        if kwargs.get(name) is not None and res[i] is not None:
            assert res[i] is kwargs[name], f"{name} is not the given array"


# element-wise backward passes and sigmoid

def _draw_pair(src, dtype, size, second=None, min_nd=0, huge="max"):
    """Two arrays of one drawn shape (0-3 dimensions); second(src, shape) draws the other."""
    shape = dims(src, size, src.int(min_nd, 3))
    a = floats(src, shape, dtype, size, huge=huge)
    b = floats(src, shape, dtype, size) if second is None else second(src, shape, dtype, size)
    return (a, b), {}


def _check_relu_backward(res, args, kwargs, dtype):
    dv, x = in_dtype(dtype, *args)
    with np.errstate(invalid="ignore"):
        assert_exact(res, ref_train.relu_backward(dv, x), dtype)


def _check_sigmoid(res, args, kwargs, dtype):
    (x,) = in_dtype(dtype, args[0])
    with np.errstate(all="ignore"):
        check_ulps(res, ref_train.sigmoid(x), dtype, 4)


def _check_sigmoid_backward(res, args, kwargs, dtype):
    with np.errstate(all="ignore"):
        check_ulps(res, ref_train.sigmoid_backward(*in_dtype(dtype, *args)), dtype, 3)


def _check_softmax_backward(res, args, kwargs, dtype):
    dv, s = (np.asarray(a, dtype=LD) for a in args)
    eps, tiny = _eps_tiny(dtype)
    n = dv.shape[-1]
    with np.errstate(all="ignore"):
        expected = ref_train.softmax_backward(dv, s)
        dot_mag = np.sum(np.abs(s * dv), axis=-1, keepdims=True)
        mag = np.abs(s) * ((n + 3) * dot_mag + 2 * np.abs(dv)) + 2 * np.abs(expected)
    assert np.asarray(res).dtype == dtype
    assert_classified_close(res, expected, eps * np.where(np.isfinite(mag), mag, 0) + 2 * tiny)


def _check_dropout_backward(res, args, kwargs, dtype):
    dv, bm = in_dtype(dtype, *args)
    with np.errstate(all="ignore"):
        check_ulps(res, dv * bm, dtype, 1)


# softmax + cross-entropy backward, cross-entropy backward

def _draw_softmax_cce_backward(src, dtype, size):
    m, n = dims(src, size, 2)
    n = max(n, 1)
    p = prob_floats(src, (m, n), dtype, size)
    kwargs = {"with_stats": src.pick([False, True])}
    o = maybe_out(src, size, (m, n), np.dtype(dtype))
    if o is not None:
        kwargs["out"] = o
    return (p, labels(src, m, n, dtype, size)), kwargs


def _check_softmax_cce_backward(res, args, kwargs, dtype):
    p, y = args
    if kwargs.get("with_stats"):
        assert isinstance(res, tuple) and len(res) == 3, type(res)
        d, loss_sum, correct = res
        assert isinstance(loss_sum, float) and isinstance(correct, int)
    else:
        d = res
    if kwargs.get("out") is not None:
        assert d is kwargs["out"]
    (pt,) = in_dtype(dtype, p)
    with np.errstate(all="ignore"):
        check_ulps(d, ref_train.softmax_crossentropy_backward(pt, y), dtype, 2)
    if kwargs.get("with_stats"):
        lab = ref_train.labels_of(y)
        m = len(pt)
        lo, hi = np.asarray([ref.CLIP_LO, ref.CLIP_HI], dtype)
        with np.errstate(all="ignore"):
            terms = -np.log(np.clip(pt[np.arange(m), lab], lo, hi).astype(LD))
            expected = np.sum(terms)
            eps, _ = _eps_tiny(dtype)
            mag = np.sum(np.where(np.isfinite(terms), np.abs(terms), 0))
        assert_classified_close(loss_sum, expected, 2 * eps * mag + (m + 1) * LD(2.0**-52) * mag)
        assert correct == int(np.sum(np.argmax(pt, axis=1) == lab) if m else 0), correct


def _draw_cce_backward(src, dtype, size):
    m, n = dims(src, size, 2)
    kwargs = {}
    o = maybe_out(src, size, (m, n), np.dtype(dtype))
    if o is not None:
        kwargs["out"] = o
    return (floats(src, (m, n), dtype, size), labels(src, m, n, dtype, size)), kwargs


def _check_cce_backward(res, args, kwargs, dtype):
    dv, y = args
    (dvt,) = in_dtype(dtype, dv)
    y = np.asarray(y)
    if y.ndim == 2:
        (y,) = in_dtype(dtype, y)
    with np.errstate(all="ignore"):
        check_ulps(res, ref_train.categorical_crossentropy_backward(dvt, y), dtype, 2)


# binary cross-entropy, mean squared and absolute error

def _draw_pair_loss(kind, backward):
    def draw(src, dtype, size):
        m, n = dims(src, size, 2)
        if kind == "bce":
            p = prob_floats(src, (m, n), dtype, size)
            t = floats(src, (m, n), dtype, size, huge="safe", low=0.0, high=1.0)
        else:
            p = floats(src, (m, n), dtype, size, huge="safe")
            t = floats(src, (m, n), dtype, size, huge="safe")
        if backward:
            o = maybe_out(src, size, (m, n), np.dtype(dtype))
            return (p, t), ({} if o is None else {"out": o})
        return (p, t), {"reduction": src.pick(["mean", "sum", "none"])}
    return draw


def _check_pair_loss(kind):
    def check(res, args, kwargs, dtype):
        p, t = in_dtype(dtype, *args)
        eps, tiny = _eps_tiny(dtype)
        n = p.shape[1]
        lo, hi = np.asarray([ref.CLIP_LO, ref.CLIP_HI], dtype)
        pl, tl = p.astype(LD), t.astype(LD)
        with np.errstate(all="ignore"):
            per = ref_train.pair_loss_samples(kind, pl, tl, clip=(LD(lo), LD(hi)))
            if kind == "bce":
                a, b = ref_train.binary_crossentropy_terms(np.clip(pl, LD(lo), LD(hi)), tl)
                elem = 4 * (np.abs(a) + np.abs(b)) + 2 * (np.abs(tl) + np.abs(1 - tl))
                term = np.abs(a + b)
            else:
                term = (tl - pl) ** 2 if kind == "mse" else np.abs(tl - pl)
                elem = 3 * term
            elem = np.where(np.isfinite(elem), elem, 0)
            term = np.where(np.isfinite(term), term, 0)
            per_bound = eps * (np.sum(elem, axis=1) + (n + 2) * np.sum(term, axis=1)) / max(n, 1) \
                + eps * np.where(np.isfinite(per), np.abs(per), 0) + tiny
        reduction = kwargs.get("reduction", "mean")
        assert np.asarray(res).dtype == dtype, np.asarray(res).dtype
        if reduction == "none":
            assert_classified_close(res, per, per_bound)
            return
        assert np.ndim(res) == 0 and isinstance(res, np.floating), type(res)
        m = len(per)
        with np.errstate(all="ignore"):
            total = np.sum(per)
            expected = total if reduction == "sum" else (total / m if m else LD(np.nan))
            b = np.sum(per_bound) if reduction == "sum" else (np.mean(per_bound) if m else 0)
            b = b + eps * (abs(expected) if np.isfinite(expected) else 0)
            if m and kwargs.get("extra"):  # np.mean's pairwise sum (Loss.calculate)
                finite = np.where(np.isfinite(per), np.abs(per), 0)
                b = b + LD(kwargs["extra"]) * eps * np.mean(finite)
        assert_classified_close(res, expected, b)
    return check


def _check_pair_loss_backward(kind):
    def check(res, args, kwargs, dtype):
        p, t = in_dtype(dtype, *args)
        lo, hi = np.asarray([ref.CLIP_LO, ref.CLIP_HI], dtype)
        with np.errstate(all="ignore"):
            check_ulps(res, ref_train.pair_loss_backward(kind, p, t, clip=(lo, hi)), dtype, 4)
    return check


# dropout

MASK_DTYPES = [np.int64, np.int32, np.int8, np.uint8, np.bool_, np.intp]


def _draw_mask(src, shape):
    rng = np.random.default_rng(src.int(0, 2**32 - 1))
    mask = rng.integers(0, 2, size=shape)
    if src.pick([True, True, False]):  # any integers, as np.random.binomial(n > 1) gives
        mask = mask * rng.integers(-3, 4, size=shape)
    dt = src.pick(MASK_DTYPES)
    if dt == np.bool_ or np.dtype(dt).kind == "u":
        mask = np.abs(mask) if dt != np.bool_ else mask != 0
    return in_layout(src, np.asarray(mask).astype(dt))


def _draw_dropout(src, dtype, size):
    shape = dims(src, size, src.int(0, 3))
    x = floats(src, shape, dtype, size)
    rate = src.pick([0.0, 0.1, 0.5, 0.9, 1 / 3])
    kwargs = {}
    o = maybe_out(src, size, shape, np.dtype(dtype))
    if o is not None:
        kwargs["out"] = o
    return (x, _draw_mask(src, shape), rate), kwargs


def _check_dropout(res, args, kwargs, dtype):
    x, mask, rate = args
    assert isinstance(res, tuple) and len(res) == 2, type(res)
    (xt,) = in_dtype(dtype, x)
    bm = np.asarray(mask).astype(dtype) / np.asarray(1 - rate, dtype)
    with np.errstate(all="ignore"):
        out = xt * bm
    check_ulps(res[1], bm, dtype, 0, "binary_mask: ")
    check_ulps(res[0], out, dtype, 0, "output: ")
    if kwargs.get("out") is not None:
        assert res[0] is kwargs["out"]


def _draw_dropout_backward(src, dtype, size):
    def mask(src, shape, dtype, size):
        m = np.asarray(_draw_mask(src, shape)).astype(dtype) / np.asarray(0.75, dtype)
        return in_layout(src, m)
    return _draw_pair(src, dtype, size, mask)


# regularization_loss

def _draw_regularization(src, dtype, size):
    x = floats(src, dims(src, size, src.int(0, 3)), dtype, size, huge="safe")
    return (x, src.pick([0.0, 5e-4, 0.5, -1.0]), src.pick([0.0, 5e-4, 2.0, -1.0])), {}


def _check_regularization(res, args, kwargs, dtype):
    x, l1, l2 = args
    assert isinstance(res, float), type(res)
    xl = np.asarray(x, dtype=LD)
    with np.errstate(all="ignore"):
        expected = ref_train.regularization_loss(xl, l1, l2)
        mag = ref_train.regularization_loss(np.abs(xl), abs(l1) * (l1 > 0), abs(l2) * (l2 > 0))
    eps64 = LD(np.finfo(np.float64).eps)
    mag = mag if np.isfinite(mag) else 0
    assert_classified_close(res, expected, (xl.size + 3) * eps64 * mag + LD(np.finfo(np.float64).tiny))


# optimizer steps (in place)

OPT_SPECIALS = dict(huge="safe")


def _draw_optimizer(kind):
    def draw(src, dtype, size):
        shape = dims(src, size, src.int(0, 2))
        p = floats(src, shape, dtype, size, **OPT_SPECIALS)
        g = floats(src, shape, dtype, size, **OPT_SPECIALS)
        lr = src.pick([1.0, 0.05, 1e-3])

        def state():
            return floats(src, shape, dtype, size, low=0.0, high=2.0, **OPT_SPECIALS)

        if kind == "sgd":
            return (p, g, lr), {}
        if kind == "sgd_momentum":
            return (p, g, lr, src.pick([0.9, 0.5]), floats(src, shape, dtype, size, **OPT_SPECIALS)), {}
        if kind == "adagrad":
            return (p, g, state(), lr, src.pick([1e-7, 1e-3])), {}
        if kind == "rmsprop":
            return (p, g, state(), lr, src.pick([1e-7, 1e-3]), src.pick([0.9, 0.999])), {}
        return (p, g, floats(src, shape, dtype, size, **OPT_SPECIALS), state(), lr,
                src.pick([0, 1, 7, 1000]), src.pick([1e-7, 1e-3]), src.pick([0.9, 0.8]),
                src.pick([0.999, 0.99])), {}
    return draw


def _check_optimizer(kind):
    def check(res, args, kwargs, dtype):
        eps, tiny = _eps_tiny(dtype)
        p, g = in_dtype(dtype, *args[:2])
        hyper = {}
        if kind == "sgd":
            s1 = s2 = None
            hyper = dict(learning_rate=args[2])
        elif kind == "sgd_momentum":
            (s1,), s2 = in_dtype(dtype, args[4]), None
            hyper = dict(learning_rate=args[2], momentum=args[3])
        elif kind in ("adagrad", "rmsprop"):
            (s1,), s2 = in_dtype(dtype, args[2]), None
            hyper = dict(learning_rate=args[3], epsilon=args[4])
            if kind == "rmsprop":
                hyper["rho"] = args[5]
        else:
            s1, s2 = in_dtype(dtype, args[2], args[3])
            hyper = dict(learning_rate=args[4], iteration=args[5], epsilon=args[6],
                         beta_1=args[7], beta_2=args[8])
        name = "sgd" if kind.startswith("sgd") else kind
        with np.errstate(all="ignore"):
            # the book's step in the compute dtype (NumPy), and its magnitudes for the bound
            ep, e1, e2 = ref_train.optimizer_step(name, p, g, s1, s2, **hyper)
            update = ep.astype(LD) - p.astype(LD)
            mag_p = np.abs(p.astype(LD)) + 8 * np.abs(update)
        got = list(res)
        assert np.asarray(got[0]).dtype == dtype
        bound = 2 * eps * np.where(np.isfinite(mag_p), mag_p, 0) + 4 * tiny
        assert_classified_close(got[0], ep, bound, "param: ")
        for what, arr, exp in [("state 1: ", got[1] if len(got) > 1 else None, e1),
                               ("state 2: ", got[2] if len(got) > 2 else None, e2)]:
            if arr is not None:
                check_ulps(arr, exp, dtype, 4, what)
    return check


from nnfast.baseline import book as ref_train  # noqa: E402  (the book's classes and step functions)

TRAIN_API = [
    Api("dense_backward", nnfast.dense_backward, _draw_dense_backward, _check_dense_backward,
        arrays=(0, 1, 2), names=("dense_backward",)),
    Api("relu_backward", nnfast.relu_backward, _draw_pair, _check_relu_backward, arrays=(0, 1),
        out=True, names=("relu_backward",)),
    Api("sigmoid", nnfast.sigmoid, _draw_elementwise, _check_sigmoid, arrays=(0,), out=True,
        names=("sigmoid",)),
    Api("sigmoid_backward", nnfast.sigmoid_backward,
        lambda s, d, z: _draw_pair(s, d, z, lambda s2, sh, d2, z2: prob_floats(s2, sh, d2, z2)),
        _check_sigmoid_backward, arrays=(0, 1), out=True, names=("sigmoid_backward",)),
    Api("softmax_backward", nnfast.softmax_backward,
        lambda s, d, z: _draw_pair(s, d, z, lambda s2, sh, d2, z2: prob_floats(s2, sh, d2, z2), 1,
                                   huge="safe"),
        _check_softmax_backward, arrays=(0, 1), out=True, names=("softmax_backward",)),
    Api("softmax_crossentropy_backward", nnfast.softmax_crossentropy_backward,
        _draw_softmax_cce_backward, _check_softmax_cce_backward, arrays=(0,), label=1, out=True,
        names=("softmax_crossentropy_backward",), pick=first_of),
    Api("categorical_crossentropy_backward", nnfast.categorical_crossentropy_backward,
        _draw_cce_backward, _check_cce_backward, arrays=(0,), label=1, out=True,
        names=("categorical_crossentropy_backward",)),
    *[Api(name, getattr(nnfast, name), _draw_pair_loss(kind, False), _check_pair_loss(kind),
          arrays=(0, 1), names=(name,))
      for name, kind in [("binary_crossentropy", "bce"), ("mean_squared_error", "mse"),
                         ("mean_absolute_error", "mae")]],
    *[Api(name + "_backward", getattr(nnfast, name + "_backward"), _draw_pair_loss(kind, True),
          _check_pair_loss_backward(kind), arrays=(0, 1), out=True, names=(name + "_backward",))
      for name, kind in [("binary_crossentropy", "bce"), ("mean_squared_error", "mse"),
                         ("mean_absolute_error", "mae")]],
    Api("dropout", nnfast.dropout, _draw_dropout, _check_dropout, arrays=(0,), out=True,
        names=("dropout",), pick=first_of),
    Api("dropout_backward", nnfast.dropout_backward, _draw_dropout_backward,
        _check_dropout_backward, arrays=(0, 1), out=True, names=("dropout_backward",)),
    Api("regularization_loss", nnfast.regularization_loss, _draw_regularization,
        _check_regularization, arrays=(0,), names=("regularization_loss",)),
    Api("sgd_update", _inplace(nnfast.sgd_update, (0,)), _draw_optimizer("sgd"),
        _check_optimizer("sgd"), arrays=(0, 1), inplace=(0,), names=("sgd_update",)),
    Api("sgd_update[momentum]", _inplace(nnfast.sgd_update, (0, 4)),
        _draw_optimizer("sgd_momentum"), _check_optimizer("sgd_momentum"), arrays=(0, 1, 4),
        inplace=(0, 4), names=("sgd_update",)),
    Api("adagrad_update", _inplace(nnfast.adagrad_update, (0, 2)), _draw_optimizer("adagrad"),
        _check_optimizer("adagrad"), arrays=(0, 1, 2), inplace=(0, 2), names=("adagrad_update",)),
    Api("rmsprop_update", _inplace(nnfast.rmsprop_update, (0, 2)), _draw_optimizer("rmsprop"),
        _check_optimizer("rmsprop"), arrays=(0, 1, 2), inplace=(0, 2), names=("rmsprop_update",)),
    Api("adam_update", _inplace(nnfast.adam_update, (0, 2, 3)), _draw_optimizer("adam"),
        _check_optimizer("adam"), arrays=(0, 1, 2, 3), inplace=(0, 2, 3), names=("adam_update",)),
]
API += TRAIN_API


# ---------------------------------------------------------------------------------------
# The book's training classes (issue 4): each method on an object set up with the drawn
# arguments, checked with the functions' checks above. Methods that only run NumPy
# (predictions, Accuracy_*) have no `arrays`: hostile arguments reach NumPy, not nnfast.

def _draw_layer_backward(src, dtype, size):
    args, _ = _draw_dense_backward(src, dtype, Size(**{**size.__dict__, "outs": False}),
                                   biases=("2d", "1d"))  # the book's layers have biases
    return args, {}


def _layer_backward(dvalues, inputs, weights, biases, wl1=0, wl2=0, bl1=0, bl2=0):
    layer = nn.Layer_Dense(0, 0, wl1, wl2, bl1, bl2)
    layer.weights, layer.biases = weights, biases
    layer.forward(inputs, training=True)
    dinputs = layer.backward(dvalues)
    assert dinputs is layer.dinputs
    return layer.dweights, layer.dbiases, layer.dinputs


def _seeded(fn):
    """fn(*args) with NumPy's global generator seeded 1234 (restored after)."""
    state = np.random.get_state()
    np.random.seed(1234)
    try:
        return fn()
    finally:
        np.random.set_state(state)


def _book_mask(shape, rate):
    return _seeded(lambda: np.random.binomial(1, 1 - rate, size=shape))


def _draw_dropout_layer(src, dtype, size):
    shape = dims(src, size, 2)
    return (floats(src, shape, dtype, size), src.pick([0.1, 0.5, 0.9])), {}


def _dropout_forward(inputs, rate):
    layer = nn.Layer_Dropout(rate)
    out = _seeded(lambda: layer.forward(inputs, training=True))
    assert out is layer.output
    return out, layer.binary_mask


def _check_dropout_forward(res, args, kwargs, dtype):
    x, rate = args
    _check_dropout(res, (x, _book_mask(np.shape(x), rate), rate), {}, dtype)


def _draw_dropout_layer_backward(src, dtype, size):
    (x, rate), _ = _draw_dropout_layer(src, dtype, size)
    return (floats(src, np.shape(x), dtype, size), x, rate), {}


def _dropout_backward(dvalues, inputs, rate):
    layer = nn.Layer_Dropout(rate)
    _seeded(lambda: layer.forward(inputs, training=True))
    return layer.backward(dvalues)


def _check_dropout_layer_backward(res, args, kwargs, dtype):
    dv, x, rate = args
    bm = np.asarray(_book_mask(np.shape(x), rate)).astype(dtype) / np.asarray(1 - rate, dtype)
    _check_dropout_backward(res, (dv, bm), {}, dtype)


def _activation_backward(cls):
    def call(dvalues, inputs):
        act = cls()
        act.forward(inputs, training=True)
        dinputs = act.backward(dvalues)
        assert dinputs is act.dinputs
        return act.output, dinputs
    call.__name__ = f"{cls.__name__}.backward"
    return call


def _check_relu_layer_backward(res, args, kwargs, dtype):
    _check_relu(res[0], args[1:], {}, result_dtype(args[1]))  # forward: the inputs' dtype
    _check_relu_backward(res[1], args, {}, dtype)


def _check_linear_layer_backward(res, args, kwargs, dtype):
    _check_linear(res[1], args[:1], {}, result_dtype(args[0]))  # a copy of dvalues


def _check_softmax_layer_backward(res, args, kwargs, dtype):
    check_softmax_rows(res[0], args[1], result_dtype(args[1]), "output: ")
    # the backward pass of the output just checked
    _check_softmax_backward(res[1], (args[0], res[0]), {}, dtype)


def _check_sigmoid_layer_backward(res, args, kwargs, dtype):
    _check_sigmoid(res[0], args[1:], {}, result_dtype(args[1]))
    _check_sigmoid_backward(res[1], (args[0], res[0]), {}, dtype)


def _draw_2d_pair(src, dtype, size):
    shape = dims(src, size, 2)
    return (floats(src, shape, dtype, size, huge="safe"), floats(src, shape, dtype, size)), {}


def _predictions(cls):
    def call(outputs):
        return cls().predictions(outputs)
    call.__name__ = f"{cls.__name__}.predictions"
    return call


def _check_predictions(book_cls):
    def check(res, args, kwargs, dtype):
        expected = book_cls().predictions(np.asarray(args[0]))
        assert np.asarray(res).dtype == np.asarray(expected).dtype
        np.testing.assert_array_equal(res, expected)
    return check


def _draw_predictions(src, dtype, size):
    m, n = dims(src, size, 2)
    return (floats(src, (m, max(n, 1)), dtype, size),), {}  # argmax needs a column


def _loss_method(cls, method):
    def call(y_pred, y_true):
        loss = cls()
        res = getattr(loss, method)(y_pred, y_true)
        if method == "backward":
            assert res is loss.dinputs
        return res
    call.__name__ = f"{cls.__name__}.{method}"
    return call


def _check_loss_mean(kind):
    pair = _check_pair_loss(kind)

    def check(res, args, kwargs, dtype):
        # Loss.calculate is np.mean of the per-sample losses: NumPy's pairwise sum in the
        # dtype, up to log2(m) + 1 more roundings of the mean's magnitude.
        m = np.shape(args[0])[0]
        pair(res, args, {"reduction": "mean", "extra": math.log2(m + 1) + 1}, dtype)
    return check


def _draw_loss_pair(kind):
    draw = _draw_pair_loss(kind, True)

    def d(src, dtype, size):
        return draw(src, dtype, Size(**{**size.__dict__, "outs": False}))[0], {}
    return d


def _draw_regularization_layer(src, dtype, size):
    k, n = dims(src, size, 2)
    w = floats(src, (k, n), dtype, size, huge="safe")
    b = floats(src, (1, n), dtype, size, huge="safe")
    regs = [src.pick([0.0, 5e-4, 0.5, -1.0]) for _ in range(4)]
    return (w, b, *regs), {}


def _loss_regularization(weights, biases, wl1, wl2, bl1, bl2):
    layer = nn.Layer_Dense(0, 0, wl1, wl2, bl1, bl2)
    layer.weights, layer.biases = weights, biases
    return nn.Loss_MeanSquaredError().regularization_loss(layer)


def _check_loss_regularization(res, args, kwargs, dtype):
    w, b, wl1, wl2, bl1, bl2 = args
    wl, bl = np.asarray(w, dtype=LD), np.asarray(b, dtype=LD)
    with np.errstate(all="ignore"):
        expected = ref_train.regularization_loss(wl, wl1, wl2) + \
            ref_train.regularization_loss(bl, bl1, bl2)
        mag = ref_train.regularization_loss(np.abs(wl), wl1, wl2) + \
            ref_train.regularization_loss(np.abs(bl), bl1, bl2)
    assert isinstance(res, (float, int)), type(res)
    mag = mag if np.isfinite(mag) else 0
    eps64 = LD(np.finfo(np.float64).eps)
    assert_classified_close(float(res), expected, (wl.size + bl.size + 4) * eps64 * mag
                            + LD(np.finfo(np.float64).tiny))


def _softmax_loss_forward(inputs, y_true):
    obj = nn.Activation_Softmax_Loss_CategoricalCrossentropy()
    loss = obj.forward(inputs, y_true)
    return loss, obj.output


def _softmax_loss_backward(probabilities, y_true):
    obj = nn.Activation_Softmax_Loss_CategoricalCrossentropy()
    d = obj.backward(probabilities, y_true)
    assert d is obj.dinputs
    return d


def _draw_softmax_loss_backward(src, dtype, size):
    args, _ = _draw_softmax_cce_backward(src, dtype, Size(**{**size.__dict__, "outs": False}))
    return args, {}


# optimizers' update_params: a layer with the drawn parameters and gradients, 1-3 steps of
# pre_update_params / update_params / post_update_params, against the book's optimizer
# (tests/reference_train.py) run in the same dtype on copies.

OPT_STATES = {"Optimizer_SGD": ("weight_momentums", "bias_momentums"),
              "Optimizer_Adagrad": ("weight_cache", "bias_cache"),
              "Optimizer_RMSprop": ("weight_cache", "bias_cache"),
              "Optimizer_Adam": ("weight_momentums", "bias_momentums", "weight_cache",
                                 "bias_cache")}


class _Params:
    """A stand-in layer: what update_params reads and writes."""


def _draw_update_params(name):
    def draw(src, dtype, size):
        k, n = dims(src, size, 2)
        arrs = [floats(src, s, dtype, size, **OPT_SPECIALS) for s in [(k, n), (1, n)] * 2]
        hyper = {"learning_rate": src.pick([1.0, 0.05]), "decay": src.pick([0.0, 1e-3, 0.1])}
        if name == "Optimizer_SGD":
            hyper["momentum"] = src.pick([0.0, 0.9])
        elif name == "Optimizer_RMSprop":
            hyper["rho"] = src.pick([0.9, 0.999])
        elif name == "Optimizer_Adam":
            hyper["beta_1"], hyper["beta_2"] = src.pick([0.9, 0.8]), src.pick([0.999, 0.99])
        return tuple(arrs), {"steps": src.int(1, 3), **hyper}
    return draw


def _update_params(name, copy):
    def call(weights, biases, dweights, dbiases, steps=1, **hyper):
        layer = _Params()
        layer.weights, layer.biases = (fresh_like(weights), fresh_like(biases)) if copy else \
            (weights, biases)
        layer.dweights, layer.dbiases = dweights, dbiases
        opt = getattr(nn, name)(**hyper)
        for _ in range(steps):
            opt.pre_update_params()
            opt.update_params(layer)
            opt.post_update_params()
        assert opt.iterations == steps
        return (layer.weights, layer.biases, opt.current_learning_rate) + \
            tuple(getattr(layer, s, None) for s in OPT_STATES[name])
    call.__name__ = f"{name}.update_params"
    if copy:
        call.direct = _update_params(name, False)
    return call


def _check_update_params(name):
    def check(res, args, kwargs, dtype):
        kwargs = dict(kwargs)
        steps = kwargs.pop("steps", 1)
        layer = _Params()
        layer.weights, layer.biases, layer.dweights, layer.dbiases = \
            in_dtype(dtype, *args)
        p0 = [layer.weights.copy(), layer.biases.copy()]
        opt = getattr(ref_train, name)(**kwargs)
        with np.errstate(all="ignore"):
            for _ in range(steps):
                opt.pre_update_params()
                opt.update_params(layer)
                opt.post_update_params()
        assert res[2] == opt.current_learning_rate, (res[2], opt.current_learning_rate)
        eps, tiny = _eps_tiny(dtype)
        for what, got, exp, before in [("weights: ", res[0], layer.weights, p0[0]),
                                       ("biases: ", res[1], layer.biases, p0[1])]:
            assert np.asarray(got).dtype == dtype, np.asarray(got).dtype
            with np.errstate(all="ignore"):
                update = exp.astype(LD) - before.astype(LD)
                mag = np.abs(before.astype(LD)) + 8 * np.abs(update)
            bound = 2 * steps * eps * np.where(np.isfinite(mag), mag, 0) + 4 * steps * tiny
            assert_classified_close(got, exp, bound, what)
        for state, got in zip(OPT_STATES[name], res[3:]):
            exp = getattr(layer, state, None)
            assert (got is None) == (exp is None), state
            if got is not None:
                check_ulps(got, exp, dtype, 4 * steps, state + ": ")
    return check


def _draw_accuracy_categorical(src, dtype, size):
    m, n = dims(src, size, 2)
    n = max(n, 1)
    rng = np.random.default_rng(src.int(0, 2**32 - 1))
    if src.pick([False, True]):  # binary: 0/1 predictions and targets of one shape
        return (in_layout(src, rng.integers(0, 2, size=(m, n))),
                in_layout(src, rng.integers(0, 2, size=(m, n)))), {"binary": True}
    predictions = in_layout(src, rng.integers(0, n, size=m))
    return (predictions, labels(src, m, n, dtype, Size(**{**size.__dict__, "specials": False}))), \
        {}


def _accuracy_calculate(cls):
    def call(predictions, y, **kwargs):
        acc = cls(**kwargs)
        acc.init(y)
        return acc.calculate(predictions, y)
    call.__name__ = f"{cls.__name__}.calculate"
    return call


def _check_accuracy_class(book_cls):
    def check(res, args, kwargs, dtype):
        acc = book_cls(**kwargs)
        acc.init(np.asarray(args[1]))
        with np.errstate(all="ignore"):
            expected = acc.calculate(np.asarray(args[0]), np.asarray(args[1]))
        if np.isnan(expected):
            assert np.isnan(res)
        else:
            assert res == expected, (res, expected)
    return check


def _draw_accuracy_regression(src, dtype, size):
    m, n = dims(src, size, 2)
    y = floats(src, (m, n), dtype, size, huge="safe")
    rng = np.random.default_rng(src.int(0, 2**32 - 1))
    near = np.asarray(y) + rng.normal(0, 1e-3, size=(m, n)).astype(dtype)
    return (in_layout(src, near), y), {}


# Model.predict / Model.evaluate: Dense -> ReLU -> Dense -> Softmax with categorical
# cross-entropy, parameters drawn; checked against the long-double forward pass with the
# product bound carried through both layers (no special values: the model's numbers, not
# the kernels' edge cases, which the functions' entries cover).

def _draw_model(src, dtype, size, with_labels=False):
    small = Size(lo=size.lo, hi=min(size.hi, 64), cap=size.cap, work=size.work // 4,
                 specials=False, outs=False)
    m, k, h, c = dims(src, small, 4)
    c = max(c, 1)
    x = floats(src, (m, k), dtype, small)
    w1, b1 = floats(src, (k, h), dtype, small), floats(src, (1, h), dtype, small)
    w2, b2 = floats(src, (h, c), dtype, small), floats(src, (1, c), dtype, small)
    kwargs = {"batch_size": src.pick([None, None, 1, 7, 64])}
    if with_labels:
        y = labels(src, m, c, dtype, small)
        return (x, y, w1, b1, w2, b2), kwargs
    return (x, w1, b1, w2, b2), kwargs


def _model(w1, b1, w2, b2):
    model = nn.Model()
    model.add(nn.Layer_Dense(0, 0))
    model.add(nn.Activation_ReLU())
    model.add(nn.Layer_Dense(0, 0))
    model.add(nn.Activation_Softmax())
    model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=nn.Optimizer_Adam(),
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    model.set_parameters([(w1, b1), (w2, b2)])
    return model


def _model_predict(x, w1, b1, w2, b2, batch_size=None):
    return _model(w1, b1, w2, b2).predict(x, batch_size=batch_size)


def _model_evaluate(x, y, w1, b1, w2, b2, batch_size=None):
    return _model(w1, b1, w2, b2).evaluate(x, y, batch_size=batch_size, verbose=False)


def _model_reference(x, w1, b1, w2, b2, dtype):
    """(probabilities, bound) of the two-layer forward pass in long double; the bound in the
    least precise dtype among the arrays (a layer of float32 arrays computes in float32)."""
    floats32 = any(getattr(a, "dtype", None) == np.float32 for a in (x, w1, b1, w2, b2))
    dtype = np.dtype(np.float32) if floats32 else dtype
    eps, tiny = _eps_tiny(dtype)
    L = [np.asarray(a, dtype=LD) for a in (x, w1, b1, w2, b2)]
    x, w1, b1, w2, b2 = L
    k, h = w1.shape
    z1 = x @ w1 + b1
    e1 = (k + 2) * eps * (np.abs(x) @ np.abs(w1) + np.abs(b1)) + (k + 2) * tiny
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2 + b2
    e2 = (h + 2) * eps * (np.abs(a1) @ np.abs(w2) + np.abs(b2)) + e1 @ np.abs(w2) + (h + 2) * tiny
    p = ref.softmax(z2)
    e = np.max(e2, axis=1, keepdims=True) if z2.size else e2
    moved = np.where(np.expm1(2 * e) > 1, 1, np.expm1(2 * e) * np.abs(p))
    return p, softmax_bound(z2, p, dtype) + moved


def _check_model_predict(res, args, kwargs, dtype):
    p, bound = _model_reference(*args, dtype)
    assert np.asarray(res).dtype == dtype, np.asarray(res).dtype
    assert_classified_close(res, p, bound)


def _check_model_evaluate(res, args, kwargs, dtype):
    x, y, w1, b1, w2, b2 = args
    p, bound = _model_reference(x, w1, b1, w2, b2, dtype)
    loss, acc = res
    m, c = p.shape
    yl = np.asarray(y)
    with np.errstate(all="ignore"):
        per = ref.categorical_crossentropy_samples(p, yl.astype(LD) if yl.ndim == 2 else yl)
        # -log moves by the probability's relative error; the clip bounds in the dtype
        pc = np.clip(p, LD(1e-7), LD(1 - 1e-7))
        lab = ref_train.labels_of(yl)
        conf = pc[np.arange(m), lab] if yl.ndim == 1 else np.sum(pc * yl, axis=1)
        rel = (bound[np.arange(m), lab] if yl.ndim == 1 else
               np.sum(bound * np.abs(yl), axis=1)) / conf
        floats32 = any(getattr(a, "dtype", None) == np.float32 for a in (x, w1, b1, w2, b2))
        per_bound = np.abs(np.log1p(-np.minimum(rel, 0.5))) + \
            loss_bound(per, c + 10, np.dtype(np.float32) if floats32 else dtype)
        expected = np.mean(per) if m else LD(np.nan)
    assert_classified_close(loss, expected, (np.mean(per_bound) if m else 0)
                            + 4 * _eps_tiny(dtype)[0] * abs(expected if m else 0))
    # accuracy: rows whose top two probabilities are closer than their error may go either way
    if m == 0:
        assert np.isnan(acc)
        return
    top = np.argsort(-p, axis=1, kind="stable")
    right = np.argmax(p, axis=1) == lab
    if c > 1:
        gap = p[np.arange(m), top[:, 0]] - p[np.arange(m), top[:, 1]]
        unsure = gap <= bound[np.arange(m), top[:, 0]] + bound[np.arange(m), top[:, 1]]
    else:
        unsure = np.zeros(m, bool)
    lo, hi = np.sum(right & ~unsure) / m, np.sum(right | unsure) / m
    assert lo <= acc <= hi, (acc, lo, hi)


TRAIN_CLASS_API = [
    Api("nn.Layer_Dense.backward", _layer_backward, _draw_layer_backward, _check_dense_backward,
        arrays=(0, 1, 2, 3), names=("dense_backward", "dense")),
    Api("nn.Layer_Dropout.forward", _dropout_forward, _draw_dropout_layer,
        _check_dropout_forward, arrays=(0,), names=("dropout",), global_rng=True),
    Api("nn.Layer_Dropout.backward", _dropout_backward, _draw_dropout_layer_backward,
        _check_dropout_layer_backward, arrays=(0, 1), names=("dropout",), global_rng=True),
    Api("nn.Activation_ReLU.backward", _activation_backward(nn.Activation_ReLU),
        lambda s, d, z: _draw_pair(s, d, z), _check_relu_layer_backward, arrays=(0, 1),
        names=("relu",)),
    Api("nn.Activation_Linear.backward", _activation_backward(nn.Activation_Linear),
        lambda s, d, z: _draw_pair(s, d, z), _check_linear_layer_backward, arrays=(0, 1),
        names=("linear",)),
    Api("nn.Activation_Softmax.backward", _activation_backward(nn.Activation_Softmax),
        _draw_2d_pair, _check_softmax_layer_backward, arrays=(0, 1), names=("softmax",)),
    Api("nn.Activation_Sigmoid.forward", _method(nn.Activation_Sigmoid), _draw_elementwise,
        _check_sigmoid, arrays=(0,), names=("sigmoid",)),
    Api("nn.Activation_Sigmoid.backward", _activation_backward(nn.Activation_Sigmoid),
        lambda s, d, z: _draw_pair(s, d, z), _check_sigmoid_layer_backward, arrays=(0, 1),
        names=("sigmoid",)),
    *[Api(f"nn.{cls.__name__}.predictions", _predictions(cls), _draw_predictions,
          _check_predictions(getattr(ref_train, cls.__name__)))
      for cls in (nn.Activation_ReLU, nn.Activation_Linear, nn.Activation_Softmax,
                  nn.Activation_Sigmoid)],
    Api("nn.Loss_CategoricalCrossentropy.backward",
        _loss_method(nn.Loss_CategoricalCrossentropy, "backward"),
        lambda s, d, z: (_draw_cce_backward(s, d, Size(**{**z.__dict__, "outs": False}))[0], {}),
        _check_cce_backward, arrays=(0,), label=1,
        names=("categorical_crossentropy_backward",)),
    *[Api(f"nn.{cls}.{method}", _loss_method(getattr(nn, cls), method),
          _draw_loss_pair(kind), (_check_loss_mean(kind) if method == "calculate" else
                                  _check_pair_loss_backward(kind)),
          arrays=(0, 1), names=(fn if method == "calculate" else fn + "_backward",))
      for cls, fn, kind in [("Loss_BinaryCrossentropy", "binary_crossentropy", "bce"),
                            ("Loss_MeanSquaredError", "mean_squared_error", "mse"),
                            ("Loss_MeanAbsoluteError", "mean_absolute_error", "mae")]
      for method in ("calculate", "backward")],
    Api("nn.Loss.regularization_loss", _loss_regularization, _draw_regularization_layer,
        _check_loss_regularization, arrays=(0, 1), names=("regularization_loss",)),
    Api("nn.Activation_Softmax_Loss_CategoricalCrossentropy.forward", _softmax_loss_forward,
        _draw_softmax_cce, _check_softmax_cce, arrays=(0,), label=1,
        names=("softmax_crossentropy",)),
    Api("nn.Activation_Softmax_Loss_CategoricalCrossentropy.backward", _softmax_loss_backward,
        _draw_softmax_loss_backward, _check_softmax_cce_backward, arrays=(0,), label=1,
        names=("softmax_crossentropy_backward",)),
    *[Api(f"nn.{name}.update_params", _update_params(name, True), _draw_update_params(name),
          _check_update_params(name), arrays=(0, 1, 2, 3), inplace=(0, 1),
          names=("sgd_update", "adagrad_update", "rmsprop_update", "adam_update"))
      for name in OPT_STATES],
    Api("nn.Accuracy_Categorical.calculate", _accuracy_calculate(nn.Accuracy_Categorical),
        _draw_accuracy_categorical, _check_accuracy_class(ref_train.Accuracy_Categorical)),
    Api("nn.Accuracy_Regression.calculate", _accuracy_calculate(nn.Accuracy_Regression),
        _draw_accuracy_regression, _check_accuracy_class(ref_train.Accuracy_Regression)),
    Api("nn.Model.predict", _model_predict, _draw_model, _check_model_predict,
        arrays=(0, 1, 2, 3, 4), names=("Model.predict", "dense", "relu", "softmax"),
        cycles=True),
    Api("nn.Model.evaluate", _model_evaluate,
        lambda s, d, z: _draw_model(s, d, z, with_labels=True), _check_model_evaluate,
        arrays=(0, 2, 3, 4, 5), label=1,
        names=("Model.evaluate", "dense", "relu", "softmax", "categorical_crossentropy"),
        cycles=True),
]
API += TRAIN_CLASS_API

BY_NAME = {api.name: api for api in API}
IDS = [api.name for api in API]


def dtype_of(api, args):
    """The dtype api computes in for args: NumPy's float result type of the float-array
    arguments and of one-hot labels (float64 for integers only); for a function that
    updates arrays in place, the dtype of the first of them (the parameter)."""
    if api.inplace and isinstance(args[api.inplace[0]], np.ndarray) and \
            args[api.inplace[0]].dtype.kind == "f":
        return args[api.inplace[0]].dtype.newbyteorder("=")
    arrays = [args[i] for i in api.arrays]
    if api.label is not None and np.ndim(args[api.label]) == 2:
        arrays.append(args[api.label])
    try:
        return result_dtype(*arrays) if arrays else np.dtype(np.float64)
    except TypeError:
        return np.dtype(np.float64)


def tiny_args(api, dtype=np.float64, seed=0):
    """Small valid arguments (no special values) for api."""
    return api.draw(RngSource(np.random.default_rng(seed)), np.dtype(dtype), TINY)


def call(api, args, kwargs):
    return api.call(*args, **kwargs)
