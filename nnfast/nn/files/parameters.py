"""A parameters file: each trainable layer's (weights, biases), as the book's
``get_parameters`` gives them, checked against the model they are loaded into."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .archive import FLOAT_DTYPES, Header
from .schema import VERSION, Checker

FORMAT = "nnfast.parameters"

ParameterSets = list[tuple[NDArray[Any], NDArray[Any]]]


def describe(where: str, sets: Sequence[Sequence[object]]
             ) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """The description and arrays of ``sets`` (``model.get_parameters()``)."""
    arrays: dict[str, NDArray[Any]] = {}
    for i, pair in enumerate(sets):
        for name, array in zip(("weights", "biases"), pair):
            if not isinstance(array, np.ndarray) or array.dtype not in FLOAT_DTYPES:
                described = f"a {array.dtype} array" if isinstance(array, np.ndarray) else \
                    f"a {type(array).__name__}"
                raise ValueError(f"{where}: trainable layer {i}'s {name} is {described}; the "
                                 "file holds float32 or float64 arrays")
            arrays[f"parameters.{i}.{name}"] = array
    return {"format": FORMAT, "version": VERSION, "count": len(sets)}, arrays


def check(where: str, data: object, headers: Mapping[str, Header],
          current: Sequence[Sequence[ArrayLike]]) -> None:
    """``data`` (parsed JSON) and the ``headers`` of its arrays checked against nnfast's
    parameters description and the model's ``current`` parameters: one (weights, biases) pair
    per trainable layer, of the shapes the model has, each pair of one float dtype."""
    c = Checker(where, headers)
    count = c.count(c.document(data, FORMAT, ("count",))["count"], "count")
    if count != len(current):
        raise c.fail(f"the file holds {count} parameter sets and the model has {len(current)} "
                     "trainable layers: load it into a model built as the saved one was")
    for i, pair in enumerate(current):
        (_, weights_dtype), (_, biases_dtype) = (
            c.array(f"parameters.{i}.{name}", [np.shape(array)], None)
            for name, array in zip(("weights", "biases"), pair))
        if weights_dtype != biases_dtype:
            raise c.fail(f"parameter set {i} has {weights_dtype} weights and {biases_dtype} "
                         "biases; a layer's are of one dtype")
    c.finish()


def from_pickle(where: str, loaded: object,
                current: Sequence[Sequence[ArrayLike]]) -> ParameterSets:
    """``loaded``, an unpickled parameters file (the book's list of (weights, biases)), checked
    as ``check`` checks nnfast's files."""
    if not isinstance(loaded, (list, tuple)) or not all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and
            all(isinstance(a, np.ndarray) and a.dtype in FLOAT_DTYPES for a in pair)
            for pair in loaded):
        raise ValueError(f"{where}: the pickle holds a {type(loaded).__name__} that is not a list "
                         "of (weights, biases) float32 or float64 arrays")
    headers = {f"parameters.{i}.{name}": (array.shape, array.dtype)
               for i, pair in enumerate(loaded) for name, array in zip(("weights", "biases"), pair)}
    check(where, {"format": FORMAT, "version": VERSION, "count": len(loaded)}, headers, current)
    return [(weights, biases) for weights, biases in loaded]
