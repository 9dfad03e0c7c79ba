"""Toy data sets used by the notes.

Only :func:`spiral_data` for now: the classic "spiral" classification problem
the notes (and the book "Neural Networks from Scratch in Python") train on.
"""

import operator

import numpy as np

__all__ = ["spiral_data"]


def _check_count(name, value):
    """Return ``value`` as a non-negative ``int`` or raise TypeError/ValueError."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"spiral_data: {name} must be a non-negative integer, got bool {value!r}"
        )
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(
            f"spiral_data: {name} must be a non-negative integer, "
            f"got {type(value).__name__} {value!r}"
        ) from None
    if count < 0:
        raise ValueError(
            f"spiral_data: {name} must be a non-negative integer, got {count}"
        )
    return count


def spiral_data(samples, classes):
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
    samples = _check_count("samples", samples)
    classes = _check_count("classes", classes)
    if classes > 256:
        raise ValueError(
            f"spiral_data: classes must be at most 256 (labels are uint8), got {classes}"
        )

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
