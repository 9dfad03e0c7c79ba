"""Misuse of the nn classes: each gives an exception of the right type whose message names
``Class.method`` (or the class, at construction) and says what to do, raised before anything
changes (the object's attributes, the layer's, NumPy's global generator); and every public
method of the layers, activations, losses, optimizers and accuracies has a docstring."""
import inspect
import math

import numpy as np
import pytest

import nnfast.nn as nn
import nnfast.nn.accuracy
import nnfast.nn.activations
import nnfast.nn.layers
import nnfast.nn.losses
import nnfast.nn.optimizers

OPTIMIZERS = ["Optimizer_SGD", "Optimizer_Adagrad", "Optimizer_RMSprop", "Optimizer_Adam"]


def state(obj):
    """``obj``'s attributes, arrays copied, to compare after a refused call."""
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in vars(obj).items()}


def assert_unchanged(obj, before):
    after = vars(obj)
    assert after.keys() == before.keys(), sorted(after.keys() ^ before.keys())
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[key], value, err_msg=key)
        else:
            assert after[key] is value or after[key] == value, key


def refused(exc, pattern, call, *objects):
    """``call()`` raises ``exc`` matching ``pattern`` and leaves ``objects`` as they were."""
    before = [state(obj) for obj in objects]
    with pytest.raises(exc, match=pattern):
        call()
    for obj, snapshot in zip(objects, before):
        assert_unchanged(obj, snapshot)


# ----------------------------------------------------------------- backward before forward
@pytest.mark.parametrize("make, name", [
    (lambda: nn.Layer_Dense(3, 2), "Layer_Dense"),
    (nn.Activation_ReLU, "Activation_ReLU"),
    (nn.Activation_Softmax, "Activation_Softmax"),
    (nn.Activation_Sigmoid, "Activation_Sigmoid"),
    (lambda: nn.Layer_Dropout(0.2), "Layer_Dropout"),
])
def test_backward_before_forward(make, name):
    obj = make()
    refused(RuntimeError, rf"^{name}\.backward: call forward\(.*\) first", lambda: obj.backward(np.ones((4, 2))), obj)


def test_dropout_backward_needs_a_training_forward():
    layer = nn.Layer_Dropout(0.5)
    layer.forward(np.ones((4, 2)), training=False)  # draws no mask
    refused(RuntimeError, r"Layer_Dropout\.backward: call forward\(inputs, training=True\)",
            lambda: layer.backward(np.ones((4, 2))), layer)


def test_backward_after_forward_works():
    """The checks above are not errors every time: after forward, backward runs."""
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    for obj in (nn.Activation_ReLU(), nn.Activation_Softmax(), nn.Activation_Sigmoid()):
        obj.forward(x)
        assert obj.backward(np.ones_like(x)).shape == x.shape
    layer = nn.Layer_Dense(2, 3)
    layer.forward(x)
    assert layer.backward(np.ones((2, 3))).shape == (2, 2)


# ------------------------------------------------------------------------------ optimizers
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_update_before_backward(name):
    optimizer = getattr(nn, name)(momentum=0.9) if name == "Optimizer_SGD" else getattr(nn, name)()
    layer = nn.Layer_Dense(3, 2)
    refused(RuntimeError, rf"^{name}\.update_params: .*call its backward\(\) first",
            lambda: optimizer.update_params(layer), layer, optimizer)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_update_with_half_the_gradients_changes_nothing(name):
    """A layer with dweights but no dbiases: no update of the weights before the error."""
    optimizer = getattr(nn, name)()
    layer = nn.Layer_Dense(3, 2)
    layer.dweights = np.ones((3, 2))
    refused(RuntimeError, rf"{name}\.update_params", lambda: optimizer.update_params(layer),
            layer, optimizer)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_update_of_a_layer_without_weights(name):
    optimizer, relu = getattr(nn, name)(), nn.Activation_ReLU()
    refused(TypeError, rf"^{name}\.update_params: the layer must have weights and biases.*"
            r"got Activation_ReLU", lambda: optimizer.update_params(relu), relu, optimizer)


BAD_HYPERPARAMETERS = [
    # (class, argument, value, exception)
    ("Optimizer_SGD", "learning_rate", -0.1, ValueError),
    ("Optimizer_SGD", "learning_rate", "0.1", TypeError),
    ("Optimizer_SGD", "learning_rate", None, TypeError),
    ("Optimizer_SGD", "learning_rate", math.nan, ValueError),
    ("Optimizer_SGD", "decay", -1e-3, ValueError),
    ("Optimizer_SGD", "momentum", -0.9, ValueError),
    ("Optimizer_SGD", "momentum", True, TypeError),
    ("Optimizer_Adagrad", "epsilon", -1e-7, ValueError),
    ("Optimizer_Adagrad", "decay", [1e-4], TypeError),
    ("Optimizer_RMSprop", "rho", 1.5, ValueError),
    ("Optimizer_RMSprop", "rho", -0.1, ValueError),
    ("Optimizer_RMSprop", "epsilon", -1.0, ValueError),
    ("Optimizer_Adam", "beta_1", 1.0, ValueError),
    ("Optimizer_Adam", "beta_2", -0.5, ValueError),
    ("Optimizer_Adam", "learning_rate", -0.001, ValueError),
    ("Optimizer_Adam", "epsilon", "1e-7", TypeError),
]


