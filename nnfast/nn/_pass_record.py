"""What a layer's last pass leaves on it (``inputs``, ``output``, ``dinputs``), and the error
that reading one gives when no pass left it: before the first ``forward``, or after
``Model.train``, ``predict`` or ``evaluate`` ran in nnfast's C network, which keeps none."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

PASS_ATTRIBUTES = ("inputs", "output", "dinputs")


class PassRecord:
    """Base of the layers, activations and losses: the attribute error of a pass's record."""

    if not TYPE_CHECKING:  # mypy keeps checking attribute names against the annotations

        def __getattr__(self, name: str) -> Any:
            if name in PASS_ATTRIBUTES:
                sets = "backward" if name == "dinputs" else "forward"
                raise AttributeError(
                    f"{type(self).__name__}.{name} is not set: {sets} sets it, and a "
                    f"Model.train, predict or evaluate that ran in nnfast's C network "
                    f"leaves no layer's {name}")
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def forget_passes(model: Any) -> None:
    """After a pass in the C network: the model's layers, loss and output parts lose their
    records of an earlier pass, so that reading one raises instead of giving that pass's
    numbers as this one's."""
    parts: Iterable[Any] = (*model.layers, getattr(model, "input_layer", None),
                            getattr(model, "loss", None),
                            getattr(model, "softmax_classifier_output", None))
    for part in parts:
        if isinstance(part, PassRecord):
            for name in PASS_ATTRIBUTES:
                part.__dict__.pop(name, None)
