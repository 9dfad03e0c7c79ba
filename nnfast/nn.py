"""The notes' classes, computed by nnfast's C core.

The names, attributes and initial values are those of the notes (and of the
book they follow, "Neural Networks from Scratch in Python", chapters 1-5), so
code written for them runs by changing only its imports::

    import numpy as np
    from nnfast.datasets import spiral_data
    from nnfast.nn import (Layer_Dense, Activation_ReLU, Activation_Softmax,
                           Loss_CategoricalCrossentropy)

    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    dense1 = Layer_Dense(2, 3)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(3, 3)
    activation2 = Activation_Softmax()
    loss_function = Loss_CategoricalCrossentropy()

    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    loss = loss_function.calculate(activation2.output, y)

Every ``forward`` stores its input in ``.inputs`` (where the book later needs
it for backpropagation), sets ``.output`` and also returns it.

dtypes follow the functional API: float32 and float64 are computed natively
and the result has the dtype NumPy would give; integer/bool-only inputs are
computed in float64. Errors (shapes that do not align, non-numeric dtypes,
labels out of range, ...) are raised by the C functions as TypeError,
ValueError or IndexError with a message naming the argument and the shapes.

PEP 8 aliases: ``Dense``, ``ReLU``, ``Softmax``, ``Linear``,
``CategoricalCrossentropy``.
"""

import operator

import numpy as np

from ._core import categorical_crossentropy, dense, dot, linear, relu, softmax

__all__ = [
    "Neuron",
    "Layer_Dense",
    "Activation_Linear",
    "Activation_ReLU",
    "Activation_Softmax",
    "Loss",
    "Loss_CategoricalCrossentropy",
    "Dense",
    "Linear",
    "ReLU",
    "Softmax",
    "CategoricalCrossentropy",
]


