"""Model.train in the C network (nnfast/nn/_network.py) against the same model trained layer by
layer, on small seeded models of the kinds a random differential test of the two paths turns
up where they part: each case states what the layer-by-layer path does and asks the network
to do the same."""
import contextlib
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn

from model_paths import layer_by_layer, model_of


def data(samples, inputs, targets):
    """``samples`` rows of uniform inputs and ``targets(rng, samples)``, from a fixed seed."""
    rng = np.random.default_rng(3)
    return rng.uniform(-1, 1, (samples, inputs)), targets(rng, samples)


def outcome(run):
    """What ``run()`` gives, or the type and message of what it raises."""
    try:
        return run()
    except Exception as error:  # the layer-by-layer path's own error is part of its outcome
        return type(error).__name__, str(error)


def both_paths(run):
    """``run()`` in the C network, then layer by layer (NumPy's global seed set alike)."""
    np.random.seed(1)
    got = outcome(run)
    with layer_by_layer():
        np.random.seed(1)
        expected = outcome(run)
    return got, expected


def weights(model):
    return [(layer.weights.tolist(), layer.biases.tolist()) for layer in model.trainable_layers]


def classifier_layers(dropout_rng=None):
    layers = [nn.Layer_Dense(2, 8), nn.Activation_ReLU()]
    if dropout_rng is not None:
        layers.append(nn.Layer_Dropout(0.1, rng=dropout_rng))
    return layers + [nn.Layer_Dense(8, 3), nn.Activation_Softmax()]


@pytest.mark.parametrize("batch_size", [None, 4])
def test_zero_epochs_with_fast_masks_train_nothing(batch_size):
    """``epochs=0`` trains nothing (Model.train's docstring), fast dropout masks or not."""
    X, y = data(10, 2, lambda rng, n: rng.integers(0, 3, n))

    def run():
        model = model_of(lambda: classifier_layers("fast"), nn.Loss_CategoricalCrossentropy(),
                         nn.Optimizer_Adam(), nn.Accuracy_Categorical())
        before = weights(model)
        history = model.train(X, y, epochs=0, batch_size=batch_size, verbose=False)
        return history.history["loss"], weights(model) == before, model.optimizer.iterations

    got, expected = both_paths(run)
    assert expected == ([], True, 0)
    assert got == expected


OPTIMIZERS = {"sgd_momentum": lambda: nn.Optimizer_SGD(momentum=0.9),
              "rmsprop": nn.Optimizer_RMSprop, "adagrad": nn.Optimizer_Adagrad,
              "adam": nn.Optimizer_Adam}


@pytest.mark.parametrize("first, then", [("sgd_momentum", "adam"), ("rmsprop", "adam"),
                                         ("adagrad", "adam"), ("adam", "sgd_momentum"),
                                         ("adam", "rmsprop"), ("rmsprop", "sgd_momentum")])
def test_an_optimizer_set_after_another_trains_as_the_layers_do(first, then):
    """A model trained with one optimizer, then ``set(optimizer=...)`` another and trained
    again: the book's optimizers start their state by ``hasattr`` (Adam starts its momentums
    again when the cache is missing, and fails when only the cache is there), so the
    layers' parameters, or their error, in the network too."""
    X, y = data(20, 2, lambda rng, n: rng.integers(0, 3, n))

    def run():
        model = model_of(classifier_layers, nn.Loss_CategoricalCrossentropy(),
                         OPTIMIZERS[first](), nn.Accuracy_Categorical())
        model.train(X, y, epochs=2, verbose=False)
        model.set(optimizer=OPTIMIZERS[then]())
        model.train(X, y, epochs=2, verbose=False)
        return weights(model)

    got, expected = both_paths(run)
    assert got == expected


@pytest.mark.parametrize("case", ["softmax_binary_accuracy", "softmax_regression_accuracy",
                                  "sigmoid_categorical_accuracy"])
