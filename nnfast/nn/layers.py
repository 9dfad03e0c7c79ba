"""The layers: the notes' Neuron and Layer_Dense, the book's Layer_Dropout and Layer_Input."""

import numpy as np

from .._core import dense, dense_backward, dot, dropout, dropout_backward
from ._checks import check_size
from ._fusion import uses_own


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
        n_inputs = check_size("Layer_Dense", "n_inputs", n_inputs)
        n_neurons = check_size("Layer_Dense", "n_neurons", n_neurons)
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2

    def forward(self, inputs, training=False, *, activation=None, buffers=None):
        """Store ``inputs``; set and return ``self.output = inputs @ weights + biases``.

        Model.train also passes ``activation``, the next layer's (``"relu"`` or
        ``"softmax"``), to compute it in the same C call (``output`` is then the
        activation's), and ``buffers``, a dict it keeps between steps of one batch size:
        the output array is kept there and written again by the next call.
        """
        self.inputs = inputs
        # The book's call (no buffers) first and with no keyword: in a loop of small layers
        # every test and keyword is a measurable part of the call.
        if buffers is None:
            output = dense(inputs, self.weights, self.biases, activation)
        elif "output" in buffers:
            output = dense(inputs, self.weights, self.biases, activation, out=buffers["output"])
        else:
            output = buffers["output"] = dense(inputs, self.weights, self.biases, activation)
        if output.ndim == 1 and self.biases.ndim == 2:
            # np.dot(x, W) + biases broadcasts (n_neurons,) with (1, n_neurons).
            output = output[np.newaxis]
        self.output = output
        return output

    def backward(self, dvalues, *, relu_output=None, need_dinputs=True, buffers=None):
        """The book's backward pass, in one C call (products without transposed copies)::

            dweights = inputs.T @ dvalues  (+ l1 * sign(weights) + 2 * l2 * weights)
            dbiases  = dvalues.sum(axis=0, keepdims=True)  (+ the biases' terms)
            dinputs  = dvalues @ weights.T

        ``dbiases`` has the biases' shape. Needs the 2-D ``inputs`` of ``forward``.

        Model.train also passes ``relu_output``, the output of a ReLU after this layer (whose
        backward, ``dvalues`` where ``relu_output > 0``, then runs in the same pass),
        ``need_dinputs=False`` for the first layer (``dinputs`` is then None) and
        ``buffers``, as for ``forward``: the three gradient arrays are kept and written again.
        """
        kept = buffers.get("gradients") if buffers is not None else None
        args = (dvalues, self.inputs, self.weights, self.biases,
                self.weight_regularizer_l1, self.weight_regularizer_l2,
                self.bias_regularizer_l1, self.bias_regularizer_l2)
        if relu_output is None and need_dinputs and kept is None:
            # The book's own call: keywords cost the C call's parser time, about 40 ns each.
            self.dweights, self.dbiases, self.dinputs = dense_backward(*args)
        else:
            dweights, dbiases, dinputs = kept or (None, None, None)
            self.dweights, self.dbiases, self.dinputs = dense_backward(
                *args, relu_output=relu_output, need_dinputs=need_dinputs,
                dweights=dweights, dbiases=dbiases, dinputs=dinputs)
        if kept is None and buffers is not None:
            buffers["gradients"] = (self.dweights, self.dbiases, self.dinputs)
        return self.dinputs

    @property
    def uses_buffers(self):
        """Model.train may pass ``buffers=`` and ``need_dinputs=`` (see ``forward`` and
        ``backward``): True unless a subclass replaces ``forward`` or ``backward``."""
        return uses_own(self, Layer_Dense, "forward", "backward")

    @property
    def takes_activation(self):
        """Model.train may pass ``activation=`` and ``relu_output=`` (see ``forward`` and
        ``backward``): True unless a subclass replaces ``forward`` or ``backward``."""
        return uses_own(self, Layer_Dense, "forward", "backward")

    def get_parameters(self):
        """``(weights, biases)``."""
        return self.weights, self.biases

    def set_parameters(self, weights, biases):
        """Use ``weights`` and ``biases`` (as given)."""
        self.weights = weights
        self.biases = biases


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

    def forward(self, inputs, training=False, *, buffers=None):
        """Store ``inputs``; set and return ``self.output``. Model.train also passes
        ``buffers``, a dict it keeps between steps of one batch size: the output array is kept
        there and written again by the next call."""
        self.inputs = inputs
        if not training:
            self.output = inputs.copy()
            return self.output
        mask = np.random.binomial(1, self.rate, size=np.shape(inputs))
        # the C side computes 1 - drop; that is exactly self.rate unless it was changed
        drop = self._drop if 1 - self._drop == self.rate else 1 - self.rate
        out = buffers.get("output") if buffers is not None else None
        self.output, self.binary_mask = dropout(inputs, mask, drop, out=out)
        if out is None and buffers is not None:
            buffers["output"] = self.output
        return self.output

    def backward(self, dvalues, *, need_dinputs=True, buffers=None):
        """Set and return ``dinputs``. Model.train also passes ``need_dinputs=False`` for the
        first layer (nothing is computed: ``dinputs`` is None) and ``buffers``, as for
        ``forward``: the ``dinputs`` array is kept and written again."""
        if not need_dinputs:
            self.dinputs = None
            return None
        out = buffers.get("dinputs") if buffers is not None else None
        self.dinputs = dropout_backward(dvalues, self.binary_mask, out=out)
        if out is None and buffers is not None:
            buffers["dinputs"] = self.dinputs
        return self.dinputs

    @property
    def uses_buffers(self):
        """Model.train may pass ``buffers=`` and ``need_dinputs=`` (see ``forward`` and
        ``backward``): True unless a subclass replaces ``forward`` or ``backward``."""
        return uses_own(self, Layer_Dropout, "forward", "backward")


class Layer_Input:
    """The model's input: ``forward`` passes the inputs on as ``output``."""

    def forward(self, inputs, training=False):
        self.output = inputs
        return inputs
