"""nnfast's model files: data that loading cannot run.

A file is an ``.npz`` archive (NumPy's ``np.savez``, uncompressed) of ``.npy`` arrays: one named
``architecture``, the UTF-8 bytes (uint8) of a JSON description, and the float32/float64 arrays
the description names. A model's description holds each layer's kind (a class of a fixed table,
matched exactly) and settings (Dense: sizes, dtype, regularizers; Dropout: rate), the loss, the
optimizer (its settings and state: iteration count, current learning rate and the momentum or
cache arrays it keeps on each layer), the accuracy and the model's dtype, with a format version:
a saved and loaded model predicts, and trains on, exactly as the saved one. A parameters file
holds each trainable layer's (weights, biases).

Loading executes nothing from the file: ``np.load(allow_pickle=False)``, a JSON parser, and
checks of every value, key and array header (sizes against the file's own size) before any
array is read or any layer built; a file that fails one gives ValueError naming it and what is
wrong. The book's pickle files load only with ``allow_pickle=True``, since unpickling runs
whatever code the file names. The format is described for users in docs/model_files.md.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from numpy.typing import NDArray

from . import architecture, parameters, pickled
from .archive import ARCHITECTURE, ZIP_MAGIC, ArchiveReader, write_archive

if TYPE_CHECKING:
    from ..model import Model

    ModelT = TypeVar("ModelT", bound=Model)

StrPath = str | os.PathLike[str]


def save_model(model: Model, path: StrPath, *, format: Literal["nnfast", "pickle"] = "nnfast"
               ) -> None:
    """``Model.save``: ``model`` in nnfast's format, or the book's pickle format on request."""
    if format == "pickle":
        pickled.save(model, path)
        return
    if format != "nnfast":
        raise ValueError(f"Model.save: format is {format!r}; it is 'nnfast' (the default: a file "
                         "that loads without running code) or 'pickle' (the book's format)")
    description, arrays = architecture.describe(model)
    # the checks of loading, so that nnfast never writes a file it would refuse
    architecture.check("Model.save", description,
                       {name: (array.shape, array.dtype) for name, array in arrays.items()})
    write_archive(path, description, arrays)


def load_model(cls: type[ModelT], path: StrPath, *, allow_pickle: bool = False) -> ModelT:
    """``Model.load``: a ``cls`` model from a file of ``save_model``, or from the book's pickle
    format when ``allow_pickle``."""
    where = f"Model.load: {os.fsdecode(path)}"
    with open(path, "rb") as file:
        head = file.read(len(ZIP_MAGIC))
        if head != ZIP_MAGIC:
            if not allow_pickle:
                raise pickled.refusal(where, head, "Model.load(path, allow_pickle=True)",
                                      "model.save(path)")
            model = pickled.load(file)
            if not isinstance(model, cls):
                raise TypeError(f"{where}: the pickle holds a {type(model).__name__}, not a "
                                f"{cls.__name__}")
            return model
        with ArchiveReader(where, file) as archive:
            description = architecture.check(where, archive.architecture(), archive.headers)
            arrays = {name: archive.read(name) for name in archive.headers
                      if name != ARCHITECTURE}
    model = cls()
    try:
        architecture.build(model, description, arrays)
    except (TypeError, ValueError) as exc:  # a check of the nn classes the description passed
        raise ValueError(f"{where}: the description does not make a model: {exc}") from exc
    return model


def save_parameters(model: Model, path: StrPath) -> None:
    """``Model.save_parameters``: each trainable layer's (weights, biases)."""
    description, arrays = parameters.describe(
        "Model.save_parameters", _parameter_sets("Model.save_parameters", model))
    write_archive(path, description, arrays)


def load_parameters(model: Model, path: StrPath, *, allow_pickle: bool = False) -> None:
    """``Model.load_parameters``: the parameters of a file of ``save_parameters`` (or, when
    ``allow_pickle``, of the book's pickle format) into ``model``, whose trainable layers must
    have the file's shapes. Nothing changes when a check fails."""
    current = _parameter_sets("Model.load_parameters", model)
    where = f"Model.load_parameters: {os.fsdecode(path)}"
    with open(path, "rb") as file:
        head = file.read(len(ZIP_MAGIC))
        if head != ZIP_MAGIC:
            if not allow_pickle:
                raise pickled.refusal(where, head, "model.load_parameters(path, allow_pickle="
                                      "True)", "model.save_parameters(path)")
            sets = parameters.from_pickle(where, pickled.load(file), current)
        else:
            with ArchiveReader(where, file) as archive:
                parameters.check(where, archive.architecture(), archive.headers, current)
                sets = [(archive.read(f"parameters.{i}.weights"),
                         archive.read(f"parameters.{i}.biases")) for i in range(len(current))]
    model.set_parameters(sets)


def _parameter_sets(where: str, model: Model) -> list[tuple[NDArray[Any], NDArray[Any]]]:
    if getattr(model, "trainable_layers", None) is None:
        raise RuntimeError(f"{where}: call finalize() first: the parameters are those of the "
                           "trainable layers finalize() finds")
    sets: list[tuple[NDArray[Any], NDArray[Any]]] = model.get_parameters()
    return sets
