"""Type stubs for nnfast._core, the C extension (the functions nnfast re-exports).

Overloads give the precise result dtype where the argument types fix it: float32 arrays in,
float32 out; float64 arrays in, float64 out. Anything else numpy.asarray accepts (lists,
integer arrays, mixed float32/float64) is computed in float32 or float64 as NumPy would
choose, typed ``NDArray[np.floating[Any]]``.
"""

from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

_Float = TypeVar("_Float", np.float32, np.float64)
_Activation = Literal["linear", "relu", "softmax"] | None
_Labels = NDArray[np.integer[Any]]
_AnyFloatArray = NDArray[np.floating[Any]]

# numpy.dot's result: a scalar for two vectors, an array otherwise, integers for integer
# operands -- the same reason numpy's own stub types numpy.dot as returning Any.
def dot(a: ArrayLike, b: ArrayLike, out: NDArray[Any] | None = None) -> Any: ...
@overload
def dense(
    inputs: NDArray[_Float],
    weights: NDArray[_Float],
    biases: NDArray[_Float],
    activation: _Activation = None,
    out: NDArray[_Float] | None = None,
) -> NDArray[_Float]: ...
@overload
def dense(
    inputs: ArrayLike,
    weights: ArrayLike,
    biases: ArrayLike,
    activation: _Activation = None,
    out: _AnyFloatArray | None = None,
) -> _AnyFloatArray: ...
@overload
def relu(x: NDArray[_Float], out: NDArray[_Float] | None = None) -> NDArray[_Float]: ...
@overload
def relu(x: ArrayLike, out: _AnyFloatArray | None = None) -> _AnyFloatArray: ...
@overload
def linear(x: NDArray[_Float], out: NDArray[_Float] | None = None) -> NDArray[_Float]: ...
@overload
def linear(x: ArrayLike, out: _AnyFloatArray | None = None) -> _AnyFloatArray: ...
@overload
def softmax(x: NDArray[_Float], out: NDArray[_Float] | None = None) -> NDArray[_Float]: ...
@overload
def softmax(x: ArrayLike, out: _AnyFloatArray | None = None) -> _AnyFloatArray: ...
@overload
def categorical_crossentropy(
    y_pred: NDArray[_Float],
    y_true: _Labels | NDArray[_Float],
    reduction: Literal["mean", "sum"] = "mean",
) -> _Float: ...
@overload
def categorical_crossentropy(
    y_pred: NDArray[_Float], y_true: _Labels | NDArray[_Float], reduction: Literal["none"]
) -> NDArray[_Float]: ...
@overload
def categorical_crossentropy(
    y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["mean", "sum"] = "mean"
) -> np.floating[Any]: ...
@overload
def categorical_crossentropy(
    y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["none"]
) -> _AnyFloatArray: ...
@overload
def softmax_crossentropy(
    logits: NDArray[_Float], y_true: _Labels | NDArray[_Float]
) -> tuple[_Float, NDArray[_Float]]: ...
@overload
def softmax_crossentropy(
    logits: ArrayLike, y_true: ArrayLike
) -> tuple[np.floating[Any], _AnyFloatArray]: ...
def accuracy(y_pred: ArrayLike, y_true: ArrayLike) -> float: ...
COMPILE_ARGS: str  # the compiler flags this build of the extension was made with

def get_isa() -> Literal["generic", "avx2", "avx512"]: ...
def set_isa(name: Literal["generic", "avx2", "avx512"] | None) -> str: ...
def supported_isas() -> list[str]: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...

