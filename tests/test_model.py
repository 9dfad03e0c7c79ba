"""The book's Model: train/evaluate/predict output and numbers against the NumPy reference
Model, the fused classifier path and the book's layer-by-layer path, parameters, save/load
round trips and a prediction from a model loaded in a new process."""
import contextlib
import io
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
from nnfast.baseline import book as ref  # the book's classes in plain NumPy
from nnfast.datasets import spiral_data

import book_chapter18
from model_paths import assert_path

# These tests train on the spiral as the book does, sorted by class, to compare with the book's
# numbers: the warning that says to shuffle such data is expected here.
pytestmark = pytest.mark.filterwarnings("ignore:Model.train. y is sorted by class:UserWarning")


def chapter18(model):
    """The book's ``model`` trained as chapter 18 trains: one step per epoch, without batches."""
    model.__class__ = book_chapter18.Model
    return model

NNFAST_HOME = str(Path(nnfast.__file__).resolve().parent.parent)


def classifier(mod, dropout=0.0, regularized=False, optimizer=("Optimizer_Adam", dict(learning_rate=0.05, decay=5e-7))):
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    X_val, y_val = spiral_data(samples=20, classes=3)
    reg = dict(weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4) if regularized else {}
    model = mod.Model()
    model.add(mod.Layer_Dense(2, 64, **reg))
    model.add(mod.Activation_ReLU())
    if dropout:
        model.add(mod.Layer_Dropout(dropout))
    model.add(mod.Layer_Dense(64, 64))
    model.add(mod.Activation_ReLU())
    model.add(mod.Layer_Dense(64, 3))
    model.add(mod.Activation_Softmax())
    model.set(loss=mod.Loss_CategoricalCrossentropy(),
              optimizer=getattr(mod, optimizer[0])(**optimizer[1]),
              accuracy=mod.Accuracy_Categorical())
    model.finalize()
    return model, X, y, X_val, y_val


def train_output(model, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.train(*args, **kwargs)
    return buf.getvalue()


@pytest.mark.parametrize("dropout,regularized,batch_size", [
    (0.0, False, None), (0.1, True, None), (0.0, True, 64), (0.2, False, 128)])
def test_fused_classifier_training_matches_book(restore_global_seed, model_path, dropout,
                                               regularized, batch_size):
    ours, X, y, Xv, yv = classifier(nn, dropout, regularized)
    theirs, *_ = classifier(ref, dropout, regularized)
    batches = {} if batch_size is None else {"batch_size": batch_size}
    if batch_size is None:
        chapter18(theirs)
    np.random.seed(7)
    out_ours = train_output(ours, X, y, epochs=30, batch_size=batch_size, print_every=2,
                            validation_data=(Xv, yv))
    np.random.seed(7)
    out_theirs = train_output(theirs, X, y, epochs=30, print_every=2,
                              validation_data=(Xv, yv), **batches)
    assert_path(ours, model_path)
    if model_path == "layers":
        assert ours._training.softmax_stats  # the fused softmax + cross-entropy ran
    # the book's lines, the same numbers (printed to 3 decimals; lr in full)
    assert out_ours.splitlines() == out_theirs.splitlines()
    for a, b in zip(ours.trainable_layers, theirs.trainable_layers):
        np.testing.assert_allclose(a.weights, b.weights, rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(a.biases, b.biases, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.predict(Xv), theirs.predict(Xv), rtol=1e-7, atol=1e-10)
    loss_o, acc_o = ours.evaluate(Xv, yv, verbose=False)
    with contextlib.redirect_stdout(io.StringIO()):
        theirs.evaluate(Xv, yv)
    assert loss_o == pytest.approx(theirs.loss.calculate_accumulated(), rel=1e-7)
    assert acc_o == theirs.accuracy.calculate_accumulated()


@pytest.mark.parametrize("optimizer", [("Optimizer_SGD", dict(decay=1e-3, momentum=0.9)),
                                       ("Optimizer_RMSprop", dict(learning_rate=0.02))])
def test_other_optimizers_through_model(restore_global_seed, optimizer):
    ours, X, y, *_ = classifier(nn, optimizer=optimizer)
    theirs, *_ = classifier(ref, optimizer=optimizer)
    chapter18(theirs)
    assert train_output(ours, X, y, epochs=20).splitlines() == \
        train_output(theirs, X, y, epochs=20).splitlines()


def binary_model(mod):
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=2)
    y = y.reshape(-1, 1)
    model = mod.Model()
    model.add(mod.Layer_Dense(2, 64, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4))
    model.add(mod.Activation_ReLU())
    model.add(mod.Layer_Dense(64, 1))
    model.add(mod.Activation_Sigmoid())
    model.set(loss=mod.Loss_BinaryCrossentropy(), optimizer=mod.Optimizer_Adam(decay=5e-7),
              accuracy=mod.Accuracy_Categorical(binary=True))
    model.finalize()
    return model, X, y


def regression_model(mod):
    X, y = ref.sine_data(200)
    np.random.seed(0)
    model = mod.Model()
    model.add(mod.Layer_Dense(1, 64))
    model.add(mod.Activation_ReLU())
    model.add(mod.Layer_Dense(64, 1))
    model.add(mod.Activation_Linear())
    model.set(loss=mod.Loss_MeanSquaredError(),
              optimizer=mod.Optimizer_Adam(learning_rate=0.005, decay=1e-3),
              accuracy=mod.Accuracy_Regression())
    model.finalize()
    return model, X, y


@pytest.mark.parametrize("build", [binary_model, regression_model])
def test_book_path_models_match_book(restore_global_seed, model_path, build):
    ours, X, y = build(nn)
    theirs, _, _ = build(ref)
    chapter18(theirs)
    out_ours = train_output(ours, X, y, epochs=50, print_every=1, validation_data=(X, y))
    out_theirs = train_output(theirs, X, y, epochs=50, print_every=1, validation_data=(X, y))
    assert_path(ours, model_path)
    if model_path == "layers":
        assert not ours._training.softmax_stats
    assert out_ours.splitlines() == out_theirs.splitlines()
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9, atol=1e-12)