@pytest.mark.parametrize("name, argument, value, exc", BAD_HYPERPARAMETERS)
def test_bad_hyperparameter(name, argument, value, exc):
    with pytest.raises(exc, match=rf"^{name}: {argument} must be a number"):
        getattr(nn, name)(**{argument: value})


@pytest.mark.parametrize("name, kwargs", [
    ("Optimizer_SGD", dict(learning_rate=0, decay=0, momentum=0)),
    ("Optimizer_SGD", dict(learning_rate=np.float32(0.5), momentum=np.float64(0.9))),
    ("Optimizer_RMSprop", dict(rho=1, epsilon=0)),
    ("Optimizer_Adam", dict(beta_1=0, beta_2=0.9999)),
])
def test_edge_hyperparameters_are_taken_as_given(name, kwargs):
    optimizer = getattr(nn, name)(**kwargs)
    for argument, value in kwargs.items():
        assert getattr(optimizer, argument) is value


# ------------------------------------------------------------------------------- layers
@pytest.mark.parametrize("rate, exc", [(1, ValueError), (1.5, ValueError), (-0.1, ValueError),
                                       (math.nan, ValueError), ("0.5", TypeError),
                                       (None, TypeError)])
def test_dropout_rate(rate, exc):
    with pytest.raises(exc, match=r"^Layer_Dropout: rate .*must be a number"):
        nn.Layer_Dropout(rate)


@pytest.mark.parametrize("rate", [0, 0.0, 0.999, np.float32(0.1)])
def test_dropout_rate_in_range(rate):
    assert nn.Layer_Dropout(rate).rate == 1 - rate


@pytest.mark.parametrize("argument, value, exc", [
    ("weight_regularizer_l1", -1e-4, ValueError), ("weight_regularizer_l2", "5e-4", TypeError),
    ("bias_regularizer_l1", math.nan, ValueError), ("bias_regularizer_l2", -5e-4, ValueError),
])
def test_dense_regularizers_refused_before_drawing(restore_global_seed, argument, value, exc):
    np.random.seed(4)
    with pytest.raises(exc, match=rf"^Layer_Dense: {argument} must be a number"):
        nn.Layer_Dense(2, 3, **{argument: value})
    got = np.random.random()
    np.random.seed(4)
    assert got == np.random.random()  # nothing was drawn


# ---------------------------------------------------------------------- losses, accuracy
P = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
Y = np.array([0, 1])


@pytest.mark.parametrize("make", [nn.Loss_CategoricalCrossentropy, nn.Loss_MeanSquaredError,
                                  nn.Accuracy_Categorical])
def test_calculate_accumulated_with_nothing_accumulated(make):
    obj = make()
    name = type(obj).__name__
    pattern = rf"^{name}\.calculate_accumulated: no .* since new_pass\(\); call calculate\(\) first"
    refused(RuntimeError, pattern, obj.calculate_accumulated, obj)
    obj.new_pass()
    refused(RuntimeError, pattern, obj.calculate_accumulated, obj)


@pytest.mark.parametrize("make, y", [(nn.Loss_CategoricalCrossentropy, Y),
                                     (nn.Loss_MeanSquaredError, P)])
def test_regularization_before_remember_trainable_layers(make, y):
    loss = make()
    pattern = rf"^{type(loss).__name__}\.regularization_loss: pass a layer, or call " \
              r"remember_trainable_layers"
    refused(RuntimeError, pattern, loss.regularization_loss, loss)
    refused(RuntimeError, pattern, lambda: loss.calculate(P, y, include_regularization=True), loss)
    loss.remember_trainable_layers([nn.Layer_Dense(2, 3, weight_regularizer_l2=0.5)])
    data_loss, regularization = loss.calculate(P, y, include_regularization=True)
    assert regularization > 0 and loss.accumulated_count == 2


def test_regression_accuracy_before_init():
    accuracy = nn.Accuracy_Regression()
    refused(RuntimeError, r"^Accuracy_Regression\.compare: call init\(y\) first",
            lambda: accuracy.calculate(P, P), accuracy)
    accuracy.init(P)
    assert accuracy.calculate(P, P) == 1.0


# ------------------------------------------------------------------------------ docstrings
def own_classes():
    modules = (nnfast.nn.layers, nnfast.nn.activations, nnfast.nn.losses,
               nnfast.nn.optimizers, nnfast.nn.accuracy)
    return sorted({cls for name in nn.__all__ for cls in [getattr(nn, name)]
                   if inspect.isclass(cls) and inspect.getmodule(cls) in modules},
                  key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", own_classes(), ids=lambda c: c.__name__)
def test_every_public_method_has_a_docstring(cls):
    missing = [name for name, member in inspect.getmembers(cls)
               if not name.startswith("_") and (inspect.isfunction(member) or
                                                isinstance(member, property))
               and not (inspect.getdoc(member) or "").strip()]
    assert not missing, f"{cls.__name__}: no docstring on {missing}"
