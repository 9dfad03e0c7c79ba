"""The book's Model: layers, loss, optimizer and accuracy put together; training,
evaluation, prediction, parameters and saving."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from .._types import FloatArray
from . import files
from ._checks import as_samples, check_count, count_steps
from ._data import batch as _batch, warn_if_sorted_by_class
from ._dtype import as_model_dtype, cast_layers, network_dtype, network_input, shared_dtype
from ._model_checks import check_layer, check_part, check_ready, check_validation_pair
from ._network import network_of
from ._pass_record import forget_passes
from ._progress import Output, output_for, output_mode
from ._training import TrainingStep
from .activations import Activation_Softmax
from .history import TRAINING_KEYS, History
from .layers import Layer_Input
from .losses import Activation_Softmax_Loss_CategoricalCrossentropy, Loss_CategoricalCrossentropy

if TYPE_CHECKING:
    from typing_extensions import Self


class Model:
    """The book's Model (chapters 18-22): ``add`` layers, ``set(loss=, optimizer=,
    accuracy=)``, ``finalize()``, then ``train``, ``evaluate`` and ``predict``; parameters
    through ``get_parameters``/``set_parameters``/``save_parameters``/``load_parameters``,
    the whole model through ``save``/``Model.load``::

        model = Model()
        model.add(Layer_Dense(2, 64)); model.add(Activation_ReLU())
        model.add(Layer_Dense(64, 3)); model.add(Activation_Softmax())
        model.set(loss=Loss_CategoricalCrossentropy(), optimizer=Optimizer_Adam(),
                  accuracy=Accuracy_Categorical())
        model.finalize()
        history = model.train(X, y, epochs=10000, print_every=100)
        plt.plot(history.epoch, history.history["loss"])

    Parameters
    ----------
    dtype : np.float32, np.float64 or None (keyword only)
        The network's dtype. Given, ``finalize()`` casts every trainable layer's parameters
        (and the optimizer's state arrays kept on them) to it, so ``Model(dtype=np.float32)``
        makes a float32 network of layers made in the book's float64. None (the default, as
        the book): the dtype the trainable layers share; ``finalize()`` refuses layers of
        different dtypes. ``train``, ``evaluate`` and ``predict`` convert their inputs (and a
        regression's float targets) to the network's dtype once per call, so a float32
        network stays float32 whatever it is given and no step converts again.

    ``train`` runs the book's steps, layer by layer (each layer in C), and goes further where
    the objects offer it: a Dense layer computes the ReLU after it (and a classifier's output
    softmax) in its own C calls, softmax + cross-entropy gives the step's loss and correct
    count with its gradient, and Dense and Dropout write into buffers kept between steps (the
    book's numbers, within float rounding). A subclass keeps these unless it replaces the
    methods they stand in for, which are then called.

    Misuse raises before anything changes, naming the method and what to do: RuntimeError
    for a pass before ``finalize()``, a pass without the parts it needs, layers or loss
    changed since ``finalize()``, ``finalize()`` without layers; TypeError for ``add`` of
    what is not a layer instance and ``set`` of parts without the methods Model calls.
    """

    # A model unpickled from a file written before models had a dtype takes its layers'.
    dtype: np.dtype[Any] | None = None
    layers: list[Any]
    loss: Any
    optimizer: Any
    accuracy: Any
    input_layer: Layer_Input
    trainable_layers: list[Any]
    output_layer_activation: Any
    softmax_classifier_output: Activation_Softmax_Loss_CategoricalCrossentropy | None

    def __init__(self, *, dtype: DTypeLike | None = None) -> None:
        self.dtype = as_model_dtype(dtype)
        self.layers = []
        self.softmax_classifier_output = None

    def add(self, layer: Any) -> None:
        """Append ``layer`` (a layer or activation instance: an object with ``forward`` and
        ``backward``) to the network. Raises TypeError for anything else, a class included."""
        check_layer(layer)
        self.layers.append(layer)

    def set(self, *, loss: Any = None, optimizer: Any = None, accuracy: Any = None) -> None:
        """Set the loss, the optimizer and the accuracy (each left as it is when None).

        A loss needs ``calculate``, ``backward``, ``new_pass``, ``calculate_accumulated`` and
        ``remember_trainable_layers`` (the book's ``Loss`` subclasses); an optimizer
        ``pre_update_params``, ``update_params``, ``post_update_params`` and a
        ``current_learning_rate``; an accuracy ``init``, ``calculate``,
        ``calculate_accumulated`` and ``new_pass``. Raises TypeError naming what is missing
        (or that a class was given, not an instance), setting none of the three. A new loss
        needs ``finalize()`` again; a new optimizer or accuracy does not."""
        for role, part in (("loss", loss), ("optimizer", optimizer), ("accuracy", accuracy)):
            if part is not None:
                check_part(role, part)
        if loss is not None:
            self.loss = loss
        if optimizer is not None:
            self.optimizer = optimizer
        if accuracy is not None:
            self.accuracy = accuracy

    def finalize(self) -> None:
        """Link the layers in order (each layer's ``prev`` and ``next``, the last one's
        ``next`` the loss), collect the trainable layers (those with ``weights``), give them
        to the loss for its regularization, and use the book's combined softmax +
        cross-entropy gradient for a softmax classifier. With the model's ``dtype``, cast
        the trainable layers to it. Call it after ``add`` and ``set``, before the passes, and
        again after adding layers or setting another loss.

        Raises RuntimeError without layers, TypeError when the trainable layers' parameters
        have different dtypes and the model has none (naming each layer's)."""
        if not self.layers:
            raise RuntimeError("Model.finalize: the model has no layers: add() them (for "
                               "example model.add(Layer_Dense(2, 64))) before finalize()")
        trainable = [layer for layer in self.layers if hasattr(layer, "weights")]
        if self.dtype is None:
            shared_dtype("Model.finalize", self.layers)
        else:
            cast_layers(trainable, self.dtype)
        self.input_layer = Layer_Input()
        loss = getattr(self, "loss", None)
        count = len(self.layers)
        self.trainable_layers = trainable
        for i, layer in enumerate(self.layers):
            layer.prev = self.input_layer if i == 0 else self.layers[i - 1]
            layer.next = self.layers[i + 1] if i < count - 1 else loss
        self.output_layer_activation = self.layers[-1]
        self._finalized_with = (tuple(self.layers), loss)
        if loss is not None:
            loss.remember_trainable_layers(self.trainable_layers)
        # the book's faster gradient for a softmax classifier
        classifier = isinstance(self.layers[-1], Activation_Softmax) and \
            isinstance(loss, Loss_CategoricalCrossentropy)
        self.softmax_classifier_output = \
            Activation_Softmax_Loss_CategoricalCrossentropy() if classifier else None
        network_of(self)  # the C network, when every part has a C counterpart

    def train(self, X: ArrayLike, y: ArrayLike, *, epochs: int = 1, batch_size: int | None = None,
              print_every: int = 1, validation_data: tuple[ArrayLike, ArrayLike] | None = None,
              verbose: bool | Literal["lines", "bar"] = True, shuffle: bool = False) -> History:
        """Train for ``epochs`` epochs; return their figures as a ``History``.

        Parameters
        ----------
        X : array_like, shape (n, features)
            The samples, converted once to the network's dtype (see ``Model``).
        y : array_like, shape (n,) or (n, outputs)
            Class labels (any integer dtype), one-hot rows, or a regression's targets (float
            targets are converted once to the network's dtype).
        epochs : int
            Passes over the data (0 trains nothing).
        batch_size : int or None
            None: chapter 18's training, one step over the whole set per epoch. An int:
            chapter 19's, ``ceil(n / batch_size)`` steps of that many samples per epoch.
        print_every : int
            Without batches, a line every ``print_every`` epochs; with batches, a ``step:``
            line every ``print_every`` steps (and at an epoch's last).
        validation_data : (X_val, y_val) or None
            Evaluated once after training without batches (chapter 18), after every epoch
            with batches (chapter 19), in batches of ``batch_size``.
        verbose : True, False, "lines" or "bar"
            True: a ``tqdm.auto`` progress bar where a person watches (stdout a terminal or
            a Jupyter kernel), with the figures and the last validation's in it and one
            summary line after it; the book's lines otherwise (a file, a pipe). False: no
            output. "lines" or "bar" choose one of the two whatever stdout is.
        shuffle : bool
            False (the default) keeps the order, as the book does, so its numbers come out
            the same. True reorders X and y every epoch by ``np.random.permutation`` from
            NumPy's global generator, so a seeded run repeats: needed for data sorted by
            class in batches (a UserWarning says so when labels are sorted).

        The book's lines: without batches ``epoch: N, acc: ..., loss: ... (data_loss: ...,
        reg_loss: ...), lr: ...`` and one ``validation, acc: ..., loss: ...``; with batches
        ``epoch: N``, ``step: ...``, ``training, ...`` and ``validation, ...`` per epoch.

        Returns
        -------
        History
            ``.history["loss"]`` etc., one value per epoch (see ``History``).

        Raises
        ------
        RuntimeError
            Before ``finalize()``, without a loss, optimizer or accuracy ``set``, when the
            layers or loss changed since ``finalize()``, or while another thread's call runs
            this model in its C network (a model runs one call at a time).
        TypeError, ValueError
            Arguments of the wrong kind or value (X and y of different lengths, a
            ``validation_data`` that is not a pair of as many samples shaped as X's, an
            ``epochs``, ``batch_size`` or ``print_every`` that is not a positive int, an
            unknown ``verbose``), all before anything changes; the layers' own errors
            (shapes that do not align, labels out of range) from the first step.
        """
        where = "Model.train"
        check_ready(self, where, ("loss", "optimizer", "accuracy"))
        dtype = self._input_dtype()
        X = network_input(as_samples(where, "X", X), dtype)
        y = network_input(as_samples(where, "y", y), dtype, floats_only=True)
        if len(X) == 0 or len(y) != len(X):
            raise ValueError(f"{where}: X has {len(X)} samples and y {len(y)}; training needs "
                             "the same number, at least one")
        epochs = check_count(where, "epochs", epochs, 0)
        print_every = check_count(where, "print_every", print_every, 1)
        validation = None
        if validation_data is not None:
            if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
                raise TypeError(f"{where}: validation_data must be a pair (X_val, y_val), got "
                                f"{type(validation_data).__name__}")
            validation = (
                network_input(as_samples(where, "validation_data's X_val", validation_data[0]),
                              dtype),
                network_input(as_samples(where, "validation_data's y_val", validation_data[1]),
                              dtype, floats_only=True))
            check_validation_pair(where, *validation, X)
        mode = output_mode(where, verbose)
        train_steps = count_steps(where, len(X), batch_size)
        if batch_size is not None and not shuffle:
            warn_if_sorted_by_class(where, y, batch_size)
        self.accuracy.init(y)
        # in the C network when it takes this model and data, else layer by layer; held for
        # this call (another thread's call on the model refused before anything is copied)
        network, targets = network_of(self), None
        held = network.claim(where) if network is not None else None
        out = None
        try:
            if network is not None:
                targets = network.targets(X, y)
                # no epochs: no step, so no optimizer state made (the book's makes it at the
                # first update): the layers' path, which trains nothing
                if targets is None or epochs == 0 or not network.prepare(self):
                    network = None
            if network is None:
                self._training = TrainingStep(self)
            history = History(validation=validation is not None)
            out = output_for(mode, history, epochs=epochs, steps=train_steps,
                             print_every=print_every, batched=batch_size is not None)
            if network is not None and targets is not None:
                if batch_size is None:
                    network.train_epochs(self, X, targets, epochs, shuffle, history, out,
                                         print_every)
                else:
                    network.train_batches(
                        self, X, targets, epochs, batch_size, train_steps, shuffle,
                        None if validation is None else
                        lambda epoch: self._validate(validation, batch_size, epoch, history,
                                                     out),
                        history, out, print_every)
                if batch_size is None and validation is not None:
                    self._validate(validation, None, epochs, history, out)
            elif batch_size is None:
                self._train_epochs(X, y, epochs, shuffle, history, out)
                if validation is not None:  # chapter 18: once, after training
                    self._validate(validation, None, epochs, history, out)
            else:
                self._train_batches(X, y, epochs, batch_size, train_steps, shuffle, validation,
                                    history, out)
        finally:
            if out is not None:
                out.close()
            if held is not None:
                held.release()
        history.epoch.extend(range(1, epochs + 1))
        history.as_floats()
        return history

    def _train_epochs(self, X: NDArray[Any], y: NDArray[Any], epochs: int, shuffle: bool,
                      history: History, out: Output | None) -> None:
        """Chapter 18's loop: one step over the whole set per epoch; the step's figures are
        the epoch's."""
        step, optimizer, layers = self._training.step, self.optimizer, self.trainable_layers
        losses, data_losses, regularization_losses, accuracies, learning_rates = (
            history.history[key] for key in TRAINING_KEYS)
        loss_fn, accuracy_fn = self.loss, self.accuracy
        X_epoch, y_epoch = X, y
        for epoch in range(1, epochs + 1):
            # as with batches: after train, the accumulated figures are the last epoch's
            loss_fn.new_pass()
            accuracy_fn.new_pass()
            if shuffle:
                # take, not X[order]: the same rows, gathered without fancy indexing's overhead
                order = np.random.permutation(len(X))
                X_epoch, y_epoch = X.take(order, axis=0), y.take(order, axis=0)
            data_loss, regularization_loss, accuracy = step(X_epoch, y_epoch)
            optimizer.pre_update_params()
            for layer in layers:
                optimizer.update_params(layer)
            optimizer.post_update_params()
            losses.append(data_loss + regularization_loss)
            data_losses.append(data_loss)
            regularization_losses.append(regularization_loss)
            accuracies.append(accuracy)
            learning_rates.append(optimizer.current_learning_rate)
            if out is not None:
                out.epoch_end(epoch)

    def _train_batches(self, X: NDArray[Any], y: NDArray[Any], epochs: int, batch_size: int,
                       steps: int, shuffle: bool,
                       validation: tuple[NDArray[Any], NDArray[Any]] | None, history: History,
                       out: Output | None) -> None:
        """Chapter 19's loop: ``steps`` batches per epoch, the epoch's figures accumulated
        over them, validation after every epoch."""
        step, optimizer, layers = self._training.step, self.optimizer, self.trainable_layers
        loss_fn, accuracy_fn = self.loss, self.accuracy
        figures = [history.history[key] for key in TRAINING_KEYS]
        for epoch in range(1, epochs + 1):
            if out is not None:
                out.epoch_start(epoch)
            loss_fn.new_pass()
            accuracy_fn.new_pass()
            # shuffled, each batch gathers its rows of the epoch's order when it is trained
            # (while they stay in cache for its first product), not the whole set at once
            order = np.random.permutation(len(X)) if shuffle else None
            for i in range(steps):
                if order is None:
                    batch_X, batch_y = _batch(X, i, batch_size), _batch(y, i, batch_size)
                else:
                    rows = order[i * batch_size:(i + 1) * batch_size]
                    batch_X, batch_y = X.take(rows, axis=0), y.take(rows, axis=0)
                data_loss, regularization_loss, accuracy = step(batch_X, batch_y)
                optimizer.pre_update_params()
                for layer in layers:
                    optimizer.update_params(layer)
                optimizer.post_update_params()
                if out is not None:
                    out.step(epoch, i, accuracy, data_loss + regularization_loss, data_loss,
                             regularization_loss, optimizer.current_learning_rate)
            data_loss, regularization_loss = loss_fn.calculate_accumulated(
                include_regularization=True)
            for values, value in zip(figures, (
                    data_loss + regularization_loss, data_loss, regularization_loss,
                    accuracy_fn.calculate_accumulated(), optimizer.current_learning_rate)):
                values.append(value)
            if out is not None:
                out.epoch_end(epoch)
            if validation is not None:
                self._validate(validation, batch_size, epoch, history, out)

    def _validate(self, validation: tuple[NDArray[Any], NDArray[Any]], batch_size: int | None,
                  epoch: int, history: History, out: Output | None) -> None:
        """Evaluate on ``validation`` after ``epoch``: into ``history`` and ``out``."""
        loss, accuracy = self._evaluate(*validation, batch_size, "Model.train")
        history.history["val_loss"].append(loss)
        history.history["val_accuracy"].append(accuracy)
        history.val_epoch.append(epoch)
        if out is not None:
            out.validation()

    def evaluate(self, X_val: ArrayLike, y_val: ArrayLike, *, batch_size: int | None = None,
                 verbose: bool = True) -> tuple[float, float]:
        """The book's validation pass, in batches of ``batch_size`` (all at once when None):
        the loss's and the accuracy's means over every sample of ``X_val`` (shape (n,
        features), converted once to the network's dtype) against ``y_val`` (labels,
        one-hot rows or targets). Prints ``validation, acc: ..., loss: ...`` when
        ``verbose``; returns ``(loss, accuracy)`` (NaN for no samples).

        Raises RuntimeError before ``finalize()``, without a loss and accuracy ``set``, or
        while another thread's call runs this model in its C network; TypeError/ValueError
        for inputs without a sample axis or a bad ``batch_size``."""
        check_ready(self, "Model.evaluate", ("loss", "accuracy"))
        dtype = self._input_dtype()
        X = network_input(as_samples("Model.evaluate", "X_val", X_val), dtype)
        y = network_input(as_samples("Model.evaluate", "y_val (the loss's y_true)", y_val),
                          dtype, floats_only=True)
        count_steps("Model.evaluate", len(X), batch_size)
        loss, accuracy = self._evaluate(X, y, batch_size, "Model.evaluate")
        if verbose:
            print(f'validation, acc: {accuracy:.3f}, loss: {loss:.3f}')
        return loss, accuracy

    def _evaluate(self, X: NDArray[Any], y: NDArray[Any], batch_size: int | None,
                  where: str) -> tuple[float, float]:
        self.loss.new_pass()
        self.accuracy.new_pass()
        # at least one (empty) batch: zero samples give NaN, not 0/0 (ZeroDivisionError)
        for step in range(max(1, count_steps("Model.evaluate", len(X), batch_size))):
            batch_X, batch_y = _batch(X, step, batch_size), _batch(y, step, batch_size)
            output = self._inference(batch_X, None, where)
            self.loss.calculate(output, batch_y)
            predictions = self.output_layer_activation.predictions(output)
            self.accuracy.calculate(predictions, batch_y)
        return float(self.loss.calculate_accumulated()), \
            float(self.accuracy.calculate_accumulated())

    def predict(self, X: ArrayLike, *, batch_size: int | None = None) -> FloatArray:
        """The network's output for ``X`` (shape (n, features), converted once to the
        network's dtype), in batches of ``batch_size`` (all at once when None): shape (n,
        outputs), in the network's dtype (the softmax's probabilities for a classifier;
        ``output_layer_activation.predictions`` of it gives the classes).

        Raises RuntimeError before ``finalize()`` or while another thread's call runs this
        model in its C network, TypeError/ValueError for an input without a sample axis or a
        bad ``batch_size``."""
        check_ready(self, "Model.predict", ())
        samples = network_input(as_samples("Model.predict", "X", X), self._input_dtype())
        steps = max(1, count_steps("Model.predict", len(samples), batch_size))  # (0, outputs)
        network = network_of(self)
        if network is not None:
            outputs = network.forward(samples, batch_size, "Model.predict")
            if outputs is not None:
                forget_passes(self)
                return outputs
        output = [self.forward(_batch(samples, step, batch_size), training=False)
                  for step in range(steps)]
        return np.vstack(output)

    def _inference(self, X: NDArray[Any], batch_size: int | None, where: str) -> Any:
        """The outputs for X without dropout: the C network's when it takes X, else the
        book's forward pass (``where``: the Model method asking)."""
        network = network_of(self)
        if network is not None:
            outputs = network.forward(X, batch_size, where)
            if outputs is not None:
                forget_passes(self)
                return outputs
        return self.forward(X, training=False)

    def _input_dtype(self) -> np.dtype[Any] | None:
        """The network's dtype, that inputs are cast to: the model's, or else the float
        dtype its trainable layers' parameters share (None: NumPy's promotion, layer by
        layer, for parameters set to mixed dtypes after finalize())."""
        return self.dtype if self.dtype is not None else network_dtype(self.trainable_layers)

    def forward(self, X: Any, training: bool) -> Any:
        """The book's forward pass: each layer's ``forward`` in order on the previous one's
        ``output`` (``training`` for dropout); returns the last layer's output. ``X`` is
        used as given (``predict`` converts it)."""
        self.input_layer.forward(X, training)
        for layer in self.layers:
            layer.forward(layer.prev.output, training)
        return layer.output

    def backward(self, output: Any, y: Any) -> None:
        """The book's backward pass from the loss (or the combined softmax + cross-entropy
        of a classifier) through every layer in reverse, setting each one's ``dinputs``
        (and a Dense layer's ``dweights`` and ``dbiases``). ``train`` runs its own fused
        step instead; this is the book's method for code that calls it."""
        if self.softmax_classifier_output is not None:
            self.softmax_classifier_output.backward(output, y)
            self.layers[-1].dinputs = self.softmax_classifier_output.dinputs
            for layer in reversed(self.layers[:-1]):
                layer.backward(layer.next.dinputs)
            return
        self.loss.backward(output, y)
        for layer in reversed(self.layers):
            layer.backward(layer.next.dinputs)

    def get_parameters(self) -> list[tuple[Any, Any]]:
        """``[(weights, biases), ...]``, one pair per trainable layer, in order (the arrays
        themselves, not copies). Raises RuntimeError before ``finalize()``."""
        check_ready(self, "Model.get_parameters", ())
        return [layer.get_parameters() for layer in self.trainable_layers]

    def set_parameters(self, parameters: Sequence[tuple[ArrayLike, ArrayLike]]) -> None:
        """Give each trainable layer, in order, its ``(weights, biases)`` from ``parameters``
        (as ``get_parameters`` returns them), cast to the model's ``dtype`` when it has one.
        Raises RuntimeError before ``finalize()``."""
        check_ready(self, "Model.set_parameters", ())
        for parameter_set, layer in zip(parameters, self.trainable_layers):
            layer.set_parameters(*parameter_set)
        if self.dtype is not None:
            cast_layers(self.trainable_layers, self.dtype)

    def save_parameters(self, path: str | os.PathLike[str]) -> None:
        """Write each trainable layer's (weights, biases) to ``path`` (as given) in nnfast's
        format, an .npz of arrays that loads without running code (docs/model_files.md)."""
        files.save_parameters(self, path)

    def load_parameters(self, path: str | os.PathLike[str], *, allow_pickle: bool = False) -> None:
        """Set the trainable layers' parameters from a ``save_parameters`` file; their shapes
        must be the model's (ValueError otherwise, before anything changes). A file of the book's
        pickle format loads only with ``allow_pickle=True``: unpickling runs whatever code the
        file carries, so pass it only for a file you trust, then save it again."""
        files.load_parameters(self, path, allow_pickle=allow_pickle)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_training", None)  # the training step's plan and buffers
        state.pop("_network", None)  # the C network: built again when needed
        return state

    def save(self, path: str | os.PathLike[str], *,
             format: Literal["nnfast", "pickle"] = "nnfast") -> None:
        """Write the model (layers, parameters, loss, optimizer with its state, accuracy) to
        ``path`` (as given) in nnfast's format: JSON and arrays in an .npz that loads without
        running code (docs/model_files.md). The format describes the nn classes themselves
        (TypeError for a subclass or another class); ``format="pickle"`` writes the book's
        pickle of any model instead, which ``Model.load`` reads only with ``allow_pickle=True``."""
        files.save_model(self, path, format=format)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, allow_pickle: bool = False) -> Self:
        """The model a ``save`` file holds: it predicts and trains on exactly as the saved one.
        Nothing in the file is run; a file that is damaged or not nnfast's gives ValueError. A
        file of the book's pickle format loads only with ``allow_pickle=True``: unpickling runs
        whatever code the file carries, so pass it only for a file you trust, then save it
        again."""
        return files.load_model(cls, path, allow_pickle=allow_pickle)
