"""The layers: the notes' Neuron and Layer_Dense, the book's Layer_Dropout and Layer_Input."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar, cast, overload

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from .._core import dense, dense_backward, dot, dropout, dropout_backward, dropout_philox
from .._types import Float, FloatArray
from ._checks import check_float_dtype, check_number, check_size
from ._dropout_rng import DropoutRng, check_dropout_rng, draw_seed, get_dropout_rng
from ._fusion import uses_own

# The activation a Dense layer may compute in its own C call (Model.train passes it).
DenseActivation = Literal["linear", "relu", "softmax"] | None
# What Model.train keeps between steps of one batch size for one layer: its result arrays.
Buffers = dict[str, Any]
# The dtype= values that fix a Layer_Dense's dtype statically.
Float32Like = type[np.float32] | np.dtype[np.float32] | Literal["float32", "f4"]
Float64Like = type[np.float64] | type[float] | np.dtype[np.float64] | Literal["float64", "f8"]

_Passed = TypeVar("_Passed")


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

    weights: NDArray[Any]
    bias: Any
    inputs: ArrayLike  #: the last ``forward``'s inputs
    output: Any  #: the last ``forward``'s result (a NumPy scalar or array, as ``np.dot`` gives)

    def __init__(self, weights: ArrayLike, bias: Any) -> None:
        self.weights = np.asarray(weights)
        self.bias = bias

    def forward(self, inputs: ArrayLike) -> Any:
        """Store ``inputs``; set and return ``self.output = inputs . weights + bias``.

        ``inputs`` has shape (n_inputs,) (the result is a NumPy scalar) or (n, n_inputs) (the
        result has shape (n,)); its dtype and the weights' give the result's, as in NumPy.
        Raises ValueError when the shapes do not align, TypeError for non-numeric dtypes.
        """
        self.inputs = inputs
        self.output = dot(inputs, self.weights) + self.bias
        return self.output


class Layer_Dense(Generic[Float]):
    """A fully connected layer: ``output = inputs @ weights + biases``.

    Parameters
    ----------
    n_inputs, n_neurons : int
        The weights' shape (n_inputs, n_neurons); non-negative.
    weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2 :
        float, >= 0
        The book's L1/L2 penalty strengths (chapter 14), read by the loss's
        ``regularization_loss`` and by ``backward``.
    dtype : np.float64 (default) or np.float32, keyword-only
        The dtype of ``weights`` and ``biases`` (a dtype or its name).

    Initialised exactly as the notes do, through NumPy's global generator::

        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    so the same ``np.random.seed`` gives the same weights as the notes' code; with
    ``dtype=np.float32`` they are that same float64 draw cast to float32, and the biases
    float32 zeros. ``weights`` and ``biases`` are plain attributes: assign other arrays
    (biases of shape (n_neurons,) or (1, n_neurons)) as you like.

    ``forward(inputs)`` with inputs of shape (n, n_inputs) sets ``.output`` of shape
    (n, n_neurons) with :func:`nnfast.dense` (one C call); float32 inputs to a float32
    layer give float32, anything else the dtype NumPy's promotion gives. A single sample of
    shape (n_inputs,) gives the shape NumPy's broadcasting gives in the notes' code:
    (1, n_neurons) with (1, n_neurons) biases, (n_neurons,) with 1-D biases.

    The class is generic over its dtype for type checkers: ``Layer_Dense(2, 3)`` is a
    ``Layer_Dense[np.float64]``, ``Layer_Dense(2, 3, dtype=np.float32)`` a
    ``Layer_Dense[np.float32]``.

    Raises TypeError when n_inputs/n_neurons are not integers, a regularizer is not a number
    or dtype is not float32/float64; ValueError when a size or a regularizer is negative.
    ``forward`` raises ValueError when the shapes do not align and TypeError for
    non-numeric dtypes; ``backward`` before ``forward`` raises RuntimeError.
    """

    weights: NDArray[Float]  #: shape (n_inputs, n_neurons)
    biases: NDArray[Float]  #: shape (1, n_neurons)
    weight_regularizer_l1: float
    weight_regularizer_l2: float
    bias_regularizer_l1: float
    bias_regularizer_l2: float
    inputs: ArrayLike  #: set by ``forward``: its inputs, shape (n, n_inputs)
    output: FloatArray  #: set by ``forward``: shape (n, n_neurons)
    dweights: FloatArray  #: set by ``backward``: the weights' shape
    dbiases: FloatArray  #: set by ``backward``: the biases' shape
    dinputs: FloatArray  #: set by ``backward``: shape (n, n_inputs)

    @overload
    def __init__(self: Layer_Dense[np.float64], n_inputs: int, n_neurons: int,
                 weight_regularizer_l1: float = ..., weight_regularizer_l2: float = ...,
                 bias_regularizer_l1: float = ..., bias_regularizer_l2: float = ..., *,
                 dtype: Float64Like = ...) -> None: ...

    @overload
    def __init__(self: Layer_Dense[np.float32], n_inputs: int, n_neurons: int,
                 weight_regularizer_l1: float = ..., weight_regularizer_l2: float = ...,
                 bias_regularizer_l1: float = ..., bias_regularizer_l2: float = ..., *,
                 dtype: Float32Like) -> None: ...

    @overload  # a dtype known only at run time
    def __init__(self: Layer_Dense[Any], n_inputs: int, n_neurons: int,
                 weight_regularizer_l1: float = ..., weight_regularizer_l2: float = ...,
                 bias_regularizer_l1: float = ..., bias_regularizer_l2: float = ..., *,
                 dtype: DTypeLike) -> None: ...

    def __init__(self, n_inputs: int, n_neurons: int, weight_regularizer_l1: float = 0,
                 weight_regularizer_l2: float = 0, bias_regularizer_l1: float = 0,
                 bias_regularizer_l2: float = 0, *, dtype: DTypeLike = np.float64) -> None:
        where = "Layer_Dense"
        # every check before the draw: a rejected call leaves NumPy's global generator as it was
        n_inputs = check_size(where, "n_inputs", n_inputs)
        n_neurons = check_size(where, "n_neurons", n_neurons)
        regularizers = [check_number(where, name, value) for name, value in (
            ("weight_regularizer_l1", weight_regularizer_l1),
            ("weight_regularizer_l2", weight_regularizer_l2),
            ("bias_regularizer_l1", bias_regularizer_l1),
            ("bias_regularizer_l2", bias_regularizer_l2))]
        resolved = check_float_dtype(where, dtype)
        weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.weights = cast("NDArray[Float]", weights if resolved == np.float64
                            else weights.astype(resolved))
        self.biases = cast("NDArray[Float]", np.zeros((1, n_neurons), resolved))
        (self.weight_regularizer_l1, self.weight_regularizer_l2,
         self.bias_regularizer_l1, self.bias_regularizer_l2) = regularizers

    @overload
    def forward(self, inputs: NDArray[Float], training: bool = False, *,
                activation: DenseActivation = None,
                buffers: Buffers | None = None) -> NDArray[Float]: ...

    @overload
    def forward(self, inputs: ArrayLike, training: bool = False, *,
                activation: DenseActivation = None, buffers: Buffers | None = None) -> FloatArray: ...

    def forward(self, inputs: ArrayLike, training: bool = False, *,
                activation: DenseActivation = None, buffers: Buffers | None = None) -> FloatArray:
        """Store ``inputs``; set and return ``self.output = inputs @ weights + biases``.

        ``inputs``: shape (n, n_inputs) (or one sample, (n_inputs,)), float32 or float64 (other
        numeric dtypes are computed in float64); the output has shape (n, n_neurons) and the
        dtype of ``inputs`` and the weights together (float32 only when both are).
        ``training`` is accepted for Model's calls and has no effect.

        Model.train also passes ``activation``, the next layer's (``"relu"`` or
        ``"softmax"``), to compute it in the same C call (``output`` is then the
        activation's), and ``buffers``, a dict it keeps between steps of one batch size:
        the output array is kept there and written again by the next call.

        Raises ValueError when the shapes do not align, TypeError for non-numeric dtypes.
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

    def backward(self, dvalues: ArrayLike, *, relu_output: ArrayLike | None = None,
                 need_dinputs: bool = True, buffers: Buffers | None = None) -> FloatArray:
        """The book's backward pass, in one C call (products without transposed copies)::

            dweights = inputs.T @ dvalues  (+ l1 * sign(weights) + 2 * l2 * weights)
            dbiases  = dvalues.sum(axis=0, keepdims=True)  (+ the biases' terms)
            dinputs  = dvalues @ weights.T

        ``dvalues``: shape (n, n_neurons), the gradient of the output. Sets ``dweights`` (the
        weights' shape), ``dbiases`` (the biases' shape) and ``dinputs`` (shape (n, n_inputs)),
        float32 when the inputs, weights and ``dvalues`` all are, else float64; returns
        ``dinputs``. Needs the 2-D ``inputs`` stored by ``forward``.

        Model.train also passes ``relu_output``, the output of a ReLU after this layer (whose
        backward, ``dvalues`` where ``relu_output > 0``, then runs in the same pass),
        ``need_dinputs=False`` for the first layer (``dinputs`` is then None) and
        ``buffers``, as for ``forward``: the three gradient arrays are kept and written again.

        Raises RuntimeError before any ``forward``, ValueError when the shapes do not align.
        """
        try:
            inputs = self.inputs
        except AttributeError:
            raise RuntimeError("Layer_Dense.backward: call forward() first (backward needs the "
                               "inputs forward stores)") from None
        kept = buffers.get("gradients") if buffers is not None else None
        args = (dvalues, inputs, self.weights, self.biases,
                self.weight_regularizer_l1, self.weight_regularizer_l2,
                self.bias_regularizer_l1, self.bias_regularizer_l2)
        if relu_output is None and need_dinputs and kept is None:
            # The book's own call: keywords cost the C call's parser time, about 40 ns each.
            gradients = dense_backward(*args)
        else:
            dweights, dbiases, dinputs = kept or (None, None, None)
            gradients = dense_backward(
                *args, relu_output=relu_output, need_dinputs=need_dinputs,
                dweights=dweights, dbiases=dbiases, dinputs=dinputs)
        # dbiases is None only without biases, dinputs only with need_dinputs=False (Model's)
        self.dweights, self.dbiases, self.dinputs = gradients  # type: ignore[assignment]
        if kept is None and buffers is not None:
            buffers["gradients"] = gradients
        return self.dinputs

    @property
    def uses_buffers(self) -> bool:
        """Model.train may pass ``buffers=`` and ``need_dinputs=`` (see ``forward`` and
        ``backward``): True unless a subclass replaces ``forward`` or ``backward``."""
        return uses_own(self, Layer_Dense, "forward", "backward")

    @property
    def takes_activation(self) -> bool:
        """Model.train may pass ``activation=`` and ``relu_output=`` (see ``forward`` and
        ``backward``): True unless a subclass replaces ``forward`` or ``backward``."""
        return uses_own(self, Layer_Dense, "forward", "backward")

    @property
    def network_part(self) -> tuple[Any, ...] | None:
        """This layer in the C library's network, which Model.train runs when every part of
        the model has one (nnfast/nn/_network.py): ``("dense", n_neurons, weight_l1,
        weight_l2, bias_l1, bias_l2)``. None when a subclass replaces ``forward`` or
        ``backward`` (the model then trains layer by layer, calling them)."""
        shape = np.shape(self.weights)
        if not uses_own(self, Layer_Dense, "forward", "backward") or len(shape) != 2 or \
                np.shape(self.biases) != (1, shape[1]):
            return None  # (the layer's own forward raises for parameters of other shapes)
        return ("dense", shape[1], float(self.weight_regularizer_l1),
                float(self.weight_regularizer_l2), float(self.bias_regularizer_l1),
                float(self.bias_regularizer_l2))

    def get_parameters(self) -> tuple[NDArray[Float], NDArray[Float]]:
        """Return ``(weights, biases)``: the arrays themselves, not copies."""
        return self.weights, self.biases

    def set_parameters(self, weights: NDArray[Float], biases: NDArray[Float]) -> None:
        """Use ``weights`` (shape (n_inputs, n_neurons)) and ``biases`` (shape (1, n_neurons)):
        stored as given, not copied or checked (``forward`` checks the shapes)."""
        self.weights = weights
        self.biases = biases


class Layer_Dropout:
    """Dropout. ``rate`` is the fraction dropped, a number in [0, 1); as in the book,
    ``self.rate`` holds the fraction kept, ``1 - rate``.

    ``forward(inputs, training)``: in training, the mask is drawn by ``rng``: ``"book"``
    draws it from NumPy's global generator exactly as the book does,
    ``np.random.binomial(1, self.rate, size=inputs.shape)``; ``"fast"`` draws it in C with
    Philox4x32-10 (``nnfast.dropout_philox``), seeded by one 64-bit draw from NumPy's global
    generator at the layer's first fast training forward, then stepped once per training
    forward; ``None`` (the default) follows ``nnfast.nn.set_dropout_rng`` and the
    ``NNFAST_DROPOUT_RNG`` environment variable ("book" unless set). The scaling
    (``binary_mask = mask / self.rate``) and the masking (``output = inputs * binary_mask``)
    run in one C pass. Outside training the output is a copy of the inputs. ``backward``:
    ``dinputs = dvalues * binary_mask``.

    Raises TypeError when ``rate`` is not a number, ValueError outside [0, 1) (1 would
    scale by 1 / 0); TypeError / ValueError when ``rng`` is not None, "book" or "fast".
    """

    rate: float  #: the fraction kept, ``1 - rate``
    rng: DropoutRng | None  #: the mask generator; None: the program-wide one
    inputs: ArrayLike  #: set by ``forward``
    output: FloatArray  #: set by ``forward``: the inputs' shape
    binary_mask: FloatArray  #: set by ``forward`` in training: ``mask / self.rate``
    dinputs: FloatArray  #: set by ``backward``: the inputs' shape

    def __init__(self, rate: float, rng: DropoutRng | None = None) -> None:
        self._drop = check_number("Layer_Dropout", "rate (the fraction of inputs dropped)", rate,
                                  below=1)
        self.rng = None if rng is None else check_dropout_rng("Layer_Dropout", rng)
        self.rate = 1 - rate
        self._seed: int | None = None  # the fast masks' seed, drawn at their first use
        self._step = 0  # the fast masks' step counter: one per training forward

    @overload
    def forward(self, inputs: NDArray[Float], training: bool = False, *,
                buffers: Buffers | None = None) -> NDArray[Float]: ...

    @overload
    def forward(self, inputs: ArrayLike, training: bool = False, *,
                buffers: Buffers | None = None) -> FloatArray: ...

    def forward(self, inputs: ArrayLike, training: bool = False, *,
                buffers: Buffers | None = None) -> FloatArray:
        """Store ``inputs``; set and return ``self.output``, of the inputs' shape and float
        dtype (float32 stays float32). With ``training`` also set ``binary_mask``.

        Model.train also passes ``buffers``, a dict it keeps between steps of one batch size:
        the output array is kept there and written again by the next call. Raises TypeError
        for non-numeric inputs.
        """
        self.inputs = inputs
        if not training:
            self.output = inputs.copy()  # type: ignore[union-attr]  # the book's call
            return self.output
        # the C side computes 1 - drop; that is exactly self.rate unless it was changed
        drop = self._drop if 1 - self._drop == self.rate else 1 - self.rate
        out = buffers.get("output") if buffers is not None else None
        if (self.rng or get_dropout_rng()) == "fast":
            if self._seed is None:
                self._seed = draw_seed()
            self.output, self.binary_mask = dropout_philox(inputs, drop, self._seed,
                                                           self._step, out=out)
            self._step += 1
        else:
            mask = np.random.binomial(1, self.rate, size=np.shape(inputs))
            self.output, self.binary_mask = dropout(inputs, mask, drop, out=out)
        if out is None and buffers is not None:
            buffers["output"] = self.output
        return self.output

    def backward(self, dvalues: ArrayLike, *, need_dinputs: bool = True,
                 buffers: Buffers | None = None) -> FloatArray:
        """Set and return ``dinputs = dvalues * binary_mask`` (``dvalues`` of the inputs'
        shape). Needs the mask of a ``forward`` in training.

        Model.train also passes ``need_dinputs=False`` for the first layer (nothing is
        computed: ``dinputs`` is None) and ``buffers``, as for ``forward``: the ``dinputs``
        array is kept and written again.

        Raises RuntimeError before any ``forward(inputs, training=True)``, ValueError when
        the shapes differ.
        """
        try:
            binary_mask = self.binary_mask
        except AttributeError:
            raise RuntimeError("Layer_Dropout.backward: call forward(inputs, training=True) "
                               "first (backward needs the mask it draws)") from None
        if not need_dinputs:
            self.dinputs = None  # type: ignore[assignment]  # Model's first layer only
            return self.dinputs
        out = buffers.get("dinputs") if buffers is not None else None
        self.dinputs = dropout_backward(dvalues, binary_mask, out=out)
        if out is None and buffers is not None:
            buffers["dinputs"] = self.dinputs
        return self.dinputs

    @property
    def uses_buffers(self) -> bool:
        """Model.train may pass ``buffers=`` and ``need_dinputs=`` (see ``forward`` and
        ``backward``): True unless a subclass replaces ``forward`` or ``backward``."""
        return uses_own(self, Layer_Dropout, "forward", "backward")

    @property
    def network_part(self) -> tuple[Any, ...] | None:
        """This layer in the C library's network (see Layer_Dense.network_part):
        ``("dropout", rate dropped, rng)``, rng the effective "book" or "fast". None when a
        subclass replaces ``forward`` or ``backward``."""
        if not uses_own(self, Layer_Dropout, "forward", "backward"):
            return None
        drop = self._drop if 1 - self._drop == self.rate else 1 - self.rate
        return ("dropout", drop, self.rng or get_dropout_rng())


class Layer_Input:
    """The model's input: ``forward`` passes the inputs on as ``output``."""

    output: Any  #: set by ``forward``: the inputs themselves

    def forward(self, inputs: _Passed, training: bool = False) -> _Passed:
        """Set and return ``self.output = inputs`` (the same object, not a copy);
        ``training`` has no effect."""
        self.output = inputs
        return inputs
