"""The C network runs the backward of its first dense layer of few inputs with its ReLU and the
dense layer after it in one sweep (nnf_dense_relu_dense_backward: the second layer's dinputs
never stored) where their work is one task's, as the spiral's 2 -> 64 -> 3 does: the same
parameters, optimizer state, history and printed lines, bit for bit, as the layer-by-layer
path, for float32 and float64, 1 and 2 threads, hidden widths that do and do not fill SIMD
vectors (and one past the sweep's 256, which makes the two calls), batches with an uneven
last one and a last batch of one row, labels as indices and one-hot, with and without
regularization."""
import numpy as np
import pytest

import nnfast.nn as nn

from model_paths import assert_network_trains_as_the_layers_do, model_of
from model_paths import threads  # noqa: F401 (the fixture: 1, then 2 pool threads)

# every test on 1, then 2 pool threads
pytestmark = pytest.mark.usefixtures("threads")


def build(dtype, width, outputs, regularized):
    """2 -> width -> ReLU -> outputs softmax + cross-entropy, Adam; each layer its own
    regularizers."""
    reg1 = dict(weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4,
                weight_regularizer_l1=1e-4, bias_regularizer_l1=2e-4) if regularized else {}
    reg2 = dict(weight_regularizer_l2=2e-3, bias_regularizer_l2=1e-3,
                weight_regularizer_l1=3e-4, bias_regularizer_l1=4e-4) if regularized else {}
    return model_of(lambda: [nn.Layer_Dense(2, width, **reg1), nn.Activation_ReLU(),
                             nn.Layer_Dense(width, outputs, **reg2), nn.Activation_Softmax()],
                    nn.Loss_CategoricalCrossentropy(), nn.Optimizer_Adam(0.05, decay=5e-5),
                    nn.Accuracy_Categorical(), dtype)


def assert_trains_as_the_layers_do(dtype, width, outputs=3, samples=300, batch_size=None,
                                   one_hot=False, regularized=False):
    assert_network_trains_as_the_layers_do(lambda: build(dtype, width, outputs, regularized), 2,
                                           outputs, samples, batch_size, one_hot, epochs=4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("width", [64, 13, 300])
def test_spiral_shapes_train_as_the_layers_do(width, dtype):
    # the full batch of 300, and batches of 128: two of a product's row blocks and one of 44
    assert_trains_as_the_layers_do(dtype, width)
    assert_trains_as_the_layers_do(dtype, width, batch_size=128, regularized=True)


@pytest.mark.parametrize("case", [
    dict(samples=301, batch_size=100),            # a last batch of one row
    dict(samples=1),                              # a one-row data set
    dict(samples=260, batch_size=5, outputs=4),   # batches of a few rows, 4 outputs
    dict(samples=300, outputs=2, one_hot=True),   # one-hot labels, 2 outputs
    dict(samples=300, one_hot=True, regularized=True),
], ids=["last_batch_1_row", "one_row", "batches_of_5", "one_hot_2_outputs", "one_hot_reg"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batches_and_labels_train_as_the_layers_do(case, dtype):
    assert_trains_as_the_layers_do(dtype, 61, **case)
