"""Model's misuse errors: what add(), set(), finalize() and the passes need, checked before
any state changes, with messages that name the method and say what to do."""

from __future__ import annotations

from typing import Any

# What Model calls on each part it is given.
LAYER_METHODS = ("forward", "backward")
PART_METHODS = {
    "loss": ("calculate", "backward", "new_pass", "calculate_accumulated",
             "remember_trainable_layers"),
    "optimizer": ("pre_update_params", "update_params", "post_update_params"),
    "accuracy": ("init", "calculate", "calculate_accumulated", "new_pass"),
}


def _lacking(obj: Any, methods: tuple[str, ...]) -> list[str]:
    return [name for name in methods if not callable(getattr(obj, name, None))]


def check_layer(layer: Any) -> None:
    """TypeError unless ``layer`` is a layer instance (``forward`` and ``backward``)."""
    if isinstance(layer, type):
        raise TypeError(f"Model.add: got the class {layer.__name__} itself: add an instance, "
                        f"{layer.__name__}(...)")
    lacking = _lacking(layer, LAYER_METHODS)
    if lacking:
        raise TypeError(f"Model.add: expected a layer, an object with forward() and backward() "
                        f"methods (Layer_Dense, Activation_ReLU, ...), got "
                        f"{type(layer).__name__} without {', '.join(lacking)}()")


def check_part(role: str, part: Any) -> None:
    """TypeError unless ``part`` can serve as the model's ``role`` ("loss", "optimizer" or
    "accuracy"): an instance with the methods Model calls on it."""
    if isinstance(part, type):
        raise TypeError(f"Model.set: {role} is the class {part.__name__} itself: pass an "
                        f"instance, {role}={part.__name__}(...)")
    lacking = _lacking(part, PART_METHODS[role])
    if role == "optimizer" and not hasattr(part, "current_learning_rate"):
        lacking.append("current_learning_rate")
    if lacking:
        needed = ", ".join(f"{m}()" for m in PART_METHODS[role])
        raise TypeError(f"Model.set: {role} must have {needed}; {type(part).__name__} lacks "
                        f"{', '.join(lacking)} (the book's {role} classes have them all)")


def check_ready(model: Any, where: str, needs: tuple[str, ...]) -> None:
    """RuntimeError unless ``model`` has the parts ``needs`` names and was finalized with its
    present layers and loss."""
    call = where.split(".")[1] + "()"
    missing = [role for role in needs if getattr(model, role, None) is None]
    if missing:
        raise RuntimeError(f"{where}: no {' or '.join(missing)} set: call "
                           f"set({', '.join(f'{role}=...' for role in missing)}) and finalize() "
                           f"before {call}")
    if "input_layer" not in vars(model):
        raise RuntimeError(f"{where}: the model is not finalized: call finalize() (after add() "
                           f"and set()) before {call}")
    layers, loss = vars(model).get("_finalized_with", (None, None))
    if layers is not None and (layers != tuple(model.layers) or
                               loss is not getattr(model, "loss", None)):
        raise RuntimeError(f"{where}: layers or the loss changed after finalize(): call "
                           f"finalize() again before {call}")


def check_validation_pair(where: str, X_val: Any, y_val: Any, X: Any) -> None:
    """ValueError unless ``X_val`` and ``y_val`` hold as many samples, shaped as ``X``'s."""
    if len(X_val) != len(y_val):
        raise ValueError(f"{where}: validation_data has {len(X_val)} samples in X_val and "
                         f"{len(y_val)} in y_val; they need the same number")
    if X_val.shape[1:] != X.shape[1:]:
        raise ValueError(f"{where}: validation_data's X_val has samples of shape "
                         f"{X_val.shape[1:]}, X of shape {X.shape[1:]}; they need the same")
