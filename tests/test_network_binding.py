"""nnfast._core.Network, the C library's network as a Python type: its training against the
Python step of nnfast.nn's Model (bit for bit, the same NumPy streams for the sample order and
dropout's masks), its parameter views, its errors, the GIL released while it runs, and Ctrl-C
stopping it between two steps."""
import _thread
import ast
import gc
import inspect
import math
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nnfast import nn
from nnfast._core import Network
from nnfast.datasets import sine_data, spiral_data
from nnfast.nn._training import TrainingStep

ACTIVATIONS = {"relu": nn.Activation_ReLU, "softmax": nn.Activation_Softmax,
               "sigmoid": nn.Activation_Sigmoid, "linear": nn.Activation_Linear}
LOSSES = {"categorical_crossentropy": nn.Loss_CategoricalCrossentropy,
          "binary_crossentropy": nn.Loss_BinaryCrossentropy, "mse": nn.Loss_MeanSquaredError,
          "mae": nn.Loss_MeanAbsoluteError}
ACCURACIES = {"categorical": nn.Accuracy_Categorical, "regression": nn.Accuracy_Regression}
OPTIMIZERS = {"sgd": nn.Optimizer_SGD, "adagrad": nn.Optimizer_Adagrad,
              "rmsprop": nn.Optimizer_RMSprop, "adam": nn.Optimizer_Adam}
STATE = ("weight_momentums", "weight_cache", "bias_momentums", "bias_cache")

SPIRAL = [("dense", 64), ("relu",), ("dense", 3), ("softmax",)]
CLASSIFIER = ("categorical_crossentropy", "categorical", ("adam", {"learning_rate": 0.05,
                                                                   "decay": 5e-7}))


def spiral():
    np.random.seed(1)
    return spiral_data(100, 3)


def build(spec, X, y, dtype, loss, accuracy, optimizer):
    """A Model of the spec's nnfast.nn layers (weights drawn from NumPy's generator) and a
    Network of the same layers holding the same initial parameters, written through its
    views."""
    np.random.seed(0)
    kind, kwargs = optimizer
    model, net = nn.Model(), Network(dtype, X.shape[1])
    width = X.shape[1]
    for item in spec:
        if item[0] == "dense":
            layer = nn.Layer_Dense(width, *item[1:])
            layer.weights = layer.weights.astype(dtype)
            layer.biases = layer.biases.astype(dtype)
            index = net.add_dense(*item[1:])
            net.param(index, "weights")[...] = layer.weights
            net.param(index, "biases")[...] = layer.biases
            width = item[1]
        elif item[0] == "dropout":
            layer = nn.Layer_Dropout(item[1], rng="book")
            net.add_dropout(item[1])
        else:
            layer = ACTIVATIONS[item[0]]()
            net.add_activation(item[0])
        model.add(layer)
    acc = ACCURACIES[accuracy]()
    model.set(loss=LOSSES[loss](), optimizer=OPTIMIZERS[kind](**kwargs), accuracy=acc)
    model.finalize()
    acc.init(y)
    net.set_loss(loss)
    net.set_accuracy(accuracy, float(acc.precision) if accuracy == "regression" else 0.0)
    net.set_optimizer(kind, **kwargs)
    return model, net


