"""The C network trains dense -> ReLU -> dropout with its own (fast) masks -> dense a block of
rows at a time (csrc/net/blocks.inc), on one task summing the first layer's dweights and
dbiases block by block too, where the layer-by-layer path runs each layer on the whole batch:
the same parameters, optimizer state and history, bit for bit, for batches of
many blocks (the last uneven, or one row past whole blocks), rows whose masks start inside a
Philox block, 1 and 2 threads, float32 and float64. The networks it does not apply to (the
book's masks, a hidden layer of 4, a dropout after a sigmoid) and a chain of two dropouts
keep training as the layers do."""
import contextlib
import io

import numpy as np
import pytest

import nnfast.nn as nn

from model_paths import assert_same_training, layer_by_layer, network
from model_paths import threads  # noqa: F401 (the fixture: 1, then 2 pool threads)

# every test on 1, then 2 pool threads
pytestmark = pytest.mark.usefixtures("threads")


def build(dtype, widths, activation=nn.Activation_ReLU, rng="fast"):
    """2 -> (width -> activation -> Dropout(0.1)) per width -> 3 softmax + cross-entropy."""
    np.random.seed(0)
    model = nn.Model(dtype=dtype)
    n_in = 2
    for width in widths:
        model.add(nn.Layer_Dense(n_in, width, weight_regularizer_l2=5e-4,
                                 bias_regularizer_l2=5e-4))
        model.add(activation())
        model.add(nn.Layer_Dropout(0.1, rng=rng))
        n_in = width
    model.add(nn.Layer_Dense(n_in, 3))
    model.add(nn.Activation_Softmax())
    model.set(loss=nn.Loss_CategoricalCrossentropy(),
              optimizer=nn.Optimizer_Adam(0.05, decay=5e-5), accuracy=nn.Accuracy_Categorical())
    model.finalize()
    return model


def trained(dtype, widths, samples, batch_size, **kwargs):
    data = np.random.default_rng(1)
    X = data.uniform(-1, 1, (samples, 2)).astype(dtype)
    y = data.integers(0, 3, samples)
    model = build(dtype, widths, **kwargs)
    np.random.seed(2)
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        history = model.train(X, y, epochs=3, batch_size=batch_size, print_every=1)
    return model, history.history, text.getvalue()


def assert_trains_as_the_layers_do(dtype, widths, samples, batch_size, **kwargs):
    model, history, printed = trained(dtype, widths, samples, batch_size, **kwargs)
    assert network(model) is not None, "the model did not train in the C network"
    with layer_by_layer():
        reference, expected_history, expected = trained(dtype, widths, samples, batch_size,
                                                        **kwargs)
    assert network(reference) is None
    assert_same_training(model, reference)
    assert history == expected_history
    assert printed == expected


# (widths, samples, batch size): 512 wide, blocks of 64 rows: 401 = 5 blocks and one of 81,
# batches of 129 = a block and one of 65 (never a block of one row); 102 wide, blocks of 320
# rows, odd rows' masks starting at word 2 of a Philox block. Full batches are large enough
# for the first layer's backward to split its columns over 2 threads (pass.inc), 102 into
# 48 and 54 (its last 6 a SIMD loop's tail, as in one call).
SHAPES = {"512_full": ((512,), 401, None), "512_batches_of_129": ((512,), 301, 129),
          "102_full": ((102,), 2001, None)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SHAPES)
def test_blocks_train_as_the_layers_do(shape, dtype):
    assert_trains_as_the_layers_do(dtype, *SHAPES[shape])


@pytest.mark.parametrize("case", [
    dict(widths=(4,)),                                   # dense_backward's one-sweep dinputs
    dict(widths=(64,), rng="book"),                      # the book's masks, drawn in Python
    dict(widths=(64,), activation=nn.Activation_Sigmoid),
    dict(widths=(40, 48)),                               # blocks, then a dropout layer by layer
], ids=["hidden_4", "book_masks", "sigmoid", "two_dropouts"])
def test_other_networks_train_as_the_layers_do(case):
    assert_trains_as_the_layers_do(np.float64, samples=301, batch_size=None, **case)
