"""Model.train, predict and evaluate in the C library's network (nnfast/nn/_network.py), against
the same models trained layer by layer (nnfast/nn/_training.py) and against the book's NumPy
Model: the same parameters, optimizer state, History and printed lines; the layers' arrays
viewing the network's memory; the layer-by-layer path for any model or call the network does
not take; Ctrl-C between steps; other threads running meanwhile."""
import contextlib
import copy
import io
import pickle
import signal
import threading
import time
import _thread

import numpy as np
import pytest

import nnfast.nn as nn
from nnfast.baseline import book
from nnfast.datasets import sine_data, spiral_data

from book_chapter18 import Model as BookChapter18Model
from model_paths import layer_by_layer, network

# Trained on the spiral as the book does, sorted by class, to compare with its numbers.
pytestmark = pytest.mark.filterwarnings("ignore:Model.train. y is sorted by class:UserWarning")


# -- the models: (builder, data) ---------------------------------------------------------------

def spiral(n=100, classes=3):
    X, y = spiral_data(n, classes)
    return X, y


def classifier(ns, optimizer, *, dropout=0.0, regularized=False, dtype=None, width=32):
    reg = dict(weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4,
               weight_regularizer_l1=1e-4, bias_regularizer_l1=2e-4) if regularized else {}
    model = ns.Model(dtype=dtype) if ns is nn else ns.Model()
    model.add(ns.Layer_Dense(2, width, **reg))
    model.add(ns.Activation_ReLU())
    if dropout:
        model.add(ns.Layer_Dropout(dropout))
    model.add(ns.Layer_Dense(width, 3))
    model.add(ns.Activation_Softmax())
    model.set(loss=ns.Loss_CategoricalCrossentropy(), optimizer=optimizer(ns),
              accuracy=ns.Accuracy_Categorical())
    model.finalize()
    return model


def binary(ns, dtype=None):
    model = ns.Model(dtype=dtype) if ns is nn else ns.Model()
    model.add(ns.Layer_Dense(2, 16, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4))
    model.add(ns.Activation_ReLU())
    model.add(ns.Layer_Dense(16, 1))
    model.add(ns.Activation_Sigmoid())
    model.set(loss=ns.Loss_BinaryCrossentropy(), optimizer=ns.Optimizer_RMSprop(decay=1e-4),
              accuracy=ns.Accuracy_Categorical(binary=True))
    model.finalize()
    return model


def regression(ns, loss, optimizer, dtype=None):
    model = ns.Model(dtype=dtype) if ns is nn else ns.Model()
    model.add(ns.Layer_Dense(1, 16))
    model.add(ns.Activation_Sigmoid())
    model.add(ns.Layer_Dense(16, 16))
    model.add(ns.Activation_ReLU())
    model.add(ns.Layer_Dense(16, 1))
    model.add(ns.Activation_Linear())
    model.set(loss=loss(ns), optimizer=optimizer(ns), accuracy=ns.Accuracy_Regression())
    model.finalize()
    return model


def fast_masks(model):
    for layer in model.layers:
        if isinstance(layer, nn.Layer_Dropout):
            layer.rng = "fast"
    return model


MODELS = {
    "adam": (lambda ns, dt: classifier(ns, lambda m: m.Optimizer_Adam(0.02, decay=5e-5),
                                       dtype=dt), spiral),
    "adam_dropout_l1l2": (lambda ns, dt: classifier(
        ns, lambda m: m.Optimizer_Adam(0.05, decay=5e-5), dropout=0.1, regularized=True,
        dtype=dt), spiral),
    "adam_fast_masks": (lambda ns, dt: fast_masks(classifier(
        ns, lambda m: m.Optimizer_Adam(0.05, decay=5e-5), dropout=0.1, dtype=dt)), spiral),
    "sgd_momentum": (lambda ns, dt: classifier(
        ns, lambda m: m.Optimizer_SGD(1.0, decay=1e-3, momentum=0.9), regularized=True,
        dtype=dt), spiral),
    "sgd_plain_int_rate": (lambda ns, dt: classifier(ns, lambda m: m.Optimizer_SGD(1),
                                                     dtype=dt), spiral),
    "adagrad": (lambda ns, dt: classifier(ns, lambda m: m.Optimizer_Adagrad(decay=1e-4),
                                          dtype=dt), spiral),
    "binary_rmsprop": (binary, lambda: (lambda X, y: (X, (y == 1).reshape(-1, 1).astype(int)))(
        *spiral(100, 2))),
    "mse_adam": (lambda ns, dt: regression(ns, lambda m: m.Loss_MeanSquaredError(),
                                           lambda m: m.Optimizer_Adam(0.005, decay=1e-3),
                                           dtype=dt), lambda: sine_data(200)),
    "mae_sgd": (lambda ns, dt: regression(ns, lambda m: m.Loss_MeanAbsoluteError(),
                                          lambda m: m.Optimizer_SGD(0.05, momentum=0.5),
                                          dtype=dt), lambda: sine_data(200)),
}
RUNS = {  # Model.train's keywords
    "full": dict(epochs=12, print_every=5),
    "batches": dict(epochs=2, batch_size=64, print_every=2),
    "shuffled": dict(epochs=2, batch_size=48, shuffle=True),
}