def reference_train(model, X, y, *, epochs, batch_size=None, shuffle=False):
    """Model.train's loop (nnfast/nn/model.py) around its Python step, recording every step's
    figures and every epoch's as History does: (steps, epochs) lists of tuples."""
    step, optimizer = TrainingStep(model).step, model.optimizer
    model.accuracy.init(y)
    n = len(X)
    batch = batch_size or n
    steps, epoch_rows = [], []
    for epoch in range(1, epochs + 1):
        model.loss.new_pass()
        model.accuracy.new_pass()
        order = np.random.permutation(n) if shuffle else np.arange(n)
        for i in range(-(-n // batch)):
            rows = order[i * batch:(i + 1) * batch]
            data_loss, reg_loss, acc = step(X.take(rows, axis=0), y.take(rows, axis=0))
            optimizer.pre_update_params()
            for layer in model.trainable_layers:
                optimizer.update_params(layer)
            optimizer.post_update_params()
            steps.append((epoch, i, float(data_loss), float(reg_loss), float(acc),
                          float(optimizer.current_learning_rate)))
        data_loss, reg_loss = model.loss.calculate_accumulated(include_regularization=True)
        epoch_rows.append((float(data_loss), float(reg_loss),
                           float(model.accuracy.calculate_accumulated()),
                           float(optimizer.current_learning_rate),
                           float(model.loss.accumulated_sum)))
    return steps, epoch_rows


def net_train(net, X, y, *, epochs, batch_size=None, shuffle=False, **kwargs):
    """Network.train with Model.train's streams: np.random.permutation per epoch when
    shuffled, the book's np.random.binomial masks; returns (steps, reports)."""
    steps, reports = [], np.full((epochs, 5), np.nan)
    order = (lambda epoch: np.random.permutation(len(X))) if shuffle else None
    done = net.train(X, y, epochs=epochs, batch_size=batch_size or 0, order=order,
                     dropout_mask=lambda layer, m, n, keep: np.random.binomial(1, keep, (m, n)),
                     on_step=lambda *figures: steps.append(figures), reports=reports, **kwargs)
    assert done == epochs
    return steps, reports


def assert_same_parameters(model, net):
    """Every dense layer's parameters and optimizer state, bit for bit, and the iterations."""
    dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, nn.Layer_Dense)]
    for i in dense:
        layer = model.layers[i]
        for name in ("weights", "biases") + STATE:
            view = net.param(i, name)
            if not hasattr(layer, name):
                assert view is None, name
                continue
            assert view.dtype == layer.weights.dtype
            np.testing.assert_array_equal(view, getattr(layer, name), err_msg=name)
    assert net.get_iterations() == (model.optimizer.iterations,
                                    model.optimizer.current_learning_rate)


def train_both(spec, X, y, dtype, loss, accuracy, optimizer, *, epochs, batch_size=None,
               shuffle=False, seed=5):
    model, net = build(spec, X, y, dtype, loss, accuracy, optimizer)
    np.random.seed(seed)
    ref_steps, ref_epochs = reference_train(model, X, y, epochs=epochs, batch_size=batch_size,
                                            shuffle=shuffle)
    np.random.seed(seed)
    steps, reports = net_train(net, X, y, epochs=epochs, batch_size=batch_size,
                               shuffle=shuffle)
    assert_same_parameters(model, net)
    assert steps == ref_steps
    np.testing.assert_array_equal(reports, np.array(ref_epochs))
    return model, net


# ------------------------------------------------------------------------ the reference
def test_reference_loop_is_model_train():
    # The loop the Network is compared with gives Model.train's parameters and History.
    X, y = spiral()
    for batch_size, shuffle in ((None, False), (32, True)):
        a, _ = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
        b, _ = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
        np.random.seed(3)
        history = a.train(X, y, epochs=4, batch_size=batch_size, shuffle=shuffle, verbose=False)
        np.random.seed(3)
        _, epochs = reference_train(b, X, y, epochs=4, batch_size=batch_size, shuffle=shuffle)
        for layer_a, layer_b in zip(a.trainable_layers, b.trainable_layers):
            np.testing.assert_array_equal(layer_a.weights, layer_b.weights)
            np.testing.assert_array_equal(layer_a.weight_cache, layer_b.weight_cache)
        keys = ("data_loss", "regularization_loss", "accuracy", "learning_rate")
        assert [tuple(float(history.history[k][e]) for k in keys) for e in range(4)] == \
            [row[:4] for row in epochs]


# ------------------------------------------------------------------ the same numbers
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch_size, shuffle", [(None, False), (32, True)])
def test_network_trains_as_model_train_bit_for_bit(dtype, batch_size, shuffle):
    X, y = spiral()
    model, net = train_both(SPIRAL, X.astype(dtype), y, dtype, *CLASSIFIER, epochs=12,
                            batch_size=batch_size, shuffle=shuffle)
    assert model.optimizer.iterations == 12 * (1 if batch_size is None else 10)


