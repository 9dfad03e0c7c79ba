"""Model files: Model.save/Model.load and save_parameters/load_parameters in nnfast's format (an
.npz of a JSON description and arrays) give back a model that predicts and trains on bitwise as
the saved one, in this process and a new one; the book's pickle files load only on request; a
crafted file gives ValueError naming it, runs nothing and allocates nothing near what it claims."""
import contextlib
import io
import json
import os
import pickle
import shlex
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
from nnfast.datasets import spiral_data

pytestmark = pytest.mark.usefixtures("restore_global_seed")  # the tests seed NumPy's generator
NNFAST_HOME = str(Path(nnfast.__file__).resolve().parent.parent)
OPTIMIZERS = [("SGD", dict(learning_rate=0.5, decay=1e-3, momentum=0.9)),
              ("Adagrad", dict(learning_rate=0.5, decay=1e-4, epsilon=1e-6)),
              ("RMSprop", dict(learning_rate=0.01, decay=1e-4, epsilon=1e-7, rho=0.95)),
              ("Adam", dict(learning_rate=0.05, decay=5e-7, beta_1=0.8, beta_2=0.99))]


def quietly(fn, *args, **kwargs):
    """What ``fn`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args, **kwargs)
    return out.getvalue()


def as_dtype(model, dtype):
    """The model's Dense layers in ``dtype`` (float32 networks are built this way)."""
    for layer in model.layers:
        if isinstance(layer, nn.Layer_Dense):
            layer.weights, layer.biases = layer.weights.astype(dtype), layer.biases.astype(dtype)
    return model


def shuffled(X, y):
    """X and y in one random order (the book shuffles class-sorted data once before batches)."""
    keys = np.random.permutation(len(X))
    return X[keys], y[keys]


def built(layers, loss, optimizer, accuracy, dtype=np.float64):
    model = nn.Model()
    for layer in layers:
        model.add(layer)
    model.set(loss=loss, optimizer=optimizer, accuracy=accuracy)
    model.finalize()
    return as_dtype(model, dtype)


def classifier(optimizer=OPTIMIZERS[3], dtype=np.float64, dropout=0.1):
    np.random.seed(0)
    X, y = shuffled(*spiral_data(samples=50, classes=3))
    layers = [nn.Layer_Dense(2, 16, weight_regularizer_l1=1e-5, weight_regularizer_l2=5e-4,
                             bias_regularizer_l1=2e-5, bias_regularizer_l2=5e-4),
              nn.Activation_ReLU(), nn.Layer_Dropout(dropout), nn.Layer_Dense(16, 3), nn.Activation_Softmax()]
    return built(layers, nn.Loss_CategoricalCrossentropy(), getattr(nn, optimizer[0])(**optimizer[1]),
                 nn.Accuracy_Categorical(), dtype), X.astype(dtype), y


def regression(dtype, loss):
    """The book's sine regression (Linear output, MSE, regression accuracy): the accuracy's
    precision is a NumPy scalar whose dtype decides its comparison's."""
    np.random.seed(1)
    X = np.linspace(0, 1, 64).reshape(-1, 1).astype(dtype)
    y = np.sin(2 * np.pi * X).astype(dtype)
    layers = [nn.Layer_Dense(1, 8), nn.Activation_Sigmoid(), nn.Layer_Dense(8, 1), nn.Activation_Linear()]
    return built(layers, loss, nn.Optimizer_Adam(learning_rate=0.01),
                 nn.Accuracy_Regression(), dtype), X, y


def binary():
    np.random.seed(2)
    X, y = shuffled(*spiral_data(samples=50, classes=2))
    layers = [nn.Layer_Dense(2, 8), nn.Activation_ReLU(), nn.Layer_Dense(8, 1), nn.Activation_Sigmoid()]
    return built(layers, nn.Loss_BinaryCrossentropy(), nn.Optimizer_SGD(learning_rate=0.1),
                 nn.Accuracy_Categorical(binary=True)), X, y.reshape(-1, 1)