def build(name, dtype, seed=0):
    make, data = MODELS[name]
    np.random.seed(seed)
    return make(nn, dtype), data()


def train(model, X, y, seed=1, **kwargs):
    """Model.train with the book's lines: (History, what it printed)."""
    np.random.seed(seed)
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        history = model.train(X, y, verbose="lines", **kwargs)
    return history, text.getvalue()


def arrays(model):
    """Every array the training changes: parameters and optimizer state, per layer."""
    return [{name: np.array(value) for name, value in vars(layer).items()
             if name in ("weights", "biases", "weight_momentums", "weight_cache",
                         "bias_momentums", "bias_cache")}
            for layer in model.trainable_layers]


def assert_same_model(a, b):
    for layer_a, layer_b in zip(arrays(a), arrays(b)):
        assert layer_a.keys() == layer_b.keys()
        for name in layer_a:
            assert layer_a[name].dtype == layer_b[name].dtype, name
            np.testing.assert_array_equal(layer_a[name], layer_b[name], err_msg=name)
    assert a.optimizer.iterations == b.optimizer.iterations
    for layer_a, layer_b in zip(a.layers, b.layers):
        if isinstance(layer_a, nn.Layer_Dropout):  # the fast masks' stream
            assert (layer_a._seed, layer_a._step) == (layer_b._seed, layer_b._step)
    assert a.optimizer.current_learning_rate == b.optimizer.current_learning_rate
    assert type(a.optimizer.current_learning_rate) is type(b.optimizer.current_learning_rate)


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", MODELS)
def test_network_trains_as_the_layers_do(name, dtype, run):
    """Parameters, optimizer state, History and printed lines equal the layer-by-layer
    path's, bit for bit (its validation too)."""
    model, (X, y) = build(name, dtype)
    history, printed = train(model, X, y, validation_data=(X[::3], y[::3]), **RUNS[run])
    assert network(model) is not None, "the model did not train in the C network"
    with layer_by_layer():
        reference, _ = build(name, dtype)
        expected_history, expected = train(reference, X, y, validation_data=(X[::3], y[::3]),
                                           **RUNS[run])
    assert network(reference) is None
    assert_same_model(model, reference)
    assert history.history == expected_history.history
    assert all(type(v) is float for values in history.history.values() for v in values)
    assert history.epoch == expected_history.epoch
    assert history.val_epoch == expected_history.val_epoch
    assert printed == expected
    assert model.loss.calculate_accumulated() == pytest.approx(
        reference.loss.calculate_accumulated(), rel=1e-12)
    assert model.accuracy.calculate_accumulated() == reference.accuracy.calculate_accumulated()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["adam", "binary_rmsprop", "mse_adam"])
def test_predict_and_evaluate_as_the_layers_do(name, dtype):
    model, (X, y) = build(name, dtype)
    train(model, X, y, epochs=5)
    for batch_size in (None, 7):
        got = model.predict(X, batch_size=batch_size)
        with contextlib.redirect_stdout(io.StringIO()):
            got_eval = model.evaluate(X, y, batch_size=batch_size)
        with layer_by_layer():
            expected = model.predict(X, batch_size=batch_size)
            with contextlib.redirect_stdout(io.StringIO()):
                expected_eval = model.evaluate(X, y, batch_size=batch_size)
        assert got.dtype == expected.dtype == dtype
        np.testing.assert_array_equal(got, expected)
        assert got_eval == expected_eval
    assert model.predict(X[:0]).shape == (0, model.trainable_layers[-1].weights.shape[1])


