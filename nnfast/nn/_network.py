"""Model.train's epochs in the C library's network (csrc/net/, nnfast._core.Network).

A model trains there when each of its parts offers a C counterpart through its
``network_part`` (every layer, the loss, the optimizer and the accuracy; by capability: a
subclass that replaces a method the network stands in for has none). Any other model trains
layer by layer (nnfast/nn/_training.py), as does a call whose data the network does not take
(another dtype or width, labels out of range: the layer-by-layer path then raises the book's
errors).

The network owns the parameters and the optimizer's state. The layers' ``weights``,
``biases``, ``dweights``, ``dbiases`` and optimizer-state arrays are NumPy arrays viewing its
memory, so a user who reads or changes them between calls reads or changes the real ones;
an array put in their place (``set_parameters``, ``load_parameters``, an update by hand) is
copied in before the network's next pass, and the layer then views the network again.
Python comes back only between chunks of epochs: to record History, print, redraw the bar.
"""

from __future__ import annotations

import threading
from time import perf_counter
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
from numpy.typing import NDArray

from .._core import Network
from ._dropout_rng import draw_seed
from ._dtype import PARAMETERS
from ._pass_record import forget_passes
from ._progress import REDRAW, Bar, Output
from ._training import softmax_stats_taken
from .history import History

if TYPE_CHECKING:
    from .._core import _Param

# The network's arrays of a dense layer that its Python layer views, in Network.param's names.
STATE: tuple[_Param, ...] = ("weight_momentums", "weight_cache", "bias_momentums",
                             "bias_cache")
GRADIENTS: tuple[_Param, ...] = ("dweights", "dbiases")
ARRAYS: tuple[_Param, ...] = ("weights", "biases") + GRADIENTS + STATE
# Epochs per call of Network.train when nothing is printed: bounds the reports' memory.
MAX_CHUNK = 1 << 16
# A report row of Network.train: data_loss, regularization_loss, accuracy, learning_rate,
# loss_sum (the per-sample losses summed: the book's accumulated_sum).
REPORT_COLUMNS = 5

Signature = tuple[Any, ...]


def signature_of(model: Any) -> Signature | None:
    """What the C network of ``model`` is built from, or None when a part has no C
    counterpart. Two equal signatures build the same network; a changed one (a regularizer,
    a hyperparameter, another optimizer, the dtype) needs a new network."""
    parts = []
    for layer in model.layers:
        part = getattr(layer, "network_part", None)
        if part is None:
            return None
        parts.append(part)
    if len({part[2] for part in parts if part[0] == "dropout"}) > 1:
        return None  # book and fast masks in one network: the layers draw each their own
    if not any(part[0] == "dense" for part in parts):
        return None
    loss = getattr(getattr(model, "loss", None), "network_part", None)
    optimizer = getattr(getattr(model, "optimizer", None), "network_part", None)
    accuracy = getattr(getattr(model, "accuracy", None), "network_part", None)
    dtype = model._input_dtype()
    if loss is None or optimizer is None or accuracy is None or dtype is None:
        return None
    if (accuracy[0] == "categorical") != (parts[-1][0] == "softmax"):
        return None  # the network's categorical accuracy is an output softmax's argmax, and
        # its binary and regression ones compare the outputs: other pairs train as the book's
    return (tuple(parts), loss, optimizer[0], tuple(optimizer[1].items()), accuracy[0],
            np.dtype(dtype).name)


def network_of(model: Any) -> ModelNetwork | None:
    """The model's C network, built when its signature is new; None when the model has no C
    counterpart (or the C library refuses the combination: then it trains layer by layer)."""
    signature = signature_of(model)
    kept = model.__dict__.get("_network")
    if kept is not None and kept[0] == signature:
        built: ModelNetwork | None = kept[1]
        return built
    network = None
    if signature is not None:
        try:
            network = ModelNetwork(model, signature)
        except ValueError:  # a combination the C network does not run
            network = None
    model._network = (signature, network)
    return network


