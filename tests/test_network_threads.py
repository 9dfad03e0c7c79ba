"""The C network's optimizer update split over threads (csrc/net/pass.inc: one job for every
dense layer, rows of the weights and columns of the biases per thread) gives the numbers of
the layer-by-layer path, which updates each array whole on one thread: models large enough
for the split, on 2 and 3 threads."""
import contextlib
import io

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn

from model_paths import layer_by_layer, network


def wide_model(optimizer):
    """64 -> 520 -> ReLU -> 68 -> ReLU -> 3 softmax, float32: 70k parameters, enough for
    Adam's and RMSprop's split; row counts not multiples of 8, so the last part is uneven."""
    np.random.seed(0)
    model = nn.Model(dtype=np.float32)
    for layer in (nn.Layer_Dense(64, 520), nn.Activation_ReLU(), nn.Layer_Dense(520, 68),
                  nn.Activation_ReLU(), nn.Layer_Dense(68, 3), nn.Activation_Softmax()):
        model.add(layer)
    model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=optimizer,
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    return model


def trained(optimizer):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((192, 64)).astype(np.float32)
    y = rng.integers(0, 3, 192)
    model = wide_model(optimizer())
    with contextlib.redirect_stdout(io.StringIO()):
        model.train(X, y, epochs=2, batch_size=64, print_every=10**9)
    return model


@pytest.fixture
def restore_threads():
    saved = nnfast.get_num_threads()
    yield
    nnfast.set_num_threads(saved)


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("optimizer", [lambda: nn.Optimizer_Adam(0.01, decay=1e-3),
                                       lambda: nn.Optimizer_RMSprop(0.005)],
                         ids=["adam", "rmsprop"])
def test_update_on_threads_equals_the_layers(optimizer, threads, restore_threads):
    nnfast.set_num_threads(threads)
    model = trained(optimizer)
    assert network(model) is not None, "the model did not train in the C network"
    with layer_by_layer():
        reference = trained(optimizer)
    assert network(reference) is None
    for got, expected in zip(model.trainable_layers, reference.trainable_layers):
        for name in ("weights", "biases", "weight_cache", "bias_cache"):
            np.testing.assert_array_equal(getattr(got, name), getattr(expected, name),
                                          err_msg=name)
