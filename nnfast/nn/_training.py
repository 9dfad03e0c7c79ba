"""Model.train's step: forward, loss, accuracy and backward over one batch. One loop for every
model, using the fused computations its objects offer (nnfast/nn/_fusion.py)."""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray

Unit = tuple[Any, Any, str | None, Any, bool]  # see TrainingStep


def softmax_stats_taken(model: Any) -> tuple[bool, bool]:
    """Whether the layer-by-layer step takes the batch's loss sum, and its correct count, from
    the book's softmax + cross-entropy output's backward pass (a Python float and int) rather
    than from the loss's and the accuracy's own ``calculate`` (NumPy scalars)."""
    if model.softmax_classifier_output is None:
        return False, False
    loss_sum = bool(getattr(model.loss, "takes_loss_sum", False))
    correct_count = bool(getattr(model.accuracy, "takes_correct_count", False)) and \
        bool(getattr(model.output_layer_activation, "predicts_argmax", False))
    return loss_sum, correct_count


class TrainingStep:
    """The training step of ``model``, planned once per ``train`` from what its layers, loss
    and accuracy offer.

    ``units`` holds the layers in order as ``(layer, activation, name, relu, buffered)``:
    ``activation`` is the next layer when ``layer`` computes it in its own C calls (``name``
    its ``dense_activation``; ``relu`` the same object when it is a ReLU, whose backward the
    layer's takes too), ``buffered`` whether ``layer`` writes into kept buffers. With the
    book's softmax + cross-entropy output (``model.softmax_classifier_output``) its backward
    gives the gradient of the output softmax's inputs, as in the book, and, when the loss or
    the accuracy takes them (``softmax_stats``), the batch's loss sum and correct count from
    the same pass.
    """

    units: list[Unit]
    buffers: dict[int, list[dict[str, Any]]]

    def __init__(self, model: Any) -> None:
        layers = model.layers
        self.loss, self.accuracy = model.loss, model.accuracy
        self.output_activation = model.output_layer_activation
        self.softmax_loss = model.softmax_classifier_output
        self.units = []
        i = 0
        while i < len(layers):
            layer = layers[i]
            buffered = bool(getattr(layer, "uses_buffers", False))
            activation = name = None
            if buffered and getattr(layer, "takes_activation", False) and i + 1 < len(layers):
                offered = getattr(layers[i + 1], "dense_activation", None)
                # a softmax's backward is fused only as the book's classifier output
                if offered == "relu" or (offered == "softmax" and i + 2 == len(layers)
                                         and self.softmax_loss is not None):
                    activation, name = layers[i + 1], offered
            relu = activation if name == "relu" else None
            self.units.append((layer, activation, name, relu, buffered))
            i += 2 if activation is not None else 1
        # the output softmax alone: its backward is the softmax + cross-entropy's
        self.output_replaced = self.softmax_loss is not None and bool(self.units) and \
            self.units[-1][1] is None
        self.loss_sum, self.correct_count = softmax_stats_taken(model)
        self.softmax_stats = self.loss_sum or self.correct_count
        self.buffers = {}  # batch size -> a dict per unit, then one for the softmax loss

    def step(self, X: NDArray[Any], y: NDArray[Any]) -> tuple[Any, Any, Any]:
        """Forward, loss, accuracy and backward over one batch: returns ``(data_loss,
        regularization_loss, accuracy)``, each also accumulated for the epoch as the book
        does; every layer's ``dweights``/``dbiases`` are set for the optimizer."""
        m = len(X)
        buffers = self.buffers.get(m)
        if buffers is None:
            buffers = self.buffers[m] = [{} for _ in range(len(self.units) + 1)]
        x = X
        for (layer, activation, name, relu, buffered), kept in zip(self.units, buffers):
            if not buffered:
                layer.forward(x, True)
            elif activation is None:
                layer.forward(x, True, buffers=kept)
            else:
                layer.forward(x, True, activation=name, buffers=kept)
                activation.output = layer.output
            x = layer.output

        loss, accuracy = self.loss, self.accuracy
        if self.softmax_stats:
            d, loss_sum, correct = self.softmax_loss.backward(x, y, with_stats=True,
                                                              buffers=buffers[-1])
            if self.loss_sum:
                data_loss = loss_sum / m
                loss._accumulate(loss_sum, m)
                regularization_loss = loss.regularization_loss()
            else:
                data_loss, regularization_loss = loss.calculate(x, y, include_regularization=True)
            if self.correct_count:
                step_accuracy = correct / m
                accuracy._accumulate(correct, m)
            else:
                step_accuracy = accuracy.calculate(self.output_activation.predictions(x), y)
        else:
            data_loss, regularization_loss = loss.calculate(x, y, include_regularization=True)
            step_accuracy = accuracy.calculate(self.output_activation.predictions(x), y)
            last = self.softmax_loss if self.softmax_loss is not None else loss
            last.backward(x, y)
            d = last.dinputs

        first = len(self.units) - 1
        if self.output_replaced:
            self.units[-1][0].dinputs = d
            first -= 1
        for i in range(first, -1, -1):
            layer, activation, name, relu, buffered = self.units[i]
            if not buffered:
                layer.backward(d)
            elif relu is None:
                layer.backward(d, need_dinputs=i > 0, buffers=buffers[i])
            else:
                layer.backward(d, relu_output=relu.output, need_dinputs=i > 0, buffers=buffers[i])
            d = layer.dinputs
        return data_loss, regularization_loss, step_accuracy
