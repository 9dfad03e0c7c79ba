"""What Model.train may fuse, found by what each object offers.

Model.train runs one step for every model (nnfast/nn/_training.py). Where a layer, activation,
loss or accuracy offers a fused computation, the step uses it; an object offers one through an
attribute, read once per ``train``:

- ``layer.uses_buffers``: ``forward(..., buffers=)`` and ``backward(..., need_dinputs=,
  buffers=)``: the layer writes its results into arrays kept in ``buffers`` between steps
  (one set per batch size) and skips ``dinputs`` when the step does not need them (the first
  layer's). Layer_Dense, Layer_Dropout.
- ``layer.takes_activation``: ``forward(..., activation=NAME)`` computes the activation after
  the layer in the same C call and ``backward(..., relu_output=)`` a ReLU's backward in the
  layer's. Layer_Dense.
- ``activation.dense_activation``: that NAME ("relu": Activation_ReLU; "softmax":
  Activation_Softmax, as the output layer whose backward the softmax + cross-entropy
  gradient replaces, as in the book).
- ``activation.predicts_argmax``: predictions are the argmax of each row. Activation_Softmax.
- ``loss.takes_loss_sum``: the loss of a batch of softmax outputs is the loss sum that the
  softmax + cross-entropy backward returns with the gradient. Loss_CategoricalCrossentropy.
- ``accuracy.takes_correct_count``: the accuracy of argmax predictions is the correct count
  that the same backward returns. Accuracy_Categorical (not ``binary``).

Each offer holds only while the object's class uses the methods the fused computation stands
in for (``uses_own``): a subclass that overrides one of them has it called as written, a
subclass that overrides none keeps the fused computation. Any other object takes the book's
path (its ``forward``, ``backward``, ``calculate``, ``predictions``).
"""

from __future__ import annotations

from typing import Any


def uses_own(obj: Any, cls: type, *methods: str) -> bool:
    """Whether ``obj``'s class uses ``cls``'s own ``methods``: none replaced by a subclass."""
    kind = type(obj)
    return all(getattr(kind, name) is getattr(cls, name) for name in methods)
