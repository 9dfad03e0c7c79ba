"""Model.train's fusions are found by what the objects offer, not by their exact class: a
subclass that replaces none of the fused methods trains through the same C calls as the
class it extends, and one that replaces forward, backward, calculate, compare or predictions
has its method called, with the same weights in both cases (the fused and the layer-by-layer
computations give the same bits)."""
import contextlib
import inspect
import io

import numpy as np
import pytest

import nnfast.nn as nn
import nnfast.nn.activations
import nnfast.nn.layers
import nnfast.nn.losses
from nnfast.datasets import spiral_data

from model_paths import layer_by_layer

# These tests train on the spiral as the book does, sorted by class, to compare with the book's
# numbers: the warning that says to shuffle such data is expected here.
pytestmark = pytest.mark.filterwarnings("ignore:Model.train. y is sorted by class:UserWarning")


@pytest.fixture(autouse=True)
def _layer_by_layer():
    """These tests are the layer-by-layer step's (the path of models with a part that has no
    C counterpart); tests/test_model_network.py has the C network's."""
    with layer_by_layer():
        yield

# every C function the layers, activations and losses call in training
SPIED = {
    nnfast.nn.layers: ["dense", "dense_backward", "dropout", "dropout_backward"],
    nnfast.nn.activations: ["relu", "relu_backward", "softmax", "softmax_backward"],
    nnfast.nn.losses: ["categorical_crossentropy", "categorical_crossentropy_backward",
                       "softmax_crossentropy_backward"],
}


@pytest.fixture
def c_calls(monkeypatch):
    """The log of C calls made through nnfast.nn: (function, the fusion keywords it got)."""
    log = []

    def spy(name, fn):
        signature = inspect.signature(fn)

        def call(*args, **kwargs):
            # the options in effect, passed by position or keyword or left to their defaults
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            fused = {k: v if isinstance(v, (str, bool)) else "array"
                     for k, v in bound.arguments.items()
                     if k in ("activation", "relu_output", "need_dinputs", "with_stats") and
                     v is not None}
            log.append((name, tuple(sorted(fused.items()))))
            return fn(*args, **kwargs)
        return call

    for module, names in SPIED.items():
        for name in names:
            monkeypatch.setattr(module, name, spy(name, getattr(module, name)))
    return log


def classifier(classes, epochs=3, batch_size=128):
    """The book's spiral classifier (Dense, ReLU, Dropout, Dense, ReLU, Dense, Softmax, categorical
    cross-entropy, Adam, accuracy) built of ``classes`` (a dict of replacements for nn's
    classes), trained; returns the model and its printed lines."""
    c = {name: getattr(nn, name) for name in ("Layer_Dense", "Activation_ReLU", "Layer_Dropout",
                                              "Activation_Softmax", "Loss_CategoricalCrossentropy",
                                              "Accuracy_Categorical")}
    c.update(classes)
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    model = nn.Model()
    for layer in (c["Layer_Dense"](2, 32, weight_regularizer_l2=5e-4), c["Activation_ReLU"](),
                  c["Layer_Dropout"](0.1), c["Layer_Dense"](32, 32), c["Activation_ReLU"](),
                  c["Layer_Dense"](32, 3), c["Activation_Softmax"]()):
        model.add(layer)
    model.set(loss=c["Loss_CategoricalCrossentropy"](), optimizer=nn.Optimizer_Adam(learning_rate=0.05),
              accuracy=c["Accuracy_Categorical"]())
    model.finalize()
    out = io.StringIO()
    np.random.seed(1)
    with contextlib.redirect_stdout(out):
        model.train(X, y, epochs=epochs, batch_size=batch_size)
    return model, out.getvalue().splitlines()


def assert_same_parameters(a, b):
    for la, lb in zip(a.trainable_layers, b.trainable_layers):
        assert np.array_equal(la.weights, lb.weights) and np.array_equal(la.biases, lb.biases)


def test_book_classifier_trains_through_fused_calls(restore_global_seed, c_calls):
    classifier({}, epochs=1, batch_size=None)
    assert c_calls == [
        ("dense", (("activation", "relu"),)), ("dropout", ()),
        ("dense", (("activation", "relu"),)), ("dense", (("activation", "softmax"),)),
        ("softmax_crossentropy_backward", (("with_stats", True),)),
        ("dense_backward", (("need_dinputs", True),)),
        ("dense_backward", (("need_dinputs", True), ("relu_output", "array"))),
        ("dropout_backward", ()),
        ("dense_backward", (("need_dinputs", False), ("relu_output", "array"))),
    ]


