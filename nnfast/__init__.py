"""nnfast: the "neural network from scratch" NumPy workflow with a C core.

The functions take NumPy arrays (or anything ``numpy.asarray`` accepts) and return NumPy
arrays computed by compiled kernels, in float32 or float64 as NumPy would choose:

- ``dot(a, b, out=None)``: ``numpy.dot`` for 1-D and 2-D operands.
- ``dense(inputs, weights, biases, activation=None, out=None)``: ``inputs @ weights + biases``
  with the activation (None, "linear", "relu", "softmax") applied in the same call.
- ``relu(x, out=None)``, ``linear(x, out=None)``, ``softmax(x, out=None)``.
- ``categorical_crossentropy(y_pred, y_true, reduction="mean")``,
  ``softmax_crossentropy(logits, y_true)``, ``accuracy(y_pred, y_true)``.

Training (the book's chapters 9-22), each computed in C: ``dense_backward``, ``relu_backward``,
``sigmoid``/``sigmoid_backward``, ``softmax_backward``, ``softmax_crossentropy_backward``,
``categorical_crossentropy_backward``, ``binary_crossentropy``, ``mean_squared_error``,
``mean_absolute_error`` (and their ``*_backward``), ``dropout``/``dropout_backward``,
``sgd_update``, ``adagrad_update``, ``rmsprop_update``, ``adam_update`` (in place),
``regularization_loss``.

The notes' classes are in :mod:`nnfast.nn`, the spiral data set in :mod:`nnfast.datasets`.
"""
from ._core import (
    accuracy,
    categorical_crossentropy,
    dense,
    dot,
    get_num_threads,
    linear,
    relu,
    set_num_threads,
    softmax,
    softmax_crossentropy,
)
from ._core import (  # training: backward passes, losses, dropout, optimizer steps
    adagrad_update,
    adam_update,
    binary_crossentropy,
    binary_crossentropy_backward,
    categorical_crossentropy_backward,
    dense_backward,
    dropout,
    dropout_backward,
    mean_absolute_error,
    mean_absolute_error_backward,
    mean_squared_error,
    mean_squared_error_backward,
    regularization_loss,
    relu_backward,
    rmsprop_update,
    sgd_update,
    sigmoid,
    sigmoid_backward,
    softmax_backward,
    softmax_crossentropy_backward,
)
from . import datasets, nn
from ._config import show_config

__version__ = "0.1.0"

__all__ = [
    "accuracy",
    "categorical_crossentropy",
    "datasets",
    "dense",
    "dot",
    "get_num_threads",
    "linear",
    "nn",
    "relu",
    "set_num_threads",
    "softmax",
    "softmax_crossentropy",
    "adagrad_update",
    "adam_update",
    "binary_crossentropy",
    "binary_crossentropy_backward",
    "categorical_crossentropy_backward",
    "dense_backward",
    "dropout",
    "dropout_backward",
    "mean_absolute_error",
    "mean_absolute_error_backward",
    "mean_squared_error",
    "mean_squared_error_backward",
    "regularization_loss",
    "relu_backward",
    "rmsprop_update",
    "sgd_update",
    "sigmoid",
    "sigmoid_backward",
    "softmax_backward",
    "softmax_crossentropy_backward",
    "show_config",
    "__version__",
]
