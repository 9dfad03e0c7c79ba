"""The API registry's rows for the book's generated data sets, sine_data and vertical_data,
each checked against the public nnfs package's function (nnfs==0.5.1) for the same seed.
(spiral_data's row is with the notes', registry_notes.py.) The file loaders,
load_mnist_dataset and create_data_mnist, read folders rather than arrays and are tested on
the files test_datasets_mnist.py writes."""

import nnfs.datasets as nnfs_datasets
import numpy as np

import nnfast
from registry_bounds import assert_exact
from registry_row import Api


def _seeded(fn, *args):
    """fn(*args) after np.random.seed(1234), the global generator's state kept."""
    state = np.random.get_state()
    np.random.seed(1234)
    try:
        return fn(*args)
    finally:
        np.random.set_state(state)


def _draw_sine(src, dtype, size):
    return (src.int(0, size.hi),), {}


def _check_sine(res, args, kwargs, dtype):
    X, y = nnfs_datasets.sine_data(*args)
    assert_exact(res[0], X, np.dtype(np.float64))
    assert_exact(res[1], y, np.dtype(np.float64))


def _draw_vertical(src, dtype, size):
    return (src.int(0, size.hi), src.int(0, 12)), {}


def _call_vertical(samples, classes):
    return _seeded(nnfast.datasets.vertical_data, samples, classes)


def _check_vertical(res, args, kwargs, dtype):
    X, y = _seeded(nnfs_datasets.vertical_data, *args)
    assert_exact(res[0], X, np.dtype(np.float64))
    assert res[1].dtype == np.uint8
    np.testing.assert_array_equal(res[1], y)


DATASETS_API = [
    Api("datasets.sine_data", nnfast.datasets.sine_data, _draw_sine, _check_sine,
        names=("sine_data",)),
    Api("datasets.vertical_data", _call_vertical, _draw_vertical, _check_vertical,
        names=("vertical_data",), global_rng=True),
]
