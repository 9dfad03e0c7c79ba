"""The losses: the common Loss (mean, accumulation, regularization), categorical
cross-entropy (the notes), binary cross-entropy, mean squared and mean absolute error, and
softmax with categorical cross-entropy as one (the book)."""

import numpy as np

from .._core import (
    binary_crossentropy,
    binary_crossentropy_backward,
    categorical_crossentropy,
    categorical_crossentropy_backward,
    mean_absolute_error,
    mean_absolute_error_backward,
    mean_squared_error,
    mean_squared_error_backward,
    regularization_loss,
    softmax_crossentropy,
    softmax_crossentropy_backward,
)
from ._fusion import uses_own
from .activations import Activation_Softmax


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

    @property
    def takes_loss_sum(self):
        """True: the loss of a batch of softmax outputs is the loss sum that Model.train takes
        from the softmax + cross-entropy backward (the same clipped ``-log`` of the true
        class's probability, summed in C rather than by ``np.mean``'s pairwise sum). False
        when a subclass replaces ``forward`` or ``calculate`` (they are then called)."""
        return uses_own(self, Loss_CategoricalCrossentropy, "forward", "calculate")


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

    def backward(self, dvalues, y_true, *, with_stats=False, buffers=None):
        """Set and return ``dinputs``. With ``with_stats`` return ``(dinputs, loss_sum,
        correct)``: the batch's summed loss and count of rows whose argmax is the label, from
        the same pass. Model.train also passes ``buffers``, a dict it keeps between steps of
        one batch size: the ``dinputs`` array is kept there and written again."""
        if buffers is None and not with_stats:  # the book's call, with no keyword to parse
            self.dinputs = softmax_crossentropy_backward(dvalues, y_true)
            return self.dinputs
        out = buffers.get("dinputs") if buffers is not None else None
        result = softmax_crossentropy_backward(dvalues, y_true, out=out, with_stats=with_stats)
        self.dinputs = result[0] if with_stats else result
        if out is None and buffers is not None:
            buffers["dinputs"] = self.dinputs
        return result
