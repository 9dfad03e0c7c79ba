"""The activations: linear, ReLU, softmax (the notes) and sigmoid (the book), with their
backward passes and the predictions Model reads from them."""

import numpy as np

from .._core import linear, relu, relu_backward, sigmoid, sigmoid_backward, softmax, softmax_backward
from ._fusion import uses_own


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

    @property
    def dense_activation(self):
        """``"relu"``: in Model.train the Dense layer before computes this activation in its own
        C calls, forward and backward. None when a subclass replaces ``forward`` or
        ``backward`` (they are then called)."""
        return "relu" if uses_own(self, Activation_ReLU, "forward", "backward") else None


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

    @property
    def dense_activation(self):
        """``"softmax"``: in Model.train the Dense layer before computes this activation in its
        own C call when it is the output layer of a softmax + cross-entropy classifier (whose
        backward replaces this one's, as in the book). None when a subclass replaces
        ``forward`` (it is then called)."""
        return "softmax" if uses_own(self, Activation_Softmax, "forward") else None

    @property
    def predicts_argmax(self):
        """True: ``predictions`` are each row's argmax, which Model.train may count in the
        softmax + cross-entropy backward. False when a subclass replaces ``predictions``."""
        return uses_own(self, Activation_Softmax, "predictions")


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