# --- training: backward passes, more losses, dropout, optimizer steps (in place) ------------
# Results are float32 for float32 inputs and float64 otherwise, typed NDArray[np.floating].
def dense_backward(
    dvalues: ArrayLike,
    inputs: ArrayLike,
    weights: ArrayLike,
    biases: ArrayLike | None = None,
    weight_regularizer_l1: float = 0,
    weight_regularizer_l2: float = 0,
    bias_regularizer_l1: float = 0,
    bias_regularizer_l2: float = 0,
    relu_output: ArrayLike | None = None,
    need_dinputs: bool = True,
    dweights: _AnyFloatArray | None = None,
    dbiases: _AnyFloatArray | None = None,
    dinputs: _AnyFloatArray | None = None,
) -> tuple[_AnyFloatArray, _AnyFloatArray | None, _AnyFloatArray | None]: ...
def relu_backward(dvalues: ArrayLike, inputs: ArrayLike, out: _AnyFloatArray | None = None) -> _AnyFloatArray: ...
def sigmoid(x: ArrayLike, out: _AnyFloatArray | None = None) -> _AnyFloatArray: ...
def sigmoid_backward(dvalues: ArrayLike, output: ArrayLike, out: _AnyFloatArray | None = None) -> _AnyFloatArray: ...
def softmax_backward(dvalues: ArrayLike, output: ArrayLike, out: _AnyFloatArray | None = None) -> _AnyFloatArray: ...
@overload
def softmax_crossentropy_backward(
    probabilities: ArrayLike, y_true: ArrayLike, out: _AnyFloatArray | None = None, with_stats: Literal[False] = False
) -> _AnyFloatArray: ...
@overload
def softmax_crossentropy_backward(
    probabilities: ArrayLike, y_true: ArrayLike, out: _AnyFloatArray | None = None, *, with_stats: Literal[True]
) -> tuple[_AnyFloatArray, float, int]: ...
def categorical_crossentropy_backward(
    dvalues: ArrayLike, y_true: ArrayLike, out: _AnyFloatArray | None = None
) -> _AnyFloatArray: ...
@overload
def binary_crossentropy(
    y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["mean", "sum"] = "mean"
) -> np.floating[Any]: ...
@overload
def binary_crossentropy(y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["none"]) -> _AnyFloatArray: ...
def binary_crossentropy_backward(
    dvalues: ArrayLike, y_true: ArrayLike, out: _AnyFloatArray | None = None
) -> _AnyFloatArray: ...
@overload
def mean_squared_error(
    y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["mean", "sum"] = "mean"
) -> np.floating[Any]: ...
@overload
def mean_squared_error(y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["none"]) -> _AnyFloatArray: ...
def mean_squared_error_backward(
    dvalues: ArrayLike, y_true: ArrayLike, out: _AnyFloatArray | None = None
) -> _AnyFloatArray: ...
@overload
def mean_absolute_error(
    y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["mean", "sum"] = "mean"
) -> np.floating[Any]: ...
@overload
def mean_absolute_error(y_pred: ArrayLike, y_true: ArrayLike, reduction: Literal["none"]) -> _AnyFloatArray: ...
def mean_absolute_error_backward(
    dvalues: ArrayLike, y_true: ArrayLike, out: _AnyFloatArray | None = None
) -> _AnyFloatArray: ...
def dropout(
    inputs: ArrayLike, mask: ArrayLike, rate: float, out: _AnyFloatArray | None = None
) -> tuple[_AnyFloatArray, _AnyFloatArray]: ...
def dropout_philox(
    inputs: ArrayLike, rate: float, seed: int, step: int, out: _AnyFloatArray | None = None
) -> tuple[_AnyFloatArray, _AnyFloatArray]: ...
def dropout_backward(
    dvalues: ArrayLike, binary_mask: ArrayLike, out: _AnyFloatArray | None = None
) -> _AnyFloatArray: ...
def sgd_update(
    param: _AnyFloatArray,
    grad: ArrayLike,
    learning_rate: float,
    momentum: float = 0,
    momentums: _AnyFloatArray | None = None,
) -> None: ...
def adagrad_update(
    param: _AnyFloatArray, grad: ArrayLike, cache: _AnyFloatArray, learning_rate: float, epsilon: float = 1e-07
) -> None: ...
def rmsprop_update(
    param: _AnyFloatArray,
    grad: ArrayLike,
    cache: _AnyFloatArray,
    learning_rate: float,
    epsilon: float = 1e-07,
    rho: float = 0.9,
) -> None: ...
def adam_update(
    param: _AnyFloatArray,
    grad: ArrayLike,
    momentums: _AnyFloatArray,
    cache: _AnyFloatArray,
    learning_rate: float,
    iteration: int,
    epsilon: float = 1e-07,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
) -> None: ...
def regularization_loss(x: ArrayLike, l1: float = 0, l2: float = 0) -> float: ...

_Param = Literal[
    "weights", "biases", "dweights", "dbiases", "weight_momentums", "weight_cache",
    "bias_momentums", "bias_cache",
]

class Network:
    """The C library's network (nnf_net): the book's Model with every buffer in C."""

    def __init__(self, dtype: DTypeLike, n_inputs: int) -> None: ...
    @property
    def dtype(self) -> np.dtype[np.floating[Any]]: ...
    @property
    def n_inputs(self) -> int: ...
    @property
    def n_outputs(self) -> int: ...
    @property
    def n_layers(self) -> int: ...
    def add_dense(
        self,
        n_outputs: int,
        weight_l1: float = 0.0,
        weight_l2: float = 0.0,
        bias_l1: float = 0.0,
        bias_l2: float = 0.0,
    ) -> int: ...
    def add_activation(self, kind: Literal["relu", "softmax", "sigmoid", "linear"]) -> int: ...
    def add_dropout(self, rate: float) -> int: ...
    def set_loss(
        self, kind: Literal["categorical_crossentropy", "binary_crossentropy", "mse", "mae"]
    ) -> None: ...
    def set_accuracy(
        self, kind: Literal["categorical", "binary", "regression"], precision: float = 0.0
    ) -> None: ...
    def set_optimizer(
        self,
        kind: Literal["sgd", "adagrad", "rmsprop", "adam"],
        *,
        learning_rate: float | None = None,
        decay: float | None = None,
        momentum: float | None = None,
        epsilon: float | None = None,
        rho: float | None = None,
        beta_1: float | None = None,
        beta_2: float | None = None,
    ) -> None: ...
    def param(self, layer: int, which: _Param) -> _AnyFloatArray | None: ...
    def get_iterations(self) -> tuple[int, float]: ...
    def set_iterations(self, iterations: int, learning_rate: float) -> None: ...
    def train(
        self,
        X: _AnyFloatArray,
        y: NDArray[Any],
        *,
        epochs: int,
        batch_size: int = 0,
        order: Callable[[int], ArrayLike] | None = None,
        dropout_mask: Callable[[int, int, int, float], ArrayLike] | None = None,
        on_step: Callable[[int, int, float, float, float, float], object] | None = None,
        report_every: int = 1,
        reports: NDArray[np.float64] | None = None,
        step_reports: NDArray[np.float64] | None = None,
    ) -> int: ...
    def set_dropout_stream(self, layer: int, seed: int, step: int) -> None: ...
    def get_dropout_stream(self, layer: int) -> tuple[int, int]: ...
    def forward(
        self, X: _AnyFloatArray, *, out: _AnyFloatArray | None = None, batch_size: int = 0
    ) -> _AnyFloatArray: ...
