"""nnfast.datasets' generated data sets (spiral_data, sine_data, vertical_data) against the
public nnfs package (nnfs==0.5.1).

Only ``nnfs.datasets`` is imported: ``nnfs.init()`` would patch NumPy globally.
"""

import numpy as np
import pytest

import nnfs.datasets as nnfs_datasets  # test dependency: pip install nnfs==0.5.1 (no skip)

import reference as ref
from nnfast.datasets import sine_data, spiral_data, vertical_data

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


def _same_arrays(ours, theirs):
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        assert isinstance(a, np.ndarray)
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("samples", [1000, 1, 2, 3, 7, 100, 0])
def test_sine_data_equals_nnfs(samples):
    _same_arrays(sine_data(samples), nnfs_datasets.sine_data(samples))


def test_sine_data_default_and_keyword(restore_global_seed):
    np.random.seed(11)
    X, y = sine_data()
    after = np.random.random_sample(3)
    _same_arrays((X, y), nnfs_datasets.sine_data())
    assert X.shape == (1000, 1)
    _same_arrays(sine_data(samples=50), nnfs_datasets.sine_data(samples=50))
    np.random.seed(11)  # nothing random: the generator is left alone
    np.testing.assert_array_equal(after, np.random.random_sample(3))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES, ids=str)
def test_vertical_data_equals_nnfs(restore_global_seed, seed, size):
    samples, classes = size
    np.random.seed(seed)
    ref_arrays = nnfs_datasets.vertical_data(samples, classes)
    after_ref = np.random.random_sample(3)
    np.random.seed(seed)
    ours = vertical_data(samples, classes)
    after = np.random.random_sample(3)
    _same_arrays(ours, ref_arrays)
    assert ours[0].shape == (samples * classes, 2) and ours[1].dtype == np.uint8
    np.testing.assert_array_equal(after, after_ref)


def test_vertical_data_keywords_and_consecutive_calls(restore_global_seed):
    np.random.seed(3)
    refs = [nnfs_datasets.vertical_data(samples=20, classes=3) for _ in range(2)]
    np.random.seed(3)
    ours = [vertical_data(samples=20, classes=3) for _ in range(2)]
    for a, b in zip(ours, refs):
        _same_arrays(a, b)
    assert not np.array_equal(ours[0][0], ours[1][0])


def test_vertical_data_clusters(restore_global_seed):
    np.random.seed(5)
    X, y = vertical_data(2000, 3)
    np.testing.assert_array_equal(y, np.repeat(np.arange(3, dtype=np.uint8), 2000))
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), [k / 3, 0.5], atol=0.01)
        np.testing.assert_allclose(X[y == k].std(axis=0), [0.1, 0.1], rtol=0.1)


BAD_COUNTS = [(None, TypeError), ("3", TypeError), (2.5, TypeError), (True, TypeError),
              (-1, ValueError), (np.float64(3), TypeError)]


@pytest.mark.parametrize("bad,exc", BAD_COUNTS)
def test_sine_and_vertical_data_bad_counts(bad, exc):
    with pytest.raises(exc, match="sine_data: samples must be a non-negative integer"):
        sine_data(bad)
    with pytest.raises(exc, match="vertical_data: samples must be a non-negative integer"):
        vertical_data(bad, 3)
    with pytest.raises(exc, match="vertical_data: classes must be a non-negative integer"):
        vertical_data(3, bad)


def test_vertical_data_too_many_classes_and_numpy_integers(restore_global_seed):
    with pytest.raises(ValueError, match="vertical_data: classes must be at most 256"):
        vertical_data(3, 257)
    np.random.seed(0)
    X, y = vertical_data(np.int64(4), np.int16(256))
    assert X.shape == (1024, 2) and y[-1] == 255
    X, _ = sine_data(np.int32(5))
    assert X.shape == (5, 1)


@pytest.mark.parametrize("call", [lambda: vertical_data(2**62, 4), lambda: sine_data(2**64)])
def test_sizes_past_memory_are_refused_before_allocating(call):
    with pytest.raises(ValueError, match="too big|Maximum allowed"):
        call()
