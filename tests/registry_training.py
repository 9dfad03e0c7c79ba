"""The API registry's rows for the training functions: backward passes, more losses,
dropout, optimizer steps, regularization.

Element-wise formulas are checked against the book's expression evaluated by NumPy in the
compute dtype (in_dtype): nnfast evaluates the same IEEE operations in the same order, so
overflow and underflow happen alike, and the only differences are fused multiply-adds and
the last bit of exp/log (NumPy's against libm's). Sums (losses, softmax_backward, the
dense products, regularization) are checked against long double (registry_bounds.py).
"""

import math

import numpy as np

import nnfast
import reference as ref
from nnfast.baseline import book as ref_train  # the book's classes and step functions
from registry_bounds import (LD, assert_classified_close, assert_exact, check_steps, check_ulps,
                             eps_tiny, in_dtype)
from registry_notes import draw_elementwise
from registry_row import Api, first_of, in_place
from registry_sources import dims, floats, in_layout, labels, maybe_out, prob_floats, shrink


# dense_backward

def draw_dense_backward(src, dtype, size, biases=(None, "1d", "2d")):
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


def check_dense_backward(res, args, kwargs, dtype):
    dv, x, w, b = (None if a is None else np.asarray(a) for a in args[:4])
    regs = args[4:8]
    ro = kwargs.get("relu_output")
    assert isinstance(res, tuple) and len(res) == 3, type(res)
    eps, tiny = eps_tiny(dtype)

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

def draw_pair(src, dtype, size, second=None, min_nd=0, huge="max"):
    """Two arrays of one drawn shape (0-3 dimensions); second(src, shape) draws the other."""
    shape = dims(src, size, src.int(min_nd, 3))
    a = floats(src, shape, dtype, size, huge=huge)
    b = floats(src, shape, dtype, size) if second is None else second(src, shape, dtype, size)
    return (a, b), {}


def check_relu_backward(res, args, kwargs, dtype):
    dv, x = in_dtype(dtype, *args)
    with np.errstate(invalid="ignore"):
        assert_exact(res, ref_train.relu_backward(dv, x), dtype)


def check_sigmoid(res, args, kwargs, dtype):
    (x,) = in_dtype(dtype, args[0])
    with np.errstate(all="ignore"):
        check_ulps(res, ref_train.sigmoid(x), dtype, 4)


def check_sigmoid_backward(res, args, kwargs, dtype):
    with np.errstate(all="ignore"):
        check_ulps(res, ref_train.sigmoid_backward(*in_dtype(dtype, *args)), dtype, 3)


def check_softmax_backward(res, args, kwargs, dtype):
    dv, s = (np.asarray(a, dtype=LD) for a in args)
    eps, tiny = eps_tiny(dtype)
    n = dv.shape[-1]
    with np.errstate(all="ignore"):
        expected = ref_train.softmax_backward(dv, s)
        dot_mag = np.sum(np.abs(s * dv), axis=-1, keepdims=True)
        mag = np.abs(s) * ((n + 3) * dot_mag + 2 * np.abs(dv)) + 2 * np.abs(expected)
    assert np.asarray(res).dtype == dtype
    assert_classified_close(res, expected, eps * np.where(np.isfinite(mag), mag, 0) + 2 * tiny)


def check_dropout_backward(res, args, kwargs, dtype):
    dv, bm = in_dtype(dtype, *args)
    with np.errstate(all="ignore"):
        check_ulps(res, dv * bm, dtype, 1)


# softmax + cross-entropy backward, cross-entropy backward

def draw_softmax_cce_backward(src, dtype, size):
    m, n = dims(src, size, 2)
    n = max(n, 1)
    p = prob_floats(src, (m, n), dtype, size)
    kwargs = {"with_stats": src.pick([False, True])}
    o = maybe_out(src, size, (m, n), np.dtype(dtype))
    if o is not None:
        kwargs["out"] = o
    return (p, labels(src, m, n, dtype, size)), kwargs


