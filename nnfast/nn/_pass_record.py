"""What a pass leaves on the layers, the loss and the output parts (``inputs``, ``output``,
``dinputs``, a dropout layer's ``binary_mask``), removed after a pass in nnfast's C network,
which keeps none of them: reading one then raises AttributeError instead of giving an
earlier layer-by-layer pass's numbers.

(No ``__getattr__`` with a longer message: on a class that defines one, CPython does not
specialize attribute reads, and the book's class loop took 52 us an epoch instead of 49.)"""

from __future__ import annotations

from typing import Any

PASS_ATTRIBUTES = ("inputs", "output", "dinputs", "binary_mask")


def forget_passes(model: Any) -> None:
    """After a pass in the C network: the model's parts lose their records of an earlier
    pass."""
    for part in (*model.layers, getattr(model, "input_layer", None),
                 getattr(model, "loss", None), getattr(model, "softmax_classifier_output", None)):
        record = getattr(part, "__dict__", None)
        if record is not None:
            for name in PASS_ATTRIBUTES:
                record.pop(name, None)