def test_accuracies_the_network_does_not_pair_with_the_output_train_as_the_layers_do(case):
    """Legal (if odd) accuracy and output pairs: the layers' History in the network too."""
    X, labels = data(20, 2, lambda rng, n: rng.integers(0, 2, n))
    sigmoid = case == "sigmoid_categorical_accuracy"
    y, outputs = (labels.reshape(-1, 1).astype(np.float64), 1) if sigmoid else (labels, 2)

    def run():
        if sigmoid:
            last, loss, accuracy = nn.Activation_Sigmoid(), nn.Loss_BinaryCrossentropy(), \
                nn.Accuracy_Categorical()
        else:
            last, loss = nn.Activation_Softmax(), nn.Loss_CategoricalCrossentropy()
            accuracy = nn.Accuracy_Categorical(binary=True) \
                if case == "softmax_binary_accuracy" else nn.Accuracy_Regression()
        model = model_of(lambda: [nn.Layer_Dense(2, outputs), last], loss, nn.Optimizer_SGD(),
                         accuracy)
        return model.train(X, y, epochs=2, verbose=False).history

    got, expected = both_paths(run)
    assert isinstance(expected, dict)  # the layers train it
    assert got == expected


def test_float32_binary_crossentropy_epoch_loss_is_the_layers():
    """Batched, so the epoch's loss is the accumulated one: History bit for bit."""
    X, y = data(257, 2, lambda rng, n: rng.integers(0, 2, (n, 1)).astype(np.float32))

    def run():
        model = model_of(lambda: [nn.Layer_Dense(2, 1), nn.Activation_Sigmoid()],
                         nn.Loss_BinaryCrossentropy(), nn.Optimizer_SGD(),
                         nn.Accuracy_Categorical(binary=True), dtype=np.float32)
        return model.train(X.astype(np.float32), y, epochs=1, batch_size=300,
                           verbose=False).history

    got, expected = both_paths(run)
    assert got["loss"] == expected["loss"]


@pytest.mark.parametrize("samples", [2, 8])
@pytest.mark.parametrize("weight", [3000.5, 173.7])
def test_float32_printed_lines_of_a_large_loss_are_the_layers(samples, weight):
    """The printed lines, the steps' and the epochs', are the layers': data and
    regularization loss added in float32, as the book adds a NumPy float32 and a Python
    float (seen past about 4,000)."""
    X = np.linspace(1, 2, samples, dtype=np.float32).reshape(-1, 1)
    y = np.zeros((samples, 1), np.float32)

    def run():
        model = model_of(lambda: [nn.Layer_Dense(1, 1, weight_regularizer_l2=1e-3),
                                  nn.Activation_Linear()],
                         nn.Loss_MeanSquaredError(), nn.Optimizer_SGD(learning_rate=1e-4),
                         nn.Accuracy_Regression(), dtype=np.float32)
        model.trainable_layers[0].weights[...] = weight
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            model.train(X, y, epochs=2, batch_size=2, verbose="lines")
        return text.getvalue()

    got, expected = both_paths(run)
    assert got == expected


@pytest.mark.parametrize("batch_size", [None, 3])
@pytest.mark.parametrize("head", ["binary", "regression"])
def test_accuracy_accumulated_after_training_of_many_outputs_is_the_layers(head, batch_size):
    """The book's Accuracy counts matches over rows: its accumulated sum and count, and
    their mean (above 1 with two outputs), after whole-set or batched training."""
    X, y = data(8, 2, lambda rng, n: rng.integers(0, 2, (n, 2)).astype(np.float64))

    def run():
        if head == "binary":
            parts = (nn.Activation_Sigmoid(), nn.Loss_BinaryCrossentropy(),
                     nn.Accuracy_Categorical(binary=True))
        else:
            parts = (nn.Activation_Linear(), nn.Loss_MeanSquaredError(),
                     nn.Accuracy_Regression())
        model = model_of(lambda: [nn.Layer_Dense(2, 2), parts[0]], parts[1], nn.Optimizer_SGD(),
                         parts[2])
        # zero outputs: the regression accuracy counts the zero targets as right
        model.trainable_layers[0].weights[...] = 0
        model.train(X, y, epochs=1, batch_size=batch_size, verbose=False)
        accuracy = model.accuracy
        return (int(accuracy.accumulated_sum), int(accuracy.accumulated_count),
                float(accuracy.calculate_accumulated()))

    got, expected = both_paths(run)
    assert got == expected