def same_state(a, b):
    """Bitwise the same parameters, optimizer state and training figures."""
    for la, lb in zip(a.layers, b.layers):
        assert type(la) is type(lb)
        for name in ("weights", "biases", "weight_momentums", "weight_cache", "bias_momentums",
                     "bias_cache"):
            assert hasattr(la, name) == hasattr(lb, name), name
            if hasattr(la, name):
                x, y = getattr(la, name), getattr(lb, name)
                assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name
    for name in ("iterations", "current_learning_rate"):
        assert getattr(a.optimizer, name) == getattr(b.optimizer, name), name
    # the regression accuracy's precision: its value and NumPy type (which decides the
    # comparison's dtype)
    precision = getattr(a.accuracy, "precision", None)
    assert type(precision) is type(getattr(b.accuracy, "precision", None))
    assert precision == getattr(b.accuracy, "precision", None)


CASES = {
    **{f"{name}-{np.dtype(dtype).name}": (lambda o=o, d=dtype: classifier(o, d))
       for o in OPTIMIZERS for name in [o[0]] for dtype in (np.float64, np.float32)},
    "regression-float32-mae": lambda: regression(np.float32, nn.Loss_MeanAbsoluteError()),
    "regression-float64-mse": lambda: regression(np.float64, nn.Loss_MeanSquaredError()),
    "binary": binary,
}


@pytest.mark.parametrize("case", CASES)
def test_loaded_model_predicts_and_trains_on_bitwise(tmp_path, case):
    model, X, y = CASES[case]()
    np.random.seed(3)
    first = quietly(model.train, X, y, epochs=3, batch_size=64)
    path = tmp_path / "saved.model"
    model.save(path)
    assert sorted(os.listdir(tmp_path)) == ["saved.model"]  # the path as given, no ".npz"
    loaded = nn.Model.load(path)
    same_state(model, loaded)
    for layer in loaded.layers:  # a layer's dtype, where it has one, is its weights'
        if isinstance(layer, nn.Layer_Dense):
            assert getattr(layer, "dtype", layer.weights.dtype) == layer.weights.dtype
    assert loaded.predict(X).tobytes() == model.predict(X).tobytes()
    # training goes on as it would have: the same figures, parameters and optimizer state
    np.random.seed(4)
    ours = quietly(model.train, X, y, epochs=3, batch_size=64)
    np.random.seed(4)
    theirs = quietly(loaded.train, X, y, epochs=3, batch_size=64)
    assert ours == theirs and ours != first
    same_state(model, loaded)


def test_description_is_readable_json_of_the_model(tmp_path):
    model, X, y = classifier(OPTIMIZERS[0])
    quietly(model.train, X, y, epochs=1)
    model.save(tmp_path / "m")
    with np.load(tmp_path / "m") as npz:
        assert npz["architecture"].dtype == np.uint8
        description = json.loads(npz["architecture"].tobytes())
    assert [layer["kind"] for layer in description["layers"]] == [
        "Layer_Dense", "Activation_ReLU", "Layer_Dropout", "Layer_Dense", "Activation_Softmax"]
    dense = description["layers"][0]
    assert (dense["n_inputs"], dense["n_neurons"], dense["dtype"]) == (2, 16, "float64")
    assert dense["weight_regularizer_l1"] == 1e-5 and dense["bias_regularizer_l2"] == 5e-4
    assert dense["optimizer_state"] == ["weight_momentums", "bias_momentums"]
    assert description["layers"][2]["rate"] == pytest.approx(0.1)
    assert description["optimizer"] == {
        "kind": "Optimizer_SGD", "learning_rate": 0.5, "decay": 1e-3, "momentum": 0.9,
        "iterations": 1, "current_learning_rate": 0.5}
    assert description["loss"] == {"kind": "Loss_CategoricalCrossentropy"}
    assert (description["format"], description["version"]) == ("nnfast.model", 1)


def test_model_dtype_travels_with_the_file(tmp_path):
    model, X, _ = classifier(dtype=np.float32)
    model.dtype = np.dtype(np.float32)
    model.save(tmp_path / "m")
    assert nn.Model.load(tmp_path / "m").dtype == np.float32


