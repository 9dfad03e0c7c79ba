"""Argument checks of nnfast.nn: sizes and counts as ints, arrays of samples, batch counts,
raising TypeError/ValueError that name the caller and the argument."""

import operator

import numpy as np


def check_size(cls_name, name, value):
    """Return ``value`` as a non-negative ``int`` or raise TypeError/ValueError."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{cls_name}: {name} must be a non-negative integer, got bool {value!r}")
    try:
        size = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{cls_name}: {name} must be a non-negative integer, "
            f"got {type(value).__name__} {value!r}"
        ) from None
    if size < 0:
        raise ValueError(f"{cls_name}: {name} must be a non-negative integer, got {size}")
    return size


def check_count(where, name, v, minimum):
    """``v`` as an int >= ``minimum``: TypeError/ValueError naming ``where`` and ``name``
    otherwise (not ``range``'s or a ZeroDivisionError)."""
    try:
        i = operator.index(v)
    except TypeError:
        raise TypeError(f"{where}: {name} must be an integer, got {type(v).__name__}") from None
    if i < minimum:
        raise ValueError(f"{where}: {name} must be at least {minimum}, got {i}")
    return i


def count_steps(where, n, batch_size):
    """The book's step count: ceil(n / batch_size), 1 without batches."""
    if batch_size is None:
        return 1
    batch_size = check_count(where, "batch_size", batch_size, 1)
    steps = n // batch_size
    if steps * batch_size < n:
        steps += 1
    return steps


def as_samples(where, name, a):
    """``a`` as something with a sample axis to batch over (an ndarray, or ``np.asarray`` of
    anything else): TypeError/ValueError naming ``where`` and ``name`` when it has none,
    instead of ``len()``'s or slicing's message."""
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    if arr.ndim == 0:
        exc = TypeError if arr.dtype.kind not in "biuf" else ValueError
        raise exc(f"{where}: {name} must be an array of samples, got {type(a).__name__} "
                  f"(a 0-d array of dtype {arr.dtype})")
    return arr
