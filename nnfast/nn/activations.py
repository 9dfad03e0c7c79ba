"""The activations: linear, ReLU, softmax (the notes) and sigmoid (the book), with their
backward passes and the predictions Model reads from them."""

from __future__ import annotations

from typing import Any, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core import linear, relu, relu_backward, sigmoid, sigmoid_backward, softmax, softmax_backward
from .._types import Float, FloatArray
from ._fusion import uses_own

# what the C network's activations stand in for
_NETWORK_METHODS = ("forward", "backward", "predictions")

_Outputs = TypeVar("_Outputs")


class Activation_Linear:
    """Linear (identity) activation: ``output`` is a copy of ``inputs``.

    Any shape; float32/float64 keep their dtype, integer/bool inputs give
    float64. TypeError for non-numeric dtypes.
    """

    inputs: ArrayLike  #: set by ``forward``
    output: FloatArray  #: set by ``forward``: the inputs' shape
    dinputs: FloatArray  #: set by ``backward``: the shape of ``dvalues``

    @overload
    def forward(self, inputs: NDArray[Float], training: bool = False) -> NDArray[Float]: ...
    @overload
    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray: ...

    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray:
        """Store ``inputs``; set and return ``self.output``, a copy of them (float32 stays
        float32, other numeric dtypes give float64). ``training`` has no effect. Raises
        TypeError for non-numeric dtypes."""
        self.inputs = inputs
        self.output = linear(inputs)
        return self.output

    def backward(self, dvalues: ArrayLike) -> FloatArray:
        """Set and return ``dinputs``, a copy of ``dvalues`` (any shape; float32 stays
        float32)."""
        self.dinputs = linear(dvalues)
        return self.dinputs

    def predictions(self, outputs: _Outputs) -> _Outputs:
        """Return the outputs themselves (regression)."""
        return outputs

    @property
    def network_part(self) -> tuple[Any, ...] | None:
        """This activation in the C library's network (see Layer_Dense.network_part):
        ``("linear",)``. None when a subclass replaces ``forward``, ``backward`` or
        ``predictions``."""
        return ("linear",) if uses_own(self, Activation_Linear, *_NETWORK_METHODS) else None


class Activation_ReLU:
    """ReLU activation: ``output = np.maximum(0, inputs)``, element-wise.

    Any shape; float32/float64 keep their dtype, integer/bool inputs give
    float64; NaN propagates. TypeError for non-numeric dtypes; ``backward`` before
    ``forward`` raises RuntimeError.
    """

    inputs: ArrayLike  #: set by ``forward``
    output: FloatArray  #: set by ``forward``: the inputs' shape
    dinputs: FloatArray  #: set by ``backward``: the inputs' shape

    @overload
    def forward(self, inputs: NDArray[Float], training: bool = False) -> NDArray[Float]: ...
    @overload
    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray: ...

    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray:
        """Store ``inputs``; set and return ``self.output = max(0, inputs)``, of the inputs'
        shape (float32 stays float32, other numeric dtypes give float64). ``training`` has no
        effect. Raises TypeError for non-numeric dtypes."""
        self.inputs = inputs
        self.output = relu(inputs)
        return self.output

    def backward(self, dvalues: ArrayLike) -> FloatArray:
        """Set and return ``dinputs``: ``dvalues`` where the stored ``inputs > 0``, else 0 (the
        book's mask); ``dvalues`` has the inputs' shape; float32 when both are.

        Raises RuntimeError before any ``forward``, ValueError when the shapes differ."""
        try:
            inputs = self.inputs
        except AttributeError:
            raise RuntimeError("Activation_ReLU.backward: call forward() first (backward needs "
                               "the inputs forward stores)") from None
        self.dinputs = relu_backward(dvalues, inputs)
        return self.dinputs

    def predictions(self, outputs: _Outputs) -> _Outputs:
        """Return the outputs themselves."""
        return outputs

    @property
    def dense_activation(self) -> str | None:
        """``"relu"``: in Model.train the Dense layer before computes this activation in its own
        C calls, forward and backward. None when a subclass replaces ``forward`` or
        ``backward`` (they are then called)."""
        return "relu" if uses_own(self, Activation_ReLU, "forward", "backward") else None

    @property
    def network_part(self) -> tuple[Any, ...] | None:
        """This activation in the C library's network (see Layer_Dense.network_part):
        ``("relu",)``. None when a subclass replaces ``forward``, ``backward`` or
        ``predictions``."""
        return ("relu",) if uses_own(self, Activation_ReLU, *_NETWORK_METHODS) else None