def test_network_dropout_masks_regularizers_and_sgd_momentum():
    # dropout's masks drawn by the callback from NumPy's stream, the book's regularizers on
    # both parameters, SGD with momentum and decay, batches of a shuffled order
    X, y = spiral()
    spec = [("dense", 32, 1e-4, 5e-4, 1e-4, 5e-4), ("relu",), ("dropout", 0.1), ("dense", 3),
            ("softmax",)]
    optimizer = ("sgd", {"learning_rate": 0.5, "decay": 1e-3, "momentum": 0.9})
    model, net = train_both(spec, X, y, np.float64, "categorical_crossentropy", "categorical",
                            optimizer, epochs=6, batch_size=100, shuffle=True)
    assert model.loss.regularization_loss() > 0


@pytest.mark.parametrize("optimizer", [("adam", {"learning_rate": 0.005, "decay": 1e-3}),
                                       ("sgd", {"learning_rate": 0.02, "decay": 1e-2,
                                                "momentum": 0.5})])
def test_network_regression(optimizer):
    X, y = sine_data(200)
    spec = [("dense", 64), ("relu",), ("dense", 64), ("relu",), ("dense", 1), ("linear",)]
    train_both(spec, X, y, np.float64, "mse", "regression", optimizer, epochs=10,
               batch_size=64, shuffle=True)


def test_on_step_every_report_every_is_what_model_train_prints(capsys):
    X, y = spiral()
    model, net = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
    np.random.seed(2)
    model.train(X, y, epochs=2, batch_size=32, shuffle=True, verbose=True, print_every=4)
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("step")]
    np.random.seed(2)
    steps, _ = net_train(net, X, y, epochs=2, batch_size=32, shuffle=True, report_every=4)
    assert [s[1] for s in steps] == [0, 4, 8, 9] * 2  # and each epoch's last step
    assert printed == [f"step: {step}, acc: {acc:.3f}, loss: {data + reg:.3f} (data_loss: "
                       f"{data:.3f}, reg_loss: {reg:.3f}), lr: {lr}"
                       for _, step, data, reg, acc, lr in steps]


def test_forward_is_model_predict_for_any_strides_and_out():
    X, y = spiral()
    model, net = train_both(SPIRAL, X, y, np.float64, *CLASSIFIER, epochs=3)
    expected = model.predict(X)
    assert net.forward(X).dtype == np.float64
    np.testing.assert_array_equal(net.forward(X), expected)
    np.testing.assert_array_equal(net.forward(np.asfortranarray(X), batch_size=7), expected)
    np.testing.assert_array_equal(net.forward(X[::-1])[::-1], expected)
    out = np.full((600, 3), np.nan)[::2]
    assert net.forward(X, out=out) is out
    np.testing.assert_array_equal(out, expected)


def test_train_reads_any_strides_in_place():
    # reversed and column-major views train as their contiguous copies do
    X, y = spiral()
    _, a = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
    _, b = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
    a.train(np.asfortranarray(X)[::-1], y[::-1], epochs=3, batch_size=64)
    b.train(np.ascontiguousarray(X[::-1]), np.ascontiguousarray(y[::-1]), epochs=3,
            batch_size=64)
    for which in ("weights", "biases", "weight_cache"):
        np.testing.assert_array_equal(a.param(0, which), b.param(0, which))
    book_rate = 0.05 * (1. / (1. + 5e-7 * 14))  # the book's decay before step 15
    assert a.get_iterations() == b.get_iterations() == (15, book_rate)


# ------------------------------------------------------------------------------ views
def test_param_views_are_the_networks_memory_and_keep_it_alive():
    X, y = spiral()
    model, net = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
    weights, biases = net.param(2, "weights"), net.param(2, "biases")
    assert weights.shape == (64, 3) and biases.shape == (1, 3) and weights.flags.writeable
    assert net.param(1, "weights") is None  # the ReLU
    assert net.param(0, "weight_momentums").shape == (2, 64)  # Adam keeps both
    before = net.forward(X)
    biases[0, 1] += 5.0  # the network computes with what the view holds
    after = net.forward(X)
    assert (after.argmax(axis=1) == 1).all() and not (before.argmax(axis=1) == 1).all()
    np.testing.assert_array_equal(net.param(2, "biases"), biases)
    momentums = net.param(0, "weight_momentums")
    with pytest.raises(RuntimeError, match=r"set_optimizer: 1 array\(s\) from param\(\) view"):
        net.set_optimizer("sgd")
    del net
    gc.collect()
    weights[...] = 1.0  # still the (living) network's memory
    assert weights.sum() == 192 and momentums.sum() == 0
    net = weights.base
    assert isinstance(net, Network)
    np.testing.assert_array_equal(net.param(2, "weights"), 1.0)
    del momentums
    gc.collect()
    net.set_optimizer("sgd")  # no view of the state is left
    assert net.param(0, "weight_momentums") is None