def test_unfinalized_model_loads_unfinalized(tmp_path):
    model = nn.Model()
    model.add(nn.Layer_Dense(2, 3))
    model.save(tmp_path / "m")
    loaded = nn.Model.load(tmp_path / "m")
    assert getattr(loaded, "input_layer", None) is None
    assert loaded.layers[0].weights.tobytes() == model.layers[0].weights.tobytes()


def test_loading_leaves_the_global_generator_where_it_was(tmp_path):
    model, *_ = classifier()
    model.save(tmp_path / "m")
    np.random.seed(5)
    expected = np.random.random(4)
    np.random.seed(5)
    nn.Model.load(tmp_path / "m")
    assert np.random.random(4).tobytes() == expected.tobytes()


def test_loaded_in_a_new_process_predicts_bitwise(tmp_path):
    model, X, y = classifier(dtype=np.float32)
    quietly(model.train, X, y, epochs=5, batch_size=64)
    model.save(tmp_path / "m")
    np.save(tmp_path / "X.npy", X)
    code = ("import sys, numpy as np; from nnfast.nn import Model; "
            "np.save(sys.argv[3], Model.load(sys.argv[1]).predict(np.load(sys.argv[2])))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [NNFAST_HOME, os.environ.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m"), str(tmp_path / "X.npy"),
                          str(tmp_path / "p.npy")], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    predicted = np.load(tmp_path / "p.npy")
    assert predicted.dtype == np.float32 and predicted.tobytes() == model.predict(X).tobytes()


def test_parameters_round_trip_and_refuse_another_architecture(tmp_path):
    model, X, y = classifier(dtype=np.float32)
    quietly(model.train, X, y, epochs=3)
    model.save_parameters(tmp_path / "p")
    other, *_ = classifier(OPTIMIZERS[1])
    other.load_parameters(tmp_path / "p")
    assert other.predict(X).tobytes() == model.predict(X).tobytes()
    smaller = nn.Model()
    smaller.add(nn.Layer_Dense(2, 4))
    smaller.finalize()
    before = smaller.layers[0].weights
    with pytest.raises(ValueError, match=r"Model.load_parameters: .*p: the file holds 2 parameter sets"):
        smaller.load_parameters(tmp_path / "p")
    smaller.add(nn.Layer_Dense(4, 3))
    smaller.finalize()
    with pytest.raises(ValueError, match=r"parameters.0.weights' has the shape \(2, 16\).*\(2, 4\)"):
        smaller.load_parameters(tmp_path / "p")
    assert smaller.layers[0].weights is before  # nothing changed
    with pytest.raises(ValueError, match="format is 'nnfast.parameters'.*load_parameters"):
        nn.Model.load(tmp_path / "p")
    model.save(tmp_path / "m")
    with pytest.raises(ValueError, match=r"format is 'nnfast.model'.*Model.load\(path\)"):
        other.load_parameters(tmp_path / "m")
    with pytest.raises(RuntimeError, match=r"Model.save_parameters: call finalize\(\) first"):
        nn.Model().save_parameters(tmp_path / "q")


class MyDense(nn.Layer_Dense):
    pass


class MyAdam(nn.Optimizer_Adam):
    pass


def test_subclasses_are_refused_and_saved_as_pickle_on_request(tmp_path):
    for what, model in [("layer 0", nn.Model()), ("the optimizer", nn.Model())]:
        model.add(MyDense(2, 3) if what == "layer 0" else nn.Layer_Dense(2, 3))
        model.set(loss=nn.Loss_MeanSquaredError(), accuracy=nn.Accuracy_Regression(),
                  optimizer=MyAdam() if what == "the optimizer" else nn.Optimizer_Adam())
        model.finalize()
        with pytest.raises(TypeError, match=f"Model.save: {what} is a .*My.*cannot describe.*"
                                            r"format='pickle'.*allow_pickle=True"):
            model.save(tmp_path / "m")
        assert not (tmp_path / "m").exists()
    model.save(tmp_path / "m", format="pickle")
    assert type(nn.Model.load(tmp_path / "m", allow_pickle=True).optimizer) is MyAdam
    with pytest.raises(ValueError, match="format is 'json'"):
        model.save(tmp_path / "m", format="json")