def test_verbose_false_prints_nothing_and_terminal_gets_a_progress_bar(restore_global_seed, monkeypatch):
    model, X, y, *_ = classifier(nn)
    assert train_output(model, X, y, epochs=3, verbose=False) == ""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stdout", term)
    model.train(X, y, epochs=5)
    monkeypatch.undo()
    text = term.getvalue()
    assert "\r100%" in text and " 5/5 [" in text and "epoch: " not in text
    assert text.rstrip().splitlines()[-1].startswith("training, acc: ")


def test_parameters_round_trip(tmp_path, restore_global_seed):
    model, X, y, *_ = classifier(nn)
    train_output(model, X, y, epochs=5)
    params = model.get_parameters()
    assert [p[0].shape for p in params] == [(2, 64), (64, 64), (64, 3)]
    before = model.predict(X)
    model.save_parameters(tmp_path / "p.parms")
    other, *_ = classifier(nn)
    other.load_parameters(tmp_path / "p.parms")
    np.testing.assert_array_equal(other.predict(X), before)
    other.set_parameters([(w * 0, b * 0) for w, b in params])
    assert np.allclose(other.predict(X), 1 / 3)


def test_save_load_round_trip_and_new_process(tmp_path, restore_global_seed):
    model, X, y, *_ = classifier(nn, dropout=0.1)
    train_output(model, X, y, epochs=20, batch_size=100)
    path = tmp_path / "spiral.model"
    model.save(path)
    loaded = nn.Model.load(path)
    assert not hasattr(loaded.layers[0], "output") and not hasattr(loaded.layers[0], "dweights")
    expected = model.predict(X)
    np.testing.assert_array_equal(loaded.predict(X), expected)
    np.save(tmp_path / "X.npy", X)
    code = ("import sys, numpy as np; from nnfast.nn import Model; "
            "m = Model.load(sys.argv[1]); np.save(sys.argv[3], m.predict(np.load(sys.argv[2])))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [NNFAST_HOME, os.environ.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "X.npy"),
                          str(tmp_path / "pred.npy")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "pred.npy"), expected)
    # the loaded model keeps training (optimizer state travels with it)
    train_output(loaded, X, y, epochs=2)