# ----------------------------------------------------------------------------- errors
def snapshot(net):
    return net.get_iterations(), [net.param(i, "weights").copy() for i in (0, 2)]


def assert_unchanged(net, before):
    after = snapshot(net)
    assert after[0] == before[0]
    for a, b in zip(after[1], before[1]):
        np.testing.assert_array_equal(a, b)


def trained_spiral():
    X, y = spiral()
    _, net = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
    net.train(X, y, epochs=2)
    return X, y, net


def read_only(a):
    a.flags.writeable = False
    return a


BAD_LABELS = np.array([0, 1, 2, 7] + [0] * 296)

BAD_CALLS = [
    (lambda net, X, y: net.train(X.astype(np.float32), y, epochs=1), TypeError,
     r"Network.train: X has dtype float32 but the network is float64"),
    (lambda net, X, y: net.train(X[:, :1], y, epochs=1), ValueError,
     r"Network.train: X has shape \(300,1\); expected \(samples, 2\)"),
    (lambda net, X, y: net.train(X, y[:-1], epochs=1), ValueError, r"y has 299 labels but X "
     "has 300 samples"),
    (lambda net, X, y: net.train(X, y.astype(float), epochs=1), TypeError,
     r"1-D y must hold integer class labels"),
    (lambda net, X, y: net.train(X, np.zeros((300, 2)), epochs=1), ValueError,
     r"y has shape \(300,2\); expected \(n, 3\)"),
    (lambda net, X, y: net.train(X, np.zeros((300, 3), np.float32), epochs=1), TypeError,
     r"y has dtype float32 but the network is float64"),
    (lambda net, X, y: net.train(X, BAD_LABELS.astype(np.uint8), epochs=1), IndexError,
     r"Network.train: y\[3\] = 7 is not a class index in \[0, 3\)"),
    (lambda net, X, y: net.train(X, np.full(300, 2 ** 64 - 1, np.uint64), epochs=1),
     IndexError, r"Network.train: y\[0\] = 18446744073709551615 is not a class index"),
    (lambda net, X, y: net.train(X, -BAD_LABELS[::-1], epochs=1), IndexError,
     r"Network.train: y\[296\] = -7 is not a class index in \[0, 3\)"),
    (lambda net, X, y: net.train(X[:0], y[:0], epochs=1), ValueError,
     r"Network.train: the data set needs inputs and at least one sample"),
    (lambda net, X, y: net.train(X, y, epochs=-1), ValueError, r"epochs must be >= 0, got -1"),
    (lambda net, X, y: net.train(X, y, epochs=1.5), TypeError, r"epochs must be an int"),
    (lambda net, X, y: net.train(X, y), TypeError, r"missing required argument 'epochs'"),
    (lambda net, X, y: net.train(X, y, epochs=1, batch_size=-2), ValueError, r"batch_size"),
    (lambda net, X, y: net.train(X, y, epochs=1, report_every=0), ValueError, r"report_every"),
    (lambda net, X, y: net.train(X, y, epochs=1, on_step=3), TypeError, r"on_step must be None "
     "or a callable"),
    (lambda net, X, y: net.train(X, y, epochs=2, reports=np.zeros((3, 5))), ValueError,
     r"reports has shape \(3,5\); expected a C-contiguous \(2, 5\)"),
    (lambda net, X, y: net.train(X, y, epochs=2, reports=np.zeros((2, 5), np.float32)),
     TypeError, r"reports must be None or a float64"),
    (lambda net, X, y: net.train(X, y, epochs=1, order=lambda e: np.arange(299)), ValueError,
     r"order returned shape \(299,\); expected \(300,\)"),
    (lambda net, X, y: net.train(X, y, epochs=1, order=lambda e: np.arange(300.0)),
     ValueError, r"order returned dtype float64; it must return integers"),
    (lambda net, X, y: net.train(X, y, epochs=1, order=lambda e: np.zeros(300, int)),
     ValueError, r"order\(1\) is not a permutation of range\(300\): element 1 is 0"),
    (lambda net, X, y: net.train(X, y, epochs=1, order=lambda e: 1 / 0), ZeroDivisionError, None),
    (lambda net, X, y: net.train(X, y, epochs=1, batch_size=0.0), TypeError, r"batch_size"),
    (lambda net, X, y: net.forward(X.astype(np.float32)), TypeError,
     r"Network.forward: X has dtype float32 but the network is float64"),
    (lambda net, X, y: net.forward(X, out=np.zeros((300, 3), np.float32)), TypeError,
     r"Network.forward: out has dtype float32 but the result is float64"),
    (lambda net, X, y: net.forward(X, out=np.zeros((300, 2))), ValueError,
     r"Network.forward: out has shape \(300,2\) but the result has shape \(300,3\)"),
    (lambda net, X, y: net.forward(X, out=read_only(np.zeros((300, 3)))), ValueError,
     r"Network.forward: out is read-only"),
    (lambda net, X, y: net.add_activation("tanh"), ValueError,
     r"Network.add_activation: unknown activation 'tanh'; expected 'relu'"),
    (lambda net, X, y: net.add_activation(3), TypeError, r"activation must be a str"),
    (lambda net, X, y: net.add_dropout(1.0), ValueError, r"rate .* must be in \[0, 1\)"),
    (lambda net, X, y: net.add_dropout(-0.1), ValueError, r"rate .* must be in \[0, 1\)"),
    (lambda net, X, y: net.add_dense(0), ValueError, r"n_outputs must be >= 1, got 0"),
    (lambda net, X, y: net.add_dense(4, weight_l2=math.nan), ValueError, r"weight_l2 must be "
     "a finite number, got nan"),
    (lambda net, X, y: net.add_dense(4), ValueError, r"layers come before"),
    (lambda net, X, y: net.set_loss("hinge"), ValueError, r"unknown loss 'hinge'"),
    (lambda net, X, y: net.set_accuracy("top5"), ValueError, r"unknown accuracy 'top5'"),
    (lambda net, X, y: net.set_accuracy("regression", -1.0), ValueError, r"precision"),
    (lambda net, X, y: net.set_optimizer("lbfgs"), ValueError, r"unknown optimizer 'lbfgs'"),
    (lambda net, X, y: net.set_optimizer("adam", learning_rate=-0.1), ValueError,
     r"learning_rate must be a finite number >= 0, got -0.1"),
    (lambda net, X, y: net.set_optimizer("adam", decay=math.inf), ValueError, r"decay"),
    (lambda net, X, y: net.set_optimizer("adam", 0.1), TypeError, r"1 positional argument"),
    (lambda net, X, y: net.param(4, "weights"), IndexError, r"layer 4 is not one of the "
     "network's 4 layers"),
    (lambda net, X, y: net.param(0, "grads"), ValueError, r"unknown parameter 'grads'"),
    (lambda net, X, y: net.param(-1, "weights"), ValueError, r"Network.param: layer must be >= 0"),
    (lambda net, X, y: net.set_dropout_stream(4, 1, 0), IndexError,
     r"Network.set_dropout_stream: layer 4 is not one of the network's 4 layers"),
    (lambda net, X, y: net.get_dropout_stream(9), IndexError,
     r"Network.get_dropout_stream: layer 9 is not one of the network's 4 layers"),
    (lambda net, X, y: net.set_iterations(-1, 0.1), ValueError, r"iterations must be >= 0"),
    (lambda net, X, y: net.set_iterations(1, math.nan), ValueError, r"learning rate"),
]


