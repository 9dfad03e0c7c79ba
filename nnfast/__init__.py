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
``dropout_philox`` (dropout drawing its own mask in C),
``sgd_update``, ``adagrad_update``, ``rmsprop_update``, ``adam_update`` (in place),
``regularization_loss``.

The notes' classes are in :mod:`nnfast.nn`, the book's data sets and
Fashion-MNIST loaders in :mod:`nnfast.datasets`.
"""
import typing as _typing

try:
    from . import _core
except ImportError:
    import importlib.util as _util
    import os as _os

    if _util.find_spec(f"{__name__}._core") is not None:
        raise  # the core is there but does not load: its own message says why
    # A source tree has no compiled core; run from the repository's root after `pip install .`,
    # Python finds this folder before the installed package (NumPy and scikit-learn say so too).
    raise ImportError(
        f"nnfast: the compiled core nnfast._core is not in {_os.path.dirname(__file__)}: Python "
        "imported nnfast from this source folder (the current folder comes first on sys.path), "
        "where the core was never built. Either build it in place with `pip install -e .` "
        "in the repository's root, or run Python from another folder to use the installed nnfast."
    ) from None

if _typing.TYPE_CHECKING:  # the stub nnfast/_core.pyi types the functions re-exported below
    from ._core import *  # noqa: F403

# Every function of the C core is a function of the package, except the instruction-set
# settings, which stay in nnfast._core (show_config reports them): a new kernel appears here
# without an edit.
_ISA_SETTINGS = {"get_isa", "set_isa", "supported_isas"}
_CORE_FUNCTIONS = sorted(name for name, value in vars(_core).items()
                         if callable(value) and not name.startswith("_") and name not in _ISA_SETTINGS)
globals().update({name: getattr(_core, name) for name in _CORE_FUNCTIONS})

from . import datasets, nn  # noqa: E402
from ._config import show_config  # noqa: E402

__version__ = "0.1.0"

__all__ = [*_CORE_FUNCTIONS, "datasets", "nn", "show_config", "__version__"]
