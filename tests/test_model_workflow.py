"""Model.train as a user meets it: the History it returns, shuffling, the warning for
class-sorted labels; the figures checked against the book's printed lines and NumPy's
generator replayed."""
import contextlib
import io
import re
import time
import warnings

import numpy as np
import pytest

import nnfast.nn as nn
from nnfast.baseline import book as ref
from nnfast.datasets import spiral_data
from nnfast.nn._data import warn_if_sorted_by_class

from model_paths import layer_by_layer, network


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
    """A first layer that keeps every batch it is given (``batches``)."""
    class Recording(nn.Layer_Dense):
        def forward(self, inputs, training=False):
            self.batches.append(inputs)
            return super().forward(inputs, training)
    layer = Recording(2, 16)
    layer.batches = []
    return layer


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


def test_shuffled_batches_are_the_epochs_permutation_in_order(spiral):
    X, y = spiral
    first = seen_by_first_layer()
    model = spiral_model(first=first)
    np.random.seed(5)
    model.train(X, y, epochs=2, batch_size=64, verbose=False, shuffle=True)
    np.random.seed(5)
    expected = [X[order][i:i + 64] for order in (np.random.permutation(len(X)) for _ in range(2))
                for i in range(0, len(X), 64)]
    assert len(first.batches) == len(expected) > 2
    for seen, batch in zip(first.batches, expected):
        np.testing.assert_array_equal(seen, batch)


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


def test_one_step_epochs_print_chapter_18s_lines(spiral, capsys):
    X, y = spiral
    history = spiral_model().train(X, y, epochs=30, print_every=10, validation_data=(X, y))
    lines = capsys.readouterr().out.splitlines()  # captured: not a terminal, so the lines
    assert [line.split(",")[0] for line in lines] == \
        ["epoch: 10", "epoch: 20", "epoch: 30", "validation"]
    assert history.val_epoch == [30] and len(history.history["val_loss"]) == 1
    assert lines[-1] == (f"validation, acc: {history.history['val_accuracy'][0]:.3f}, "
                         f"loss: {history.history['val_loss'][0]:.3f}")
    history = spiral_model().train(X, y, epochs=4, verbose="lines")
    assert_history_is_the_lines(history, capsys.readouterr().out.splitlines(), "epoch: ")


def test_batches_print_chapter_19s_lines(spiral, capsys):
    X, y = spiral
    spiral_model().train(X, y, epochs=2, batch_size=64, print_every=2,
                         validation_data=(X, y), shuffle=True)
    kinds = [re.match(r"[a-z]+: ?\d*|[a-z]+,", line).group() for line in
             capsys.readouterr().out.splitlines()]
    assert kinds == ["epoch: 1", "step: 0", "step: 2", "training,", "validation,",
                     "epoch: 2", "step: 0", "step: 2", "training,", "validation,"]


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("batch_size", [None, 64])
def test_a_watched_stdout_gets_one_bar_with_the_validation_figures_in_it(spiral, monkeypatch,
                                                                         batch_size):
    X, y = spiral
    term = Terminal()
    monkeypatch.setattr("sys.stdout", term)
    history = spiral_model().train(X, y, epochs=5, batch_size=batch_size,
                                   validation_data=(X, y), shuffle=True)
    monkeypatch.undo()
    *bar, summary = term.getvalue().rstrip("\n").split("\n")
    h = history.history
    assert len(bar) == 1 and bar[0].startswith("\r") and "100%" in bar[0]  # one bar, redrawn
    assert f"acc={h['accuracy'][-1]:.3f}, loss={h['loss'][-1]:.3f}, val_acc=" \
        f"{h['val_accuracy'][-1]:.3f}, val_loss={h['val_loss'][-1]:.3f}]" in bar[0]
    assert "validation" not in bar[0]
    assert summary == (f"training, acc: {h['accuracy'][-1]:.3f}, loss: {h['loss'][-1]:.3f} "
                       f"(data_loss: {h['data_loss'][-1]:.3f}, reg_loss: "
                       f"{h['regularization_loss'][-1]:.3f}), lr: {h['learning_rate'][-1]}; "
                       f"validation, acc: {h['val_accuracy'][-1]:.3f}, "
                       f"loss: {h['val_loss'][-1]:.3f}")