@pytest.mark.parametrize("index", range(len(BAD_CALLS)))
def test_bad_argument_raises_naming_it_and_changes_nothing(index):
    X, y, net = trained_spiral()
    call, exc, message = BAD_CALLS[index]
    before = snapshot(net)
    with pytest.raises(exc, match=message):
        call(net, X, y)
    assert_unchanged(net, before)
    net.train(X, y, epochs=1)  # and it still trains


@pytest.mark.parametrize("dtype, message", [
    ("int32", "dtype must be float32 or float64, got int32"),
    (">f8", "dtype must be float32 or float64, got >f8"),
    ("float16", "float16")])
def test_network_dtype_must_be_float32_or_float64(dtype, message):
    with pytest.raises(TypeError, match=message):
        Network(dtype, 2)
    assert Network("float32", 2).dtype == np.float32
    assert Network(float, 2).dtype == np.float64


def test_network_needs_an_input():
    with pytest.raises(ValueError, match="n_inputs must be >= 1, got 0"):
        Network(np.float64, 0)
    with pytest.raises(TypeError, match="n_inputs must be an int"):
        Network(np.float64, 2.0)
    net = Network(np.float64, 5)
    assert (net.n_inputs, net.n_outputs, net.n_layers) == (5, 5, 0)
    with pytest.raises(ValueError, match="Network.forward: the network has no layers"):
        net.forward(np.zeros((1, 5)))