def test_200_float64_epochs_agree_with_the_books_numpy_model():
    """The book's chapter 18 Model.train in NumPy (dropout masks from the same stream) and
    nnfast's, in C: every parameter within 1e-6 after 200 epochs (Adam amplifies rounding)."""
    X, y = spiral(100)
    np.random.seed(0)
    ours = classifier(nn, lambda m: m.Optimizer_Adam(0.05, decay=5e-5), dropout=0.1,
                      regularized=True, width=64)
    np.random.seed(0)
    theirs = BookChapter18Model()
    for layer in classifier(book, lambda m: m.Optimizer_Adam(0.05, decay=5e-5), dropout=0.1,
                            regularized=True, width=64).layers:
        theirs.add(layer)
    theirs.set(loss=book.Loss_CategoricalCrossentropy(),
               optimizer=book.Optimizer_Adam(0.05, decay=5e-5), accuracy=book.Accuracy_Categorical())
    theirs.finalize()
    np.random.seed(1)
    ours.train(X, y, epochs=200, verbose=False)
    assert network(ours) is not None
    np.random.seed(1)
    with contextlib.redirect_stdout(io.StringIO()):
        theirs.train(X, y, epochs=200, print_every=1000)
    worst = max(np.max(np.abs(a[name] - b[name]))
                for a, b in zip(arrays(ours), arrays(theirs)) for name in ("weights", "biases"))
    assert worst <= 1e-6
    assert ours.optimizer.iterations == theirs.optimizer.iterations == 200


def test_layers_view_the_networks_memory():
    """The layers' arrays are the network's: changed in place, they change what it computes;
    replaced (set_parameters, an assignment), they are copied in at the next pass."""
    model, (X, y) = build("adam", np.float64)
    train(model, X, y, epochs=3)
    net = network(model).net
    dense = model.trainable_layers[0]
    assert np.shares_memory(dense.weights, net.param(0, "weights"))
    assert np.shares_memory(dense.weight_cache, net.param(0, "weight_cache"))
    before = model.predict(X)
    dense.weights *= 2  # in place: the network's memory
    doubled = model.predict(X)
    assert not np.array_equal(before, doubled)
    with layer_by_layer():
        np.testing.assert_array_equal(model.predict(X), doubled)
    # put in place: copied in, and the layer views the network again
    parameters = [(w.copy() * 0.5, b.copy()) for w, b in model.get_parameters()]
    model.set_parameters(parameters)
    halved = model.predict(X)
    assert np.shares_memory(dense.weights, net.param(0, "weights"))
    with layer_by_layer():
        np.testing.assert_array_equal(model.predict(X), halved)


@pytest.mark.parametrize("pass_in_c", ["train", "predict", "evaluate"])
def test_a_pass_in_c_leaves_no_layer_record_of_an_earlier_pass(pass_in_c):
    """The network keeps no layer's inputs, output or dinputs: after a pass in C, reading
    one raises AttributeError, never gives an earlier pass's numbers."""
    model, (X, y) = build("adam_dropout_l1l2", np.float64)
    parts = [*model.layers, model.loss, model.softmax_classifier_output]
    names = ("inputs", "output", "dinputs")
    with layer_by_layer():
        train(model, X, y, epochs=1)  # the parts record their pass (the book's: not all)
    recorded = [(part, name) for part in parts for name in names if hasattr(part, name)]
    assert all((layer, "output") in recorded for layer in model.layers)
    assert (model.softmax_classifier_output, "dinputs") in recorded
    with contextlib.redirect_stdout(io.StringIO()):
        {"train": lambda: train(model, X, y, epochs=1), "predict": lambda: model.predict(X),
         "evaluate": lambda: model.evaluate(X, y)}[pass_in_c]()
    assert network(model) is not None
    for part, name in recorded:
        with pytest.raises(AttributeError, match=rf"'{type(part).__name__}' object has no "
                           rf"attribute '{name}'"):
            getattr(part, name)
    with layer_by_layer():  # the parts' own passes record again
        train(model, X, y, epochs=1)
    assert all(hasattr(part, name) for part, name in recorded)
    assert model.layers[-1].output.shape == (len(X), 3)


def test_training_continues_across_calls_and_files(tmp_path):
    """Two calls of 4 epochs train as one of 8; a saved and loaded model, a pickled one and a
    deep copy continue exactly as the original."""
    model, (X, y) = build("adam_dropout_l1l2", np.float64)
    train(model, X, y, epochs=4)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = nn.Model.load(path)
    unpickled = pickle.loads(pickle.dumps(model))
    copied = copy.deepcopy(model)
    with layer_by_layer():
        reference, _ = build("adam_dropout_l1l2", np.float64)
        train(reference, X, y, epochs=4)
        train(reference, X, y, seed=2, epochs=4)
    for m in (model, loaded, unpickled, copied):
        train(m, X, y, seed=2, epochs=4)
        assert network(m) is not None
        assert_same_model(m, reference)


def test_optimizer_changes_between_calls_are_taken():
    """A hyperparameter, the iteration count or the optimizer itself changed between calls
    trains as the layer-by-layer path does with the same change."""
    results = []
    for context in (contextlib.nullcontext, layer_by_layer):
        with context():
            model, (X, y) = build("adam", np.float64)
            train(model, X, y, epochs=3)
            model.optimizer.learning_rate = 0.001
            train(model, X, y, epochs=3)
            model.set(optimizer=nn.Optimizer_SGD(0.5, momentum=0.8))
            train(model, X, y, epochs=3)
            results.append(model)
    assert_same_model(*results)


