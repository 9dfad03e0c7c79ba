"""The book's Model: layers, loss, optimizer and accuracy put together; training,
evaluation, prediction, parameters and saving."""

import copy
import pickle

import numpy as np

from ._checks import as_samples, check_count, count_steps
from ._data import batch as _batch, warn_if_sorted_by_class
from ._model_checks import check_layer, check_part, check_ready, check_validation_pair
from ._dtype import as_model_dtype, cast_layers, network_dtype, network_input, shared_dtype
from ._progress import output_for, output_mode
from ._training import TrainingStep
from .activations import Activation_Softmax
from .history import TRAINING_KEYS, History
from .layers import Layer_Input
from .losses import Activation_Softmax_Loss_CategoricalCrossentropy, Loss_CategoricalCrossentropy


class Model:
    """The book's Model (chapters 19-22): ``add`` layers, ``set(loss=, optimizer=,
    accuracy=)``, ``finalize()``, then ``train``, ``evaluate``, ``predict``; parameters
    through ``get_parameters``/``set_parameters``/``save_parameters``/``load_parameters``,
    the whole model through ``save``/``Model.load`` (pickle, as the book does).

    ``train`` runs the book's steps, layer by layer (each layer in C), and goes further where
    the objects offer it: a Dense layer computes the ReLU after it (and a classifier's output
    softmax) in its own C calls, softmax + cross-entropy gives the step's loss and correct
    count with its gradient, and Dense and Dropout write into buffers kept between steps (the
    book's numbers, within float rounding). A subclass keeps these unless it replaces the
    methods they stand in for, which are then called. Output: the book's lines, or a
    progress bar when stdout is a terminal; ``verbose=False`` prints nothing.
    """

    # a model pickled before it had a dtype takes its layers'
    dtype = None

    def __init__(self, *, dtype=None):
        self.dtype = as_model_dtype(dtype)
        self.layers = []
        self.softmax_classifier_output = None

    def add(self, layer):
        check_layer(layer)
        self.layers.append(layer)

    def set(self, *, loss=None, optimizer=None, accuracy=None):
        for role, part in (("loss", loss), ("optimizer", optimizer), ("accuracy", accuracy)):
            if part is not None:
                check_part(role, part)
        if loss is not None:
            self.loss = loss
        if optimizer is not None:
            self.optimizer = optimizer
        if accuracy is not None:
            self.accuracy = accuracy

    def finalize(self):
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

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None,
              verbose=True, shuffle=False):
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
        if validation_data is not None and not (
                isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError(f"{where}: validation_data must be a pair (X_val, y_val), got "
                            f"{type(validation_data).__name__}")
        if validation_data is not None:
            validation_data = (
                network_input(as_samples(where, "validation_data's X_val", validation_data[0]),
                              dtype),
                network_input(as_samples(where, "validation_data's y_val", validation_data[1]),
                              dtype, floats_only=True))
            check_validation_pair(where, *validation_data, X)
        mode = output_mode(where, verbose)
        train_steps = count_steps(where, len(X), batch_size)
        if batch_size is not None and not shuffle:
            warn_if_sorted_by_class(where, y, batch_size)
        self.accuracy.init(y)
        self._training = TrainingStep(self)
        history = History(validation=validation_data is not None)
        out = output_for(mode, history, epochs=epochs, steps=train_steps,
                         print_every=print_every, batched=batch_size is not None)
        try:
            if batch_size is None:
                self._train_epochs(X, y, epochs, shuffle, history, out)
            else:
                self._train_batches(X, y, epochs, batch_size, train_steps, shuffle,
                                    validation_data, history, out)
            if batch_size is None and validation_data is not None:  # chapter 18: once, after
                self._validate(validation_data, None, epochs, history, out)
        finally:
            if out is not None:
                out.close()
        history.epoch.extend(range(1, epochs + 1))
        history.as_floats()
        return history

    def _train_epochs(self, X, y, epochs, shuffle, history, out):
        """Chapter 18's loop: one step over the whole set per epoch; the step's figures are
        the epoch's."""
        step, optimizer, layers = self._training.step, self.optimizer, self.trainable_layers
        losses, data_losses, regularization_losses, accuracies, learning_rates = (
            history.history[key] for key in TRAINING_KEYS)
        self.loss.new_pass()
        self.accuracy.new_pass()
        X_epoch, y_epoch = X, y
        for epoch in range(1, epochs + 1):
            if shuffle:
                order = np.random.permutation(len(X))
                X_epoch, y_epoch = X[order], y[order]
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

    def _train_batches(self, X, y, epochs, batch_size, steps, shuffle, validation_data,
                       history, out):
        """Chapter 19's loop: ``steps`` batches per epoch, the epoch's figures accumulated
        over them, validation after every epoch."""
        step, optimizer, layers = self._training.step, self.optimizer, self.trainable_layers
        loss_fn, accuracy_fn = self.loss, self.accuracy
        figures = [history.history[key] for key in TRAINING_KEYS]
        X_epoch, y_epoch = X, y
        for epoch in range(1, epochs + 1):
            if out is not None:
                out.epoch_start(epoch)
            loss_fn.new_pass()
            accuracy_fn.new_pass()
            if shuffle:
                order = np.random.permutation(len(X))
                X_epoch, y_epoch = X[order], y[order]
            for i in range(steps):
                data_loss, regularization_loss, accuracy = step(
                    _batch(X_epoch, i, batch_size), _batch(y_epoch, i, batch_size))
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
            if validation_data is not None:
                self._validate(validation_data, batch_size, epoch, history, out)

    def _validate(self, validation_data, batch_size, epoch, history, out):
        """Evaluate on ``validation_data`` after ``epoch``: into ``history`` and ``out``."""
        loss, accuracy = self._evaluate(*validation_data, batch_size)
        history.history["val_loss"].append(loss)
        history.history["val_accuracy"].append(accuracy)
        history.val_epoch.append(epoch)
        if out is not None:
            out.validation()

    def evaluate(self, X_val, y_val, *, batch_size=None, verbose=True):
        """The book's validation pass: prints ``validation, acc: ..., loss: ...``; returns
        ``(loss, accuracy)``."""
        check_ready(self, "Model.evaluate", ("loss", "accuracy"))
        dtype = self._input_dtype()
        X_val = network_input(as_samples("Model.evaluate", "X_val", X_val), dtype)
        y_val = network_input(as_samples("Model.evaluate", "y_val (the loss's y_true)", y_val),
                              dtype, floats_only=True)
        count_steps("Model.evaluate", len(X_val), batch_size)
        validation_loss, validation_accuracy = self._evaluate(X_val, y_val, batch_size)
        if verbose:
            print(f'validation, acc: {validation_accuracy:.3f}, loss: {validation_loss:.3f}')
        return validation_loss, validation_accuracy

    def _evaluate(self, X_val, y_val, batch_size):
        self.loss.new_pass()
        self.accuracy.new_pass()
        # at least one (empty) batch: zero samples give NaN, not 0/0 (ZeroDivisionError)
        for step in range(max(1, count_steps("Model.evaluate", len(X_val), batch_size))):
            batch_X, batch_y = _batch(X_val, step, batch_size), _batch(y_val, step, batch_size)
            output = self.forward(batch_X, training=False)
            self.loss.calculate(output, batch_y)
            predictions = self.output_layer_activation.predictions(output)
            self.accuracy.calculate(predictions, batch_y)
        return self.loss.calculate_accumulated(), self.accuracy.calculate_accumulated()

    def predict(self, X, *, batch_size=None):
        check_ready(self, "Model.predict", ())
        X = network_input(as_samples("Model.predict", "X", X), self._input_dtype())
        steps = max(1, count_steps("Model.predict", len(X), batch_size))  # (0, outputs) for none
        output = [self.forward(_batch(X, step, batch_size), training=False)
                  for step in range(steps)]
        return np.vstack(output)

    def _input_dtype(self):
        """The network's dtype, that inputs are cast to: the model's, or else the float
        dtype its trainable layers' parameters share (None: NumPy's promotion, layer by
        layer, for parameters set to mixed dtypes after finalize())."""
        return self.dtype if self.dtype is not None else network_dtype(self.trainable_layers)

    def forward(self, X, training):
        self.input_layer.forward(X, training)
        for layer in self.layers:
            layer.forward(layer.prev.output, training)
        return layer.output

    def backward(self, output, y):
        if self.softmax_classifier_output is not None:
            self.softmax_classifier_output.backward(output, y)
            self.layers[-1].dinputs = self.softmax_classifier_output.dinputs
            for layer in reversed(self.layers[:-1]):
                layer.backward(layer.next.dinputs)
            return
        self.loss.backward(output, y)
        for layer in reversed(self.layers):
            layer.backward(layer.next.dinputs)

    def get_parameters(self):
        check_ready(self, "Model.get_parameters", ())
        return [layer.get_parameters() for layer in self.trainable_layers]

    def set_parameters(self, parameters):
        check_ready(self, "Model.set_parameters", ())
        for parameter_set, layer in zip(parameters, self.trainable_layers):
            layer.set_parameters(*parameter_set)
        if self.dtype is not None:
            cast_layers(self.trainable_layers, self.dtype)

    def save_parameters(self, path):
        with open(path, "wb") as f:
            pickle.dump(self.get_parameters(), f)

    def load_parameters(self, path):
        with open(path, "rb") as f:
            self.set_parameters(pickle.load(f))

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_training", None)  # the training step's plan and buffers
        return state

    def save(self, path):
        """Pickle a copy of the model without its data (the book's ``save``)."""
        model = copy.deepcopy(self)
        model.loss.new_pass()
        model.accuracy.new_pass()
        model.input_layer.__dict__.pop("output", None)
        model.loss.__dict__.pop("dinputs", None)
        if model.softmax_classifier_output is not None:
            model.softmax_classifier_output.__dict__.pop("dinputs", None)
        for layer in model.layers:
            for prop in ["inputs", "output", "dinputs", "dweights", "dbiases", "binary_mask"]:
                layer.__dict__.pop(prop, None)
        with open(path, "wb") as f:
            pickle.dump(model, f)

    @staticmethod
    def load(path):
        with open(path, "rb") as f:
            return pickle.load(f)