class HeldStdout(io.StringIO):
    """stdout that holds the thread writing the first ``step:`` line (a train inside the C
    network, in its on_step) until ``release`` is set."""

    def __init__(self):
        super().__init__()
        self.inside, self.release = threading.Event(), threading.Event()

    def write(self, text):
        if text.startswith("step:") and not self.inside.is_set():
            self.inside.set()
            self.release.wait(10)
        return super().write(text)


@contextlib.contextmanager
def training_in_another_thread(model, X, y):
    """A worker thread's Model.train of ``model`` held inside the network meanwhile."""
    held = HeldStdout()
    worker = threading.Thread(target=lambda: model.train(X, y, epochs=1, batch_size=4,
                                                         verbose="lines"))
    with contextlib.redirect_stdout(held):
        worker.start()
        try:
            assert held.inside.wait(10), "the worker's train did not reach its first step"
            yield
        finally:
            held.release.set()
            worker.join(10)


def trained_classifier():
    X, y = data(20, 2, lambda rng, n: rng.integers(0, 3, n))
    model = model_of(classifier_layers, nn.Loss_CategoricalCrossentropy(), nn.Optimizer_Adam(),
                     nn.Accuracy_Categorical())
    model.train(X, y, epochs=1, verbose=False)  # the layers now view the network's memory
    return model, X, y


@pytest.mark.parametrize("method", ["train", "predict", "evaluate"])
def test_a_call_refused_while_the_network_trains_names_the_models_method(method):
    """architecture.md: a second call on a running network is a RuntimeError; the house's
    errors name the method the user called."""
    model, X, y = trained_classifier()
    calls = {"train": lambda: model.train(X, y, epochs=1, verbose=False),
             "predict": lambda: model.predict(X),
             "evaluate": lambda: model.evaluate(X, y, verbose=False)}
    with training_in_another_thread(model, X, y):
        with pytest.raises(RuntimeError) as refused:
            calls[method]()
    assert str(refused.value).startswith(f"Model.{method}: ")


@pytest.mark.parametrize("method", ["train", "predict"])
def test_a_call_refused_while_the_network_trains_writes_nothing_into_it(method):
    """architecture.md: the refusal is not a race on the network's buffers, so the running
    train's parameters are untouched by the refused call's arrays."""
    model, X, y = trained_classifier()
    dense = model.trainable_layers[0]
    with training_in_another_thread(model, X, y):
        running = dense.weights  # a view of the running network's parameters
        before = running.copy()
        dense.weights = np.zeros_like(before)
        with pytest.raises(RuntimeError):
            if method == "train":
                model.train(X, y, epochs=1, verbose=False)
            else:
                model.predict(X)
        assert np.array_equal(running, before)


# Categorical cross-entropy on index labels after an output that is not a softmax, with an
# accuracy that compares the outputs themselves (legal in the book: it trains with one output
# and raises NumPy's broadcast error with more). Run in a child process: the network crashes it.
LABELS_WITHOUT_SOFTMAX = """
import contextlib
import sys
import numpy as np
import nnfast.nn as nn
from model_paths import layer_by_layer

outputs, path = int(sys.argv[1]), sys.argv[2]
np.random.seed(0)
model = nn.Model()
model.add(nn.Layer_Dense(2, outputs))
model.add(nn.Activation_Sigmoid())
model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=nn.Optimizer_SGD(),
          accuracy=nn.Accuracy_Categorical(binary=True))
model.finalize()
X = np.random.default_rng(3).uniform(-1, 1, (20, 2))
y = np.arange(20) % outputs
with layer_by_layer() if path == "layers" else contextlib.nullcontext():
    try:
        print(repr(model.train(X, y, epochs=2, verbose=False).history))
    except Exception as error:
        print(type(error).__name__, error)
"""