class Activation_Softmax:
    """Softmax activation, row-wise over the last axis, numerically stable.

    For the notes' inputs of shape (n, n_classes) the output has the same
    shape, each row a probability distribution; equal to
    ``exp(x - x.max(axis=1, keepdims=True))`` normalised by its row sum.
    float32 stays float32, other numeric dtypes give float64.
    ValueError for 0-d inputs, TypeError for non-numeric dtypes; ``backward`` before
    ``forward`` raises RuntimeError.
    """

    inputs: ArrayLike  #: set by ``forward``
    output: FloatArray  #: set by ``forward``: the inputs' shape, rows summing to 1
    dinputs: FloatArray  #: set by ``backward``: the output's shape

    @overload
    def forward(self, inputs: NDArray[Float], training: bool = False) -> NDArray[Float]: ...
    @overload
    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray: ...

    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray:
        """Store ``inputs`` (shape (n, n_classes)); set and return ``self.output =
        softmax(inputs)`` of the same shape. ``training`` has no effect. Raises ValueError for
        0-d inputs, TypeError for non-numeric dtypes."""
        self.inputs = inputs
        self.output = softmax(inputs)
        return self.output

    def backward(self, dvalues: ArrayLike) -> FloatArray:
        """Set and return ``dinputs``: the book's per-row Jacobian product
        ``(diag(s) - s s.T) @ dvalues`` with ``s`` the stored output, computed as
        ``s * (dvalues - sum(s * dvalues))`` without forming the Jacobian; ``dvalues`` has
        the output's shape.

        Raises RuntimeError before any ``forward``, ValueError when the shapes differ."""
        try:
            output = self.output
        except AttributeError:
            raise RuntimeError("Activation_Softmax.backward: call forward() first (backward "
                               "needs the output forward stores)") from None
        self.dinputs = softmax_backward(dvalues, output)
        return self.dinputs

    def predictions(self, outputs: ArrayLike) -> NDArray[np.intp]:
        """Return the class of each row: ``np.argmax(outputs, axis=1)``, shape (n,)."""
        predicted: NDArray[np.intp] = np.argmax(outputs, axis=1)
        return predicted

    @property
    def dense_activation(self) -> str | None:
        """``"softmax"``: in Model.train the Dense layer before computes this activation in its
        own C call when it is the output layer of a softmax + cross-entropy classifier (whose
        backward replaces this one's, as in the book). None when a subclass replaces
        ``forward`` (it is then called)."""
        return "softmax" if uses_own(self, Activation_Softmax, "forward") else None

    @property
    def predicts_argmax(self) -> bool:
        """True: ``predictions`` are each row's argmax, which Model.train may count in the
        softmax + cross-entropy backward. False when a subclass replaces ``predictions``."""
        return uses_own(self, Activation_Softmax, "predictions")

    @property
    def network_part(self) -> tuple[Any, ...] | None:
        """This activation in the C library's network (see Layer_Dense.network_part):
        ``("softmax",)``. None when a subclass replaces ``forward``, ``backward`` or
        ``predictions``."""
        return ("softmax",) if uses_own(self, Activation_Softmax, *_NETWORK_METHODS) else None


class Activation_Sigmoid:
    """Sigmoid activation: ``output = 1 / (1 + exp(-inputs))``, element-wise.

    Any shape; float32 stays float32, other numeric dtypes give float64. TypeError for
    non-numeric dtypes; ``backward`` before ``forward`` raises RuntimeError.
    """

    inputs: ArrayLike  #: set by ``forward``
    output: FloatArray  #: set by ``forward``: the inputs' shape, values in (0, 1)
    dinputs: FloatArray  #: set by ``backward``: the output's shape

    @overload
    def forward(self, inputs: NDArray[Float], training: bool = False) -> NDArray[Float]: ...
    @overload
    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray: ...

    def forward(self, inputs: ArrayLike, training: bool = False) -> FloatArray:
        """Store ``inputs``; set and return ``self.output = sigmoid(inputs)``, of the inputs'
        shape. ``training`` has no effect. Raises TypeError for non-numeric dtypes."""
        self.inputs = inputs
        self.output = sigmoid(inputs)
        return self.output

    def backward(self, dvalues: ArrayLike) -> FloatArray:
        """Set and return ``dinputs = dvalues * (1 - output) * output`` (``dvalues`` of the
        output's shape).

        Raises RuntimeError before any ``forward``, ValueError when the shapes differ."""
        try:
            output = self.output
        except AttributeError:
            raise RuntimeError("Activation_Sigmoid.backward: call forward() first (backward "
                               "needs the output forward stores)") from None
        self.dinputs = sigmoid_backward(dvalues, output)
        return self.dinputs

    def predictions(self, outputs: FloatArray) -> NDArray[np.int_]:
        """Return ``(outputs > 0.5) * 1``: 1 where an output is above 0.5, else 0, the
        outputs' shape."""
        predicted: NDArray[np.int_] = (outputs > 0.5) * 1
        return predicted

    @property
    def network_part(self) -> tuple[Any, ...] | None:
        """This activation in the C library's network (see Layer_Dense.network_part):
        ``("sigmoid",)``. None when a subclass replaces ``forward``, ``backward`` or
        ``predictions``."""
        return ("sigmoid",) if uses_own(self, Activation_Sigmoid, *_NETWORK_METHODS) else None
