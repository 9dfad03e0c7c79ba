"""The API registry's rows for the notes: dot, dense, the activations, categorical
cross-entropy, softmax + cross-entropy, accuracy, spiral_data, and the forward passes of
Neuron, Layer_Dense and the activation and loss classes (each method called on an object
set up with the drawn arguments).
"""

import math

import numpy as np

import nnfast
import nnfast.nn as nn
import reference as ref
from registry_bounds import LD, assert_exact, check_affine, check_cce, check_softmax_rows
from registry_row import Api, method_call
from registry_sources import dims, floats, labels, shrink


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


def draw_elementwise(src, dtype, size, min_nd=0):
    nd = src.int(min_nd, 3)
    return (floats(src, dims(src, size, nd), dtype, size),), {}


def check_relu(res, args, kwargs, dtype):
    with np.errstate(invalid="ignore"):
        assert_exact(res, ref.relu(np.asarray(args[0])), dtype)


def check_linear(res, args, kwargs, dtype):
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


def draw_softmax_cce(src, dtype, size):
    return _draw_loss_inputs(src, dtype, size, False), {}


def check_softmax_cce(res, args, kwargs, dtype):
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




def _draw_softmax_2d(src, dtype, size):
    return (floats(src, dims(src, size, 2), dtype, size),), {}


def _check_loss_forward(res, args, kwargs, dtype):
    _check_cce(res, args, {"reduction": "none"}, dtype)


def _check_loss_calculate(res, args, kwargs, dtype):
    _check_cce(res, args, {"reduction": "mean"}, dtype)


def _draw_loss_class(src, dtype, size):
    return _draw_loss_inputs(src, dtype, size, True), {}


NOTES_API = [
    Api("dot", nnfast.dot, _draw_dot, _check_dot, arrays=(0, 1), out=True, names=("dot",)),
    Api("dense", nnfast.dense, _draw_dense, _check_dense, arrays=(0, 1, 2), out=True,
        names=("dense",)),
    Api("relu", nnfast.relu, draw_elementwise, check_relu, arrays=(0,), out=True,
        names=("relu",)),
    Api("linear", nnfast.linear, draw_elementwise, check_linear, arrays=(0,), out=True,
        names=("linear",)),
    Api("softmax", nnfast.softmax, lambda s, d, z: draw_elementwise(s, d, z, 1),
        _check_softmax, arrays=(0,), out=True, names=("softmax",)),
    Api("categorical_crossentropy", nnfast.categorical_crossentropy, _draw_cce, _check_cce,
        arrays=(0,), label=1, names=("categorical_crossentropy",)),
    Api("softmax_crossentropy", nnfast.softmax_crossentropy, draw_softmax_cce,
        check_softmax_cce, arrays=(0,), label=1, names=("softmax_crossentropy",)),
    Api("accuracy", nnfast.accuracy, _draw_accuracy, _check_accuracy, arrays=(0,), label=1,
        names=("accuracy",), labels_indexed=False),
    Api("datasets.spiral_data", _call_spiral, _draw_spiral, _check_spiral,
        names=("spiral_data",), global_rng=True),
    Api("nn.Neuron.forward", _neuron_forward, _draw_neuron, _check_neuron, arrays=(0, 1),
        names=("dot",)),
    Api("nn.Layer_Dense.forward", _layer_forward, _draw_layer, _check_layer,
        arrays=(0, 1, 2), names=("dense",)),
    Api("nn.Activation_ReLU.forward", method_call(nn.Activation_ReLU), draw_elementwise,
        check_relu, arrays=(0,), names=("relu",)),
    Api("nn.Activation_Linear.forward", method_call(nn.Activation_Linear), draw_elementwise,
        check_linear, arrays=(0,), names=("linear",)),
    Api("nn.Activation_Softmax.forward", method_call(nn.Activation_Softmax), _draw_softmax_2d,
        _check_softmax, arrays=(0,), names=("softmax",)),
    Api("nn.Loss_CategoricalCrossentropy.forward", method_call(nn.Loss_CategoricalCrossentropy),
        _draw_loss_class, _check_loss_forward, arrays=(0,), label=1,
        names=("categorical_crossentropy",)),
    Api("nn.Loss_CategoricalCrossentropy.calculate",
        method_call(nn.Loss_CategoricalCrossentropy, "calculate"), _draw_loss_class,
        _check_loss_calculate, arrays=(0,), label=1, names=("categorical_crossentropy",)),
]