def test_model_pickled_when_nn_was_one_module_loads(restore_global_seed):
    """Files saved by nnfast versions whose nnfast.nn was one module name every class as
    nnfast.nn.<Name>: the package exports each of them there."""
    model, X, y, *_ = classifier(nn, dropout=0.1)
    train_output(model, X, y, epochs=5, batch_size=100)
    data = pickle.dumps(model, protocol=2)  # protocol 2 names a class as b"c<module>\n<name>\n"
    single_module = re.sub(rb"cnnfast\.nn\.[a-z_]+\n", b"cnnfast.nn\n", data)
    assert single_module != data and b"cnnfast.nn.layers\n" not in single_module
    loaded = pickle.loads(single_module)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert type(loaded.layers[0]) is nn.Layer_Dense and type(loaded.optimizer) is nn.Optimizer_Adam

def test_pep8_aliases():
    assert nn.Dropout is nn.Layer_Dropout and nn.Sigmoid is nn.Activation_Sigmoid
    assert nn.Adam is nn.Optimizer_Adam and nn.SGD is nn.Optimizer_SGD
    assert nn.RMSprop is nn.Optimizer_RMSprop and nn.Adagrad is nn.Optimizer_Adagrad
    assert nn.BinaryCrossentropy is nn.Loss_BinaryCrossentropy
    assert nn.MeanSquaredError is nn.Loss_MeanSquaredError
    assert nn.MeanAbsoluteError is nn.Loss_MeanAbsoluteError
    assert nn.CategoricalAccuracy is nn.Accuracy_Categorical
    assert nn.RegressionAccuracy is nn.Accuracy_Regression
    assert nn.Input is nn.Layer_Input
    assert nn.SoftmaxCategoricalCrossentropy is nn.Activation_Softmax_Loss_CategoricalCrossentropy


def _small_model():
    np.random.seed(0)
    model = nn.Model()
    for layer in (nn.Layer_Dense(2, 8), nn.Activation_ReLU(), nn.Layer_Dense(8, 3),
                  nn.Activation_Softmax()):
        model.add(layer)
    model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=nn.Optimizer_Adam(),
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    return model


_X, _Y = np.random.default_rng(0).random((10, 2)), np.arange(10) % 3


@pytest.mark.parametrize("args, kwargs, exc, match", [
    ((None, _Y), {}, TypeError, "Model.train: X"),
    (("abc", _Y), {}, TypeError, "Model.train: X"),
    ((_X[:0], _Y[:0]), {}, ValueError, "Model.train: X has 0 samples"),
    ((_X, _Y[:5]), {}, ValueError, "Model.train: X has 10 samples and y 5"),
    ((_X, _Y), {"epochs": "2"}, TypeError, "Model.train: epochs"),
    ((_X, _Y), {"epochs": 1.5}, TypeError, "Model.train: epochs"),
    ((_X, _Y), {"epochs": -1}, ValueError, "Model.train: epochs"),
    ((_X, _Y), {"batch_size": 0}, ValueError, "Model.train: batch_size"),
    ((_X, _Y), {"batch_size": "4"}, TypeError, "Model.train: batch_size"),
    ((_X, _Y), {"print_every": 0}, ValueError, "Model.train: print_every"),
    ((_X, _Y), {"validation_data": (_X,)}, TypeError, "Model.train: validation_data"),
    ((_X, _Y + 3), {}, IndexError, "y_true"),
    ((_X[:, :1], _Y), {}, ValueError, "not aligned"),
])
def test_train_refuses_bad_arguments_by_name(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _small_model().train(*args, **{"epochs": 1, "verbose": False, **kwargs})


def test_evaluate_and_predict_refuse_bad_batch_size():
    model = _small_model()
    with pytest.raises(ValueError, match="Model.evaluate: batch_size"):
        model.evaluate(_X, _Y, batch_size=0, verbose=False)
    with pytest.raises(TypeError, match="Model.predict: batch_size"):
        model.predict(_X, batch_size=2.5)
