"""nnfast.nn (the notes' classes) against the notes' classes in plain NumPy
(nnfast.baseline.notes): the same random draws exactly, each computed result against the
long-double reference of its step within that step's error bound (the registry's checks,
registry_bounds)."""

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
import reference as ref
from api_registry import check_row
from conftest import random_array
from nnfast.baseline import notes
from nnfast.datasets import spiral_data
from registry_bounds import assert_exact, check_affine, check_cce, check_softmax_rows

import nnfs.datasets as nnfs_datasets


def _run_workflow(classes_module, data_fn, seed, samples, n_classes, hidden):
    """The notes' forward pass; returns every intermediate for comparison."""
    np.random.seed(seed)
    X, y = data_fn(samples=samples, classes=n_classes)
    dense1 = classes_module.Layer_Dense(2, hidden)
    activation1 = classes_module.Activation_ReLU()
    dense2 = classes_module.Layer_Dense(hidden, n_classes)
    activation2 = classes_module.Activation_Softmax()
    loss_function = classes_module.Loss_CategoricalCrossentropy()

    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    loss = loss_function.calculate(activation2.output, y)
    sample_losses = loss_function.forward(activation2.output, y)
    return dict(X=X, y=y, w1=dense1.weights, b1=dense1.biases, w2=dense2.weights,
                b2=dense2.biases, out1=dense1.output, act1=activation1.output,
                out2=dense2.output, act2=activation2.output, loss=loss,
                sample_losses=sample_losses)


@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("samples,n_classes,hidden", [(100, 3, 3), (300, 3, 64), (1, 3, 3), (50, 5, 8)])
def test_notes_workflow_same_numbers(restore_global_seed, seed, samples, n_classes, hidden):
    got = _run_workflow(nn, spiral_data, seed, samples, n_classes, hidden)
    exp = _run_workflow(notes, nnfs_datasets.spiral_data, seed, samples, n_classes, hidden)

    for key in ("X", "y", "w1", "b1", "w2", "b2"):  # identical draws from the global generator
        assert got[key].dtype == exp[key].dtype, key
        np.testing.assert_array_equal(got[key], exp[key], err_msg=key)
    # each step from the step before it, within its bound
    f64 = np.dtype(np.float64)
    check_affine(got["out1"], got["X"], got["w1"], got["b1"], None, f64)
    assert_exact(got["act1"], np.maximum(0, got["out1"]), f64)
    check_affine(got["out2"], got["act1"], got["w2"], got["b2"], None, f64)
    check_softmax_rows(got["act2"], got["out2"], f64)
    check_cce(got["sample_losses"], got["act2"], got["y"], "none", f64)
    assert np.ndim(got["loss"]) == 0
    check_cce(got["loss"], got["act2"], got["y"], "mean", f64)
    for key in ("out1", "act1", "out2", "act2", "sample_losses"):
        assert got[key].shape == exp[key].shape, key

    assert nnfast.accuracy(got["act2"], got["y"]) == ref.accuracy(got["act2"], got["y"])


def test_notes_loss_value_for_seed_0(restore_global_seed):
    # the book's printed value for seed 0, spiral_data(100, 3), dense 2->3->3: loss ~ 1.0986
    got = _run_workflow(nn, spiral_data, 0, 100, 3, 3)
    assert got["loss"] == pytest.approx(1.0986, abs=1e-4)  # the four digits printed
    check_softmax_rows(got["act2"], got["out2"], np.dtype(np.float64))


def test_layer_dense_initialisation(restore_global_seed):
    np.random.seed(11)
    layer = nn.Layer_Dense(4, 5)
    np.random.seed(11)
    expected = 0.01 * np.random.randn(4, 5)
    np.testing.assert_array_equal(layer.weights, expected)
    assert layer.weights.dtype == np.float64 and layer.weights.shape == (4, 5)
    np.testing.assert_array_equal(layer.biases, np.zeros((1, 5)))
    assert layer.biases.shape == (1, 5) and layer.biases.dtype == np.float64


def test_layer_dense_with_trained_parameters(rng, dtype):
    layer, rlayer = nn.Layer_Dense(3, 4), notes.Layer_Dense(3, 4)
    w = random_array(rng, (3, 4), dtype)
    b = random_array(rng, (1, 4), dtype)
    layer.weights, layer.biases = w, b
    rlayer.weights, rlayer.biases = w, b
    x = random_array(rng, (6, 3), dtype)
    layer.forward(x)
    rlayer.forward(x)
    assert layer.output.shape == rlayer.output.shape
    check_row("nn.Layer_Dense.forward", layer.output, x, w, b)


