"""The data sets the book generates: the spiral, the sine wave and the vertical clusters.

Each gives the arrays of the public ``nnfs`` package's ``nnfs.datasets`` (0.5.1) function of
the same name: the same values, dtypes and shapes, and the same draws from NumPy's global
generator, so after the same ``np.random.seed(...)`` both return identical arrays and leave
the generator in the same state.
"""

from __future__ import annotations

import operator
from typing import SupportsIndex

import numpy as np
from numpy.typing import NDArray

__all__ = ["spiral_data", "sine_data", "vertical_data"]


def _check_count(where: str, name: str, value: SupportsIndex) -> int:
    """``value`` as a non-negative ``int``, or TypeError/ValueError naming ``where``."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be a non-negative integer, got bool {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{where}: {name} must be a non-negative integer, "
            f"got {type(value).__name__} {value!r}"
        ) from None
    if count < 0:
        raise ValueError(f"{where}: {name} must be a non-negative integer, got {count}")
    return count


def _check_classes(where: str, classes: SupportsIndex) -> int:
    count = _check_count(where, "classes", classes)
    if count > 256:
        raise ValueError(
            f"{where}: classes must be at most 256 (labels are uint8), got {count}"
        )
    return count


def spiral_data(
    samples: SupportsIndex, classes: SupportsIndex
) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    """Make the notes' spiral data set: ``classes`` interleaved 2-D spiral arms.

    Arm ``k`` holds ``samples`` points whose radius grows evenly from 0 to 1
    while the angle runs from ``4k`` to ``4(k + 1)`` (scaled by 2.5), with
    Gaussian noise of standard deviation 0.2 added to the angle.

    The noise is drawn from NumPy's *global* generator (``np.random.randn``),
    one call of ``samples`` values per class, in class order -- the same draws
    as the public ``nnfs`` package's ``nnfs.datasets.spiral_data``, so after
    the same ``np.random.seed(...)`` both return identical arrays (and leave
    the generator in the same state).

    Parameters
    ----------
    samples : int
        Points per class, ``>= 0``.
    classes : int
        Number of classes (spiral arms), ``>= 0``; at most 256, since the
        labels are ``uint8``.

    Returns
    -------
    X : numpy.ndarray, float64, shape (samples * classes, 2)
        Point coordinates; rows ``k*samples ... (k+1)*samples - 1`` belong to
        class ``k``.
    y : numpy.ndarray, uint8, shape (samples * classes,)
        Class index of each row of ``X``.

    Raises
    ------
    TypeError
        If ``samples`` or ``classes`` is not an integer (bools and floats are
        refused, NumPy integer scalars are accepted).
    ValueError
        If either is negative, or ``classes`` exceeds 256.
    """
    samples = _check_count("spiral_data", "samples", samples)
    classes = _check_classes("spiral_data", classes)

    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype="uint8")
    radius = np.linspace(0.0, 1, samples)
    for k in range(classes):
        rows = slice(samples * k, samples * (k + 1))
        angle = np.linspace(k * 4, (k + 1) * 4, samples) + np.random.randn(samples) * 0.2
        angle *= 2.5
        X[rows, 0] = radius * np.sin(angle)
        X[rows, 1] = radius * np.cos(angle)
        y[rows] = k
    return X, y


def sine_data(samples: SupportsIndex = 1000) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Make the book's sine data set (its regression chapter): ``y = sin(2 pi X)``.

    ``X`` holds ``samples`` points evenly spaced over ``[0, 1)``: ``i / samples`` for
    ``i = 0 ... samples - 1``. Nothing is random: the global generator is not used.

    Parameters
    ----------
    samples : int
        Number of points, ``>= 0`` (default 1000, as in ``nnfs``).

    Returns
    -------
    X : numpy.ndarray, float64, shape (samples, 1)
        The inputs, in increasing order.
    y : numpy.ndarray, float64, shape (samples, 1)
        ``np.sin(2 * np.pi * X)``.

    Raises
    ------
    TypeError
        If ``samples`` is not an integer (bools and floats are refused).
    ValueError
        If ``samples`` is negative.
    """
    samples = _check_count("sine_data", "samples", samples)
    X = np.arange(samples).reshape(-1, 1) / samples
    y = np.sin(2 * np.pi * X).reshape(-1, 1)
    return X, y


def vertical_data(
    samples: SupportsIndex, classes: SupportsIndex
) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    """Make the book's vertical data set: ``classes`` side-by-side 2-D Gaussian clusters.

    Class ``k``'s ``samples`` points have ``x ~ N(k / 3, 0.1)`` and ``y ~ N(0.5, 0.1)``,
    drawn from NumPy's *global* generator (``np.random.randn``): per class, ``samples``
    values for ``x`` then ``samples`` for ``y``, in class order -- the draws of
    ``nnfs.datasets.vertical_data``, so the same seed gives the same arrays.

    Parameters
    ----------
    samples : int
        Points per class, ``>= 0``.
    classes : int
        Number of classes, ``>= 0``; at most 256, since the labels are ``uint8``.

    Returns
    -------
    X : numpy.ndarray, float64, shape (samples * classes, 2)
        Point coordinates; rows ``k*samples ... (k+1)*samples - 1`` belong to class ``k``.
    y : numpy.ndarray, uint8, shape (samples * classes,)
        Class index of each row of ``X``.

    Raises
    ------
    TypeError
        If ``samples`` or ``classes`` is not an integer (bools and floats are refused,
        NumPy integer scalars are accepted).
    ValueError
        If either is negative, or ``classes`` exceeds 256.
    """
    samples = _check_count("vertical_data", "samples", samples)
    classes = _check_classes("vertical_data", classes)

    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype="uint8")
    for k in range(classes):
        rows = slice(samples * k, samples * (k + 1))
        X[rows, 0] = np.random.randn(samples) * 0.1 + k / 3
        X[rows, 1] = np.random.randn(samples) * 0.1 + 0.5
        y[rows] = k
    return X, y
