"""A Model's dtype: the one its trainable layers share, or the one it casts them to."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from ._checks import FLOAT_DTYPES, check_float_dtype

# A layer's parameter arrays and the optimizers' state arrays kept on it (the book's names).
PARAMETERS = ("weights", "biases")
OPTIMIZER_STATE = ("weight_momentums", "bias_momentums", "weight_cache", "bias_cache")


def as_model_dtype(dtype: DTypeLike | None) -> np.dtype[Any] | None:
    """``dtype`` as float32 or float64 (None stays None: the layers' own): TypeError otherwise."""
    return None if dtype is None else check_float_dtype("Model", dtype)


def network_dtype(layers: list[Any]) -> np.dtype[Any] | None:
    """The float32 or float64 dtype every parameter array of ``layers`` has, else None (no
    trainable layers, mixed dtypes, or others)."""
    dtypes = {np.asarray(getattr(layer, name)).dtype
              for layer in layers for name in PARAMETERS if hasattr(layer, name)}
    dtype = dtypes.pop() if len(dtypes) == 1 else None
    return dtype if dtype in FLOAT_DTYPES else None


def shared_dtype(where: str, layers: list[Any]) -> np.dtype[Any] | None:
    """The dtype every parameter array of the model's ``layers`` has (None without any):
    TypeError naming each layer's dtypes when they differ."""
    found = {i: {name: np.asarray(getattr(layer, name)).dtype
                 for name in PARAMETERS if hasattr(layer, name)}
             for i, layer in enumerate(layers)}
    dtypes = {dtype for arrays in found.values() for dtype in arrays.values()}
    if len(dtypes) <= 1:
        return dtypes.pop() if dtypes else None
    listed = "; ".join(
        f"layers[{i}] ({type(layers[i]).__name__}): " +
        ", ".join(f"{name} {dtype}" for name, dtype in arrays.items())
        for i, arrays in found.items() if arrays)
    raise TypeError(f"{where}: the trainable layers' parameters have different dtypes ({listed}); "
                    "give the network one: Model(dtype=np.float32) or Model(dtype=np.float64) "
                    "casts them all in finalize()")


def cast_layers(layers: list[Any], dtype: np.dtype[Any]) -> None:
    """Cast each layer's parameters and the optimizer state on it to ``dtype`` (arrays that
    have it already are kept, not copied)."""
    for layer in layers:
        for name in PARAMETERS + OPTIMIZER_STATE:
            value = getattr(layer, name, None)
            if value is not None and np.asarray(value).dtype != dtype:
                setattr(layer, name, np.asarray(value, dtype=dtype))


def network_input(a: NDArray[Any], dtype: np.dtype[Any] | None, *,
                  floats_only: bool = False) -> NDArray[Any]:
    """``a`` in the network's ``dtype`` (once per call, so every batch is a view of it);
    with ``floats_only`` only float arrays are cast (targets of a regression, not labels).
    Non-numeric arrays stay as they are, for the layers to refuse by name."""
    if dtype is None or a.dtype == dtype or a.dtype.kind not in ("f" if floats_only else "biuf"):
        return a
    return a.astype(dtype)