@pytest.mark.parametrize("x_dtype", [np.float32, np.float64, np.int64])
def test_layer_dense_input_dtypes_follow_numpy(restore_global_seed, x_dtype):
    np.random.seed(2)
    layer = nn.Layer_Dense(3, 2)
    np.random.seed(2)
    rlayer = notes.Layer_Dense(3, 2)
    x = (np.arange(12).reshape(4, 3) - 5).astype(x_dtype)
    layer.forward(x)
    rlayer.forward(x)
    assert layer.output.dtype == rlayer.output.dtype
    check_row("nn.Layer_Dense.forward", layer.output, x, layer.weights, layer.biases)


def test_layer_dense_single_sample(restore_global_seed):
    np.random.seed(4)
    layer = nn.Layer_Dense(4, 3)
    np.random.seed(4)
    rlayer = notes.Layer_Dense(4, 3)
    x = np.array([1.0, 2.0, 3.0, 2.5])
    layer.forward(x)
    rlayer.forward(x)
    assert layer.output.shape == rlayer.output.shape == (1, 3)  # as NumPy broadcasting gives
    check_row("nn.Layer_Dense.forward", layer.output, x, layer.weights, layer.biases)


def test_layer_dense_non_contiguous_inputs(restore_global_seed, rng):
    np.random.seed(8)
    layer = nn.Layer_Dense(3, 5)
    np.random.seed(8)
    rlayer = notes.Layer_Dense(3, 5)
    x = random_array(rng, (3, 10)).T[::-1]
    layer.forward(x)
    rlayer.forward(x)
    assert layer.output.shape == rlayer.output.shape
    check_row("nn.Layer_Dense.forward", layer.output, x, layer.weights, layer.biases)


@pytest.mark.parametrize("cls_name", ["Activation_Linear", "Activation_ReLU", "Activation_Softmax"])
@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (1, 4), (7, 3), (300, 64)], ids=str)
def test_activation_classes(rng, dtype, cls_name, shape):
    x = random_array(rng, shape, dtype)
    ours, theirs = getattr(nn, cls_name)(), getattr(notes, cls_name)()
    ours.forward(x)
    if shape[0]:
        theirs.forward(x)
        assert ours.output.shape == theirs.output.shape
    check_row(f"nn.{cls_name}.forward", ours.output, x)


@pytest.mark.parametrize("onehot", [False, True], ids=["index", "onehot"])
def test_loss_categorical_crossentropy_class(rng, dtype, onehot):
    y_pred = ref.softmax(rng.normal(size=(20, 4))).astype(dtype)
    y_pred[0] = [1, 0, 0, 0]
    labels = rng.integers(0, 4, size=20)
    y_true = np.eye(4, dtype=dtype)[labels] if onehot else labels
    ours, theirs = nn.Loss_CategoricalCrossentropy(), notes.Loss_CategoricalCrossentropy()
    assert isinstance(ours, nn.Loss)
    check_row("nn.Loss_CategoricalCrossentropy.forward", ours.forward(y_pred, y_true), y_pred,
              y_true)
    got, exp = ours.calculate(y_pred, y_true), theirs.calculate(y_pred, y_true)
    assert np.ndim(got) == 0 and np.asarray(got).dtype == np.asarray(exp).dtype
    check_row("nn.Loss_CategoricalCrossentropy.calculate", got, y_pred, y_true)


def test_loss_base_class_averages_forward():
    class Loss_Absolute(nn.Loss):
        def forward(self, y_pred, y_true):
            return np.abs(y_pred - y_true)

    assert Loss_Absolute().calculate(np.array([1.0, -2.0, 4.0]), np.array([0.0, 0.0, 0.0])) == \
        7.0 / 3.0

    class Loss_Doubled(nn.Loss_CategoricalCrossentropy):
        def forward(self, y_pred, y_true):
            return 2 * super().forward(y_pred, y_true)

    y_pred = np.array([[0.7, 0.3], [0.4, 0.6]])
    y = np.array([0, 1])
    # half of it (exact) is the mean loss
    check_cce(Loss_Doubled().calculate(y_pred, y) / 2, y_pred, y, "mean", np.dtype(np.float64))


# ---------------------------------------------------------------------------
# Neuron (day 2)
# ---------------------------------------------------------------------------

def test_neuron_notes_example():
    inputs = [1.0, 2.0, 3.0, 2.5]
    weights = [0.2, 0.8, -0.5, 1.0]
    bias = 2.0
    neuron = nn.Neuron(weights, bias)
    neuron.forward(inputs)
    rneuron = notes.Neuron(weights, bias)
    rneuron.forward(inputs)
    assert np.ndim(neuron.output) == 0
    assert neuron.output == pytest.approx(4.8, rel=1e-12)  # the notes' printed value
    check_row("nn.Neuron.forward", neuron.output, np.array(inputs), np.array(weights), bias)
    assert np.ndim(rneuron.output) == 0


