"""The API registry's rows for the book's training classes: each method called on an
object set up with the drawn arguments, checked with the functions' checks
(registry_training.py). Methods that only run NumPy (predictions, Accuracy_*) have no
`arrays`: hostile arguments reach NumPy, not nnfast.
"""

import math

import numpy as np

import nnfast.nn as nn
import reference as ref
from nnfast.baseline import book as ref_train  # the book's classes in plain NumPy
from registry_bounds import (LD, assert_classified_close, check_softmax_rows, check_steps,
                             check_ulps, eps_tiny, in_dtype, loss_bound, result_dtype,
                             softmax_bound)
from registry_notes import check_linear, check_relu, check_softmax_cce, draw_elementwise, \
    draw_softmax_cce
from registry_row import Api, fresh_like, method_call
from registry_sources import Size, dims, floats, in_layout, labels
from registry_training import (OPT_SPECIALS, check_cce_backward, check_dense_backward,
                               check_dropout, check_dropout_backward, check_pair_loss,
                               check_pair_loss_backward, check_relu_backward, check_sigmoid,
                               check_sigmoid_backward, check_softmax_backward,
                               check_softmax_cce_backward, draw_cce_backward,
                               draw_dense_backward, draw_pair, draw_pair_loss,
                               draw_softmax_cce_backward)


