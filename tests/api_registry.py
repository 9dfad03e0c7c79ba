"""The public API as a table, shared by the hardening tests.

test_properties.py (hypothesis), test_hostile.py, test_leaks.py and test_threads.py loop
over API: one Api entry per public function or class method says how to call it,
how to draw valid arguments for it (any size, dtype, memory layout and special values),
which of its arguments are float arrays, labels or `out`, and how to check a result
against the NumPy references in reference.py. A new public function is covered by all
four test files once it has an entry here.

The rows live by family (registry_notes.py, registry_datasets.py, registry_training.py,
registry_book_classes.py); what they share is the Api record (registry_row.py), the random
sources (registry_sources.py) and the tolerance maths (registry_bounds.py, whose docstring
states every bound).
"""

import numpy as np

from registry_book_classes import TRAIN_CLASS_API
from registry_bounds import check_cce, result_dtype
from registry_datasets import DATASETS_API
from registry_notes import NOTES_API
from registry_row import Api
from registry_sources import PROPERTY, THREADED, TINY, DrawSource, RngSource, in_layout
from registry_training import TRAIN_API

__all__ = ["API", "BY_NAME", "IDS", "Api", "DrawSource", "PROPERTY", "RngSource", "THREADED",
           "TINY", "check_cce", "check_row", "dtype_of", "in_layout", "tiny_args"]

API = NOTES_API + DATASETS_API + TRAIN_API + TRAIN_CLASS_API

BY_NAME = {api.name: api for api in API}
IDS = [api.name for api in API]


def dtype_of(api, args):
    """The dtype api computes in for args: NumPy's float result type of the float-array
    arguments and of one-hot labels (float64 for integers only); for a function that
    updates arrays in place, the dtype of the first of them (the parameter)."""
    if api.inplace and isinstance(args[api.inplace[0]], np.ndarray) and \
            args[api.inplace[0]].dtype.kind == "f":
        return args[api.inplace[0]].dtype.newbyteorder("=")
    arrays = [args[i] for i in api.arrays]
    if api.label is not None and np.ndim(args[api.label]) == 2:
        arrays.append(args[api.label])
    try:
        return result_dtype(*arrays) if arrays else np.dtype(np.float64)
    except TypeError:
        return np.dtype(np.float64)


def check_row(name, res, *args, **kwargs):
    """res, the result of the call of row `name` with args and kwargs, against the row's
    check (in the dtype the row computes in for args)."""
    api = BY_NAME[name]
    with np.errstate(all="ignore"):
        api.check(res, args, kwargs, dtype_of(api, args))


def tiny_args(api, dtype=np.float64, seed=0):
    """Small valid arguments (no special values) for api."""
    return api.draw(RngSource(np.random.default_rng(seed)), np.dtype(dtype), TINY)