def plain_subclasses():
    """A subclass of each class the fusions involve, replacing nothing the fusions stand for."""
    class MyDense(nn.Layer_Dense):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.note = "a subclass with its own constructor"

    class MyReLU(nn.Activation_ReLU):
        pass

    class MyDropout(nn.Layer_Dropout):
        pass

    class MySoftmax(nn.Activation_Softmax):
        pass

    class MyLoss(nn.Loss_CategoricalCrossentropy):
        pass

    class MyAccuracy(nn.Accuracy_Categorical):
        pass

    return dict(Layer_Dense=MyDense, Activation_ReLU=MyReLU, Layer_Dropout=MyDropout,
                Activation_Softmax=MySoftmax, Loss_CategoricalCrossentropy=MyLoss,
                Accuracy_Categorical=MyAccuracy)


def test_subclass_replacing_nothing_keeps_every_fused_call(restore_global_seed, c_calls):
    base, base_lines = classifier({})
    base_calls = list(c_calls)
    c_calls.clear()
    sub, sub_lines = classifier(plain_subclasses())
    assert c_calls == base_calls
    assert sub_lines == base_lines
    assert_same_parameters(sub, base)


def overriding_subclasses(calls):
    """A subclass of each class the fusions involve, each replacing the methods a fusion
    stands for (by calling its base class) and counting the calls in ``calls``."""
    def counted(cls, *methods):
        body = {}
        for method in methods:
            def override(self, *args, _method=method, **kwargs):
                calls[f"{cls.__name__}.{_method}"] = calls.get(f"{cls.__name__}.{_method}", 0) + 1
                result = getattr(cls, _method)(self, *args, **kwargs)
                return None if _method in ("forward", "backward") else result  # as the book's
            body[method] = override
        return type("My" + cls.__name__, (cls,), body)

    return dict(Layer_Dense=counted(nn.Layer_Dense, "forward", "backward"),
                Activation_ReLU=counted(nn.Activation_ReLU, "backward"),
                Layer_Dropout=counted(nn.Layer_Dropout, "forward"),
                Activation_Softmax=counted(nn.Activation_Softmax, "forward", "predictions"),
                Loss_CategoricalCrossentropy=counted(nn.Loss_CategoricalCrossentropy, "calculate"),
                Accuracy_Categorical=counted(nn.Accuracy_Categorical, "compare"))


def test_subclass_overrides_are_called_with_the_same_numbers(restore_global_seed):
    base, base_lines = classifier({})
    calls = {}
    sub, sub_lines = classifier(overriding_subclasses(calls))
    steps = 3 * 3  # epochs x batches
    assert calls == {
        "Layer_Dense.forward": 3 * steps, "Layer_Dense.backward": 3 * steps,
        "Activation_ReLU.backward": 2 * steps,
        "Layer_Dropout.forward": steps, "Activation_Softmax.forward": steps,
        "Activation_Softmax.predictions": steps,
        "Loss_CategoricalCrossentropy.calculate": steps, "Accuracy_Categorical.compare": steps,
    }
    assert sub_lines == base_lines
    assert_same_parameters(sub, base)


def test_overriding_backward_changes_training(restore_global_seed):
    """An override that changes the numbers is honoured: a first layer whose backward
    leaves no gradient keeps its initial weights."""
    class FrozenDense(nn.Layer_Dense):
        def backward(self, dvalues):
            super().backward(dvalues)
            self.dweights = np.zeros_like(self.weights)
            self.dbiases = np.zeros_like(self.biases)

    np.random.seed(0)
    X, y = spiral_data(samples=50, classes=3)
    first, second = FrozenDense(2, 32), nn.Layer_Dense(32, 3)
    initial = [first.weights.copy(), second.weights.copy()]
    model = nn.Model()
    for layer in (first, nn.Activation_ReLU(), second, nn.Activation_Softmax()):
        model.add(layer)
    model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=nn.Optimizer_Adam(),
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    model.train(X, y, epochs=5, verbose=False)
    assert np.array_equal(first.weights, initial[0])
    assert not np.array_equal(second.weights, initial[1])