def test_a_jupyter_kernels_stdout_is_watched_a_file_is_not(monkeypatch):
    kernel_stream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})
    for stream, watched in ((kernel_stream(), True), (Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr("sys.stdout", stream)
        assert nn._progress.watched() is watched
        assert nn._progress.output_mode("Model.train", True) == ("bar" if watched else "lines")


def test_the_bar_redraws_about_ten_times_a_second_at_most(spiral, monkeypatch):
    X, y = spiral
    clock = iter(np.arange(0, 1000, 0.01))  # each reading of the clock 10 ms later
    monkeypatch.setattr("nnfast.nn._progress.perf_counter", lambda: next(clock))
    out = io.StringIO()
    with layer_by_layer(), contextlib.redirect_stdout(out):  # the bar's clock read per epoch
        spiral_model().train(X, y, epochs=500, verbose="bar")
    # 500 epochs read the clock 500 times: 5 s, so about 50 redraws, the first and the last
    assert 45 <= out.getvalue().count("\r") <= 55


def test_the_bar_redraws_while_the_network_trains(spiral):
    """In the C network the epochs run in chunks of about half a redraw interval, so the bar
    still moves about ten times a second, and ends at the last epoch."""
    X, y = spiral
    model = spiral_model()
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        model.train(X, y, epochs=30000, verbose="bar")
    elapsed = time.perf_counter() - start
    assert network(model) is not None
    draws = out.getvalue().count("\r")
    assert 2 <= draws <= elapsed / 0.1 + 3, (draws, elapsed)
    assert "30000/30000" in out.getvalue()


def test_silence_and_unknown_verbose(spiral, capsys):
    X, y = spiral
    spiral_model().train(X, y, epochs=3, batch_size=64, verbose=False, shuffle=True,
                         validation_data=(X, y))
    assert capsys.readouterr().out == ""
    model = spiral_model()
    with pytest.raises(ValueError, match="Model.train: verbose must be True, False, 'lines' or"):
        model.train(X, y, verbose="progress")


def test_a_float32_model_trains_in_float32_end_to_end(spiral):
    X, y = spiral  # float64
    model = spiral_model(dtype=np.float32)
    dense = model.trainable_layers
    assert model.dtype == np.float32
    assert all(a.dtype == np.float32 for layer in dense for a in (layer.weights, layer.biases))
    history = model.train(X, y, epochs=20, batch_size=64, validation_data=(X, y), verbose=False,
                          shuffle=True)
    for layer in dense:
        for name in ("weights", "biases", "dweights", "weight_momentums", "bias_cache"):
            assert getattr(layer, name).dtype == np.float32, name
    with layer_by_layer():  # (the C network keeps its layers' outputs to itself)
        model.train(X, y, epochs=1, verbose=False)
    assert all(layer.output.dtype == np.float32 for layer in model.layers)
    assert all(type(v) is float for values in history.history.values() for v in values)
    assert model.predict(X).dtype == np.float32
    assert model.predict(X.tolist()).dtype == np.float32
    loss, accuracy = model.evaluate(X, y, verbose=False)
    assert type(loss) is float and type(accuracy) is float
    model.set_parameters([(w.astype(np.float64), b.astype(np.float64))
                          for w, b in model.get_parameters()])
    assert all(a.dtype == np.float32 for layer in dense for a in (layer.weights, layer.biases))


def test_inputs_are_converted_once_per_call(spiral):
    X, y = spiral
    first = seen_by_first_layer()
    model = spiral_model(first=first, dtype=np.float32)
    model.predict(X, batch_size=40)  # 4 batches
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.train(X, y, epochs=2, batch_size=40, verbose=False)  # 8
    model.evaluate(X, y, batch_size=40, verbose=False)  # 4
    predicted, trained, evaluated = first.batches[:4], first.batches[4:12], first.batches[12:]
    for batches in (predicted, trained, evaluated):
        # views of one float32 copy of X: converted once per call, not per step
        assert all(b.dtype == np.float32 and b.base is batches[0].base for b in batches)
        assert batches[0].base is not None and batches[0].base is not X
        np.testing.assert_array_equal(np.vstack(batches[:4]), X.astype(np.float32))


def test_the_float64_network_takes_float32_and_int_inputs_as_float64(spiral):
    X, y = spiral
    model = spiral_model()
    assert model.dtype is None
    expected = model.predict(X.astype(np.float32).astype(np.float64))
    np.testing.assert_array_equal(model.predict(X.astype(np.float32)), expected)
    assert model.predict(np.ones((2, 2), dtype=np.int64)).dtype == np.float64


def test_finalize_casts_the_optimizer_state_on_the_layers(spiral):
    X, y = spiral
    trained = spiral_model()
    trained.train(X, y, epochs=2, verbose=False)
    model = nn.Model(dtype=np.float32)
    for layer in trained.layers:
        model.add(layer)
    model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=trained.optimizer,
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    for layer in model.trainable_layers:
        assert {getattr(layer, n).dtype for n in ("weights", "biases", "weight_momentums",
                                                  "bias_momentums", "weight_cache",
                                                  "bias_cache")} == {np.dtype(np.float32)}
    model.train(X, y, epochs=2, verbose=False)
    assert model.trainable_layers[0].weight_cache.dtype == np.float32


def test_mixed_dtypes_are_refused_at_finalize_naming_the_layers():
    model = nn.Model()
    first, second = nn.Layer_Dense(2, 3), nn.Layer_Dense(3, 3)
    second.weights = second.weights.astype(np.float32)
    for layer in (first, nn.Activation_ReLU(), second):
        model.add(layer)
    with pytest.raises(TypeError, match=r"Model.finalize: .*different dtypes \(layers\[0\] "
                       r"\(Layer_Dense\): weights float64, biases float64; layers\[2\] "
                       r"\(Layer_Dense\): weights float32, biases float64\).*Model\(dtype="):
        model.finalize()
    assert not hasattr(model, "trainable_layers") and not hasattr(first, "next")


@pytest.mark.parametrize("dtype, exc", [(np.float16, TypeError), (int, TypeError),
                                        ("float", None), ("nonsense", TypeError)])
def test_model_dtype_is_float32_or_float64(dtype, exc):
    if exc is None:
        assert nn.Model(dtype=dtype).dtype == np.float64
        return
    with pytest.raises(exc, match="Model: dtype must be np.float32 or np.float64"):
        nn.Model(dtype=dtype)


def parts():
    return dict(loss=nn.Loss_CategoricalCrossentropy(), optimizer=nn.Optimizer_Adam(),
                accuracy=nn.Accuracy_Categorical())


def unfinished(finalize=False, **given):
    """A model of the spiral's layers with the parts ``given`` set."""
    np.random.seed(0)
    model = nn.Model()
    for layer in (nn.Layer_Dense(2, 4), nn.Activation_ReLU(), nn.Layer_Dense(4, 3),
                  nn.Activation_Softmax()):
        model.add(layer)
    model.set(**given)
    if finalize:
        model.finalize()
    return model


def snapshot(model):
    """Everything the model and its parts hold, to see that nothing changed."""
    objects = [model, *model.layers] + [getattr(model, r, None) for r in PARTS]
    return [dict(vars(o)) if o is not None else None for o in objects]


PARTS = ("loss", "optimizer", "accuracy")
_X, _Y = np.random.default_rng(0).random((6, 2)), np.arange(6) % 3


def train(model):
    return model.train(_X, _Y, verbose=False)


def evaluate(model):
    return model.evaluate(_X, _Y, verbose=False)


def predict(model):
    return model.predict(_X)


@pytest.mark.parametrize("model, call, match", [
    (unfinished(**parts()), train,
     r"Model.train: the model is not finalized: call finalize\(\) \(after add\(\) and set\(\)\) "
     r"before train\(\)"),
    (unfinished(**parts()), evaluate, r"Model.evaluate: the model is not finalized: call fin"),
    (unfinished(**parts()), predict, r"Model.predict: the model is not finalized: call fin"),
    (unfinished(**parts()), lambda m: m.get_parameters(), r"Model.get_parameters: the model is "),
    (unfinished(True, loss=nn.Loss_CategoricalCrossentropy()), train,
     r"Model.train: no optimizer or accuracy set: call set\(optimizer=\.\.\., accuracy=\.\.\.\) "
     r"and finalize\(\) before train\(\)"),
    (unfinished(True, accuracy=nn.Accuracy_Categorical()), evaluate,
     r"Model.evaluate: no loss set: call set\(loss=\.\.\.\)"),
    (unfinished(True), train, r"Model.train: no loss or optimizer or accuracy set"),
])
def test_passes_refuse_a_model_that_is_not_ready(model, call, match):
    before = snapshot(model)
    with pytest.raises(RuntimeError, match=match):
        call(model)
    assert snapshot(model) == before


def test_changes_after_finalize_ask_for_finalize_again():
    model = unfinished(True, **parts())
    model.add(nn.Activation_ReLU())
    with pytest.raises(RuntimeError, match=r"Model.predict: layers or the loss changed after "
                       r"finalize\(\): call finalize\(\) again before predict\(\)"):
        model.predict(_X)
    model = unfinished(True, **parts())
    model.set(loss=nn.Loss_CategoricalCrossentropy())
    with pytest.raises(RuntimeError, match=r"Model.train: layers or the loss changed after"):
        train(model)
    model.finalize()
    assert train(model).epoch == [1]
    model.set(optimizer=nn.Optimizer_SGD())  # an optimizer takes no finalize()
    assert train(model).epoch == [1]


def test_finalize_refuses_a_model_without_layers():
    model = nn.Model()
    with pytest.raises(RuntimeError, match=r"Model.finalize: the model has no layers: add\(\)"):
        model.finalize()
    assert vars(model) == vars(nn.Model())


@pytest.mark.parametrize("layer, match", [
    (3, r"Model.add: expected a layer, an object with forward\(\) and backward\(\) methods "
        r"\(Layer_Dense, Activation_ReLU, \.\.\.\), got int without forward, backward\(\)"),
    (nn.Layer_Input(), r"got Layer_Input without backward\(\)"),
    (nn.Activation_ReLU, r"Model.add: got the class Activation_ReLU itself: add an instance, "
                         r"Activation_ReLU\(\.\.\.\)"),
])
def test_add_refuses_what_is_not_a_layer(layer, match):
    model = nn.Model()
    with pytest.raises(TypeError, match=match):
        model.add(layer)
    assert model.layers == []


@pytest.mark.parametrize("given, match", [
    (dict(loss=nn.Loss_CategoricalCrossentropy), r"Model.set: loss is the class "
     r"Loss_CategoricalCrossentropy itself: pass an instance, loss=Loss_Categorical"),
    (dict(optimizer="adam"), r"Model.set: optimizer must have pre_update_params\(\), "
     r"update_params\(\), post_update_params\(\); str lacks pre_update_params, update_params, "
     r"post_update_params, current_learning_rate"),
    (dict(accuracy=nn.Accuracy()), r"Model.set: accuracy must have .*; Accuracy lacks init "),
    (dict(loss=nn.Activation_Softmax_Loss_CategoricalCrossentropy()),
     r"Model.set: loss must have .*; Activation_Softmax_Loss_CategoricalCrossentropy lacks "
     r"calculate, new_pass, calculate_accumulated, remember_trainable_layers"),
])
def test_set_refuses_parts_without_the_methods_the_model_calls(given, match):
    model = unfinished(**parts())
    before = snapshot(model)
    with pytest.raises(TypeError, match=match):
        model.set(**{**parts(), **given})  # the valid parts are not set either
    assert snapshot(model) == before


@pytest.mark.parametrize("validation_data, exc, match", [
    ((_X,), TypeError, r"Model.train: validation_data must be a pair \(X_val, y_val\), got tuple"),
    (_X, TypeError, r"Model.train: validation_data must be a pair \(X_val, y_val\), got ndarray"),
    ((_X, _Y[:4]), ValueError, r"Model.train: validation_data has 6 samples in X_val and 4 in "
                               r"y_val; they need the same number"),
    ((_X[:, :1], _Y), ValueError, r"Model.train: validation_data's X_val has samples of shape "
                                  r"\(1,\), X of shape \(2,\); they need the same"),
    ((None, _Y), TypeError, r"Model.train: validation_data's X_val must be an array"),
])
def test_train_refuses_bad_validation_data_before_training(validation_data, exc, match):
    model = unfinished(True, **parts())
    before = snapshot(model)
    weights = model.layers[0].weights.copy()
    with pytest.raises(exc, match=match):
        model.train(_X, _Y, validation_data=validation_data, verbose=False)
    assert snapshot(model) == before and np.array_equal(model.layers[0].weights, weights)
