"""Model.train as a user meets it: the History it returns, shuffling, the warning for
class-sorted labels; the figures checked against the book's printed lines and NumPy's
generator replayed."""
import contextlib
import io
import re
import warnings

import numpy as np
import pytest

import nnfast.nn as nn
from nnfast.baseline import book as ref
from nnfast.datasets import spiral_data
from nnfast.nn._data import warn_if_sorted_by_class


def spiral_model(mod=nn, hidden=16, learning_rate=0.05, first=None, **model_args):
    """The spiral classifier (2 -> hidden -> 3, Adam); ``first`` replaces the first layer."""
    np.random.seed(0)
    model = mod.Model(**model_args)
    for layer in (first or mod.Layer_Dense(2, hidden), mod.Activation_ReLU(),
                  mod.Layer_Dense(hidden, 3), mod.Activation_Softmax()):
        model.add(layer)
    model.set(loss=mod.Loss_CategoricalCrossentropy(),
              optimizer=mod.Optimizer_Adam(learning_rate=learning_rate, decay=1e-3),
              accuracy=mod.Accuracy_Categorical())
    model.finalize()
    return model


@pytest.fixture
def spiral(restore_global_seed):
    np.random.seed(0)
    X, y = spiral_data(samples=50, classes=3)
    return X, y


def printed(fn, *args, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args, **kwargs)
    return result, out.getvalue()


FIGURES = re.compile(r"acc: ([\d.]+), loss: ([\d.]+) \(data_loss: ([\d.]+), "
                     r"reg_loss: ([\d.]+)\), lr: (\S+)")


def assert_history_is_the_lines(history, lines, prefix):
    """Each epoch's history values, rounded as the book prints them, are its line's."""
    rows = [FIGURES.search(line).groups() for line in lines if line.startswith(prefix)]
    h = history.history
    assert len(rows) == len(history.epoch) > 0
    for i, (acc, loss, data_loss, reg_loss, lr) in enumerate(rows):
        assert (f"{h['accuracy'][i]:.3f}", f"{h['loss'][i]:.3f}", f"{h['data_loss'][i]:.3f}",
                f"{h['regularization_loss'][i]:.3f}") == (acc, loss, data_loss, reg_loss)
        assert float(lr) == h["learning_rate"][i]


def test_history_of_batched_training_is_the_books_training_lines(spiral):
    X, y = spiral
    model = spiral_model()
    theirs = spiral_model(ref)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the spiral is sorted by class
        history, _ = printed(model.train, X, y, epochs=7, batch_size=64, validation_data=(X, y))
        _, out = printed(theirs.train, X, y, epochs=7, batch_size=64, validation_data=(X, y))
    lines = out.splitlines()
    assert set(history.history) == {"loss", "data_loss", "regularization_loss", "accuracy",
                                    "learning_rate", "val_loss", "val_accuracy"}
    assert history.epoch == history.val_epoch == [1, 2, 3, 4, 5, 6, 7]
    assert all(len(v) == 7 and all(type(x) is float for x in v)
               for v in history.history.values())
    assert_history_is_the_lines(history, lines, "training, ")
    validation = [line for line in lines if line.startswith("validation, ")]
    assert validation == [f"validation, acc: {a:.3f}, loss: {b:.3f}" for a, b in
                          zip(history.history["val_accuracy"], history.history["val_loss"])]


def test_history_of_one_step_epochs_is_each_steps_figures(spiral):
    X, y = spiral
    model, theirs = spiral_model(), spiral_model(ref)
    history = model.train(X, y, epochs=12, verbose=False)
    _, out = printed(theirs.train, X, y, epochs=12)  # the book's step lines, one per epoch
    assert set(history.history) == {"loss", "data_loss", "regularization_loss", "accuracy",
                                    "learning_rate"}
    assert history.epoch == list(range(1, 13)) and history.val_epoch == []
    assert_history_is_the_lines(history, out.splitlines(), "step: 0, ")


def seen_by_first_layer():
    """A first layer that keeps a copy of every batch it is given in training."""
    class Recording(nn.Layer_Dense):
        batches = []

        def forward(self, inputs, training=False):
            if training:
                self.batches.append(inputs.copy())
            return super().forward(inputs, training)
    return Recording(2, 16)


def test_shuffle_draws_a_permutation_per_epoch_from_numpys_generator(spiral):
    X, y = spiral
    first = seen_by_first_layer()
    model = spiral_model(first=first)
    np.random.seed(5)
    model.train(X, y, epochs=3, verbose=False, shuffle=True)
    np.random.seed(5)
    orders = [np.random.permutation(len(X)) for _ in range(3)]
    assert len(first.batches) == 3
    for seen, order in zip(first.batches, orders):
        np.testing.assert_array_equal(seen, X[order])
    assert not np.array_equal(orders[0], orders[1])


def test_shuffled_training_repeats_for_a_seed_and_unshuffled_keeps_the_order(spiral):
    X, y = spiral
    runs = []
    for seed in (3, 3, 4):
        model = spiral_model()
        np.random.seed(seed)
        runs.append((model.train(X, y, epochs=5, batch_size=64, verbose=False,
                                 shuffle=True).history, model.layers[0].weights.copy()))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])
    assert runs[0][0] != runs[2][0]
    first = seen_by_first_layer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spiral_model(first=first).train(X, y, epochs=2, batch_size=64, verbose=False)
    np.testing.assert_array_equal(np.vstack(first.batches), np.vstack([X, X]))


def test_class_sorted_spiral_in_batches_trains_with_shuffle_and_warns_without(restore_global_seed):
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)  # sorted by class
    accuracy = {}
    for shuffle in (False, True):
        model = spiral_model(hidden=64, learning_rate=0.02)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.train(X, y, epochs=300, batch_size=128, verbose=False, shuffle=shuffle)
        assert [str(w.message)[:40] for w in caught] == \
            ([] if shuffle else ["Model.train: y is sorted by class and sh"])
        accuracy[shuffle] = model.evaluate(X, y, verbose=False)[1]
    assert accuracy[False] < 0.4 and accuracy[True] > 0.6, accuracy


@pytest.mark.parametrize("labels, batch_size", [
    (np.array([0, 1, 2] * 4), 4),                # interleaved
    (np.repeat([0, 1, 2], 4), 12),               # one batch: its order does not matter
    (np.zeros(12, dtype=int), 4),                # one class
])
def test_no_sorted_warning_where_batches_are_not_one_class(labels, batch_size):
    model = spiral_model(hidden=4)
    X = np.random.default_rng(0).random((12, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.train(X, labels, epochs=1, batch_size=batch_size, verbose=False)
        # sorted float targets are a regression's, not classes
        warn_if_sorted_by_class("Model.train", np.repeat([0.0, 1.0, 2.0], 4), 4)
