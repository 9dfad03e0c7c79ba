"""The book's Model: layers, loss, optimizer and accuracy put together; training,
evaluation, prediction, parameters and saving."""

import copy
import pickle

import numpy as np

from ._checks import as_samples, check_count, count_steps
from ._data import batch as _batch, warn_if_sorted_by_class
from ._progress import Progress
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

    def __init__(self):
        self.layers = []
        self.softmax_classifier_output = None

    def add(self, layer):
        self.layers.append(layer)

    def set(self, *, loss=None, optimizer=None, accuracy=None):
        if loss is not None:
            self.loss = loss
        if optimizer is not None:
            self.optimizer = optimizer
        if accuracy is not None:
            self.accuracy = accuracy

    def finalize(self):
        self.input_layer = Layer_Input()
        loss = getattr(self, "loss", None)
        count = len(self.layers)
        self.trainable_layers = []
        for i, layer in enumerate(self.layers):
            layer.prev = self.input_layer if i == 0 else self.layers[i - 1]
            layer.next = self.layers[i + 1] if i < count - 1 else loss
            if hasattr(layer, "weights"):
                self.trainable_layers.append(layer)
        self.output_layer_activation = self.layers[-1] if self.layers else None
        if loss is not None:
            loss.remember_trainable_layers(self.trainable_layers)
        if self.layers and isinstance(self.layers[-1], Activation_Softmax) and \
                isinstance(loss, Loss_CategoricalCrossentropy):
            self.softmax_classifier_output = Activation_Softmax_Loss_CategoricalCrossentropy()

    def train(self, X, y, *, epochs=1, batch_size=None, print_every=1, validation_data=None,
              verbose=True, shuffle=False):
        where = "Model.train"
        X, y = as_samples(where, "X", X), as_samples(where, "y", y)
        if len(X) == 0 or len(y) != len(X):
            raise ValueError(f"{where}: X has {len(X)} samples and y {len(y)}; training needs "
                             "the same number, at least one")
        epochs = check_count(where, "epochs", epochs, 0)
        print_every = check_count(where, "print_every", print_every, 1)
        if validation_data is not None and not (
                isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError(f"{where}: validation_data must be a pair (X_val, y_val), got "
                            f"{type(validation_data).__name__}")
        train_steps = count_steps(where, len(X), batch_size)
        if batch_size is not None and not shuffle:
            warn_if_sorted_by_class(where, y, batch_size)
        self.accuracy.init(y)
        training = self._training = TrainingStep(self)
        progress = Progress(verbose, epochs, train_steps)
        history = History(validation=validation_data is not None)
        losses, data_losses, regularization_losses, accuracies, learning_rates = (
            history.history[key] for key in TRAINING_KEYS)
        optimizer, loss_fn = self.optimizer, self.loss
        X_epoch, y_epoch = X, y
        for epoch in range(1, epochs + 1):
            progress.epoch(epoch)
            loss_fn.new_pass()
            self.accuracy.new_pass()
            if shuffle:
                order = np.random.permutation(len(X))
                X_epoch, y_epoch = X[order], y[order]
            for step in range(train_steps):
                batch_X = _batch(X_epoch, step, batch_size)
                batch_y = _batch(y_epoch, step, batch_size)
                data_loss, regularization_loss, accuracy = training.step(batch_X, batch_y)
                optimizer.pre_update_params()
                for layer in self.trainable_layers:
                    optimizer.update_params(layer)
                optimizer.post_update_params()
                if progress.mode:
                    progress.step(step, accuracy, data_loss + regularization_loss, data_loss,
                                  regularization_loss, optimizer.current_learning_rate,
                                  print_every)
            if batch_size is not None:  # the epoch's figures; one step's are its own
                data_loss, regularization_loss = loss_fn.calculate_accumulated(
                    include_regularization=True)
                accuracy = self.accuracy.calculate_accumulated()
            learning_rate = optimizer.current_learning_rate
            losses.append(data_loss + regularization_loss)
            data_losses.append(data_loss)
            regularization_losses.append(regularization_loss)
            accuracies.append(accuracy)
            learning_rates.append(learning_rate)
            if progress.mode:
                epoch_data_loss, epoch_reg_loss = loss_fn.calculate_accumulated(
                    include_regularization=True)
                progress.summary(self.accuracy.calculate_accumulated(),
                                 epoch_data_loss + epoch_reg_loss, epoch_data_loss,
                                 epoch_reg_loss, optimizer.current_learning_rate)
            if validation_data is not None:
                validation_loss, validation_accuracy = self.evaluate(
                    *validation_data, batch_size=batch_size, verbose=verbose)
                history.history["val_loss"].append(validation_loss)
                history.history["val_accuracy"].append(validation_accuracy)
                history.val_epoch.append(epoch)
        history.epoch.extend(range(1, epochs + 1))
        history.as_floats()
        return history

    def evaluate(self, X_val, y_val, *, batch_size=None, verbose=True):
        """The book's validation pass: prints ``validation, acc: ..., loss: ...``; returns
        ``(loss, accuracy)``."""
        self.loss.new_pass()
        self.accuracy.new_pass()
        X_val = as_samples("Model.evaluate", "X_val", X_val)
        y_val = as_samples("Model.evaluate", "y_val (the loss's y_true)", y_val)
        # at least one (empty) batch: zero samples give NaN, not 0/0 (ZeroDivisionError)
        for step in range(max(1, count_steps("Model.evaluate", len(X_val), batch_size))):
            batch_X, batch_y = _batch(X_val, step, batch_size), _batch(y_val, step, batch_size)
            output = self.forward(batch_X, training=False)
            self.loss.calculate(output, batch_y)
            predictions = self.output_layer_activation.predictions(output)
            self.accuracy.calculate(predictions, batch_y)
        validation_loss = self.loss.calculate_accumulated()
        validation_accuracy = self.accuracy.calculate_accumulated()
        if verbose:
            print(f'validation, acc: {validation_accuracy:.3f}, loss: {validation_loss:.3f}')
        return validation_loss, validation_accuracy

    def predict(self, X, *, batch_size=None):
        X = as_samples("Model.predict", "X", X)
        steps = max(1, count_steps("Model.predict", len(X), batch_size))  # (0, outputs) for none
        output = [self.forward(_batch(X, step, batch_size), training=False)
                  for step in range(steps)]
        return np.vstack(output)

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
        return [layer.get_parameters() for layer in self.trainable_layers]

    def set_parameters(self, parameters):
        for parameter_set, layer in zip(parameters, self.trainable_layers):
            layer.set_parameters(*parameter_set)

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
