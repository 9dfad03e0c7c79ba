"""The 0.1 speed goals: the notes' spiral forward pass (300 samples, 2 -> 64 -> 3, ReLU,
softmax, loss) as fused functional calls and as the notes' classes, and a call on tiny
arrays, each nnfast against the same computation in NumPy. Every benchmark first checks the
two contenders agree. Ratios: compare the group's rows (or run `python -m nnfast`)."""
import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
from nnfast.baseline import notes


@pytest.fixture(scope="module")
def spiral():
    np.random.seed(0)
    X, y = nnfast.datasets.spiral_data(100, 3)
    w1, b1 = 0.01 * np.random.randn(2, 64), np.zeros((1, 64))
    w2, b2 = 0.01 * np.random.randn(64, 3), np.zeros((1, 3))
    return X, y, w1, b1, w2, b2


def nnfast_fused(X, y, w1, b1, w2, b2):
    hidden = nnfast.dense(X, w1, b1, activation="relu")
    return nnfast.softmax_crossentropy(nnfast.dense(hidden, w2, b2), y)


@pytest.mark.benchmark(group="spiral forward 2-64-3, fused functional calls")
@pytest.mark.parametrize("side", ["numpy", "nnfast"])
def test_spiral_fused(benchmark, spiral, side):
    fn = notes.forward_pass_functions if side == "numpy" else nnfast_fused
    loss_np, probs_np = notes.forward_pass_functions(*spiral)
    loss, probs = fn(*spiral)
    np.testing.assert_allclose(probs, probs_np, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(loss, loss_np, rtol=1e-12)
    benchmark(fn, *spiral)


def class_pipeline(mod, X, y, w1, b1, w2, b2):
    """The notes' class workflow, built from `mod` (nnfast.nn or nnfast.baseline.notes)."""
    d1, d2 = mod.Layer_Dense(2, 64), mod.Layer_Dense(64, 3)
    d1.weights, d1.biases, d2.weights, d2.biases = w1, b1, w2, b2
    network = (d1, mod.Activation_ReLU(), d2, mod.Activation_Softmax(), mod.Loss_CategoricalCrossentropy())
    return lambda: notes.forward_pass(network, X, y)


@pytest.mark.benchmark(group="spiral forward 2-64-3, the notes' classes")
@pytest.mark.parametrize("side", ["numpy", "nnfast"])
def test_spiral_classes(benchmark, spiral, side):
    mod = notes if side == "numpy" else nn
    forward = class_pipeline(mod, *spiral)
    expected = class_pipeline(notes, *spiral)()
    np.testing.assert_allclose(forward(), expected, rtol=1e-12)
    benchmark(forward)


@pytest.mark.benchmark(group="tiny dot: (3,) . (3, 4)")
@pytest.mark.parametrize("side", ["numpy", "nnfast"])
def test_tiny_dot(benchmark, side):
    a, b = np.array([1.0, 2.0, 3.0]), np.arange(12.0).reshape(3, 4)
    fn = np.dot if side == "numpy" else nnfast.dot
    np.testing.assert_allclose(fn(a, b), np.dot(a, b))
    benchmark(fn, a, b)
