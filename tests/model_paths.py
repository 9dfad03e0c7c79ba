"""Model's two training paths, for tests that check both: the C library's network
(nnfast/nn/_network.py), which Model uses when every part has a C counterpart, and the
layer-by-layer step (nnfast/nn/_training.py), which it uses otherwise."""
import contextlib
import io

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
import nnfast.nn.model as model_module


@contextlib.contextmanager
def layer_by_layer():
    """Models train, predict and evaluate without the C network meanwhile."""
    saved = model_module.network_of
    model_module.network_of = lambda model: None
    try:
        yield
    finally:
        model_module.network_of = saved


def model_of(layers, loss, optimizer, accuracy, dtype=None):
    """A finalized Model of ``layers()`` (drawn after np.random.seed(0)) with the loss,
    optimizer and accuracy given."""
    np.random.seed(0)
    model = nn.Model(dtype=dtype)
    for layer in layers():
        model.add(layer)
    model.set(loss=loss, optimizer=optimizer, accuracy=accuracy)
    model.finalize()
    return model


def network(model):
    """The model's C network (None: it trains layer by layer)."""
    kept = model.__dict__.get("_network")
    return None if kept is None else kept[1]


def assert_path(model, path):
    """The model trained on ``path``: the C network, or the fused layer-by-layer step."""
    if path == "network":
        assert network(model) is not None, "the model did not train in the C network"
    else:
        assert network(model) is None and model._training is not None


def assert_same_training(model, reference):
    """Every parameter and optimizer state array of the two models' layers bitwise equal."""
    for got, want in zip(model.trainable_layers, reference.trainable_layers):
        for name in ("weights", "biases", "weight_momentums", "weight_cache", "bias_momentums",
                     "bias_cache"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name),
                                          err_msg=name)


def trained_on_random_labels(model, inputs, outputs, samples, batch_size, one_hot, epochs):
    """Model.train of ``model`` on ``samples`` rows of ``inputs`` uniform values and random
    labels (fixed seeds; one-hot rows when asked), printing the book's lines: (its History's
    dict, the printed text, Model.predict of the same rows)."""
    data = np.random.default_rng(1)
    X = data.uniform(-1, 1, (samples, inputs)).astype(model.dtype)
    y = data.integers(0, outputs, samples)
    if one_hot:
        y = np.eye(outputs, dtype=np.int64)[y]
    np.random.seed(2)
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        history = model.train(X, y, epochs=epochs, batch_size=batch_size, print_every=1)
    return history.history, text.getvalue(), model.predict(X, batch_size=batch_size)


def assert_network_trains_as_the_layers_do(build, inputs, outputs, samples, batch_size,
                                           one_hot, epochs):
    """``build()`` (a new model each call) trained by trained_on_random_labels in the C
    network gives the layer-by-layer path's parameters, optimizer state, history, printed
    lines and predictions, bit for bit."""
    args = (inputs, outputs, samples, batch_size, one_hot, epochs)
    model = build()
    history, printed, predicted = trained_on_random_labels(model, *args)
    assert network(model) is not None, "the model did not train in the C network"
    with layer_by_layer():
        reference = build()
        expected_history, expected, expected_predicted = trained_on_random_labels(reference,
                                                                                  *args)
    assert network(reference) is None
    assert_same_training(model, reference)
    assert history == expected_history
    assert printed == expected
    np.testing.assert_array_equal(predicted, expected_predicted)


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    """Run the test on 1, then 2 pool threads (restored afterwards)."""
    saved = nnfast.get_num_threads()
    nnfast.set_num_threads(request.param)
    yield request.param
    nnfast.set_num_threads(saved)