def _check_size(cls_name, name, value):
    """Return ``value`` as a non-negative ``int`` or raise TypeError/ValueError."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{cls_name}: {name} must be a non-negative integer, got bool {value!r}")
    try:
        size = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{cls_name}: {name} must be a non-negative integer, "
            f"got {type(value).__name__} {value!r}"
        ) from None
    if size < 0:
        raise ValueError(f"{cls_name}: {name} must be a non-negative integer, got {size}")
    return size


class Neuron:
    """One neuron: ``output = inputs . weights + bias``.

    Parameters
    ----------
    weights : array_like, shape (n_inputs,)
        One weight per input (stored as an ndarray via ``np.asarray``).
    bias : float or array_like
        Added to the weighted sum (stored as given).

    ``forward(inputs)`` has the semantics of ``np.dot(inputs, weights) + bias``
    with the dot product computed by :func:`nnfast.dot`:

    - inputs shape (n_inputs,)    -> output a NumPy scalar,
    - inputs shape (n, n_inputs)  -> output shape (n,), one value per sample.

    Raises ValueError when the shapes do not align (or weights is not 1-D
    or 2-D), TypeError for non-numeric dtypes.
    """

    def __init__(self, weights, bias):
        self.weights = np.asarray(weights)
        self.bias = bias

    def forward(self, inputs):
        """Set and return ``self.output = inputs . weights + bias``."""
        self.inputs = inputs
        self.output = dot(inputs, self.weights) + self.bias
        return self.output


class Layer_Dense:
    """A fully connected layer: ``output = inputs @ weights + biases``.

    Initialised exactly as the notes do, through NumPy's global generator::

        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)  # float64
        self.biases = np.zeros((1, n_neurons))                      # float64

    so the same ``np.random.seed`` gives the same weights as the notes' code.
    ``weights`` and ``biases`` are plain attributes: assign other arrays
    (float32 for a float32 layer, biases of shape (n_neurons,) or
    (1, n_neurons)) as you like.

    ``forward(inputs)`` with inputs of shape (n, n_inputs) sets ``.output`` of
    shape (n, n_neurons) with :func:`nnfast.dense` (one C call). A single sample
    of shape (n_inputs,) gives the shape NumPy's broadcasting gives in the
    notes' code: (1, n_neurons) with (1, n_neurons) biases, (n_neurons,) with
    1-D biases.

    Raises TypeError when n_inputs/n_neurons are not integers, ValueError when
    negative; ``forward`` raises ValueError when the shapes do not align and
    TypeError for non-numeric dtypes.
    """

    def __init__(self, n_inputs, n_neurons):
        n_inputs = _check_size("Layer_Dense", "n_inputs", n_inputs)
        n_neurons = _check_size("Layer_Dense", "n_neurons", n_neurons)
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        """Store ``inputs``; set and return ``self.output = inputs @ weights + biases``."""
        self.inputs = inputs
        output = dense(inputs, self.weights, self.biases)
        if output.ndim == 1 and self.biases.ndim == 2:
            # np.dot(x, W) + biases broadcasts (n_neurons,) with (1, n_neurons).
            output = output[np.newaxis]
        self.output = output
        return output


class Activation_Linear:
    """Linear (identity) activation: ``output`` is a copy of ``inputs``.

    Any shape; float32/float64 keep their dtype, integer/bool inputs give
    float64. TypeError for non-numeric dtypes.
    """

    def forward(self, inputs):
        """Store ``inputs``; set and return ``self.output = inputs`` (a copy)."""
        self.inputs = inputs
        self.output = linear(inputs)
        return self.output


class Activation_ReLU:
    """ReLU activation: ``output = np.maximum(0, inputs)``, element-wise.

    Any shape; float32/float64 keep their dtype, integer/bool inputs give
    float64; NaN propagates. TypeError for non-numeric dtypes.
    """

    def forward(self, inputs):
        """Store ``inputs``; set and return ``self.output = max(0, inputs)``."""
        self.inputs = inputs
        self.output = relu(inputs)
        return self.output


class Activation_Softmax:
    """Softmax activation, row-wise over the last axis, numerically stable.

    For the notes' inputs of shape (n, n_classes) the output has the same
    shape, each row a probability distribution; equal to
    ``exp(x - x.max(axis=1, keepdims=True))`` normalised by its row sum.
    ValueError for 0-d inputs, TypeError for non-numeric dtypes.
    """

    def forward(self, inputs):
        """Store ``inputs``; set and return ``self.output = softmax(inputs)``."""
        self.inputs = inputs
        self.output = softmax(inputs)
        return self.output


class Loss:
    """Common loss class: ``calculate`` averages the per-sample losses.

    Subclasses implement ``forward(output, y)`` returning an array of shape
    (n,) with one loss per sample.
    """

    def calculate(self, output, y):
        """Return the mean over samples of ``self.forward(output, y)``."""
        sample_losses = self.forward(output, y)
        data_loss = np.mean(sample_losses)
        return data_loss


class Loss_CategoricalCrossentropy(Loss):
    """Categorical cross-entropy: ``-log(predicted probability of the true class)``.

    ``y_pred`` has shape (n, n_classes) (float32 or float64, typically the
    softmax output); predictions are clipped to [1e-7, 1 - 1e-7] as the notes
    do. ``y_true`` is either class indices, shape (n,), any integer dtype, or
    one-hot rows, shape (n, n_classes).

    ``forward(y_pred, y_true)`` returns the per-sample losses, shape (n,);
    ``calculate(y_pred, y_true)`` returns their mean as a NumPy scalar of
    the same dtype, bit-identical to ``np.mean`` of ``forward`` (nan for n == 0).

    Raises ValueError when y_pred is not 2-D or the label count / one-hot
    width does not match, IndexError for a label < 0 or >= n_classes,
    TypeError for float 1-D labels or non-numeric dtypes.
    """

    def forward(self, y_pred, y_true):
        """Return the per-sample losses, shape (n,)."""
        return categorical_crossentropy(y_pred, y_true, reduction="none")

    def calculate(self, output, y):
        """Return the mean loss, exactly ``np.mean(self.forward(output, y))``."""
        if type(self).forward is not _cce_forward:
            # A subclass changed forward: keep the book's structure.
            return Loss.calculate(self, output, y)
        # np.mean's own arithmetic (NumPy's pairwise sum, then one division by n)
        # without its Python-level overhead, so the result is bit-identical to
        # the book's np.mean of the per-sample losses. (For n == 0 this is
        # 0/0: nan with a RuntimeWarning, as np.mean gives.)
        sample_losses = categorical_crossentropy(output, y, reduction="none")
        return _add_reduce(sample_losses) / sample_losses.shape[0]


_cce_forward = Loss_CategoricalCrossentropy.forward
_add_reduce = np.add.reduce

# PEP 8 names.
Dense = Layer_Dense
Linear = Activation_Linear
ReLU = Activation_ReLU
Softmax = Activation_Softmax
CategoricalCrossentropy = Loss_CategoricalCrossentropy