@pytest.mark.parametrize("n_inputs", [1, 3, 10])
def test_neuron_single_sample(rng, dtype, n_inputs):
    w = random_array(rng, (n_inputs,), dtype)
    x = random_array(rng, (n_inputs,), dtype)
    bias = dtype.type(0.5)
    neuron, rneuron = nn.Neuron(w, bias), notes.Neuron(w, bias)
    neuron.forward(x)
    rneuron.forward(x)
    assert np.ndim(neuron.output) == 0
    assert np.asarray(neuron.output).dtype == np.asarray(rneuron.output).dtype
    check_row("nn.Neuron.forward", neuron.output, x, w, bias)


@pytest.mark.parametrize("n_samples", [0, 1, 5, 64])
def test_neuron_batch(rng, dtype, n_samples):
    w = random_array(rng, (4,), dtype)
    x = random_array(rng, (n_samples, 4), dtype)
    bias = 2.0
    neuron, rneuron = nn.Neuron(w, bias), notes.Neuron(w, bias)
    neuron.forward(x)
    rneuron.forward(x)
    assert neuron.output.shape == rneuron.output.shape == (n_samples,)
    check_row("nn.Neuron.forward", neuron.output, x, w, bias)


def test_neuron_transposed_batch(rng):
    w = random_array(rng, (3,))
    x = random_array(rng, (3, 8)).T
    neuron, rneuron = nn.Neuron(w, -1.0), notes.Neuron(w, -1.0)
    neuron.forward(x)
    rneuron.forward(x)
    assert neuron.output.shape == rneuron.output.shape
    check_row("nn.Neuron.forward", neuron.output, x, w, -1.0)


# ---------------------------------------------------------------------------
# PEP 8 aliases
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("alias,name", [
    ("Dense", "Layer_Dense"),
    ("ReLU", "Activation_ReLU"),
    ("Softmax", "Activation_Softmax"),
    ("Linear", "Activation_Linear"),
    ("CategoricalCrossentropy", "Loss_CategoricalCrossentropy"),
])
def test_pep8_aliases_are_the_same_classes(alias, name):
    assert getattr(nn, alias) is getattr(nn, name)


def test_pep8_workflow(restore_global_seed):
    np.random.seed(0)
    X, y = spiral_data(100, 3)
    d1, a1, d2, a2 = nn.Dense(2, 3), nn.ReLU(), nn.Dense(3, 3), nn.Softmax()
    d1.forward(X)
    a1.forward(d1.output)
    d2.forward(a1.output)
    a2.forward(d2.output)
    loss = nn.CategoricalCrossentropy().calculate(a2.output, y)
    # the aliases are the classes themselves (test_pep8_aliases_are_the_same_classes), whose
    # workflow test_notes_workflow_same_numbers checks against the reference: the same bits
    assert loss == _run_workflow(nn, spiral_data, 0, 100, 3, 3)["loss"]


# ---------------------------------------------------------------------------
# Argmax over the class axis, on predictions that are not square (the other axis then
# gives another shape, a broadcast or other indices)
# ---------------------------------------------------------------------------

# (one-hot label classes, predicted classes, accuracy), counted by hand
NON_SQUARE = [
    pytest.param([2, 0, 1, 2, 1], [2, 0, 0, 2, 1], 0.8, 3, id="5x3"),
    pytest.param([4, 1, 3], [4, 2, 3], 2 / 3, 5, id="3x5"),
    pytest.param([2], [2], 1.0, 4, id="1x4"),
    pytest.param([1, 0], [1, 1], 0.5, 7, id="2x7"),
]


@pytest.mark.parametrize("classes,predicted,expected,n", NON_SQUARE)
def test_accuracy_categorical_takes_one_hot_labels_by_row(classes, predicted, expected, n):
    onehot = np.eye(n)[classes]
    acc = nn.Accuracy_Categorical()
    acc.init(onehot)
    assert acc.calculate(np.array(predicted), onehot) == expected
    assert nn.Accuracy_Categorical().calculate(np.array(predicted), np.array(classes)) == \
        expected


@pytest.mark.parametrize("classes,predicted,expected,n", NON_SQUARE)
def test_predictions_and_accuracy_take_the_argmax_of_each_row(dtype, classes, predicted,
                                                               expected, n):
    outputs = np.full((len(predicted), n), 0.1, dtype)
    outputs[np.arange(len(predicted)), predicted] = 0.7
    np.testing.assert_array_equal(nn.Activation_Softmax().predictions(outputs), predicted)
    for y_true in (np.array(classes), np.eye(n, dtype=dtype)[classes]):
        assert nnfast.accuracy(outputs, y_true) == expected
        assert nnfast.accuracy(np.asfortranarray(outputs), y_true) == expected
