"""nnfast.datasets.spiral_data against the public nnfs package (nnfs==0.5.1).

Only ``nnfs.datasets`` is imported: ``nnfs.init()`` would patch NumPy globally.
"""

import numpy as np
import pytest

import nnfs.datasets as nnfs_datasets  # test dependency: pip install nnfs==0.5.1 (no skip)

import reference as ref
from nnfast.datasets import spiral_data

SIZES = [(100, 3), (1, 1), (1, 3), (2, 2), (5, 4), (37, 2), (300, 3), (1000, 5), (0, 3), (4, 0)]
SEEDS = [0, 1, 42, 12345]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES, ids=str)
def test_spiral_data_equals_nnfs(restore_global_seed, seed, size):
    samples, classes = size
    np.random.seed(seed)
    X_ref, y_ref = nnfs_datasets.spiral_data(samples, classes)
    after_ref = np.random.random_sample(3)

    np.random.seed(seed)
    X, y = spiral_data(samples, classes)
    after = np.random.random_sample(3)

    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray)
    assert X.dtype == np.float64 and y.dtype == np.uint8
    assert X.shape == (samples * classes, 2) and y.shape == (samples * classes,)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    # the global generator is left in the same state (the class workflow depends on it)
    np.testing.assert_array_equal(after, after_ref)


def test_spiral_data_keyword_arguments(restore_global_seed):
    np.random.seed(7)
    X_ref, y_ref = nnfs_datasets.spiral_data(samples=50, classes=3)
    np.random.seed(7)
    X, y = spiral_data(samples=50, classes=3)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_spiral_data_consecutive_calls_follow_the_generator(restore_global_seed):
    np.random.seed(3)
    refs = [nnfs_datasets.spiral_data(20, 3) for _ in range(2)]
    np.random.seed(3)
    ours = [spiral_data(20, 3) for _ in range(2)]
    for (X, y), (X_ref, y_ref) in zip(ours, refs):
        np.testing.assert_array_equal(X, X_ref)
        np.testing.assert_array_equal(y, y_ref)
    assert not np.array_equal(ours[0][0], ours[1][0])


def test_local_reference_copy_matches_nnfs(restore_global_seed):
    # guards tests/reference.py's copy of the algorithm (used by test_nn.py)
    np.random.seed(0)
    X_ref, y_ref = nnfs_datasets.spiral_data(100, 3)
    np.random.seed(0)
    X, y = ref.spiral_data(100, 3)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_spiral_data_labels_and_radius(restore_global_seed):
    np.random.seed(5)
    X, y = spiral_data(10, 3)
    np.testing.assert_array_equal(y, np.repeat(np.arange(3, dtype=np.uint8), 10))
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r, np.tile(np.linspace(0.0, 1.0, 10), 3), rtol=1e-12, atol=1e-15)
