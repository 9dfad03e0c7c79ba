"""The model as data: the description nnfast's file holds of each layer, the loss, the
optimizer and the accuracy (classes from a fixed table, matched exactly), and the model built
back from a checked description."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..accuracy import Accuracy_Categorical, Accuracy_Regression
from ..activations import Activation_Linear, Activation_ReLU, Activation_Sigmoid, Activation_Softmax
from ..layers import Layer_Dense, Layer_Dropout
from ..losses import (
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)
from ..optimizers import Optimizer_Adagrad, Optimizer_Adam, Optimizer_RMSprop, Optimizer_SGD
from .archive import FLOAT_DTYPES, Header
from .schema import FLOAT_NAMES, VERSION, Checker

if TYPE_CHECKING:
    from ..model import Model

FORMAT = "nnfast.model"

LAYERS: dict[str, type] = {cls.__name__: cls for cls in (
    Layer_Dense, Layer_Dropout, Activation_ReLU, Activation_Softmax, Activation_Sigmoid,
    Activation_Linear)}
LOSSES: dict[str, type] = {cls.__name__: cls for cls in (
    Loss_CategoricalCrossentropy, Loss_BinaryCrossentropy, Loss_MeanSquaredError,
    Loss_MeanAbsoluteError)}
ACCURACIES: dict[str, type] = {cls.__name__: cls for cls in (
    Accuracy_Categorical, Accuracy_Regression)}
# each optimizer's constructor arguments; its state is OPTIMIZER_STATE
OPTIMIZERS: dict[str, tuple[type, tuple[str, ...]]] = {
    "Optimizer_SGD": (Optimizer_SGD, ("learning_rate", "decay", "momentum")),
    "Optimizer_Adagrad": (Optimizer_Adagrad, ("learning_rate", "decay", "epsilon")),
    "Optimizer_RMSprop": (Optimizer_RMSprop, ("learning_rate", "decay", "epsilon", "rho")),
    "Optimizer_Adam": (Optimizer_Adam, ("learning_rate", "decay", "epsilon", "beta_1", "beta_2")),
}
OPTIMIZER_STATE = ("iterations", "current_learning_rate")
# the optimizers' settings with an upper limit (each is >= 0, as every number described)
LIMITS: dict[str, dict[str, float]] = {
    "rho": {"at_most": 1}, "beta_1": {"below": 1}, "beta_2": {"below": 1}}
REGULARIZERS = ("weight_regularizer_l1", "weight_regularizer_l2", "bias_regularizer_l1",
                "bias_regularizer_l2")
# the arrays an optimizer keeps on a Dense layer, and the parameter each has the shape of
SLOTS = {"weight_momentums": "weights", "weight_cache": "weights", "bias_momentums": "biases",
         "bias_cache": "biases"}
DENSE_KEYS = ("kind", "n_inputs", "n_neurons", "dtype", *REGULARIZERS, "optimizer_state")
TOP_KEYS = ("finalized", "layers", "loss", "optimizer", "accuracy")


# ---- saving: the model -> a description and its arrays ----

def describe(model: Model) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """The JSON-ready description of ``model`` and the arrays it names. TypeError for an object
    the table does not hold (a subclass included), ValueError for a value the format cannot hold."""
    arrays: dict[str, NDArray[Any]] = {}
    layers = []
    for i, layer in enumerate(model.layers):
        kind = _kind(f"layer {i}", layer, LAYERS)
        if kind == "Layer_Dense":
            layers.append(_describe_dense(i, layer, arrays))
        elif kind == "Layer_Dropout":
            # Layer_Dropout(rate) keeps the book's 1 - rate as .rate; 1 - (1 - r) gives it back
            layers.append({"kind": kind, "rate": _number(f"layer {i}'s rate", 1 - layer.rate)})
        else:
            layers.append({"kind": kind})
    finalized = getattr(model, "input_layer", None) is not None
    description: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "finalized": finalized, "layers": layers,
        "loss": None, "optimizer": None, "accuracy": None}
    loss = getattr(model, "loss", None)
    if loss is not None:
        description["loss"] = {"kind": _kind("the loss", loss, LOSSES)}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        kind = _kind("the optimizer", optimizer, OPTIMIZERS)
        description["optimizer"] = {"kind": kind, **{
            name: _number(f"the optimizer's {name}", getattr(optimizer, name))
            for name in OPTIMIZERS[kind][1] + OPTIMIZER_STATE}}
    accuracy = getattr(model, "accuracy", None)
    if accuracy is not None:
        description["accuracy"] = _describe_accuracy(accuracy, arrays)
    if hasattr(model, "dtype"):
        description["dtype"] = None if model.dtype is None else \
            _float_dtype("the model's dtype", model.dtype).name
    return description, arrays


def _describe_dense(i: int, layer: Any,
                    arrays: dict[str, NDArray[Any]]) -> dict[str, Any]:
    weights = _float_array(f"layer {i}'s weights", layer.weights)
    biases = _float_array(f"layer {i}'s biases", layer.biases)
    n_inputs, n_neurons = weights.shape if weights.ndim == 2 else (-1, -1)
    if n_inputs < 0 or biases.shape not in ((n_neurons,), (1, n_neurons)) or \
            biases.dtype != weights.dtype:
        raise ValueError(f"Model.save: layer {i} has weights {weights.dtype}{weights.shape} and "
                         f"biases {biases.dtype}{biases.shape}; a Dense layer's are (n_inputs, "
                         "n_neurons) and (1, n_neurons) or (n_neurons,), of one dtype")
    params = {"weights": weights, "biases": biases}
    arrays[f"layers.{i}.weights"], arrays[f"layers.{i}.biases"] = weights, biases
    slots = [slot for slot in SLOTS if hasattr(layer, slot)]
    for slot in slots:
        state, like = getattr(layer, slot), params[SLOTS[slot]]
        if not isinstance(state, np.ndarray) or state.shape != like.shape or \
                state.dtype != like.dtype:
            raise ValueError(f"Model.save: layer {i}'s {slot} is not an array of its "
                             f"{SLOTS[slot]}' shape {like.shape} and dtype {like.dtype}")
        arrays[f"layers.{i}.{slot}"] = state
    return {"kind": "Layer_Dense", "n_inputs": n_inputs, "n_neurons": n_neurons,
            "dtype": weights.dtype.name,
            **{name: _number(f"layer {i}'s {name}", getattr(layer, name)) for name in REGULARIZERS},
            "optimizer_state": slots}


def _describe_accuracy(accuracy: object, arrays: dict[str, NDArray[Any]]) -> dict[str, Any]:
    kind = _kind("the accuracy", accuracy, ACCURACIES)
    if isinstance(accuracy, Accuracy_Categorical):
        if not isinstance(accuracy.binary, bool):
            raise ValueError(f"Model.save: the accuracy's binary is {accuracy.binary!r}, "
                             "not True or False")
        return {"kind": kind, "binary": accuracy.binary}
    precision = getattr(accuracy, "precision", None)
    if precision is not None:
        # an array keeps the scalar's dtype, which decides the dtype of the comparison
        arrays["accuracy.precision"] = _float_array("the accuracy's precision",
                                                    np.asarray(precision), ndim=0)
    return {"kind": kind, "precision": precision is not None}


def _kind(what: str, obj: object, table: Mapping[str, object]) -> str:
    kind = type(obj).__name__
    entry = table.get(kind)
    if (entry[0] if isinstance(entry, tuple) else entry) is not type(obj):
        raise TypeError(
            f"Model.save: {what} is a {type(obj).__module__}.{type(obj).__qualname__}, which "
            f"nnfast's file format cannot describe: it stores the classes {', '.join(table)} "
            "as data, matched by exact class, and a subclass's or another class's code is no "
            "data. To save this model anyway, call save(path, format='pickle') (the book's "
            "format, which runs code when loaded: Model.load then needs allow_pickle=True), or "
            "save_parameters(path) and build the model in code")
    return kind


def _number(what: str, value: object) -> int | float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"Model.save: {what} is {value!r}, not a number")
    number = int(value) if isinstance(value, numbers.Integral) else float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"Model.save: {what} is {value!r}; the file holds finite numbers")
    return number


def _float_dtype(what: str, value: object) -> np.dtype[Any]:
    try:
        dtype: np.dtype[Any] = np.dtype(value)  # type: ignore[call-overload]
    except TypeError:
        dtype = np.dtype(object)
    if dtype not in FLOAT_DTYPES:
        raise ValueError(f"Model.save: {what} is {value!r}, not float32 or float64")
    return dtype


def _float_array(what: str, value: object, *, ndim: int | None = None) -> NDArray[Any]:
    if not isinstance(value, np.ndarray) or value.dtype not in FLOAT_DTYPES or \
            (ndim is not None and value.ndim != ndim):
        described = f"a {value.dtype} array" if isinstance(value, np.ndarray) else \
            f"a {type(value).__name__}"
        raise ValueError(f"Model.save: {what} is {described}; the file holds float32 or float64 "
                         "arrays")
    return value


# ---- loading: a parsed description -> checked -> the model ----

def check(where: str, data: object, headers: Mapping[str, Header]) -> dict[str, Any]:
    """``data`` (parsed JSON) checked against nnfast's model description and the archive's
    array ``headers``: returned as is when every check passes, else ValueError."""
    c = Checker(where, headers)
    description = c.document(data, FORMAT, TOP_KEYS, optional=("dtype",))
    c.flag(description["finalized"], "finalized")
    if description.get("dtype") is not None:
        c.choice(description["dtype"], "dtype", FLOAT_NAMES)
    for i, spec in enumerate(c.list(description["layers"], "layers")):
        _check_layer(c, i, spec)
    if description["loss"] is not None:
        kind, spec = c.kind(description["loss"], "the loss", LOSSES)
        c.keys(spec, "the loss", ("kind",))
    if description["optimizer"] is not None:
        kind, spec = c.kind(description["optimizer"], "the optimizer", OPTIMIZERS)
        c.keys(spec, "the optimizer", ("kind", *OPTIMIZERS[kind][1], *OPTIMIZER_STATE))
        for name in OPTIMIZERS[kind][1] + ("current_learning_rate",):
            c.number(spec[name], f"the optimizer's {name}", **LIMITS.get(name, {}))
        c.count(spec["iterations"], "the optimizer's iterations")
    if description["accuracy"] is not None:
        kind, spec = c.kind(description["accuracy"], "the accuracy", ACCURACIES)
        if kind == "Accuracy_Categorical":
            c.flag(c.keys(spec, "the accuracy", ("kind", "binary"))["binary"], "binary")
        elif c.flag(c.keys(spec, "the accuracy", ("kind", "precision"))["precision"],
                    "precision"):
            c.array("accuracy.precision", [()], None)
    c.finish()
    return description


def _check_layer(c: Checker, i: int, spec: object) -> None:
    at = f"layers[{i}]"
    kind, layer = c.kind(spec, at, LAYERS)
    if kind == "Layer_Dropout":
        c.number(c.keys(layer, at, ("kind", "rate"))["rate"], f"{at}.rate", below=1)
        return
    if kind != "Layer_Dense":
        c.keys(layer, at, ("kind",))
        return
    c.keys(layer, at, DENSE_KEYS)
    n_inputs = c.count(layer["n_inputs"], f"{at}.n_inputs")
    n_neurons = c.count(layer["n_neurons"], f"{at}.n_neurons")
    dtype = c.choice(layer["dtype"], f"{at}.dtype", FLOAT_NAMES)
    for name in REGULARIZERS:
        c.number(layer[name], f"{at}.{name}")
    # the sizes are checked against the arrays the file holds, before anything is built
    shapes = {"weights": c.array(f"layers.{i}.weights", [(n_inputs, n_neurons)], dtype)[0],
              "biases": c.array(f"layers.{i}.biases", [(n_neurons,), (1, n_neurons)], dtype)[0]}
    slots = c.list(layer["optimizer_state"], f"{at}.optimizer_state")
    for slot in slots:
        c.choice(slot, f"{at}.optimizer_state", SLOTS)
        c.array(f"layers.{i}.{slot}", [shapes[SLOTS[slot]]], dtype)
    if len(set(slots)) != len(slots):
        raise c.fail(f"{at}.optimizer_state names an array twice: {slots}")


def build(model: Model, description: Mapping[str, Any],
          arrays: Mapping[str, NDArray[Any]]) -> None:
    """Give the new ``model`` the layers, loss, optimizer and accuracy of a description that
    ``check`` passed, with its arrays."""
    if "dtype" in description:
        model.dtype = None if description["dtype"] is None else np.dtype(description["dtype"])
    for i, spec in enumerate(description["layers"]):
        model.add(_build_layer(i, spec, arrays))
    loss, optimizer, accuracy = (description[key] for key in ("loss", "optimizer", "accuracy"))
    model.set(loss=None if loss is None else LOSSES[loss["kind"]](),
              optimizer=None if optimizer is None else _build_optimizer(optimizer),
              accuracy=None if accuracy is None else _build_accuracy(accuracy, arrays))
    if description["finalized"]:
        model.finalize()


def _build_layer(i: int, spec: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> object:
    kind = spec["kind"]
    if kind == "Layer_Dropout":
        return Layer_Dropout(spec["rate"])
    if kind != "Layer_Dense":
        return LAYERS[kind]()
    # Layer_Dense draws initial weights from NumPy's global generator: loading a model leaves
    # a seeded sequence where it was, as unpickling the book's file does
    state = np.random.get_state()
    try:
        layer = Layer_Dense(spec["n_inputs"], spec["n_neurons"],
                            **{name: spec[name] for name in REGULARIZERS})
    finally:
        np.random.set_state(state)
    layer.set_parameters(arrays[f"layers.{i}.weights"], arrays[f"layers.{i}.biases"])
    for slot in spec["optimizer_state"]:
        setattr(layer, slot, arrays[f"layers.{i}.{slot}"])
    return layer


def _build_optimizer(spec: Mapping[str, Any]) -> object:
    cls, hyperparameters = OPTIMIZERS[spec["kind"]]
    optimizer = cls(**{name: spec[name] for name in hyperparameters})
    for name in OPTIMIZER_STATE:
        setattr(optimizer, name, spec[name])
    return optimizer


def _build_accuracy(spec: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> object:
    if spec["kind"] == "Accuracy_Categorical":
        return Accuracy_Categorical(binary=spec["binary"])
    accuracy = Accuracy_Regression()
    if spec["precision"]:
        accuracy.precision = arrays["accuracy.precision"][()]
    return accuracy