def test_book_pickle_files_load_only_on_request(tmp_path):
    model, X, y = classifier()
    quietly(model.train, X, y, epochs=2)
    model.save(tmp_path / "m.pickle", format="pickle")
    with open(tmp_path / "p.pickle", "wb") as f:
        pickle.dump(model.get_parameters(), f)  # the book's save_parameters
    with pytest.raises(ValueError, match=r"Model.load: .*m.pickle: the file is a pickle \(the book's "
                                         r"format\).*runs whatever code.*allow_pickle=True.*model.save\(path\)"):
        nn.Model.load(tmp_path / "m.pickle")
    with pytest.raises(ValueError, match=r"load_parameters: .*p.pickle: the file is a pickle.*"
                                         r"load_parameters\(path, allow_pickle=True\)"):
        model.load_parameters(tmp_path / "p.pickle")
    loaded = nn.Model.load(tmp_path / "m.pickle", allow_pickle=True)
    assert loaded.predict(X).tobytes() == model.predict(X).tobytes()
    other, *_ = classifier()
    other.load_parameters(tmp_path / "p.pickle", allow_pickle=True)
    assert other.predict(X).tobytes() == model.predict(X).tobytes()
    with pytest.raises(TypeError, match="the pickle holds a list, not a Model"):
        nn.Model.load(tmp_path / "p.pickle", allow_pickle=True)


# ---- crafted files ----

class RunsCommand:
    """Unpickled, runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {shlex.quote(str(self.marker))}",)


def npy(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(array), allow_pickle=True)
    return buf.getvalue()


def huge_header(shape, descr="<f8"):
    """A .npy member whose header declares ``shape`` but which holds 16 bytes of data."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + bytes(16)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small trained model's file: its members (name -> bytes) and its description."""
    state = np.random.get_state()
    model, X, y = classifier()
    quietly(model.train, X, y, epochs=1)
    np.random.set_state(state)
    folder = tmp_path_factory.mktemp("saved")
    model.save(folder / "m")
    with zipfile.ZipFile(folder / "m") as z:
        members = {name: z.read(name) for name in z.namelist()}
    description = json.loads(np.load(io.BytesIO(members["architecture.npy"])).tobytes())
    return SimpleNamespace(raw=(folder / "m").read_bytes(), members=members,
                           description=description, marker=folder / "marker")


def archive(members, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def replacing(name, content):
    """A crafter: the saved archive with the member ``name`` holding ``content`` (an array, the
    bytes of a member, a function of the saved file giving either, or None: no such member)."""
    def craft(saved):
        data = content(saved) if callable(content) else content
        members = {key: value for key, value in saved.members.items() if key != f"{name}.npy"}
        if data is not None:
            members[f"{name}.npy"] = data if isinstance(data, bytes) else npy(data)
        return archive(members)
    return craft


def describing(edit):
    """A crafter: the saved archive with its description changed by ``edit``."""
    def craft(saved):
        description = json.loads(json.dumps(saved.description))
        edit(description)
        return with_description(json.dumps(description))(saved)
    return craft


def with_description(text):
    return replacing("architecture", np.frombuffer(text.encode(), np.uint8))


def lying_zip_sizes(saved):
    """The central directory and local header claim 128 MB for a member holding 16 bytes."""
    data = archive({"architecture.npy": saved.members["architecture.npy"],
                    "layers.0.weights.npy": huge_header((4000, 4000))})
    claimed = struct.pack("<II", 128 * 2**20, 128 * 2**20)
    start = data.index(b"PK\x03\x04", 1)  # the second member's local header: sizes at 18
    data = data[:start + 18] + claimed + data[start + 26:]
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 1)  # its directory entry: at 20
    return data[:central + 20] + claimed + data[central + 28:]


def damaged(raw, member):
    """``raw`` with one bit flipped in the data of ``member``."""
    at = raw.index(member) + len(member) - 1
    return raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1:]


def set_layer(i, **values):
    return lambda d: d["layers"][i].update(values)


def marker_array(saved):
    """An object array whose element, unpickled, runs a command (the test's marker)."""
    return npy(np.array([RunsCommand(saved.marker)], dtype=object))


