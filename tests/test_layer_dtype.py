"""Layer_Dense(dtype=): float64 by default as the book; float32 is the book's float64 draw from
the same global stream cast to float32, and a float32 layer computes in float32; any other
dtype is refused before anything is drawn."""
import numpy as np
import pytest

import nnfast.nn as nn


def book_draw(seed, n_inputs, n_neurons):
    """The book's initial weights, drawn here without nnfast."""
    np.random.seed(seed)
    return 0.01 * np.random.randn(n_inputs, n_neurons)


@pytest.mark.parametrize("dtype", [np.float32, "float32", np.dtype(np.float32), "f4"])
def test_float32_weights_are_the_book_draw_cast(restore_global_seed, dtype):
    expected = book_draw(5, 3, 4).astype(np.float32)
    after_book = np.random.random()  # where the global stream stands after the book's draw
    np.random.seed(5)
    layer = nn.Layer_Dense(3, 4, dtype=dtype)
    assert layer.weights.dtype == np.float32 and layer.biases.dtype == np.float32
    np.testing.assert_array_equal(layer.weights, expected)
    np.testing.assert_array_equal(layer.biases, np.zeros((1, 4), np.float32))
    assert np.random.random() == after_book  # the same numbers drawn as the book's float64 layer


@pytest.mark.parametrize("dtype", [np.float64, "float64", np.dtype(np.float64), float])
def test_float64_is_the_book_layer(restore_global_seed, dtype):
    expected = book_draw(6, 2, 5)
    np.random.seed(6)
    layer = nn.Layer_Dense(2, 5, dtype=dtype)
    assert layer.weights.dtype == np.float64 and layer.biases.dtype == np.float64
    np.testing.assert_array_equal(layer.weights, expected)


def test_float32_layer_stays_float32(restore_global_seed, rng):
    np.random.seed(0)
    layer32 = nn.Layer_Dense(3, 4, weight_regularizer_l2=1e-3, dtype=np.float32)
    np.random.seed(0)
    layer64 = nn.Layer_Dense(3, 4, weight_regularizer_l2=1e-3)
    layer64.weights = layer32.weights.astype(np.float64)  # the same values in both
    x = rng.standard_normal((6, 3)).astype(np.float32)
    dvalues = rng.standard_normal((6, 4)).astype(np.float32)
    out = layer32.forward(x)
    layer32.backward(dvalues)
    layer64.forward(x.astype(np.float64))
    layer64.backward(dvalues.astype(np.float64))
    assert out.dtype == np.float32
    for name in ("output", "dweights", "dbiases", "dinputs"):
        got, want = getattr(layer32, name), getattr(layer64, name)
        assert got.dtype == np.float32, name
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("dtype", [int, np.int64, np.float16, np.complex128, "float16", bool,
                                   object, "nonsense", np.longdouble])
def test_other_dtypes_are_refused_before_drawing(restore_global_seed, dtype):
    np.random.seed(3)
    with pytest.raises(TypeError, match=r"Layer_Dense: dtype must be np\.float32 or np\.float64"):
        nn.Layer_Dense(2, 3, dtype=dtype)
    got = np.random.random()
    np.random.seed(3)
    assert got == np.random.random()  # nothing was drawn


def test_dtype_is_keyword_only():
    with pytest.raises(TypeError):
        nn.Layer_Dense(2, 3, 0, 0, 0, 0, np.float32)


def test_float32_network_trains_in_float32(restore_global_seed):
    """Layers built as float32 train as float32 (outputs, gradients, optimizer state) to nearly
    the float64 network's weights: the same draw, the same steps, float32 rounding."""
    from nnfast.datasets import spiral_data

    np.random.seed(0)
    X, y = spiral_data(samples=50, classes=3)
    trained = {}
    for dtype in (np.float32, np.float64):
        np.random.seed(1)
        dense1, relu = nn.Layer_Dense(2, 16, dtype=dtype), nn.Activation_ReLU()
        dense2, loss = nn.Layer_Dense(16, 3, dtype=dtype), nn.Activation_Softmax_Loss_CategoricalCrossentropy()
        optimizer = nn.Optimizer_Adam(learning_rate=0.05)
        x = X.astype(dtype)
        for _ in range(20):
            loss.forward(dense2.forward(relu.forward(dense1.forward(x))), y)
            dense1.backward(relu.backward(dense2.backward(loss.backward(loss.output, y))))
            optimizer.pre_update_params()
            for layer in (dense1, dense2):
                optimizer.update_params(layer)
            optimizer.post_update_params()
        arrays = [a for layer in (dense1, dense2) for a in (
            layer.weights, layer.biases, layer.dweights, layer.dinputs, layer.weight_cache,
            layer.bias_momentums)] + [relu.output, loss.output]
        assert {a.dtype for a in arrays} == {np.dtype(dtype)}
        trained[dtype] = dense1.weights, dense2.weights
    for w32, w64 in zip(trained[np.float32], trained[np.float64]):
        np.testing.assert_allclose(w32, w64, rtol=1e-3, atol=1e-4)
