"""The losses: the common Loss (mean, accumulation, regularization), categorical
cross-entropy (the notes), binary cross-entropy, mean squared and mean absolute error, and
softmax with categorical cross-entropy as one (the book)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

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
from .._types import Float, FloatArray
from ._fusion import uses_own
from .activations import Activation_Softmax

# A loss value: a NumPy scalar of the predictions' dtype, or a Python float.
LossValue = float | np.floating[Any]
# Class labels: indices of shape (n,) or one-hot rows of shape (n, n_classes).
Labels = NDArray[np.integer[Any]] | NDArray[np.floating[Any]]


class Loss:
    """Common loss class: ``calculate`` averages the per-sample losses.

    Subclasses implement ``forward(y_pred, y_true)`` returning an array of shape
    (n,) with one loss per sample, and ``backward(dvalues, y_true)`` setting
    ``dinputs``. As in the book, ``calculate`` also accumulates the losses for
    ``calculate_accumulated`` (reset by ``new_pass``), and adds the
    regularization loss when asked.
    """

    trainable_layers: Sequence[Any]  #: set by ``remember_trainable_layers``
    accumulated_sum: LossValue  #: the summed losses since ``new_pass``
    accumulated_count: int  #: the number of samples since ``new_pass``
    dinputs: FloatArray  #: set by ``backward``: the predictions' shape

    if TYPE_CHECKING:  # what a subclass implements (the book's Loss declares neither)
        def forward(self, y_pred: Any, y_true: Any) -> FloatArray: ...
        def backward(self, dvalues: Any, y_true: Any) -> FloatArray: ...

    def regularization_loss(self, layer: Any = None) -> float:
        """The L1/L2 penalty of ``layer`` (the book's chapter 14 form) or, without one, of
        every layer given to ``remember_trainable_layers`` (chapter 19)::

            l1 * sum(|weights|) + l2 * sum(weights**2) + the same for the biases

        each term only when its factor is > 0 (a layer without the factors adds nothing).
        Returns 0 when no layer has any. Raises RuntimeError without ``layer`` before
        ``remember_trainable_layers`` (which Model.finalize calls)."""
        layers: Sequence[Any]
        if layer is not None:
            layers = (layer,)
        else:
            try:
                layers = self.trainable_layers
            except AttributeError:
                raise RuntimeError(
                    f"{type(self).__name__}.regularization_loss: pass a layer, or call "
                    "remember_trainable_layers(layers) first (Model.finalize does)") from None
        total: float = 0
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

    @property
    def network_part(self) -> str | None:
        """This loss in the C library's network, which Model.train runs when every part of the
        model has one (nnfast/nn/_network.py): ``"categorical_crossentropy"``,
        ``"binary_crossentropy"``, ``"mse"`` or ``"mae"`` for the book's four. None for
        another loss, and when a subclass replaces a method the network stands in for
        (``forward``, ``backward``, ``calculate``, ``regularization_loss``, ``new_pass``,
        ``calculate_accumulated``: it computes each epoch's figures itself)."""
        for cls, kind in _NETWORK_LOSSES.items():
            if isinstance(self, cls):
                methods = ("forward", "backward", "calculate", "regularization_loss",
                           "new_pass", "calculate_accumulated")
                return kind if uses_own(self, cls, *methods) else None
        return None

    def remember_trainable_layers(self, trainable_layers: Sequence[Any]) -> None:
        """Keep ``trainable_layers`` (the layers with weights, in order) as the ones whose
        penalty ``regularization_loss()`` sums. Model.finalize calls it."""
        self.trainable_layers = trainable_layers

    def _accumulate(self, total: LossValue, count: int) -> None:
        self.accumulated_sum = getattr(self, "accumulated_sum", 0) + total
        self.accumulated_count = getattr(self, "accumulated_count", 0) + count

    @overload
    def calculate(self, output: Any, y: Any, *,
                  include_regularization: Literal[False] = False) -> LossValue: ...
    @overload
    def calculate(self, output: Any, y: Any, *,
                  include_regularization: Literal[True]) -> tuple[LossValue, float]: ...

    def calculate(self, output: Any, y: Any, *, include_regularization: bool = False
                  ) -> LossValue | tuple[LossValue, float]:
        """Return the mean over samples of ``self.forward(output, y)`` (and the
        regularization loss, as a pair ``(data_loss, regularization_loss)``, if
        ``include_regularization``); the per-sample losses are also accumulated for
        ``calculate_accumulated``. Raises what ``forward`` raises, and RuntimeError as
        ``regularization_loss`` does (nothing is accumulated then)."""
        sample_losses = self.forward(output, y)
        data_loss: LossValue = np.mean(sample_losses)
        if not include_regularization:
            self._accumulate(np.sum(sample_losses), len(sample_losses))
            return data_loss
        regularization = self.regularization_loss()
        self._accumulate(np.sum(sample_losses), len(sample_losses))
        return data_loss, regularization

    @overload
    def calculate_accumulated(self, *, include_regularization: Literal[False] = False
                              ) -> LossValue: ...
    @overload
    def calculate_accumulated(self, *, include_regularization: Literal[True]
                              ) -> tuple[LossValue, float]: ...

    def calculate_accumulated(self, *, include_regularization: bool = False
                              ) -> LossValue | tuple[LossValue, float]:
        """The mean loss over every sample since ``new_pass`` (and the regularization loss,
        as a pair, if ``include_regularization``). Raises RuntimeError when nothing was
        accumulated: call ``calculate`` first."""
        try:
            data_loss = self.accumulated_sum / self.accumulated_count
        except (AttributeError, ZeroDivisionError):
            raise RuntimeError(f"{type(self).__name__}.calculate_accumulated: no losses since "
                               "new_pass(); call calculate() first") from None
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def new_pass(self) -> None:
        """Reset the accumulated sum and count (the start of an epoch or a validation pass)."""
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

    @overload
    def forward(self, y_pred: NDArray[Float], y_true: Labels) -> NDArray[Float]: ...
    @overload
    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray: ...

    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Return the per-sample losses, shape (n,), of ``y_pred``'s dtype (float64 for
        non-float predictions)."""
        return categorical_crossentropy(y_pred, y_true, reduction="none")

    @overload
    def calculate(self, output: NDArray[Float], y: Labels, *,
                  include_regularization: Literal[False] = False) -> Float: ...
    @overload
    def calculate(self, output: NDArray[Float], y: Labels, *,
                  include_regularization: Literal[True]) -> tuple[Float, float]: ...
    @overload
    def calculate(self, output: Any, y: Any, *,
                  include_regularization: Literal[False] = False) -> LossValue: ...
    @overload
    def calculate(self, output: Any, y: Any, *,
                  include_regularization: Literal[True]) -> tuple[LossValue, float]: ...

    def calculate(self, output: Any, y: Any, *, include_regularization: bool = False
                  ) -> LossValue | tuple[LossValue, float]:
        """Return the mean loss, exactly ``np.mean(self.forward(output, y))``, a NumPy scalar
        of the predictions' dtype (and the regularization loss, as a pair, if
        ``include_regularization``); accumulated for ``calculate_accumulated``."""
        if type(self).forward is not _cce_forward:
            # A subclass changed forward: keep the book's structure.
            return Loss.calculate(  # type: ignore[call-overload,no-any-return]
                self, output, y, include_regularization=include_regularization)
        # np.mean's own arithmetic (NumPy's pairwise sum, then one division by n)
        # without its Python-level overhead, so the result is bit-identical to
        # the book's np.mean of the per-sample losses. (For n == 0 this is
        # 0/0: nan with a RuntimeWarning, as np.mean gives.)
        sample_losses = categorical_crossentropy(output, y, reduction="none")
        total: np.floating[Any] = _add_reduce(sample_losses)
        n: int = sample_losses.shape[0]
        if not include_regularization:
            self._accumulate(total, n)
            return total / n
        regularization = self.regularization_loss()
        self._accumulate(total, n)
        return total / n, regularization

    def backward(self, dvalues: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Set and return ``dinputs = -y_true / dvalues / n`` (labels as one-hot rows),
        of ``dvalues``' shape (n, n_classes)."""
        self.dinputs = categorical_crossentropy_backward(dvalues, y_true)
        return self.dinputs

    @property
    def takes_loss_sum(self) -> bool:
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
    reshapes its labels with ``y.reshape(-1, 1)``). Results are float32 when the predictions
    and the targets both are, else float64. Raises ValueError when the shapes differ."""

    @overload
    def forward(self, y_pred: NDArray[Float], y_true: NDArray[Float]) -> NDArray[Float]: ...
    @overload
    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray: ...

    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Return the per-sample losses, shape (n,)."""
        return binary_crossentropy(y_pred, y_true, reduction="none")

    def backward(self, dvalues: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Set and return ``dinputs = -(y / p - (1 - y) / (1 - p)) / outputs / samples``,
        p clipped, of ``dvalues``' shape (n, outputs)."""
        self.dinputs = binary_crossentropy_backward(dvalues, y_true)
        return self.dinputs


class Loss_MeanSquaredError(Loss):
    """Mean squared error: per sample ``mean((y_true - y_pred)**2)`` over the outputs, for
    (n, outputs) predictions and targets of the same shape. Results are float32 when both
    are, else float64. Raises ValueError when the shapes differ."""

    @overload
    def forward(self, y_pred: NDArray[Float], y_true: NDArray[Float]) -> NDArray[Float]: ...
    @overload
    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray: ...

    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Return the per-sample losses, shape (n,)."""
        return mean_squared_error(y_pred, y_true, reduction="none")

    def backward(self, dvalues: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Set and return ``dinputs = -2 * (y_true - dvalues) / outputs / samples``, of
        ``dvalues``' shape (n, outputs)."""
        self.dinputs = mean_squared_error_backward(dvalues, y_true)
        return self.dinputs


class Loss_MeanAbsoluteError(Loss):
    """Mean absolute error: per sample ``mean(|y_true - y_pred|)`` over the outputs, for
    (n, outputs) predictions and targets of the same shape. Results are float32 when both
    are, else float64. Raises ValueError when the shapes differ."""

    @overload
    def forward(self, y_pred: NDArray[Float], y_true: NDArray[Float]) -> NDArray[Float]: ...
    @overload
    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray: ...

    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Return the per-sample losses, shape (n,)."""
        return mean_absolute_error(y_pred, y_true, reduction="none")

    def backward(self, dvalues: ArrayLike, y_true: ArrayLike) -> FloatArray:
        """Set and return ``dinputs = sign(dvalues - y_true) / outputs / samples``, the
        derivative of the loss, of ``dvalues``' shape (n, outputs). (The book prints
        ``np.sign(y_true - dvalues)``, the negative of it.)"""
        self.dinputs = mean_absolute_error_backward(dvalues, y_true)
        return self.dinputs


# The losses the C network computes (Loss.network_part).
_NETWORK_LOSSES: dict[type, str] = {
    Loss_CategoricalCrossentropy: "categorical_crossentropy",
    Loss_BinaryCrossentropy: "binary_crossentropy",
    Loss_MeanSquaredError: "mse",
    Loss_MeanAbsoluteError: "mae",
}


class Activation_Softmax_Loss_CategoricalCrossentropy:
    """Softmax and categorical cross-entropy together (the book's faster gradient).

    ``forward(inputs, y_true)`` sets ``output`` (the probabilities, the inputs' shape
    (n, n_classes) and float dtype) and returns the mean loss, softmax and loss computed in
    one C pass; ``backward(dvalues, y_true)`` sets ``dinputs = (dvalues - one_hot(y_true)) /
    samples`` (one-hot labels by their argmax). ``y_true`` as for
    ``Loss_CategoricalCrossentropy``, whose errors both methods raise.
    """

    activation: Activation_Softmax  #: holds ``inputs`` and ``output`` as the book's does
    loss: Loss_CategoricalCrossentropy  #: accumulates the losses of ``forward``
    output: FloatArray  #: set by ``forward``: the probabilities
    dinputs: FloatArray  #: set by ``backward``: the shape of ``dvalues``

    def __init__(self) -> None:
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    @overload
    def forward(self, inputs: NDArray[Float], y_true: Labels) -> Float: ...
    @overload
    def forward(self, inputs: ArrayLike, y_true: ArrayLike) -> np.floating[Any]: ...

    def forward(self, inputs: ArrayLike, y_true: ArrayLike) -> np.floating[Any]:
        """Set ``output`` to ``softmax(inputs)`` and return the mean categorical
        cross-entropy of it, a NumPy scalar of the inputs' float dtype (also accumulated in
        ``self.loss``)."""
        data_loss, probabilities = softmax_crossentropy(inputs, y_true)
        self.activation.inputs = inputs
        self.activation.output = self.output = probabilities
        self.loss._accumulate(data_loss * len(probabilities), len(probabilities))
        return data_loss

    @overload
    def backward(self, dvalues: ArrayLike, y_true: ArrayLike, *,
                 with_stats: Literal[False] = False,
                 buffers: dict[str, Any] | None = None) -> FloatArray: ...
    @overload
    def backward(self, dvalues: ArrayLike, y_true: ArrayLike, *, with_stats: Literal[True],
                 buffers: dict[str, Any] | None = None) -> tuple[FloatArray, float, int]: ...

    def backward(self, dvalues: ArrayLike, y_true: ArrayLike, *, with_stats: bool = False,
                 buffers: dict[str, Any] | None = None
                 ) -> FloatArray | tuple[FloatArray, float, int]:
        """Set and return ``dinputs``, of the probabilities' shape (n, n_classes); ``dvalues``
        are the probabilities (the softmax output). With ``with_stats`` return ``(dinputs,
        loss_sum, correct)``: the batch's summed loss and count of rows whose argmax is the
        label, from the same pass. Model.train also passes ``buffers``, a dict it keeps
        between steps of one batch size: the ``dinputs`` array is kept there and written
        again."""
        if buffers is None and not with_stats:  # the book's call, with no keyword to parse
            self.dinputs = softmax_crossentropy_backward(dvalues, y_true)
            return self.dinputs
        out = buffers.get("dinputs") if buffers is not None else None
        result = softmax_crossentropy_backward(dvalues, y_true, out=out, with_stats=with_stats)  # type: ignore[call-overload]
        self.dinputs = result[0] if with_stats else result
        if out is None and buffers is not None:
            buffers["dinputs"] = self.dinputs
        return result  # type: ignore[no-any-return]
