"""Argument checks of nnfast.nn: sizes and counts as ints, hyperparameters as numbers in range,
float dtypes, arrays of samples, batch counts, raising TypeError/ValueError that name the
caller and the argument."""

from __future__ import annotations

import numbers
import operator
from typing import Any, cast

import numpy as np
from numpy.typing import DTypeLike, NDArray

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_size(cls_name: str, name: str, value: Any) -> int:
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


def check_number(where: str, name: str, value: Any, *, below: float | None = None,
                 at_most: float | None = None) -> Any:
    """Return ``value`` unchanged (the book's arithmetic then sees the number it was given) if it
    is a real number (not a bool) >= 0, and < ``below`` / <= ``at_most`` when given; raise
    TypeError naming ``where`` and ``name`` for anything else that is not a number, ValueError
    for a number out of range (NaN included)."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__} "
                        f"{value!r}")
    number = cast(float, value)  # a Real: compares as a float does (NaN with nothing)
    if below is not None:
        ok, expected = 0 <= number < below, f"in [0, {below})"
    elif at_most is not None:
        ok, expected = 0 <= number <= at_most, f"in [0, {at_most}]"
    else:
        ok, expected = number >= 0, ">= 0"
    if not ok:
        raise ValueError(f"{where}: {name} must be a number {expected}, got {value!r}")
    return value


def check_float_dtype(where: str, dtype: DTypeLike) -> np.dtype[Any]:
    """``dtype`` as ``np.dtype(np.float32)`` or ``np.dtype(np.float64)``: TypeError naming
    ``where`` for anything else (integer, float16, complex, not a dtype)."""
    try:
        resolved = np.dtype(dtype)
    except (TypeError, ValueError):
        resolved = np.dtype(object)
    if resolved not in FLOAT_DTYPES:
        shown = dtype.__name__ if isinstance(dtype, type) else repr(dtype)
        raise TypeError(f"{where}: dtype must be np.float32 or np.float64 (or their names), "
                        f"got {shown}")
    return resolved


def check_count(where: str, name: str, v: Any, minimum: int) -> int:
    """``v`` as an int >= ``minimum``: TypeError/ValueError naming ``where`` and ``name``
    otherwise (not ``range``'s or a ZeroDivisionError)."""
    try:
        i: int = operator.index(v)
    except TypeError:
        raise TypeError(f"{where}: {name} must be an integer, got {type(v).__name__}") from None
    if i < minimum:
        raise ValueError(f"{where}: {name} must be at least {minimum}, got {i}")
    return i


def count_steps(where: str, n: int, batch_size: Any) -> int:
    """The book's step count: ceil(n / batch_size), 1 without batches."""
    if batch_size is None:
        return 1
    size = check_count(where, "batch_size", batch_size, 1)
    steps = n // size
    if steps * size < n:
        steps += 1
    return steps


def as_samples(where: str, name: str, a: Any) -> NDArray[Any]:
    """``a`` as something with a sample axis to batch over (an ndarray, or ``np.asarray`` of
    anything else): TypeError/ValueError naming ``where`` and ``name`` when it has none,
    instead of ``len()``'s or slicing's message."""
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    if arr.ndim == 0:
        exc = TypeError if arr.dtype.kind not in "biuf" else ValueError
        raise exc(f"{where}: {name} must be an array of samples, got {type(a).__name__} "
                  f"(a 0-d array of dtype {arr.dtype})")
    return arr
