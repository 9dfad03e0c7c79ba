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

Training (the book, chapters 9-22): every class also has the book's
``backward(dvalues)`` setting ``.dinputs`` (and ``.dweights``/``.dbiases`` for
dense layers), computed in C; ``Layer_Dense`` takes the L1/L2 regularizers;
``Layer_Dropout``, ``Layer_Input``, ``Activation_Sigmoid``, the losses
``Loss_BinaryCrossentropy``, ``Loss_MeanSquaredError``,
``Loss_MeanAbsoluteError``, ``Activation_Softmax_Loss_CategoricalCrossentropy``,
the optimizers ``Optimizer_SGD``, ``Optimizer_Adagrad``, ``Optimizer_RMSprop``,
``Optimizer_Adam`` (one fused in-place C pass per parameter array),
``Accuracy_Categorical``, ``Accuracy_Regression`` and ``Model`` follow the
book's names, attributes, defaults and formulas, so a script written against
the book's classes runs by changing only its imports.

Dropout draws its mask exactly as the book does, ``np.random.binomial(1,
1 - rate, size=inputs.shape)`` from NumPy's global generator (so a seeded run
gives the book's numbers); the masking and scaling by ``1 / (1 - rate)`` run in
C. Unlike the book's NumPy code, a float32 network stays float32 throughout.
"""

import copy
import operator
import pickle
import sys
import time

import numpy as np

from ._core import (
    adagrad_update,
    adam_update,
    binary_crossentropy,
    binary_crossentropy_backward,
    categorical_crossentropy,
    categorical_crossentropy_backward,
    dense,
    dense_backward,
    dot,
    dropout,
    dropout_backward,
    linear,
    mean_absolute_error,
    mean_absolute_error_backward,
    mean_squared_error,
    mean_squared_error_backward,
    regularization_loss,
    relu,
    relu_backward,
    rmsprop_update,
    sgd_update,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    softmax_crossentropy,
    softmax_crossentropy_backward,
)

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
    # training (the book, chapters 9-22)
    "Layer_Dropout",
    "Layer_Input",
    "Activation_Sigmoid",
    "Loss_BinaryCrossentropy",
    "Loss_MeanSquaredError",
    "Loss_MeanAbsoluteError",
    "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Optimizer_SGD",
    "Optimizer_Adagrad",
    "Optimizer_RMSprop",
    "Optimizer_Adam",
    "Accuracy",
    "Accuracy_Categorical",
    "Accuracy_Regression",
    "Model",
    "Dropout",
    "Input",
    "Sigmoid",
    "BinaryCrossentropy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "SoftmaxCategoricalCrossentropy",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "CategoricalAccuracy",
    "RegressionAccuracy",
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

    def __init__(self, n_inputs, n_neurons, weight_regularizer_l1=0, weight_regularizer_l2=0,
                 bias_regularizer_l1=0, bias_regularizer_l2=0):
        n_inputs = _check_size("Layer_Dense", "n_inputs", n_inputs)
        n_neurons = _check_size("Layer_Dense", "n_neurons", n_neurons)
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2

    def forward(self, inputs, training=False):
        """Store ``inputs``; set and return ``self.output = inputs @ weights + biases``."""
        self.inputs = inputs
        output = dense(inputs, self.weights, self.biases)
        if output.ndim == 1 and self.biases.ndim == 2:
            # np.dot(x, W) + biases broadcasts (n_neurons,) with (1, n_neurons).
            output = output[np.newaxis]
        self.output = output
        return output

    def backward(self, dvalues):
        """The book's backward pass, in one C call (products without transposed copies)::

            dweights = inputs.T @ dvalues  (+ l1 * sign(weights) + 2 * l2 * weights)
            dbiases  = dvalues.sum(axis=0, keepdims=True)  (+ the biases' terms)
            dinputs  = dvalues @ weights.T

        ``dbiases`` has the biases' shape. Needs the 2-D ``inputs`` of ``forward``.
        """
        self.dweights, self.dbiases, self.dinputs = dense_backward(
            dvalues, self.inputs, self.weights, self.biases,
            self.weight_regularizer_l1, self.weight_regularizer_l2,
            self.bias_regularizer_l1, self.bias_regularizer_l2)
        return self.dinputs

    def get_parameters(self):
        """``(weights, biases)``."""
        return self.weights, self.biases

    def set_parameters(self, weights, biases):
        """Use ``weights`` and ``biases`` (as given)."""
        self.weights = weights
        self.biases = biases


class Activation_Linear:
    """Linear (identity) activation: ``output`` is a copy of ``inputs``.

    Any shape; float32/float64 keep their dtype, integer/bool inputs give
    float64. TypeError for non-numeric dtypes.
    """

    def forward(self, inputs, training=False):
        """Store ``inputs``; set and return ``self.output = inputs`` (a copy)."""
        self.inputs = inputs
        self.output = linear(inputs)
        return self.output

    def backward(self, dvalues):
        """``dinputs`` = a copy of ``dvalues``."""
        self.dinputs = linear(dvalues)
        return self.dinputs

    def predictions(self, outputs):
        """The outputs themselves (regression)."""
        return outputs


class Activation_ReLU:
    """ReLU activation: ``output = np.maximum(0, inputs)``, element-wise.

    Any shape; float32/float64 keep their dtype, integer/bool inputs give
    float64; NaN propagates. TypeError for non-numeric dtypes.
    """

    def forward(self, inputs, training=False):
        """Store ``inputs``; set and return ``self.output = max(0, inputs)``."""
        self.inputs = inputs
        self.output = relu(inputs)
        return self.output

    def backward(self, dvalues):
        """``dinputs`` = ``dvalues`` where ``inputs > 0``, else 0 (the book's mask)."""
        self.dinputs = relu_backward(dvalues, self.inputs)
        return self.dinputs

    def predictions(self, outputs):
        """The outputs themselves."""
        return outputs


class Activation_Softmax:
    """Softmax activation, row-wise over the last axis, numerically stable.

    For the notes' inputs of shape (n, n_classes) the output has the same
    shape, each row a probability distribution; equal to
    ``exp(x - x.max(axis=1, keepdims=True))`` normalised by its row sum.
    ValueError for 0-d inputs, TypeError for non-numeric dtypes.
    """

    def forward(self, inputs, training=False):
        """Store ``inputs``; set and return ``self.output = softmax(inputs)``."""
        self.inputs = inputs
        self.output = softmax(inputs)
        return self.output

    def backward(self, dvalues):
        """The book's per-row Jacobian product ``(diag(s) - s s.T) @ dvalues``, computed as
        ``s * (dvalues - sum(s * dvalues))`` without forming the Jacobian."""
        self.dinputs = softmax_backward(dvalues, self.output)
        return self.dinputs

    def predictions(self, outputs):
        """The class of each row: ``np.argmax(outputs, axis=1)``."""
        return np.argmax(outputs, axis=1)


class Activation_Sigmoid:
    """Sigmoid activation: ``output = 1 / (1 + exp(-inputs))``, element-wise."""

    def forward(self, inputs, training=False):
        """Store ``inputs``; set and return ``self.output = sigmoid(inputs)``."""
        self.inputs = inputs
        self.output = sigmoid(inputs)
        return self.output

    def backward(self, dvalues):
        """``dinputs = dvalues * (1 - output) * output``."""
        self.dinputs = sigmoid_backward(dvalues, self.output)
        return self.dinputs

    def predictions(self, outputs):
        """``(outputs > 0.5) * 1``."""
        return (outputs > 0.5) * 1


class Layer_Dropout:
    """Dropout. ``rate`` is the fraction dropped; as in the book, ``self.rate`` holds the
    fraction kept, ``1 - rate``.

    ``forward(inputs, training)``: in training, the mask is drawn from NumPy's global
    generator exactly as the book draws it, ``np.random.binomial(1, self.rate,
    size=inputs.shape)``; the scaling (``binary_mask = mask / self.rate``) and the masking
    (``output = inputs * binary_mask``) run in one C pass. Outside training the output is a
    copy of the inputs. ``backward``: ``dinputs = dvalues * binary_mask``.
    """

    def __init__(self, rate):
        self._drop = rate
        self.rate = 1 - rate

    def forward(self, inputs, training=False):
        self.inputs = inputs
        if not training:
            self.output = inputs.copy()
            return self.output
        self.output, self.binary_mask = self._train_forward(inputs)
        return self.output

    def _train_forward(self, inputs, out=None):
        """(output, binary_mask) of a training pass: the book's mask draw, then C."""
        mask = np.random.binomial(1, self.rate, size=np.shape(inputs))
        # the C side computes 1 - drop; that is exactly self.rate unless it was changed
        drop = self._drop if 1 - self._drop == self.rate else 1 - self.rate
        return dropout(inputs, mask, drop, out=out)

    def backward(self, dvalues):
        self.dinputs = dropout_backward(dvalues, self.binary_mask)
        return self.dinputs


class Layer_Input:
    """The model's input: ``forward`` passes the inputs on as ``output``."""

    def forward(self, inputs, training=False):
        self.output = inputs
        return inputs


class Loss:
    """Common loss class: ``calculate`` averages the per-sample losses.

    Subclasses implement ``forward(output, y)`` returning an array of shape
    (n,) with one loss per sample, and ``backward(dvalues, y_true)`` setting
    ``dinputs``. As in the book, ``calculate`` also accumulates the losses for
    ``calculate_accumulated`` (reset by ``new_pass``), and adds the
    regularization loss when asked.
    """

    def regularization_loss(self, layer=None):
        """The L1/L2 penalty of ``layer`` (the book's chapter 14 form) or, without one, of
        every layer given to ``remember_trainable_layers`` (chapter 19)::

            l1 * sum(|weights|) + l2 * sum(weights**2) + the same for the biases

        each term only when its factor is > 0."""
        layers = (layer,) if layer is not None else self.trainable_layers
        total = 0
        for layer in layers:
            wl1 = getattr(layer, "weight_regularizer_l1", 0)
            wl2 = getattr(layer, "weight_regularizer_l2", 0)
            bl1 = getattr(layer, "bias_regularizer_l1", 0)
            bl2 = getattr(layer, "bias_regularizer_l2", 0)
            if wl1 > 0 or wl2 > 0:
                total += regularization_loss(layer.weights, wl1, wl2)
            if bl1 > 0 or bl2 > 0:
                total += regularization_loss(layer.biases, bl1, bl2)
        return total

    def remember_trainable_layers(self, trainable_layers):
        self.trainable_layers = trainable_layers

    def _accumulate(self, total, count):
        self.accumulated_sum = getattr(self, "accumulated_sum", 0) + total
        self.accumulated_count = getattr(self, "accumulated_count", 0) + count

    def calculate(self, output, y, *, include_regularization=False):
        """Return the mean over samples of ``self.forward(output, y)`` (and the
        regularization loss, as a pair, if ``include_regularization``)."""
        sample_losses = self.forward(output, y)
        data_loss = np.mean(sample_losses)
        self._accumulate(np.sum(sample_losses), len(sample_losses))
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def calculate_accumulated(self, *, include_regularization=False):
        """The mean loss over every sample since ``new_pass``."""
        data_loss = self.accumulated_sum / self.accumulated_count
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def new_pass(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Loss_CategoricalCrossentropy(Loss):
    """Categorical cross-entropy: ``-log(predicted probability of the true class)``.

    ``y_pred`` has shape (n, n_classes) (float32 or float64, typically the
    softmax output); predictions are clipped to [1e-7, 1 - 1e-7] as the notes
    do. ``y_true`` is either class indices, shape (n,), any integer dtype, or
    one-hot rows, shape (n, n_classes).

    ``forward(y_pred, y_true)`` returns the per-sample losses, shape (n,);
    ``calculate(y_pred, y_true)`` returns their mean as a NumPy scalar of
    the same dtype, bit-identical to ``np.mean`` of ``forward`` (nan for n == 0).
    ``backward(dvalues, y_true)`` sets ``dinputs = -y_true / dvalues / n`` (the
    book's formula, without clipping).

    Raises ValueError when y_pred is not 2-D or the label count / one-hot
    width does not match, IndexError for a label < 0 or >= n_classes,
    TypeError for float 1-D labels or non-numeric dtypes.
    """

    def forward(self, y_pred, y_true):
        """Return the per-sample losses, shape (n,)."""
        return categorical_crossentropy(y_pred, y_true, reduction="none")

    def calculate(self, output, y, *, include_regularization=False):
        """Return the mean loss, exactly ``np.mean(self.forward(output, y))``."""
        if type(self).forward is not _cce_forward:
            # A subclass changed forward: keep the book's structure.
            return Loss.calculate(self, output, y, include_regularization=include_regularization)
        # np.mean's own arithmetic (NumPy's pairwise sum, then one division by n)
        # without its Python-level overhead, so the result is bit-identical to
        # the book's np.mean of the per-sample losses. (For n == 0 this is
        # 0/0: nan with a RuntimeWarning, as np.mean gives.)
        sample_losses = categorical_crossentropy(output, y, reduction="none")
        total = _add_reduce(sample_losses)
        n = sample_losses.shape[0]
        self._accumulate(total, n)
        data_loss = total / n
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def backward(self, dvalues, y_true):
        self.dinputs = categorical_crossentropy_backward(dvalues, y_true)
        return self.dinputs


_cce_forward = Loss_CategoricalCrossentropy.forward
_add_reduce = np.add.reduce


class Loss_BinaryCrossentropy(Loss):
    """Binary cross-entropy over (n, outputs) sigmoid outputs, predictions clipped to
    [1e-7, 1 - 1e-7]: per sample the mean over outputs of
    ``-(y log p + (1 - y) log(1 - p))``. ``y_true`` has the predictions' shape (the book
    reshapes its labels with ``y.reshape(-1, 1)``)."""

    def forward(self, y_pred, y_true):
        return binary_crossentropy(y_pred, y_true, reduction="none")

    def backward(self, dvalues, y_true):
        """``-(y / p - (1 - y) / (1 - p)) / outputs / samples``, p clipped."""
        self.dinputs = binary_crossentropy_backward(dvalues, y_true)
        return self.dinputs


class Loss_MeanSquaredError(Loss):
    """Mean squared error: per sample ``mean((y_true - y_pred)**2)`` over the outputs."""

    def forward(self, y_pred, y_true):
        return mean_squared_error(y_pred, y_true, reduction="none")

    def backward(self, dvalues, y_true):
        """``-2 * (y_true - dvalues) / outputs / samples``."""
        self.dinputs = mean_squared_error_backward(dvalues, y_true)
        return self.dinputs


class Loss_MeanAbsoluteError(Loss):
    """Mean absolute error: per sample ``mean(|y_true - y_pred|)`` over the outputs."""

    def forward(self, y_pred, y_true):
        return mean_absolute_error(y_pred, y_true, reduction="none")

    def backward(self, dvalues, y_true):
        """``sign(dvalues - y_true) / outputs / samples``, the derivative of the loss. (The
        book prints ``np.sign(y_true - dvalues)``, the negative of it.)"""
        self.dinputs = mean_absolute_error_backward(dvalues, y_true)
        return self.dinputs


class Activation_Softmax_Loss_CategoricalCrossentropy:
    """Softmax and categorical cross-entropy together (the book's faster gradient).

    ``forward(inputs, y_true)`` sets ``output`` (the probabilities) and returns the mean
    loss, softmax and loss computed in one C pass; ``backward(dvalues, y_true)`` sets
    ``dinputs = (dvalues - one_hot(y_true)) / samples`` (one-hot labels by their argmax).
    """

    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    def forward(self, inputs, y_true):
        data_loss, probabilities = softmax_crossentropy(inputs, y_true)
        self.activation.inputs = inputs
        self.activation.output = self.output = probabilities
        self.loss._accumulate(data_loss * len(probabilities), len(probabilities))
        return data_loss

    def backward(self, dvalues, y_true):
        self.dinputs = softmax_crossentropy_backward(dvalues, y_true)
        return self.dinputs


# ---------------------------------------------------------------------------- optimizers

class _Optimizer:
    """The book's learning-rate decay and iteration count, shared by the optimizers."""

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * \
                (1. / (1. + self.decay * self.iterations))

    def post_update_params(self):
        self.iterations += 1


class Optimizer_SGD(_Optimizer):
    """Stochastic gradient descent with the book's learning-rate decay and momentum.

    ``update_params(layer)``: with momentum, ``updates = momentum * momentums -
    lr * dweights``, ``momentums = updates``; without, ``updates = -lr * dweights``;
    then ``weights += updates`` (biases likewise). The state lives on the layer
    (``weight_momentums``, ``bias_momentums``), each array updated in one C pass.
    """

    def __init__(self, learning_rate=1., decay=0., momentum=0.):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.momentum = momentum

    def update_params(self, layer):
        if self.momentum:
            if not hasattr(layer, "weight_momentums"):
                layer.weight_momentums = np.zeros_like(layer.weights)
                layer.bias_momentums = np.zeros_like(layer.biases)
            sgd_update(layer.weights, layer.dweights, self.current_learning_rate,
                       self.momentum, layer.weight_momentums)
            sgd_update(layer.biases, layer.dbiases, self.current_learning_rate,
                       self.momentum, layer.bias_momentums)
        else:
            sgd_update(layer.weights, layer.dweights, self.current_learning_rate)
            sgd_update(layer.biases, layer.dbiases, self.current_learning_rate)


class Optimizer_Adagrad(_Optimizer):
    """Adagrad: ``cache += g**2``; ``param += -lr * g / (sqrt(cache) + epsilon)``."""

    def __init__(self, learning_rate=1., decay=0., epsilon=1e-7):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        adagrad_update(layer.weights, layer.dweights, layer.weight_cache,
                       self.current_learning_rate, self.epsilon)
        adagrad_update(layer.biases, layer.dbiases, layer.bias_cache,
                       self.current_learning_rate, self.epsilon)


class Optimizer_RMSprop(_Optimizer):
    """RMSprop: ``cache = rho * cache + (1 - rho) * g**2``;
    ``param += -lr * g / (sqrt(cache) + epsilon)``."""

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, rho=0.9):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.rho = rho

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        rmsprop_update(layer.weights, layer.dweights, layer.weight_cache,
                       self.current_learning_rate, self.epsilon, self.rho)
        rmsprop_update(layer.biases, layer.dbiases, layer.bias_cache,
                       self.current_learning_rate, self.epsilon, self.rho)


class Optimizer_Adam(_Optimizer):
    """Adam: momentums and cache as exponential averages (``beta_1``, ``beta_2``), each
    bias-corrected by ``1 - beta ** (iterations + 1)``;
    ``param += -lr * m_hat / (sqrt(v_hat) + epsilon)``."""

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        lr, it, eps, b1, b2 = (self.current_learning_rate, self.iterations, self.epsilon,
                               self.beta_1, self.beta_2)
        adam_update(layer.weights, layer.dweights, layer.weight_momentums, layer.weight_cache,
                    lr, it, eps, b1, b2)
        adam_update(layer.biases, layer.dbiases, layer.bias_momentums, layer.bias_cache,
                    lr, it, eps, b1, b2)


# ---------------------------------------------------------------------------- accuracy

class Accuracy:
    """Common accuracy class: ``calculate`` is the mean of ``compare``, accumulated for
    ``calculate_accumulated`` until ``new_pass``."""

    def calculate(self, predictions, y):
        comparisons = self.compare(predictions, y)
        accuracy = np.mean(comparisons)
        self._accumulate(np.sum(comparisons), len(comparisons))
        return accuracy

    def _accumulate(self, total, count):
        self.accumulated_sum = getattr(self, "accumulated_sum", 0) + total
        self.accumulated_count = getattr(self, "accumulated_count", 0) + count

    def calculate_accumulated(self):
        return self.accumulated_sum / self.accumulated_count

    def new_pass(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Accuracy_Regression(Accuracy):
    """A prediction is right when within ``precision = np.std(y) / 250`` of the target."""

    def __init__(self):
        self.precision = None

    def init(self, y, reinit=False):
        if self.precision is None or reinit:
            self.precision = np.std(y) / 250

    def compare(self, predictions, y):
        return np.absolute(predictions - y) < self.precision


class Accuracy_Categorical(Accuracy):
    """Predicted classes equal to the labels (one-hot labels by argmax unless ``binary``)."""

    def __init__(self, *, binary=False):
        self.binary = binary

    def init(self, y):
        pass

    def compare(self, predictions, y):
        if not self.binary and np.ndim(y) == 2:  # (np.ndim: y may be a list)
            y = np.argmax(y, axis=1)
        return predictions == y


# ---------------------------------------------------------------------------- model

def _count(where, name, v, minimum):
    """``v`` as an int >= ``minimum``: TypeError/ValueError naming ``where`` and ``name``
    otherwise (not ``range``'s or a ZeroDivisionError)."""
    try:
        i = operator.index(v)
    except TypeError:
        raise TypeError(f"{where}: {name} must be an integer, got {type(v).__name__}") from None
    if i < minimum:
        raise ValueError(f"{where}: {name} must be at least {minimum}, got {i}")
    return i


def _steps(where, n, batch_size):
    """The book's step count: ceil(n / batch_size), 1 without batches."""
    if batch_size is None:
        return 1
    batch_size = _count(where, "batch_size", batch_size, 1)
    steps = n // batch_size
    if steps * batch_size < n:
        steps += 1
    return steps


def _samples(where, name, a):
    """``a`` as something with a sample axis to batch over (an ndarray, or ``np.asarray`` of
    anything else): TypeError/ValueError naming ``where`` and ``name`` when it has none,
    instead of ``len()``'s or slicing's message."""
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    if arr.ndim == 0:
        exc = TypeError if arr.dtype.kind not in "biuf" else ValueError
        raise exc(f"{where}: {name} must be an array of samples, got {type(a).__name__} "
                  f"(a 0-d array of dtype {arr.dtype})")
    return arr


def _batch(a, step, batch_size):
    return a if batch_size is None else a[step * batch_size:(step + 1) * batch_size]


class _Progress:
    """Model.train's output: the book's lines (``epoch: N``, ``step: ...`` every
    ``print_every`` steps and at an epoch's last, ``training, ...``), or, when stdout is a
    terminal, one progress bar redrawn in place (at most ten times a second) followed by the
    last epoch's ``training, ...`` line. Nothing when ``verbose`` is false."""

    def __init__(self, verbose, epochs, steps):
        self.mode = "bar" if verbose and sys.stdout.isatty() else ("lines" if verbose else None)
        self.epochs, self.steps = epochs, steps
        self.current, self.last_draw = 0, 0.0

    def epoch(self, epoch):
        self.current = epoch
        if self.mode == "lines":
            print(f'epoch: {epoch}')

    def step(self, step, accuracy, loss, data_loss, reg_loss, lr, print_every):
        if self.mode == "lines":
            if not step % print_every or step == self.steps - 1:
                print(f'step: {step}, acc: {accuracy:.3f}, loss: {loss:.3f} ('
                      f'data_loss: {data_loss:.3f}, reg_loss: {reg_loss:.3f}), lr: {lr}')
        elif self.mode == "bar":
            now = time.perf_counter()
            last = self.current == self.epochs and step == self.steps - 1
            if now - self.last_draw >= 0.1 or last:
                self.last_draw = now
                done = ((self.current - 1) * self.steps + step + 1) / (self.epochs * self.steps)
                sys.stdout.write(f'\repoch {self.current}/{self.epochs} [{"#" * int(30 * done):<30}]'
                                 f' acc: {accuracy:.3f}, loss: {loss:.3f}, lr: {lr:.6g}  ')
                sys.stdout.flush()

    def summary(self, accuracy, loss, data_loss, reg_loss, lr):
        line = (f'training, acc: {accuracy:.3f}, loss: {loss:.3f} (data_loss: {data_loss:.3f}, '
                f'reg_loss: {reg_loss:.3f}), lr: {lr}')
        if self.mode == "lines":
            print(line)
        elif self.mode == "bar" and self.current == self.epochs:
            print("\n" + line)


class _FusedClassifier:
    """Model.train's fast path for the book's classifiers: Dense (+ReLU) (+Dropout) ...
    Dense + Softmax with categorical cross-entropy, every layer of exactly these classes.

    Each Dense+ReLU pair runs as one C call forward (``dense(..., activation="relu")``) and
    one backward (``dense_backward(..., relu_output=...)``); the last Dense+Softmax forward is
    one call, and softmax + cross-entropy backward one call that also returns the step's loss
    sum and correct count. Outputs and gradients go into buffers kept between steps (one set
    per batch size). The attributes the optimizer reads (``dweights``, ``dbiases``) and the
    layers' ``inputs``/``output``/``binary_mask`` are set as the book sets them.
    """

    def __init__(self, units):
        self.units = units
        self.buffers = {}

    @classmethod
    def build(cls, model):
        layers = model.layers
        if type(getattr(model, "loss", None)) is not Loss_CategoricalCrossentropy or \
                len(layers) < 2 or type(layers[-1]) is not Activation_Softmax or \
                type(layers[-2]) is not Layer_Dense:
            return None
        units, i = [], 0
        while i < len(layers) - 2:
            layer = layers[i]
            if type(layer) is Layer_Dense:
                relu_next = i + 1 < len(layers) - 2 and type(layers[i + 1]) is Activation_ReLU
                units.append(("dense", layer, layers[i + 1] if relu_next else None))
                i += 2 if relu_next else 1
            elif type(layer) is Layer_Dropout:
                units.append(("dropout", layer, None))
                i += 1
            else:
                return None
        units.append(("dense", layers[-2], layers[-1]))
        return cls(units)

    def _call(self, key, fn, *args, **kwargs):
        """fn(*args, out=<the buffer kept under key>, ...); the first call allocates it."""
        buf = self.buffers.get(key)
        res = fn(*args, out=buf, **kwargs) if buf is not None else fn(*args, **kwargs)
        if buf is None:
            self.buffers[key] = res[0] if isinstance(res, tuple) else res
        return res

    def step(self, X, y):
        """Forward and backward over one batch; returns (loss sum, correct count)."""
        m, x, last = len(X), X, len(self.units) - 1
        for i, (kind, layer, act) in enumerate(self.units):
            layer.inputs = x
            if kind == "dense":
                activation = "softmax" if i == last else ("relu" if act is not None else None)
                x = self._call((i, m), dense, x, layer.weights, layer.biases,
                               activation=activation)
                if act is not None:
                    act.output = x
                else:
                    layer.output = x
            else:
                x, layer.binary_mask = self._call((i, m), layer._train_forward, x)
                layer.output = x
        d, loss_sum, correct = self._call(("dlogits", m), softmax_crossentropy_backward, x, y,
                                          with_stats=True)
        for i in range(last, -1, -1):
            kind, layer, act = self.units[i]
            if kind == "dense":
                key = ("grads", i, m)
                bufs = self.buffers.get(key)
                out = dict(zip(("dweights", "dbiases", "dinputs"), bufs)) if bufs else {}
                dw, db, d = dense_backward(
                    d, layer.inputs, layer.weights, layer.biases,
                    layer.weight_regularizer_l1, layer.weight_regularizer_l2,
                    layer.bias_regularizer_l1, layer.bias_regularizer_l2,
                    relu_output=act.output if act is not None and i != last else None,
                    need_dinputs=i > 0, **out)
                if bufs is None:
                    self.buffers[key] = (dw, db, d)
                layer.dweights, layer.dbiases = dw, db
            elif i > 0:
                d = self._call(("d", i, m), dropout_backward, d, layer.binary_mask)
        return loss_sum, correct


class Model:
    """The book's Model (chapters 19-22): ``add`` layers, ``set(loss=, optimizer=,
    accuracy=)``, ``finalize()``, then ``train``, ``evaluate``, ``predict``; parameters
    through ``get_parameters``/``set_parameters``/``save_parameters``/``load_parameters``,
    the whole model through ``save``/``Model.load`` (pickle, as the book does).

    ``train`` goes further than the book: a classifier built of Dense, ReLU, Dropout and a
    final Dense + Softmax with categorical cross-entropy runs through fused C calls with
    buffers kept between steps (the book's numbers, within float rounding); other models
    run the book's path, layer by layer (each layer in C). Output: the book's lines, or a
    progress bar when stdout is a terminal; ``verbose=False`` prints nothing.
    """

    def __init__(self):
        self.layers = []
        self.softmax_classifier_output = None

    def add(self, layer):
        self.layers.append(layer)

    def set(self, *, loss=None, optimizer=None, accuracy=None):
        if loss is not None:
            self.loss = loss
        if optimizer is not None:
            self.optimizer = optimizer
        if accuracy is not None:
            self.accuracy = accuracy

    def finalize(self):
        self.input_layer = Layer_Input()
        loss = getattr(self, "loss", None)
        count = len(self.layers)
        self.trainable_layers = []
        for i, layer in enumerate(self.layers):
            layer.prev = self.input_layer if i == 0 else self.layers[i - 1]
            layer.next = self.layers[i + 1] if i < count - 1 else loss
            if hasattr(layer, "weights"):
                self.trainable_layers.append(layer)
        self.output_layer_activation = self.layers[-1] if self.layers else None
        if loss is not None:
            loss.remember_trainable_layers(self.trainable_layers)
        if self.layers and isinstance(self.layers[-1], Activation_Softmax) and \
                isinstance(loss, Loss_CategoricalCrossentropy):
            self.softmax_classifier_output = Activation_Softmax_Loss_CategoricalCrossentropy()
        self._fused = None

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None,
              verbose=True):
        where = "Model.train"
        X, y = _samples(where, "X", X), _samples(where, "y", y)
        if len(X) == 0 or len(y) != len(X):
            raise ValueError(f"{where}: X has {len(X)} samples and y {len(y)}; training needs "
                             "the same number, at least one")
        epochs = _count(where, "epochs", epochs, 0)
        print_every = _count(where, "print_every", print_every, 1)
        if validation_data is not None and not (
                isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError(f"{where}: validation_data must be a pair (X_val, y_val), got "
                            f"{type(validation_data).__name__}")
        self.accuracy.init(y)
        train_steps = _steps(where, len(X), batch_size)
        fused = self._fused = _FusedClassifier.build(self)
        count_correct = fused is not None and type(self.accuracy) is Accuracy_Categorical \
            and not self.accuracy.binary
        progress = _Progress(verbose, epochs, train_steps)
        optimizer, loss_fn = self.optimizer, self.loss
        for epoch in range(1, epochs + 1):
            progress.epoch(epoch)
            loss_fn.new_pass()
            self.accuracy.new_pass()
            for step in range(train_steps):
                batch_X, batch_y = _batch(X, step, batch_size), _batch(y, step, batch_size)
                if fused is not None:
                    loss_sum, correct = fused.step(batch_X, batch_y)
                    m = len(batch_X)
                    data_loss = loss_sum / m
                    loss_fn._accumulate(loss_sum, m)
                    regularization_loss = loss_fn.regularization_loss()
                    if count_correct:
                        accuracy = correct / m
                        self.accuracy._accumulate(correct, m)
                    else:
                        predictions = self.output_layer_activation.predictions(
                            self.layers[-1].output)
                        accuracy = self.accuracy.calculate(predictions, batch_y)
                else:
                    output = self.forward(batch_X, training=True)
                    data_loss, regularization_loss = loss_fn.calculate(
                        output, batch_y, include_regularization=True)
                    predictions = self.output_layer_activation.predictions(output)
                    accuracy = self.accuracy.calculate(predictions, batch_y)
                    self.backward(output, batch_y)
                optimizer.pre_update_params()
                for layer in self.trainable_layers:
                    optimizer.update_params(layer)
                optimizer.post_update_params()
                if progress.mode:
                    progress.step(step, accuracy, data_loss + regularization_loss, data_loss,
                                  regularization_loss, optimizer.current_learning_rate,
                                  print_every)
            if progress.mode:
                epoch_data_loss, epoch_reg_loss = loss_fn.calculate_accumulated(
                    include_regularization=True)
                progress.summary(self.accuracy.calculate_accumulated(),
                                 epoch_data_loss + epoch_reg_loss, epoch_data_loss,
                                 epoch_reg_loss, optimizer.current_learning_rate)
            if validation_data is not None:
                self.evaluate(*validation_data, batch_size=batch_size, verbose=verbose)

    def evaluate(self, X_val, y_val, *, batch_size=None, verbose=True):
        """The book's validation pass: prints ``validation, acc: ..., loss: ...``; returns
        ``(loss, accuracy)``."""
        self.loss.new_pass()
        self.accuracy.new_pass()
        X_val = _samples("Model.evaluate", "X_val", X_val)
        y_val = _samples("Model.evaluate", "y_val (the loss's y_true)", y_val)
        # at least one (empty) batch: zero samples give NaN, not 0/0 (ZeroDivisionError)
        for step in range(max(1, _steps("Model.evaluate", len(X_val), batch_size))):
            batch_X, batch_y = _batch(X_val, step, batch_size), _batch(y_val, step, batch_size)
            output = self.forward(batch_X, training=False)
            self.loss.calculate(output, batch_y)
            predictions = self.output_layer_activation.predictions(output)
            self.accuracy.calculate(predictions, batch_y)
        validation_loss = self.loss.calculate_accumulated()
        validation_accuracy = self.accuracy.calculate_accumulated()
        if verbose:
            print(f'validation, acc: {validation_accuracy:.3f}, loss: {validation_loss:.3f}')
        return validation_loss, validation_accuracy

    def predict(self, X, *, batch_size=None):
        X = _samples("Model.predict", "X", X)
        steps = max(1, _steps("Model.predict", len(X), batch_size))  # (0, outputs) for none
        output = [self.forward(_batch(X, step, batch_size), training=False)
                  for step in range(steps)]
        return np.vstack(output)

    def forward(self, X, training):
        self.input_layer.forward(X, training)
        for layer in self.layers:
            layer.forward(layer.prev.output, training)
        return layer.output

    def backward(self, output, y):
        if self.softmax_classifier_output is not None:
            self.softmax_classifier_output.backward(output, y)
            self.layers[-1].dinputs = self.softmax_classifier_output.dinputs
            for layer in reversed(self.layers[:-1]):
                layer.backward(layer.next.dinputs)
            return
        self.loss.backward(output, y)
        for layer in reversed(self.layers):
            layer.backward(layer.next.dinputs)

    def get_parameters(self):
        return [layer.get_parameters() for layer in self.trainable_layers]

    def set_parameters(self, parameters):
        for parameter_set, layer in zip(parameters, self.trainable_layers):
            layer.set_parameters(*parameter_set)

    def save_parameters(self, path):
        with open(path, "wb") as f:
            pickle.dump(self.get_parameters(), f)

    def load_parameters(self, path):
        with open(path, "rb") as f:
            self.set_parameters(pickle.load(f))

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_fused", None)  # the training fast path's buffers
        return state

    def save(self, path):
        """Pickle a copy of the model without its data (the book's ``save``)."""
        model = copy.deepcopy(self)
        model.loss.new_pass()
        model.accuracy.new_pass()
        model.input_layer.__dict__.pop("output", None)
        model.loss.__dict__.pop("dinputs", None)
        for layer in model.layers:
            for prop in ["inputs", "output", "dinputs", "dweights", "dbiases", "binary_mask"]:
                layer.__dict__.pop(prop, None)
        with open(path, "wb") as f:
            pickle.dump(model, f)

    @staticmethod
    def load(path):
        with open(path, "rb") as f:
            return pickle.load(f)


# PEP 8 names.
Dense = Layer_Dense
Linear = Activation_Linear
ReLU = Activation_ReLU
Softmax = Activation_Softmax
CategoricalCrossentropy = Loss_CategoricalCrossentropy
Dropout = Layer_Dropout
Input = Layer_Input
Sigmoid = Activation_Sigmoid
BinaryCrossentropy = Loss_BinaryCrossentropy
MeanSquaredError = Loss_MeanSquaredError
MeanAbsoluteError = Loss_MeanAbsoluteError
SoftmaxCategoricalCrossentropy = Activation_Softmax_Loss_CategoricalCrossentropy
SGD = Optimizer_SGD
Adagrad = Optimizer_Adagrad
RMSprop = Optimizer_RMSprop
Adam = Optimizer_Adam
CategoricalAccuracy = Accuracy_Categorical
RegressionAccuracy = Accuracy_Regression