def run_child(script, *args):
    root = str(Path(nnfast.__file__).resolve().parent.parent)  # the nnfast being tested
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).parent, env=env)


@pytest.mark.parametrize("outputs", [1, 3])
def test_index_labels_without_an_output_softmax_train_as_the_layers_do(outputs):
    """No crash: the layers' History (one output) or their error (three), from the network."""
    expected = run_child(LABELS_WITHOUT_SOFTMAX, str(outputs), "layers")
    assert expected.returncode == 0, expected.stderr
    got = run_child(LABELS_WITHOUT_SOFTMAX, str(outputs), "network")
    assert got.returncode == 0, f"the child died: rc={got.returncode}\n{got.stderr}"
    assert got.stdout == expected.stdout


def moved(model, move):
    """Model ``model`` after ``move(model)``: its first dense layer's arrays changed by hand
    between two trains, as a user may."""
    move(model)
    return model


def swap(layers, name):
    """The first two layers' arrays ``name`` traded: each then holds the other's."""
    first, second = getattr(layers[0], name), getattr(layers[1], name)
    setattr(layers[0], name, second)
    setattr(layers[1], name, first)


LAYER_MOVES = {
    "read-only weights": lambda m: setattr(m.trainable_layers[0].weights.flags, "writeable",
                                           False),
    "weights as a list": lambda m: setattr(m.trainable_layers[0], "weights",
                                           m.trainable_layers[0].weights.tolist()),
    "Fortran-order weights": lambda m: setattr(m.trainable_layers[0], "weights",
                                               np.asfortranarray(m.trainable_layers[0].weights)),
    "weights shared by two layers": lambda m: setattr(m.trainable_layers[1], "weights",
                                                      m.trainable_layers[0].weights),
    "weights tied by a view": lambda m: setattr(m.trainable_layers[1], "weights",
                                                m.trainable_layers[0].weights[:]),
    "biases a row of weights": lambda m: setattr(m.trainable_layers[1], "biases",
                                                 m.trainable_layers[0].weights[1:2]),
    "weights swapped": lambda m: swap(m.trainable_layers, "weights"),
    "momentums swapped": lambda m: swap(m.trainable_layers, "weight_momentums"),
    "weights of a slice": lambda m: setattr(m.trainable_layers[1], "weights",
                                            m.trainable_layers[0].weights[::-1]),
    "negative iterations": lambda m: setattr(m.optimizer, "iterations", -3),
    "infinite learning rate": lambda m: setattr(m.optimizer, "current_learning_rate", np.inf),
}


@pytest.mark.parametrize("move", LAYER_MOVES)
def test_arrays_the_network_cannot_stand_in_for_train_as_the_layers_do(move):
    """Between two trains, a layer's array changed into one the book's path uses as it is
    (a list, a read-only array, a Fortran-order one, one array in two layers) or optimizer
    settings the network refuses: the second train's weights, or its error, are the layers'."""
    X, y = data(16, 4, lambda rng, n: rng.integers(0, 4, n))

    def run():
        model = model_of(lambda: [nn.Layer_Dense(4, 4), nn.Activation_ReLU(),
                                  nn.Layer_Dense(4, 4), nn.Activation_Softmax()],
                         nn.Loss_CategoricalCrossentropy(), nn.Optimizer_Adam(decay=1e-3),
                         nn.Accuracy_Categorical())
        model.train(X, y, epochs=2, verbose=False)
        moved(model, LAYER_MOVES[move])
        model.train(X, y, epochs=2, verbose=False)
        return repr([np.asarray(w).tolist() for layer in model.trainable_layers
                     for w in (layer.weights, layer.biases)])  # NaNs compare as text

    got, expected = both_paths(run)
    assert got == expected