class MyDense(nn.Layer_Dense):
    def forward(self, inputs, training=False, **kwargs):
        return super().forward(inputs, training)


class MyLoss(nn.Loss_CategoricalCrossentropy):
    def calculate(self, output, y, *, include_regularization=False):
        return super().calculate(output, y, include_regularization=include_regularization)


def test_models_without_a_c_counterpart_train_layer_by_layer():
    """By capability: a part whose class replaces a method the network stands in for, a
    dropout of the fast stream (its masks are drawn in Python), or a model of mixed dtypes
    trains layer by layer, with the book's results."""
    X, y = spiral()
    np.random.seed(0)
    model = classifier(nn, lambda m: m.Optimizer_Adam())
    model.layers[0] = MyDense(2, 32)
    model.finalize()
    train(model, X, y, epochs=2)
    assert network(model) is None
    model = classifier(nn, lambda m: m.Optimizer_Adam())
    model.set(loss=MyLoss())
    model.finalize()
    train(model, X, y, epochs=2)
    assert network(model) is None
    model = classifier(nn, lambda m: m.Optimizer_Adam(), dropout=0.1)
    model.layers.insert(3, nn.Layer_Dropout(0.2, rng="fast"))  # book and fast masks
    model.finalize()
    train(model, X, y, epochs=2)
    assert network(model) is None


@pytest.mark.parametrize("case", ["features", "label", "one-hot width"])
def test_data_the_network_does_not_take_gets_the_layers_errors(case):
    """X of another width, a label out of range, one-hot rows of another width: the
    layer-by-layer path's own error, and nothing trained."""
    model, (X, y) = build("adam", np.float64)
    if case == "features":
        X = np.hstack([X, X])
    elif case == "label":
        y = y.astype(np.int64)
        y[7] = 3
    else:
        y = np.eye(4)[y]
    start = arrays(model)
    with pytest.raises(Exception) as got:
        train(model, X, y, epochs=2)
    with layer_by_layer():
        reference, _ = build("adam", np.float64)
        with pytest.raises(Exception) as expected:
            train(reference, X, y, epochs=2)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)
    for a, b in zip(arrays(model), start):
        np.testing.assert_array_equal(a["weights"], b["weights"])
    assert model.optimizer.iterations == 0


def test_ctrl_c_stops_at_a_step_boundary():
    """KeyboardInterrupt during a long train stops it between two steps: the parameters are
    those of a run of exactly that many steps, and the optimizer counted them."""
    model, (X, y) = build("adam", np.float64)
    # Python's own handler for the test's length: where SIGINT is ignored (a background job
    # of a non-interactive shell) interrupt_main would do nothing and the train would run on
    saved = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer = threading.Timer(0.3, _thread.interrupt_main)
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            model.train(X, y, epochs=10**6, verbose=False)  # bounded: fails, never hangs
        timer.join()
    finally:
        signal.signal(signal.SIGINT, saved)
    steps = model.optimizer.iterations
    assert 0 < steps < 10**6
    with layer_by_layer():
        reference, _ = build("adam", np.float64)
        reference.train(X, y, epochs=steps, verbose=False)
    assert_same_model(model, reference)


def test_other_threads_run_while_the_network_trains():
    """The GIL is released while C trains: the main thread counts while a worker's train
    runs (its start and end are recorded around the call)."""
    model, (X, y) = build("adam", np.float64)
    times = {}

    def worker():
        times["start"] = time.perf_counter()
        model.train(X, y, epochs=20000, verbose=False)
        times["end"] = time.perf_counter()

    thread = threading.Thread(target=worker)
    thread.start()
    ticks = []
    while thread.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    inside = [t for t in ticks if times["start"] < t < times["end"]]
    assert len(inside) >= 3, (len(ticks), times)


def test_subclasses_that_replace_nothing_train_in_the_network():
    """By capability, not by exact type: subclasses that replace none of the methods the
    network stands in for build it (at finalize) and train as their bases do."""
    class Dense(nn.Layer_Dense):
        pass

    class ReLU(nn.Activation_ReLU):
        pass

    class Adam(nn.Optimizer_Adam):
        pass

    X, y = spiral()
    np.random.seed(0)
    model = nn.Model()
    model.add(Dense(2, 32))
    model.add(ReLU())
    model.add(Dense(32, 3))
    model.add(nn.Activation_Softmax())
    model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=Adam(0.02, decay=5e-5),
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    assert network(model) is not None  # built by finalize()
    train(model, X, y, epochs=5)
    reference, _ = build("adam", np.float64)
    with layer_by_layer():
        train(reference, X, y, epochs=5)
    assert_same_model(model, reference)
