"""The book's pickle format: written on request, read only on request, since unpickling runs
whatever code the file names."""

from __future__ import annotations

import copy
import os
import pickle
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Model

_PROTOCOL_2_AND_LATER = b"\x80"  # the first byte of such a pickle (the book's files have it)


def save(model: Model, path: str | os.PathLike[str]) -> None:
    """The book's ``save``: pickle a copy of the model without its data."""
    model = copy.deepcopy(model)
    model.loss.new_pass()
    model.accuracy.new_pass()
    model.input_layer.__dict__.pop("output", None)
    model.loss.__dict__.pop("dinputs", None)
    if model.softmax_classifier_output is not None:
        model.softmax_classifier_output.__dict__.pop("dinputs", None)
    for layer in model.layers:
        for prop in ["inputs", "output", "dinputs", "dweights", "dbiases", "binary_mask"]:
            layer.__dict__.pop(prop, None)
    with open(path, "wb") as file:
        pickle.dump(model, file)


def load(file: IO[bytes]) -> object:
    """Unpickle ``file`` from its start: runs any code the file names (the caller's opt-in)."""
    file.seek(0)
    return pickle.load(file)


def refusal(where: str, head: bytes, opt_in: str, save_again: str) -> ValueError:
    """The error for a file that is not in nnfast's format, when pickles were not allowed."""
    if not head:
        return ValueError(f"{where}: the file is empty")
    found = ("is a pickle (the book's format)" if head.startswith(_PROTOCOL_2_AND_LATER) else
             "is not in nnfast's format (an .npz archive); it may be a pickle (the book's format)")
    return ValueError(
        f"{where}: the file {found}, which nnfast does not load by default: loading a pickle "
        "runs whatever code the file carries, and a file from elsewhere can carry any. If you "
        f"trust this file (you saved it yourself), call {opt_in}, then {save_again} to keep it "
        "in nnfast's format, which loads without running anything")