@pytest.mark.parametrize("call", ["predict", "evaluate", "train 0 epochs"])
def test_a_pass_without_a_step_leaves_the_optimizer_state_as_the_layers_do(call):
    """The book's optimizer makes its state at its first update: a predict, an evaluate or a
    train of zero epochs after ``set(optimizer=Optimizer_Adam())`` leaves SGD's momentums as
    they are (and makes no cache), so SGD set back carries on from them."""
    X, y = data(16, 2, lambda rng, n: rng.integers(0, 3, n))
    calls = {"predict": lambda model: model.predict(X),
             "evaluate": lambda model: model.evaluate(X, y, verbose=False),
             "train 0 epochs": lambda model: model.train(X, y, epochs=0, verbose=False)}

    def run():
        model = model_of(classifier_layers, nn.Loss_CategoricalCrossentropy(),
                         nn.Optimizer_SGD(momentum=0.9), nn.Accuracy_Categorical())
        model.train(X, y, epochs=2, verbose=False)
        model.set(optimizer=nn.Optimizer_Adam())
        calls[call](model)
        kept = [sorted(name for name in vars(layer) if name.endswith(("momentums", "cache")))
                for layer in model.trainable_layers]
        model.set(optimizer=nn.Optimizer_SGD(momentum=0.9))
        model.train(X, y, epochs=2, verbose=False)
        return kept, weights(model)

    got, expected = both_paths(run)
    assert got == expected


def accumulated(part, *names):
    """``part``'s accumulated figures and calculate_accumulated() after a train, each with its
    type (a NumPy float32 and a Python float print differently)."""
    figures = [getattr(part, name) for name in names] + [part.calculate_accumulated()]
    return [(type(value).__name__, repr(value)) for value in figures]


HEADS = {
    "softmax + cross-entropy": (lambda: nn.Activation_Softmax(), nn.Loss_CategoricalCrossentropy,
                                lambda: nn.Accuracy_Categorical(), 3),
    "sigmoid + binary": (lambda: nn.Activation_Sigmoid(), nn.Loss_BinaryCrossentropy,
                         lambda: nn.Accuracy_Categorical(binary=True), 2),
    "linear + MSE": (lambda: nn.Activation_Linear(), nn.Loss_MeanSquaredError,
                     lambda: nn.Accuracy_Regression(), 2),
    "linear + MAE": (lambda: nn.Activation_Linear(), nn.Loss_MeanAbsoluteError,
                     lambda: nn.Accuracy_Regression(), 2),
}


@pytest.mark.parametrize("batch_size", [None, 7])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("head", HEADS)
def test_loss_and_accuracy_accumulated_after_training_are_the_layers(head, dtype, batch_size):
    """After Model.train, the loss's and the accuracy's accumulated sum and count and their
    calculate_accumulated() are the layers', in value and in type: the last epoch's, as the
    book's loop leaves them (a float32 loss sums in float32)."""
    activation, loss, accuracy, outputs = HEADS[head]
    X, _ = data(30, 2, lambda rng, n: None)
    rng = np.random.default_rng(5)
    if head.startswith("softmax"):
        y = rng.integers(0, outputs, len(X))
    elif head.startswith("sigmoid"):
        y = rng.integers(0, 2, (len(X), outputs)).astype(dtype)
    else:
        y = rng.uniform(-1, 1, (len(X), outputs)).astype(dtype)

    def run():
        model = model_of(lambda: [nn.Layer_Dense(2, 5), nn.Activation_ReLU(),
                                  nn.Layer_Dense(5, outputs), activation()],
                         loss(), nn.Optimizer_Adam(learning_rate=0.01), accuracy(), dtype)
        model.train(X.astype(dtype), y, epochs=3, batch_size=batch_size, verbose=False)
        return (accumulated(model.loss, "accumulated_sum", "accumulated_count"),
                accumulated(model.accuracy, "accumulated_sum", "accumulated_count"))

    got, expected = both_paths(run)
    assert got == expected
