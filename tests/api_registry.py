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


PROPERTY = Size()
TINY = Size(lo=1, hi=3, specials=False)
THREADED = Size(lo=48, hi=160, cap=40_000, work=3_000_000, specials=False)


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
    return np.nan if dtype.kind == "f" else np.iinfo(dtype).max


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
    concurrent calls interleave their draws, as any np.random.* calls do)."""
    name: str
    call: Callable
    draw: Callable
    check: Callable
    arrays: tuple = ()
    label: Optional[int] = None
    out: bool = False
    names: tuple = field(default_factory=tuple)
    global_rng: bool = False


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
        names=("accuracy",)),
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

BY_NAME = {api.name: api for api in API}
IDS = [api.name for api in API]


def dtype_of(api, args):
    """The dtype api computes in for args: NumPy's float result type of the float-array
    arguments and of one-hot labels (float64 for integers only)."""
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