def _draw_layer_backward(src, dtype, size):
    args, _ = draw_dense_backward(src, dtype, Size(**{**size.__dict__, "outs": False}),
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
    check_dropout(res, (x, _book_mask(np.shape(x), rate), rate), {}, dtype)


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
    check_dropout_backward(res, (dv, bm), {}, dtype)


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
    check_relu(res[0], args[1:], {}, result_dtype(args[1]))  # forward: the inputs' dtype
    check_relu_backward(res[1], args, {}, dtype)


def _check_linear_layer_backward(res, args, kwargs, dtype):
    check_linear(res[1], args[:1], {}, result_dtype(args[0]))  # a copy of dvalues


def _check_softmax_layer_backward(res, args, kwargs, dtype):
    check_softmax_rows(res[0], args[1], result_dtype(args[1]), "output: ")
    # the backward pass of the output just checked
    check_softmax_backward(res[1], (args[0], res[0]), {}, dtype)


def _check_sigmoid_layer_backward(res, args, kwargs, dtype):
    check_sigmoid(res[0], args[1:], {}, result_dtype(args[1]))
    check_sigmoid_backward(res[1], (args[0], res[0]), {}, dtype)


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


def _check_loss_samples(kind):
    pair = check_pair_loss(kind)

    def check(res, args, kwargs, dtype):  # forward: the per-sample losses
        pair(res, args, {"reduction": "none"}, dtype)
    return check


def _check_loss_mean(kind):
    pair = check_pair_loss(kind)

    def check(res, args, kwargs, dtype):
        # Loss.calculate is np.mean of the per-sample losses: NumPy's pairwise sum in the
        # dtype, up to log2(m) + 1 more roundings of the mean's magnitude.
        m = np.shape(args[0])[0]
        pair(res, args, {"reduction": "mean", "extra": math.log2(m + 1) + 1}, dtype)
    return check


def _draw_loss_pair(kind):
    draw = draw_pair_loss(kind, True)

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
    layer = nn.Layer_Dense(0, 0)
    # set, not constructed: the loss skips a factor <= 0, which the constructor refuses
    (layer.weight_regularizer_l1, layer.weight_regularizer_l2, layer.bias_regularizer_l1,
     layer.bias_regularizer_l2) = wl1, wl2, bl1, bl2
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
    args, _ = draw_softmax_cce_backward(src, dtype, Size(**{**size.__dict__, "outs": False}))
    return args, {}


# optimizers' update_params: a layer with the drawn parameters and gradients, 1-3 steps of
# pre_update_params / update_params / post_update_params, against the book's optimizer
# (nnfast.baseline.book) run in the same dtype on copies.

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
        check_steps(res[0], p0[0], layer.weights, dtype, steps, "weights: ")
        check_steps(res[1], p0[1], layer.biases, dtype, steps, "biases: ")
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
    eps, tiny = eps_tiny(dtype)
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


def _network_dtype(dtype, *parameters):
    """The dtype Model computes in: the float dtype its parameters share (the input is cast
    to it), else NumPy's promotion of them all (``dtype``)."""
    shared = {np.asarray(a).dtype for a in parameters}
    return shared.pop() if len(shared) == 1 and shared <= {np.dtype(np.float32),
                                                           np.dtype(np.float64)} else dtype


def _check_model_predict(res, args, kwargs, dtype):
    dtype = _network_dtype(dtype, *args[1:])
    p, bound = _model_reference(*args, dtype)
    assert np.asarray(res).dtype == dtype, np.asarray(res).dtype
    assert_classified_close(res, p, bound)


def _check_model_evaluate(res, args, kwargs, dtype):
    x, y, w1, b1, w2, b2 = args
    dtype = _network_dtype(dtype, w1, b1, w2, b2)
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
                            + 4 * eps_tiny(dtype)[0] * abs(expected if m else 0))
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
    Api("nn.Layer_Dense.backward", _layer_backward, _draw_layer_backward, check_dense_backward,
        arrays=(0, 1, 2, 3), names=("dense_backward", "dense")),
    Api("nn.Layer_Dropout.forward", _dropout_forward, _draw_dropout_layer,
        _check_dropout_forward, arrays=(0,), names=("dropout",), global_rng=True),
    Api("nn.Layer_Dropout.backward", _dropout_backward, _draw_dropout_layer_backward,
        _check_dropout_layer_backward, arrays=(0, 1), names=("dropout",), global_rng=True),
    Api("nn.Activation_ReLU.backward", _activation_backward(nn.Activation_ReLU),
        lambda s, d, z: draw_pair(s, d, z), _check_relu_layer_backward, arrays=(0, 1),
        names=("relu",)),
    Api("nn.Activation_Linear.backward", _activation_backward(nn.Activation_Linear),
        lambda s, d, z: draw_pair(s, d, z), _check_linear_layer_backward, arrays=(0, 1),
        names=("linear",)),
    Api("nn.Activation_Softmax.backward", _activation_backward(nn.Activation_Softmax),
        _draw_2d_pair, _check_softmax_layer_backward, arrays=(0, 1), names=("softmax",)),
    Api("nn.Activation_Sigmoid.forward", method_call(nn.Activation_Sigmoid), draw_elementwise,
        check_sigmoid, arrays=(0,), names=("sigmoid",)),
    Api("nn.Activation_Sigmoid.backward", _activation_backward(nn.Activation_Sigmoid),
        lambda s, d, z: draw_pair(s, d, z), _check_sigmoid_layer_backward, arrays=(0, 1),
        names=("sigmoid",)),
    *[Api(f"nn.{cls.__name__}.predictions", _predictions(cls), _draw_predictions,
          _check_predictions(getattr(ref_train, cls.__name__)))
      for cls in (nn.Activation_ReLU, nn.Activation_Linear, nn.Activation_Softmax,
                  nn.Activation_Sigmoid)],
    Api("nn.Loss_CategoricalCrossentropy.backward",
        _loss_method(nn.Loss_CategoricalCrossentropy, "backward"),
        lambda s, d, z: (draw_cce_backward(s, d, Size(**{**z.__dict__, "outs": False}))[0], {}),
        check_cce_backward, arrays=(0,), label=1,
        names=("categorical_crossentropy_backward",)),
    *[Api(f"nn.{cls}.{method}", _loss_method(getattr(nn, cls), method),
          _draw_loss_pair(kind), {"forward": _check_loss_samples, "calculate": _check_loss_mean,
                                  "backward": check_pair_loss_backward}[method](kind),
          arrays=(0, 1), names=(fn + "_backward" if method == "backward" else fn,))
      for cls, fn, kind in [("Loss_BinaryCrossentropy", "binary_crossentropy", "bce"),
                            ("Loss_MeanSquaredError", "mean_squared_error", "mse"),
                            ("Loss_MeanAbsoluteError", "mean_absolute_error", "mae")]
      for method in ("forward", "calculate", "backward")],
    Api("nn.Loss.regularization_loss", _loss_regularization, _draw_regularization_layer,
        _check_loss_regularization, arrays=(0, 1), names=("regularization_loss",)),
    Api("nn.Activation_Softmax_Loss_CategoricalCrossentropy.forward", _softmax_loss_forward,
        draw_softmax_cce, check_softmax_cce, arrays=(0,), label=1,
        names=("softmax_crossentropy",)),
    Api("nn.Activation_Softmax_Loss_CategoricalCrossentropy.backward", _softmax_loss_backward,
        _draw_softmax_loss_backward, check_softmax_cce_backward, arrays=(0,), label=1,
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
