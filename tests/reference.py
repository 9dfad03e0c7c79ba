"""Pure-NumPy reference implementations, written the way the notes / the book
"Neural Networks from Scratch in Python" (nnfs) write them.

These are the "expected" side of every numerical test.  They must never
import nnfast: a reference computed with the code under test cannot fail.
"""

import numpy as np

CLIP_LO = 1e-7
CLIP_HI = 1 - 1e-7


# ---------------------------------------------------------------------------
# Functional references
# ---------------------------------------------------------------------------

def dot(a, b):
    """The notes' weighted sum: np.dot."""
    return np.dot(a, b)


def dot_longdouble(a, b):
    """np.dot in extended precision (np.longdouble, NumPy's plain loop, no BLAS): the
    "exact" side for checking float32/float64 products. Each product a[i, p] * b[p, j] is
    formed, so NaN * 0 and inf * 0 give NaN as IEEE arithmetic says (a BLAS may skip zeros)."""
    return np.dot(np.asarray(a, dtype=np.longdouble), np.asarray(b, dtype=np.longdouble))


def linear(x):
    """Linear activation: the inputs unchanged (as a new array)."""
    return np.array(x, copy=True)


def relu(x):
    """ReLU as in the notes: np.maximum(0, inputs)."""
    return np.maximum(0, x)


def softmax(x):
    """Softmax as in the notes, row max subtracted, over the last axis."""
    x = np.asarray(x)
    if x.shape[-1] == 0:
        return np.array(x, copy=True)
    exp_values = np.exp(x - np.max(x, axis=-1, keepdims=True))
    probabilities = exp_values / np.sum(exp_values, axis=-1, keepdims=True)
    return probabilities


_ACTIVATIONS = {None: linear, "linear": linear, "relu": relu, "softmax": softmax}


def dense(inputs, weights, biases, activation=None):
    """The notes' dense layer: np.dot(inputs, weights) + biases, then activation.

    With 1-D inputs and (1, n_neurons) biases NumPy broadcasting would give
    (1, n_neurons); the functional API returns one sample as (n_neurons,), so
    the reference drops that leading axis.
    """
    inputs = np.asarray(inputs)
    biases = np.asarray(biases)
    output = np.dot(inputs, weights) + biases
    if inputs.ndim == 1:
        output = output.reshape(-1)
    return _ACTIVATIONS[activation](output)


def categorical_crossentropy_samples(y_pred, y_true):
    """Per-sample losses exactly as the notes' Loss_CategoricalCrossentropy.forward."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    samples = len(y_pred)
    y_pred_clipped = np.clip(y_pred, CLIP_LO, CLIP_HI)
    if len(y_true.shape) == 1:
        correct_confidences = y_pred_clipped[range(samples), y_true]
    elif len(y_true.shape) == 2:
        correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)
    else:  # pragma: no cover - references are only called with valid labels
        raise ValueError("bad labels")
    negative_log_likelihoods = -np.log(correct_confidences)
    return negative_log_likelihoods


def categorical_crossentropy(y_pred, y_true, reduction="mean"):
    sample_losses = categorical_crossentropy_samples(y_pred, y_true)
    if reduction == "none":
        return sample_losses
    if reduction == "sum":
        return np.sum(sample_losses)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.mean(sample_losses)


def softmax_crossentropy(logits, y_true):
    probabilities = softmax(logits)
    return categorical_crossentropy(probabilities, y_true), probabilities


def accuracy(y_pred, y_true):
    """Accuracy as in the book: mean(argmax(predictions) == targets)."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    predictions = np.argmax(y_pred, axis=1)
    if len(y_true.shape) == 2:
        y_true = np.argmax(y_true, axis=1)
    if len(predictions) == 0:
        return float("nan")
    return float(np.mean(predictions == y_true))


# ---------------------------------------------------------------------------
# The notes' classes, in plain NumPy
# ---------------------------------------------------------------------------

class Neuron:
    def __init__(self, weights, bias):
        self.weights = weights
        self.bias = bias

    def forward(self, inputs):
        self.output = np.dot(inputs, self.weights) + self.bias


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.output = np.dot(inputs, self.weights) + self.biases


class Activation_Linear:
    def forward(self, inputs):
        self.output = inputs


class Activation_ReLU:
    def forward(self, inputs):
        self.output = np.maximum(0, inputs)


class Activation_Softmax:
    def forward(self, inputs):
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        probabilities = exp_values / np.sum(exp_values, axis=1, keepdims=True)
        self.output = probabilities


class Loss:
    def calculate(self, output, y):
        sample_losses = self.forward(output, y)
        data_loss = np.mean(sample_losses)
        return data_loss


class Loss_CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        samples = len(y_pred)
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        if len(y_true.shape) == 1:
            correct_confidences = y_pred_clipped[range(samples), y_true]
        elif len(y_true.shape) == 2:
            correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)
        negative_log_likelihoods = -np.log(correct_confidences)
        return negative_log_likelihoods


# ---------------------------------------------------------------------------
# The notes' spiral data (the same algorithm as nnfs.datasets.spiral_data);
# the tests compare nnfast against the nnfs package itself, this copy is only
# used when a test wants the data without depending on nnfast.
# ---------------------------------------------------------------------------

def spiral_data(samples, classes):
    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype="uint8")
    for class_number in range(classes):
        ix = range(samples * class_number, samples * (class_number + 1))
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(class_number * 4, (class_number + 1) * 4, samples) + np.random.randn(samples) * 0.2
        X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
        y[ix] = class_number
    return X, y