def dropout_net():
    X, y = spiral()
    spec = [("dense", 16), ("relu",), ("dropout", 0.2), ("dense", 3), ("softmax",)]
    _, net = build(spec, X, y, np.float64, *CLASSIFIER)
    return X, y, net


@pytest.mark.parametrize("mask, exc, message", [
    (lambda layer, m, n, keep: np.ones((n, m), int), ValueError,
     r"dropout_mask returned shape \(16,300\); expected \(300,16\)"),
    (lambda layer, m, n, keep: np.full((m, n), 2), ValueError,
     r"dropout_mask\(2, 300, 16, keep\) returned 2 at flat index 0; a mask holds 0 and 1"),
    (lambda layer, m, n, keep: np.ones((m, n)), ValueError, r"it must return integers"),
    (lambda layer, m, n, keep: [][0], IndexError, None),
])
def test_bad_dropout_mask_stops_before_the_step(mask, exc, message):
    X, y, net = dropout_net()
    with pytest.raises(exc, match=message):
        net.train(X, y, epochs=1, dropout_mask=mask)
    assert net.get_iterations()[0] == 0
    with pytest.raises(ValueError, match="dropout layer 2 needs its masks"):
        net.train(X, y, epochs=1)
    # any integer or bool dtype, the mask as given (all ones: nothing dropped)
    net.train(X, y, epochs=1, dropout_mask=lambda layer, m, n, keep: np.ones((m, n), bool))
    assert net.get_iterations()[0] == 1


def test_on_step_exception_stops_after_the_whole_step():
    X, y = spiral()
    _, net = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
    _, fresh = build(SPIRAL, X, y, np.float64, *CLASSIFIER)
    reports = np.full((5, 5), -1.0)

    def on_step(epoch, step, *figures):
        if (epoch, step) == (2, 3):
            raise OverflowError("stop here")
    with pytest.raises(OverflowError, match="stop here"):
        net.train(X, y, epochs=5, batch_size=32, on_step=on_step, reports=reports)
    assert net.get_iterations()[0] == 14  # epoch 1's 10 steps, epoch 2's 0..3
    assert np.isfinite(reports[0]).all() and (reports[1:] == -1).all()
    # at an epoch's last step: that epoch's report is written, then it stops
    with pytest.raises(ZeroDivisionError):
        fresh.train(X, y, epochs=5, batch_size=32, reports=reports,
                    on_step=lambda e, s, *f: 1 / 0 if (e, s) == (1, 9) else None)
    assert fresh.get_iterations()[0] == 10 and (reports[1:] == -1).all()
    assert reports[0, 0] != -1


# ----------------------------------------------------------------------------- threads
def long_network(hidden=256, n=2000):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((n, 8)), rng.integers(0, 3, n)
    net = Network(np.float64, 8)
    net.add_dense(hidden)
    net.add_activation("relu")
    net.add_dense(3)
    net.add_activation("softmax")
    net.set_loss("categorical_crossentropy")
    net.set_accuracy("categorical")
    net.set_optimizer("adam")
    for i in (0, 2):
        net.param(i, "weights")[...] = 0.01 * rng.standard_normal(net.param(i, "weights").shape)
    return X, y, net


