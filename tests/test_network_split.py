"""The C network splits over threads, by rows, a dense layer's products that nnf_dense runs on one
thread (below its threshold) but that are large enough to gain (csrc/net/split.inc): a layer's
forward, and the backward of a layer without a ReLU (dweights by their rows, dbiases on one
task, dinputs by rows with the ReLU's backward of the layer before), as the MLP's 128 -> 10
output layer; and the backward of a first layer computing a ReLU, by columns. The same
parameters, optimizer state, history, printed lines and predictions, bit
for bit, as the layer-by-layer path, for float32 and float64, 1 and 2 threads, output widths
1, 3, 10 and 17, batches split unevenly (200 rows: 96 and 104) with a last batch of one row,
labels as indices and one-hot, with and without L1/L2, after a ReLU, a sigmoid or a dropout."""
import numpy as np
import pytest

import nnfast.nn as nn

from model_paths import assert_network_trains_as_the_layers_do, model_of
from model_paths import threads  # noqa: F401 (the fixture: 1, then 2 pool threads)

# every test on 1, then 2 pool threads
pytestmark = pytest.mark.usefixtures("threads")

INPUTS = 40


def build(dtype, width, outputs, hidden, regularized):
    """INPUTS -> width -> ReLU -> width -> `hidden` -> outputs softmax + cross-entropy, Adam;
    the output layer regularized when asked."""
    reg = dict(weight_regularizer_l2=2e-3, bias_regularizer_l2=1e-3,
               weight_regularizer_l1=3e-4, bias_regularizer_l1=4e-4) if regularized else {}
    between = {"relu": lambda: [nn.Activation_ReLU()],
               "sigmoid": lambda: [nn.Activation_Sigmoid()],
               # a ReLU, then a dropout with the book's masks
               "dropout": lambda: [nn.Activation_ReLU(), nn.Layer_Dropout(0.1)]}[hidden]
    return model_of(lambda: [nn.Layer_Dense(INPUTS, width), nn.Activation_ReLU(),
                             nn.Layer_Dense(width, width), *between(),
                             nn.Layer_Dense(width, outputs, **reg), nn.Activation_Softmax()],
                    nn.Loss_CategoricalCrossentropy(), nn.Optimizer_Adam(0.01, decay=1e-3),
                    nn.Accuracy_Categorical(), dtype)


def assert_trains_as_the_layers_do(dtype, outputs, width=128, samples=401, batch_size=200,
                                   one_hot=False, hidden="relu", regularized=False):
    assert_network_trains_as_the_layers_do(
        lambda: build(dtype, width, outputs, hidden, regularized), INPUTS, outputs, samples,
        batch_size, one_hot, epochs=3)


# Batches of 200 rows (the last of one): 200 x 128 -> 10 and -> 17 are split (from 100,000
# multiply-adds to nnf_dense's 600,000), their rows 96 and 104 on 2 threads; widths 1 and 3
# keep the output layer with the loss (forward) and in one dense_backward call. The 128 -> 128
# layer (3.3M) and the first layer's forward (1.0M) are nnf_dense's to split; that layer's
# backward, with its ReLU's, splits by columns.
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("outputs", [1, 3, 10, 17])
def test_output_widths_train_as_the_layers_do(outputs, dtype):
    assert_trains_as_the_layers_do(dtype, outputs)


@pytest.mark.parametrize("case", [
    dict(one_hot=True, regularized=True),
    dict(regularized=True),
    dict(hidden="sigmoid"),
    dict(hidden="dropout"),
    dict(width=64, samples=301, batch_size=131),  # 64 -> 64 split too; rows 64 and 67
    dict(width=100),  # rows of dweights 48 and 52, the first layer's columns 48 and 52
    dict(width=64, samples=1, batch_size=None),   # a one-row data set
], ids=["one_hot_reg", "reg", "after_sigmoid", "after_dropout", "width_64", "width_100",
        "one_row"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layers_and_labels_train_as_the_layers_do(case, dtype):
    assert_trains_as_the_layers_do(dtype, 10, **case)
