"""Pure-NumPy references of the notes' functions: the "expected" side of the kernel tests,
stricter than nnfast.baseline.

Why the tests keep their own copy beside nnfast.baseline (the NumPy side of the benchmarks
and of the class and training tests): independence. These share no code with anything that
ships, so one mistake cannot pass as agreement both in the tests and in the benchmarks; they
cover what the baseline need not (any number of axes, empty arrays, every `reduction`); and
the products have an extended-precision form (dot_longdouble, np.longdouble) from which the
hardening tests derive their error bounds. Never import nnfast here: a reference computed
with the code under test cannot fail.
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