def test_train_releases_the_gil_and_refuses_a_second_call():
    X, y, net = long_network()
    epochs = 400
    reports = np.full((epochs, 5), np.nan)
    errors = []
    worker = threading.Thread(target=lambda: net.train(X, y, epochs=epochs, reports=reports))
    worker.start()
    counted, seen = 0, set()  # epochs done, as this thread saw them while the worker trained
    while worker.is_alive():
        counted += 1
        done = int(np.count_nonzero(~np.isnan(reports[:, 0])))
        if 0 < done < epochs:
            seen.add(done)
            if len(errors) < 2 and done < epochs // 2:  # the worker is far from done
                for call in (lambda: net.forward(X), lambda: net.param(0, "weights")):
                    try:
                        call()
                    except RuntimeError as e:
                        errors.append(str(e))
        if len(seen) >= 3:
            break
    worker.join()
    # this thread ran between the worker's epochs, in several places of its training
    assert len(seen) >= 3, (counted, seen)
    assert len(errors) == 2 and "the network is running in another thread" in errors[0]
    assert errors[0].startswith("Network.forward:") and errors[1].startswith("Network.param:")
    assert net.get_iterations()[0] == epochs


def test_ctrl_c_stops_between_two_steps_with_whole_steps_done():
    X, y, net = long_network(hidden=32, n=3000)
    _, _, fresh = long_network(hidden=32, n=3000)
    timer = threading.Timer(0.1, _thread.interrupt_main)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        timer.start()
        net.train(X, y, epochs=5_000, batch_size=10)  # 300 steps an epoch
    timer.join()
    k = net.get_iterations()[0]
    assert 0 < k < 1_500_000 and time.monotonic() - start < 30
    # k whole steps from the same start: the epochs done, then the first batches of the next
    fresh.train(X, y, epochs=k // 300, batch_size=10)
    if k % 300:
        fresh.train(X[:k % 300 * 10], y[:k % 300 * 10], epochs=1, batch_size=10)
    for i in (0, 2):
        for name in ("weights", "biases") + STATE:
            if net.param(i, name) is not None:
                np.testing.assert_array_equal(net.param(i, name), fresh.param(i, name))
    assert net.get_iterations() == fresh.get_iterations()


# ------------------------------------------------------------------ docs and stubs
def stub_class():
    stub = Path(__file__).resolve().parent.parent / "nnfast" / "_core.pyi"
    for node in ast.parse(stub.read_text()).body:
        if isinstance(node, ast.ClassDef) and node.name == "Network":
            return {f.name: f for f in node.body if isinstance(f, ast.FunctionDef)}
    raise AssertionError("nnfast/_core.pyi declares no Network")


def test_network_stub_and_docstrings_match_the_type():
    stubs = stub_class()
    public = {n for n in dir(Network) if not n.startswith("_")}
    assert public == set(stubs) - {"__init__"}
    assert inspect.getdoc(Network) and list(inspect.signature(Network).parameters) == [
        "dtype", "n_inputs"]
    for name in public:
        attr = getattr(Network, name)
        assert inspect.getdoc(attr), name
        if callable(attr):
            f = stubs[name]
            params = [a.arg for a in f.args.args + f.args.kwonlyargs]
            assert params == list(inspect.signature(attr).parameters), name


def test_calls_hold_no_reference_after_they_return():
    # what the callbacks return, the arrays and the network: as many references after 50
    # calls (successes and each kind of failure) as before
    X, y, net = dropout_net()
    perm, mask = np.arange(300)[::-1].copy(), np.ones((300, 16), np.int64)
    reports, out = np.zeros((2, 5)), np.zeros((300, 3))
    objects = (net, X, y, perm, mask, reports, out)

    def calls():
        net.train(X, y, epochs=2, batch_size=100, order=lambda e: perm, reports=reports,
                  dropout_mask=lambda layer, m, n, keep: mask[:m], on_step=lambda *a: None)
        net.forward(X, out=out)
        net.param(0, "weight_cache")
        for bad in (lambda e: 1 / 0, lambda e: perm[:-1]):
            with pytest.raises((ZeroDivisionError, ValueError)):
                net.train(X, y, epochs=1, order=bad, dropout_mask=lambda layer, m, n, keep: mask[:m])
        with pytest.raises(IndexError):
            net.train(X, y + 5, epochs=1, dropout_mask=lambda layer, m, n, keep: mask[:m])
    calls()
    before = [sys.getrefcount(o) for o in objects]
    for _ in range(50):
        calls()
    assert [sys.getrefcount(o) for o in objects] == before