class ModelNetwork:
    """A model's layers built into one ``nnfast._core.Network``, and its training loops."""

    def __init__(self, model: Any, signature: Signature) -> None:
        parts, loss, kind, settings, accuracy, dtype = signature
        self.signature, self.dtype = signature, np.dtype(dtype)
        first = next(layer for layer in model.layers if hasattr(layer, "weights"))
        net = self.net = Network(self.dtype, np.shape(first.weights)[0])
        self.dense: list[tuple[Any, dict[str, NDArray[Any]]]] = []
        self.dropouts: dict[int, Any] = {}  # network layer index -> Layer_Dropout
        self.fast_masks = False  # the dropout layers' masks: Philox's in C, else the book's
        self.busy = threading.RLock()  # held by the call running in the network
        for layer, part in zip(model.layers, parts):
            if part[0] == "dense":
                index = net.add_dense(*part[1:])
                self.dense.append((layer, {}))
            elif part[0] == "dropout":
                self.dropouts[net.add_dropout(part[1])] = layer
                self.fast_masks = part[2] == "fast"
            else:
                index = net.add_activation(part[0])
        net.set_loss(loss)
        net.set_accuracy(accuracy, 0.0)
        net.set_optimizer(kind, **dict(settings))
        self.regression = accuracy == "regression"
        self.categorical = accuracy == "categorical"
        self.labels = loss == "categorical_crossentropy"
        # the type the layers add data_loss + regularization_loss in: a Python float
        # (softmax + cross-entropy's loss sum, in double) or a NumPy scalar of the network's
        # dtype plus a Python float, added in that dtype
        softmax_loss = self.labels and parts[-1][0] == "softmax"
        self.loss_type: type[np.floating[Any]] = np.float64 if softmax_loss else self.dtype.type
        index = 0
        for layer, views in self.dense:
            while net.param(index, "weights") is None:
                index += 1
            for name in ARRAYS:
                view = net.param(index, name)
                if view is not None:
                    views[name] = view
            index += 1

    # -- one call at a time ---------------------------------------------------------------

    def claim(self, where: str) -> ModelNetwork:
        """Hold the network for a call of the model's (``where`` names it), before anything is
        copied into it: RuntimeError when another thread's call holds it. The same thread may
        claim it again (a validation inside its train)."""
        if not self.busy.acquire(blocking=False):
            raise RuntimeError(f"{where}: another thread is training or running this model in "
                               "its C network; a model runs one call at a time (give each "
                               "thread its own copy: copy.deepcopy(model))")
        return self

    def release(self) -> None:
        self.busy.release()

    # -- moving the parameters between the layers and the network --------------------------

    def take_layers(self, training: bool) -> bool:
        """Make the network's parameters, and for ``training`` its optimizer state, the
        layers' (copying in the arrays that are not already views of it), and the layers
        view them. False, changing nothing, when an array does not fit (shape or dtype):
        that pass runs layer by layer. A pass without training leaves the state alone, as
        the book's forward does.
        The optimizer's state starts as the book's optimizers start it: all of it at zeros
        when the layer lacks the array their ``hasattr`` asks for (Adam, Adagrad and RMSprop
        ask for ``weight_cache``, SGD with momentum for ``weight_momentums``), so Adam after
        SGD with momentum starts its momentums again; a layer with that array but not the
        rest runs layer by layer too, where the book's optimizer raises AttributeError."""
        copies: list[tuple[Any, str, NDArray[Any], Any]] = []
        held: set[int] = set()
        taken: list[NDArray[Any]] = []  # the arrays the network stands in for
        for layer, views in self.dense:
            asked = next((name for name in ("weight_cache", "weight_momentums") if name in views),
                         None)
            fresh = asked is not None and layer.__dict__.get(asked) is None
            for name in PARAMETERS + STATE if training else PARAMETERS:
                view = views.get(name)
                if view is None:
                    continue
                value = None if fresh and name in STATE else layer.__dict__.get(name)
                if value is not None:
                    if not self._kept_as_is(value, held):
                        return False
                    taken.append(value)
                if value is view:
                    continue
                if value is None and name in STATE and not fresh:
                    return False
                if value is not None:
                    if value.shape != view.shape or value.dtype != view.dtype:
                        return False
                elif name in PARAMETERS:
                    return False
                copies.append((layer, name, view, value))
        if not self._copied_in_order(copies, taken):
            return False
        for layer, name, view, value in copies:
            if value is None:  # the book's optimizer starts its state at zeros
                view.fill(0)
            else:
                view[...] = value
            setattr(layer, name, view)
        return True

    @staticmethod
    def _copied_in_order(copies: list[tuple[Any, str, NDArray[Any], Any]],
                         taken: list[NDArray[Any]]) -> bool:
        """Whether ``copies`` (layer, name, view, new array) may be copied into the network,
        the new arrays that lie in its memory (a layer's array given to another, two traded)
        first copied out, so that no copy reads what an earlier one wrote. False when a new
        array shares memory with another the layers hold (a view of it): the book's path
        updates both, which the network's separate arrays cannot. Nothing to check in a run
        of trains, where every array is already the network's."""
        for i, (layer, name, view, value) in enumerate(copies):
            if value is None:
                continue
            if any(other is not value and np.may_share_memory(value, other) for other in taken):
                return False
            if any(np.may_share_memory(value, target) for _, _, target, _ in copies):
                copies[i] = (layer, name, view, value.copy())
        return True

    @staticmethod
    def _kept_as_is(value: Any, held: set[int]) -> bool:
        """Whether the network may stand in for a layer's array ``value``: a writable,
        C-contiguous NumPy array that no other layer or name holds too (``held``: the ids
        seen so far). The book's path updates any other in place as it is: a list, a
        read-only array (its error), an array two layers share (updated twice), a Fortran
        array (its products summed in another order)."""
        if not (isinstance(value, np.ndarray) and value.flags.writeable and
                value.flags.c_contiguous) or id(value) in held:
            return False
        held.add(id(value))
        return True

    def give_layers(self) -> None:
        """After training: each layer's gradients and optimizer state view the network's."""
        for layer, views in self.dense:
            for name in GRADIENTS + STATE:
                if name in views:
                    setattr(layer, name, views[name])

    # -- training ---------------------------------------------------------------------------

    def takes(self, X: NDArray[Any]) -> bool:
        """Whether the network reads X as it is: (n, n_inputs) of its dtype, aligned."""
        return X.ndim == 2 and X.dtype == self.dtype and X.shape[1] == self.net.n_inputs and \
            X.flags.aligned

    def targets(self, X: NDArray[Any], y: NDArray[Any]) -> NDArray[Any] | None:
        """``y`` as the network takes it (int64 labels, or targets of its dtype and width), or
        None when the network does not take this X and y (the layers then raise their own
        errors, or compute in NumPy's promotion)."""
        net = self.net
        if not self.takes(X):
            return None
        if self.labels and y.ndim == 1:
            if not self.categorical or y.dtype.kind not in "iu" or \
                    (len(y) and (y.min() < 0 or y.max() >= net.n_outputs)):
                return None  # a binary or regression accuracy compares the outputs with y as
                # NumPy broadcasts them: the layers' numbers, or their error
            return y
        if y.ndim != 2 or y.shape[1] != net.n_outputs or y.dtype.kind not in "biuf":
            return None
        if y.dtype.kind != "f" and self.dtype != np.float64:
            # the layers compute a loss of integer targets in float64 (NumPy's promotion):
            # a float32 network of them trains layer by layer, with those numbers
            return None
        return y if y.dtype == self.dtype else y.astype(self.dtype)

    def prepare(self, model: Any) -> bool:
        """Before a training call: the layers' arrays, the optimizer's iterations and learning
        rate, the regression accuracy's precision into the network. False: run layer by layer."""
        optimizer, net = model.optimizer, self.net
        iterations, rate = optimizer.iterations, optimizer.current_learning_rate
        if not (isinstance(iterations, (int, np.integer)) and iterations >= 0 and
                isinstance(rate, (int, float, np.integer, np.floating)) and np.isfinite(rate)):
            return False  # the book's optimizer computes with what the user set
        if not self._decays_as_the_network(optimizer):
            return False
        part = model.accuracy.network_part
        if not (np.isfinite(part[1]) and part[1] >= 0):
            return False  # a regression precision of targets with a NaN or an infinity (or
            # spread past the float range): the book's comparisons with it, layer by layer
        if not self.take_layers(training=True):
            return False
        net.set_iterations(int(iterations), float(rate))
        net.set_accuracy(part[0], part[1])
        return True

    @staticmethod
    def _decays_as_the_network(optimizer: Any) -> bool:
        """Whether the book's decayed rate, learning_rate * (1. / (1. + decay * iterations))
        in the optimizer's own scalar arithmetic, is the network's, computed in double: it is
        without decay, and with Python numbers or NumPy float64 and integer scalars. A float32
        (or any other) NumPy float makes NumPy compute it in that type (NEP 50)."""
        if not optimizer.decay:
            return True
        return not any(isinstance(value, np.floating) and value.dtype != np.float64
                       for value in (optimizer.learning_rate, optimizer.decay))

    def _dropout_mask(self) -> Callable[[int, int, int, float], NDArray[Any]] | None:
        """The book's masks, drawn from NumPy's global generator as Layer_Dropout draws them
        (None: no dropout, or fast masks, which the network draws itself)."""
        if not self.dropouts or self.fast_masks:
            return None
        layers = self.dropouts

        def mask(layer: int, m: int, n: int, keep: float) -> NDArray[Any]:
            return np.random.binomial(1, layers[layer].rate, size=(m, n))
        return mask

    def _finish(self, model: Any, last: NDArray[Any] | None, samples: int,
                per_output: bool = False) -> None:
        """After a training call (or its interruption): the optimizer's count and learning
        rate, the layers' views, and the loss's and accuracy's accumulated figures of the
        last epoch (``last``: its report, whose accuracy is a mean over the outputs compared
        when ``per_output``, else over the samples), as the layer-by-layer loop leaves them:
        the book's Accuracy counts the matches over the samples (rows), so that with several
        outputs compared its accumulated mean is their count per sample."""
        self._masks_done()
        forget_passes(model)
        optimizer = model.optimizer
        iterations, learning_rate = self.net.get_iterations()
        optimizer.iterations = iterations
        if optimizer.decay:  # else it never changes: keep the user's number as given
            # in the type of the book's learning_rate * (1. / (1. + decay * iterations))
            decayed = type(optimizer.learning_rate * (1.0 / (1.0 + optimizer.decay)))
            optimizer.current_learning_rate = decayed(learning_rate)
        self.give_layers()
        if last is not None:
            compared = samples if not per_output or self.labels or self.categorical \
                else samples * self.net.n_outputs
            # in the types the layers' step accumulates them: see softmax_stats_taken
            loss_sum, correct_count = softmax_stats_taken(model)
            matches = int(round(last[2] * compared))
            model.loss.accumulated_sum = float(last[4]) if loss_sum else self.loss_type(last[4])
            model.loss.accumulated_count = samples
            model.accuracy.accumulated_sum = matches if correct_count else np.int64(matches)
            model.accuracy.accumulated_count = samples

    def _record(self, model: Any, history: History, rows: NDArray[Any]) -> None:
        """Hand epochs' report rows (data_loss, regularization_loss, accuracy,
        learning_rate, loss_sum; not to be written again) to the history."""
        optimizer = model.optimizer
        # without decay the user's number as given (an int prints as one), made a float at
        # the end
        history.add_rows(rows, self.loss_type,
                         None if optimizer.decay else optimizer.current_learning_rate)

    def _order(self, n: int, shuffle: bool, epochs: int) -> Callable[[int], Any] | None:
        """Network.train's ``order``: each epoch's np.random.permutation(n), as the layers'
        loop draws it. Also gives the fast-mask dropout layers their streams: a layer that
        has no seed yet draws it from NumPy's global generator at its first training
        forward, after the first epoch's permutation, so it is drawn here in that order."""
        first = np.random.permutation(n) if shuffle and epochs else None
        if self.fast_masks and epochs:
            for index, layer in self.dropouts.items():
                if layer._seed is None:
                    layer._seed = draw_seed()
                self.net.set_dropout_stream(index, layer._seed, layer._step)
        if not shuffle:
            return None
        pending = [first]

        def order(epoch: int) -> Any:
            return pending.pop() if pending else np.random.permutation(n)
        return order

    def _masks_done(self) -> None:
        """After training: each fast-mask layer's step counter, as its forward would count."""
        if self.fast_masks:
            for index, layer in self.dropouts.items():
                layer._step = self.net.get_dropout_stream(index)[1]

    def train_epochs(self, model: Any, X: NDArray[Any], y: NDArray[Any], epochs: int,
                     shuffle: bool, history: History, out: Output | None,
                     print_every: int) -> None:
        """Chapter 18's loop (one step over the whole set per epoch) in chunks of epochs: up
        to the next printed line, about one bar redraw, or MAX_CHUNK in silence."""
        n = len(X)
        order = self._order(n, shuffle, epochs)
        mask = self._dropout_mask()
        lines = out is not None and not isinstance(out, Bar)
        done, per_epoch = 0, None
        last = None
        try:
            while done < epochs:
                if lines:
                    count = print_every - done % print_every
                elif out is not None:
                    count = 1 if per_epoch is None else max(1, int(REDRAW / 2 / per_epoch))
                else:
                    count = MAX_CHUNK
                count = min(count, epochs - done)
                # the step's figures: with one step per epoch, chapter 18's (its
                # regularization loss is the step's, before the update)
                rows = np.empty((count, REPORT_COLUMNS))
                start = perf_counter()
                self.net.train(X, y, epochs=count, order=order, dropout_mask=mask,
                               step_reports=rows)
                per_epoch = max(perf_counter() - start, 1e-9) / count
                done += count
                last = rows[-1]
                self._record(model, history, rows)
                if out is not None:
                    out.epoch_end(done)
        finally:
            self._finish(model, last, n, per_output=True)

    def train_batches(self, model: Any, X: NDArray[Any], y: NDArray[Any], epochs: int,
                      batch_size: int, steps: int, shuffle: bool,
                      validate: Callable[[int], None] | None, history: History,
                      out: Output | None, print_every: int) -> None:
        """Chapter 19's loop: one call of Network.train per epoch (its ``steps`` batches),
        the steps' lines from its on_step, validation after every epoch."""
        n = len(X)
        order = self._order(n, shuffle, epochs)
        mask = self._dropout_mask()
        every = max(1, steps // 50) if isinstance(out, Bar) else print_every
        last = None
        try:
            for epoch in range(1, epochs + 1):
                rows = np.empty((1, REPORT_COLUMNS))  # each epoch's: the history keeps it
                on_step = None
                if out is not None:
                    out.epoch_start(epoch)
                    on_step = _step_reporter(out, epoch, model.optimizer, self.loss_type)
                self.net.train(X, y, epochs=1, batch_size=batch_size, order=order,
                               dropout_mask=mask, on_step=on_step, report_every=every,
                               reports=rows)
                last = rows[0]
                self._record(model, history, rows)
                if out is not None:
                    out.epoch_end(epoch)
                if validate is not None:
                    if epoch == epochs:
                        self._finish(model, last, n)
                        last = None
                    validate(epoch)
        finally:
            self._finish(model, last, n)

    def forward(self, X: NDArray[Any], batch_size: int | None,
                where: str) -> NDArray[Any] | None:
        """The network's outputs for X (in batches of batch_size), or None when it does not
        take X (another dtype or width); held meanwhile for ``where`` (see ``claim``)."""
        if not self.takes(X):
            return None
        self.claim(where)
        try:
            if not self.take_layers(training=False):
                return None
            return self.net.forward(X, batch_size=batch_size or 0)
        finally:
            self.release()


def _step_reporter(out: Output, epoch: int, optimizer: Any,
                   loss_type: type[np.floating[Any]]) -> Callable[..., None]:
    """Network.train's on_step for ``out``: the step's line or bar redraw, its loss the data
    and regularization losses added in ``loss_type`` (ModelNetwork.loss_type)."""
    # without decay the learning rate never changes: printed as the user gave it (1, not 1.0)
    fixed = None if optimizer.decay else optimizer.current_learning_rate

    def on_step(_epoch: int, step: int, data_loss: float, regularization_loss: float,
                accuracy: float, learning_rate: float) -> None:
        loss = float(loss_type(data_loss) + loss_type(regularization_loss))
        out.step(epoch, step, accuracy, loss, data_loss, regularization_loss,
                 learning_rate if fixed is None else fixed)
    return on_step
