"""The book's sine data (nnfs.datasets.sine_data), for the regression examples."""
import numpy as np


def sine_data(samples=1000):
    """The book's (nnfs.datasets) sine data: X in [0, 1), y = sin(2 pi X), both (samples, 1)."""
    X = np.arange(samples).reshape(-1, 1) / samples
    y = np.sin(2 * np.pi * X).reshape(-1, 1)
    return X, y