CRAFTED = {
    "truncated-half": (lambda s: s.raw[:len(s.raw) // 2], "not a complete .npz archive"),
    "truncated-end": (lambda s: s.raw[:-1], "not a complete .npz archive"),
    "truncated-header": (lambda s: s.raw[:3], "not in nnfast's format"),
    "empty": (lambda s: b"", "the file is empty"),
    "damaged-byte": (lambda s: damaged(s.raw, s.members["layers.3.weights.npy"]), "Bad CRC-32"),
    "object-array": (replacing("layers.0.weights", marker_array), "holds an array of dtype object"),
    "object-array-extra": (replacing("extra", marker_array), "holds an array of dtype object"),
    "float16-array": (replacing("layers.3.biases", np.zeros((1, 3), np.float16)), "holds an array of dtype float16"),
    "big-endian": (replacing("layers.3.biases", np.zeros((1, 3), ">f8")), "holds an array of dtype >f8"),
    "wrong-weights-shape": (replacing("layers.3.weights", np.zeros((16, 4))),
                            r"'layers.3.weights' has the shape \(16, 4\); the description says \(16, 3\)"),
    "wrong-declared-size": (describing(set_layer(3, n_neurons=4)), r"has the shape \(16, 3\)"),
    "wrong-biases-shape": (replacing("layers.3.biases", np.zeros((3, 1))), "biases' has the shape"),
    "wrong-state-shape": (replacing("layers.0.weight_momentums", np.zeros((2, 3))), "weight_momentums' has the shape"),
    "wrong-dtype": (replacing("layers.3.biases", np.zeros((1, 3), np.float32)),
                    "is float32; the description says float64"),
    "unknown-layer": (describing(set_layer(1, kind="Layer_Conv2D")),
                      r"layers\[1\] has the kind 'Layer_Conv2D', which nnfast does not know; the kinds are"),
    "unknown-optimizer": (describing(lambda d: d["optimizer"].update(kind="os.system")), "the kind 'os.system'"),
    "huge-declared-size": (describing(set_layer(0, n_inputs=10**12, n_neurons=10**12)),
                           r"the description says \(1000000000000, 1000000000000\)"),
    "large-declared-size": (describing(set_layer(3, n_inputs=4000, n_neurons=4000)),
                            r"the description says \(4000, 4000\)"),
    "huge-header": (replacing("layers.3.weights", huge_header((4000, 4000))),
                    r"declares a float64 array of shape \(4000, 4000\) \(128000000 bytes\) but holds 16"),
    "huge-header-extreme": (replacing("layers.3.weights", huge_header((2**40, 2**20))), "but holds 16"),
    "lying-zip-sizes": (lying_zip_sizes, "declares 134217728 bytes, more than the file's"),
    "negative-size": (describing(set_layer(0, n_inputs=-2)), "n_inputs is -2, not an integer >= 0"),
    "json-list": (with_description("[1, 2]"), "the description is a JSON list, not an object"),
    "json-number": (with_description("42"), "the description is a JSON number, not an object"),
    "json-invalid": (with_description('{"format": '), "not valid JSON"),
    "json-nan": (lambda s: with_description(json.dumps(s.description).replace('"decay": 5e-07', '"decay": NaN'))(s),
                 "NaN is not a number nnfast writes"),
    "json-deep": (with_description("[" * 100_000 + "]" * 100_000), "not valid JSON"),
    "json-repeated-key": (with_description('{"format": "nnfast.model", "format": "x"}'), "given twice"),
    "json-not-utf8": (replacing("architecture", np.frombuffer(b"\xff\xfe", np.uint8)), "not valid JSON"),
    "string-number": (describing(lambda d: d["optimizer"].update(learning_rate="0.05")),
                      "learning_rate is '0.05', not a number"),
    "bool-number": (describing(set_layer(0, n_inputs=True)), "n_inputs is True, not an integer"),
    "dropout-rate": (describing(set_layer(2, rate=1.5)), r"rate is 1.5, not a number in \[0, 1\)"),
    "negative-regularizer": (describing(set_layer(0, weight_regularizer_l2=-1)),
                             r"weight_regularizer_l2 is -1, not a number finite and >= 0"),
    "beta-1": (describing(lambda d: d["optimizer"].update(beta_1=1)), r"beta_1 is 1, not a number in \[0, 1\)"),
    "unknown-key": (describing(set_layer(1, command="rm -rf")), r"has unknown keys \['command'\]"),
    "missing-key": (describing(lambda d: d.pop("loss")), r"lacks \['loss'\]"),
    "missing-array": (replacing("layers.0.biases", None), "names the array 'layers.0.biases', which the file lacks"),
    "extra-array": (replacing("payload", np.zeros(3)), r"does not name: \['payload'\]"),
    "not-npy-member": (lambda s: archive(dict(s.members, **{"readme.txt": b"hi"})), "'readme.txt' is not an .npy"),
    "not-npy-data": (replacing("layers.0.weights", b"\x80\x04not a header"), "no valid .npy header"),
    "compressed": (lambda s: archive(s.members, zipfile.ZIP_DEFLATED), "compressed or encrypted"),
    "newer-version": (describing(lambda d: d.update(version=2)), "format version 2; this nnfast reads version 1"),
    "other-format": (describing(lambda d: d.update(format="keras")), "format is 'keras', not 'nnfast.model'"),
    "no-description": (replacing("architecture", None), "no 'architecture' entry"),
    "large-description": (replacing("architecture", np.zeros(2**20 + 1, np.uint8)), "not that of a description"),
}


@pytest.mark.parametrize("case", CRAFTED)
def test_crafted_file_is_refused_running_and_allocating_nothing(tmp_path, saved, case):
    craft, message = CRAFTED[case]
    path = tmp_path / "crafted.model"
    path.write_bytes(craft(saved))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as error:
            nn.Model.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(error.value).startswith(f"Model.load: {path}: ")
    assert error.match(message)
    assert peak < 4 * 2**20 + 4 * len(path.read_bytes()), f"{peak} bytes allocated"
    assert not saved.marker.exists()


def test_a_check_of_the_nn_classes_names_the_file(tmp_path, monkeypatch):
    """What the classes refuse beyond the description's checks is the file's ValueError."""
    model, *_ = classifier()
    model.save(tmp_path / "m")

    def refuse(self, rate):
        raise ValueError("Layer_Dropout: refused")

    monkeypatch.setattr(nn.Layer_Dropout, "__init__", refuse)
    with pytest.raises(ValueError, match=r"Model.load: .*m: the description does not make a model: "
                                         "Layer_Dropout: refused"):
        nn.Model.load(tmp_path / "m")


def test_save_refuses_what_load_would(tmp_path):
    model, *_ = classifier(OPTIMIZERS[0])
    model.optimizer.momentum = -0.5
    with pytest.raises(ValueError, match="Model.save: the optimizer's momentum is -0.5, not a number"):
        model.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()
    model.optimizer.momentum = np.float32(0.5)  # NumPy numbers are written as numbers
    model.save(tmp_path / "m")
    assert nn.Model.load(tmp_path / "m").optimizer.momentum == 0.5


def test_a_pickle_that_runs_a_command_runs_nothing(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.model"
    path.write_bytes(pickle.dumps(RunsCommand(marker)))
    with pytest.raises(ValueError, match="is a pickle.*runs whatever code"):
        nn.Model.load(path)
    model = nn.Model()
    model.add(nn.Layer_Dense(2, 3))
    model.finalize()
    with pytest.raises(ValueError, match="is a pickle.*runs whatever code"):
        model.load_parameters(path)
    assert not marker.exists()
    # the file does what it says when unpickled: with the opt-in, the command runs
    with pytest.raises(TypeError, match="not a Model"):
        nn.Model.load(path, allow_pickle=True)
    assert marker.exists()


def test_object_array_payload_is_live(tmp_path, saved):
    """The crafted object arrays above run their command when unpickled (so that refusing them
    is what keeps the marker away)."""
    marker = tmp_path / "marker"
    data = npy(np.array([RunsCommand(marker)], dtype=object))
    np.lib.format.read_array(io.BytesIO(data), allow_pickle=True)
    assert marker.exists()