def check_softmax_cce_backward(res, args, kwargs, dtype):
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
            eps, _ = eps_tiny(dtype)
            mag = np.sum(np.where(np.isfinite(terms), np.abs(terms), 0))
        assert_classified_close(loss_sum, expected, 2 * eps * mag + (m + 1) * LD(2.0**-52) * mag)
        assert correct == int(np.sum(np.argmax(pt, axis=1) == lab) if m else 0), correct


def draw_cce_backward(src, dtype, size):
    m, n = dims(src, size, 2)
    kwargs = {}
    o = maybe_out(src, size, (m, n), np.dtype(dtype))
    if o is not None:
        kwargs["out"] = o
    return (floats(src, (m, n), dtype, size), labels(src, m, n, dtype, size)), kwargs


def check_cce_backward(res, args, kwargs, dtype):
    dv, y = args
    (dvt,) = in_dtype(dtype, dv)
    y = np.asarray(y)
    if y.ndim == 2:
        (y,) = in_dtype(dtype, y)
    with np.errstate(all="ignore"):
        check_ulps(res, ref_train.categorical_crossentropy_backward(dvt, y), dtype, 2)


# binary cross-entropy, mean squared and absolute error

def draw_pair_loss(kind, backward):
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


def check_pair_loss(kind):
    def check(res, args, kwargs, dtype):
        p, t = in_dtype(dtype, *args)
        eps, tiny = eps_tiny(dtype)
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


def check_pair_loss_backward(kind):
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


def check_dropout(res, args, kwargs, dtype):
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


def _draw_dropout_philox(src, dtype, size):
    (x, _, rate), kwargs = _draw_dropout(src, dtype, size)
    seed = src.pick([0, 1, 2**64 - 1, src.int(0, 2**32 - 1) * 2**32 + src.int(0, 2**32 - 1)])
    return (x, rate, seed, src.pick([0, 1, 2**63 + 5])), kwargs


