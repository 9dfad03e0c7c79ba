"""Model's handling of its data: batches, and the warning for class-sorted labels."""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

A = TypeVar("A", bound=NDArray[Any])


def batch(a: A, step: int, batch_size: int | None) -> A:
    """The book's batch ``step`` of ``a``: all of it without a ``batch_size``."""
    return a if batch_size is None else a[step * batch_size:(step + 1) * batch_size]


def warn_if_sorted_by_class(where: str, y: NDArray[Any], batch_size: int) -> None:
    """Warn when integer labels ``y`` (shape (n,) or (n, 1)) hold more than one class, sorted,
    and batches are smaller than the data: each batch then holds one class or two, and
    training on them one after the other tends to chance accuracy. One pass over ``y``."""
    labels = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
    if labels.ndim != 1 or labels.dtype.kind not in "biu" or batch_size >= len(labels):
        return
    if labels[0] != labels[-1] and bool(np.all(labels[1:] >= labels[:-1])):
        warnings.warn(
            f"{where}: y is sorted by class and shuffle=False, so each batch of {batch_size} "
            "holds one or two classes and training tends to chance accuracy: pass "
            "shuffle=True (or shuffle X and y together once, as the book does)",
            UserWarning, stacklevel=3)