def check_dropout_philox(res, args, kwargs, dtype):
    """Element e of the C-order flattened inputs is kept iff Philox word e (the raw words,
    checked against published values in test_dropout_rng.py) is below ceil(keep * 2**32)."""
    x, rate, seed, step = args
    size = int(np.size(x))
    words = nnfast._core._philox_words(seed, step, 0, (size + 3) // 4).ravel()[:size]
    below = math.ceil((1 - rate) * 2**32)  # Python's exact integer ceiling
    mask = (words.astype(np.uint64) < below).reshape(np.shape(x))
    check_dropout(res, (x, mask.astype(np.int64), rate), kwargs, dtype)


def _draw_dropout_backward(src, dtype, size):
    def mask(src, shape, dtype, size):
        m = np.asarray(_draw_mask(src, shape)).astype(dtype) / np.asarray(0.75, dtype)
        return in_layout(src, m)
    return draw_pair(src, dtype, size, mask)


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
            # the book's step in the compute dtype (NumPy)
            ep, e1, e2 = ref_train.optimizer_step(name, p, g, s1, s2, **hyper)
        got = list(res)
        check_steps(got[0], p, ep, dtype, 1, "param: ")
        for what, arr, exp in [("state 1: ", got[1] if len(got) > 1 else None, e1),
                               ("state 2: ", got[2] if len(got) > 2 else None, e2)]:
            if arr is not None:
                check_ulps(arr, exp, dtype, 4, what)
    return check


TRAIN_API = [
    Api("dense_backward", nnfast.dense_backward, draw_dense_backward, check_dense_backward,
        arrays=(0, 1, 2), names=("dense_backward",)),
    Api("relu_backward", nnfast.relu_backward, draw_pair, check_relu_backward, arrays=(0, 1),
        out=True, names=("relu_backward",)),
    Api("sigmoid", nnfast.sigmoid, draw_elementwise, check_sigmoid, arrays=(0,), out=True,
        names=("sigmoid",)),
    Api("sigmoid_backward", nnfast.sigmoid_backward,
        lambda s, d, z: draw_pair(s, d, z, lambda s2, sh, d2, z2: prob_floats(s2, sh, d2, z2)),
        check_sigmoid_backward, arrays=(0, 1), out=True, names=("sigmoid_backward",)),
    Api("softmax_backward", nnfast.softmax_backward,
        lambda s, d, z: draw_pair(s, d, z, lambda s2, sh, d2, z2: prob_floats(s2, sh, d2, z2), 1,
                                   huge="safe"),
        check_softmax_backward, arrays=(0, 1), out=True, names=("softmax_backward",)),
    Api("softmax_crossentropy_backward", nnfast.softmax_crossentropy_backward,
        draw_softmax_cce_backward, check_softmax_cce_backward, arrays=(0,), label=1, out=True,
        names=("softmax_crossentropy_backward",), pick=first_of),
    Api("categorical_crossentropy_backward", nnfast.categorical_crossentropy_backward,
        draw_cce_backward, check_cce_backward, arrays=(0,), label=1, out=True,
        names=("categorical_crossentropy_backward",)),
    *[Api(name, getattr(nnfast, name), draw_pair_loss(kind, False), check_pair_loss(kind),
          arrays=(0, 1), names=(name,))
      for name, kind in [("binary_crossentropy", "bce"), ("mean_squared_error", "mse"),
                         ("mean_absolute_error", "mae")]],
    *[Api(name + "_backward", getattr(nnfast, name + "_backward"), draw_pair_loss(kind, True),
          check_pair_loss_backward(kind), arrays=(0, 1), out=True, names=(name + "_backward",))
      for name, kind in [("binary_crossentropy", "bce"), ("mean_squared_error", "mse"),
                         ("mean_absolute_error", "mae")]],
    Api("dropout", nnfast.dropout, _draw_dropout, check_dropout, arrays=(0,), out=True,
        names=("dropout",), pick=first_of),
    Api("dropout_philox", nnfast.dropout_philox, _draw_dropout_philox, check_dropout_philox,
        arrays=(0,), out=True, names=("dropout_philox",), pick=first_of),
    Api("dropout_backward", nnfast.dropout_backward, _draw_dropout_backward,
        check_dropout_backward, arrays=(0, 1), out=True, names=("dropout_backward",)),
    Api("regularization_loss", nnfast.regularization_loss, _draw_regularization,
        _check_regularization, arrays=(0,), names=("regularization_loss",)),
    Api("sgd_update", in_place(nnfast.sgd_update, (0,)), _draw_optimizer("sgd"),
        _check_optimizer("sgd"), arrays=(0, 1), inplace=(0,), names=("sgd_update",)),
    Api("sgd_update[momentum]", in_place(nnfast.sgd_update, (0, 4)),
        _draw_optimizer("sgd_momentum"), _check_optimizer("sgd_momentum"), arrays=(0, 1, 4),
        inplace=(0, 4), names=("sgd_update",)),
    Api("adagrad_update", in_place(nnfast.adagrad_update, (0, 2)), _draw_optimizer("adagrad"),
        _check_optimizer("adagrad"), arrays=(0, 1, 2), inplace=(0, 2), names=("adagrad_update",)),
    Api("rmsprop_update", in_place(nnfast.rmsprop_update, (0, 2)), _draw_optimizer("rmsprop"),
        _check_optimizer("rmsprop"), arrays=(0, 1, 2), inplace=(0, 2), names=("rmsprop_update",)),
    Api("adam_update", in_place(nnfast.adam_update, (0, 2, 3)), _draw_optimizer("adam"),
        _check_optimizer("adam"), arrays=(0, 1, 2, 3), inplace=(0, 2, 3), names=("adam_update",)),
]
