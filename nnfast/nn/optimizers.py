"""The book's optimizers: SGD (with momentum), Adagrad, RMSprop, Adam; each parameter array
updated in one fused in-place C pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._core import adagrad_update, adam_update, rmsprop_update, sgd_update
from ._checks import check_number
from ._fusion import uses_own


class _Optimizer:
    """The book's learning-rate decay and iteration count, shared by the optimizers."""

    learning_rate: float  #: the initial learning rate
    current_learning_rate: float  #: the learning rate of the next update, after decay
    decay: float  #: the book's decay: ``lr / (1 + decay * iterations)``
    iterations: int  #: the number of ``post_update_params`` calls so far

    def __init__(self, learning_rate: float, decay: float) -> None:
        where = type(self).__name__
        self.learning_rate = check_number(where, "learning_rate", learning_rate)
        self.current_learning_rate = learning_rate
        self.decay = check_number(where, "decay", decay)
        self.iterations = 0

    def pre_update_params(self) -> None:
        """Before a step's updates: with ``decay``, set ``current_learning_rate =
        learning_rate / (1 + decay * iterations)``."""
        if self.decay:
            self.current_learning_rate = self.learning_rate * \
                (1. / (1. + self.decay * self.iterations))

    def post_update_params(self) -> None:
        """After a step's updates: count the step (``iterations += 1``)."""
        self.iterations += 1

    def update_params(self, layer: Any) -> None:
        """Update ``layer.weights`` and ``layer.biases`` in place from its ``dweights`` and
        ``dbiases`` (same shapes and dtypes), creating the optimizer's state on the layer
        (momentums, caches) on the first call.

        Raises TypeError for a layer without weights and biases, RuntimeError for one without
        gradients (before its ``backward``); nothing is changed then."""
        # Each optimizer reads the layer's four arrays inline: a shared helper would add a call
        # to every update of every layer.
        raise NotImplementedError(f"{type(self).__name__}.update_params: an optimizer "
                                  "implements update_params(layer)")

    # The C network's name of the optimizer and its hyperparameters (network_part).
    _network_kind: str | None = None
    _network_settings: tuple[str, ...] = ()

    @property
    def network_part(self) -> tuple[Any, ...] | None:
        """This optimizer in the C library's network, which Model.train runs when every part
        of the model has one (nnfast/nn/_network.py): ``(kind, {hyperparameter: value})``
        with kind "sgd", "adagrad", "rmsprop" or "adam". None when a subclass replaces
        ``pre_update_params``, ``update_params`` or ``post_update_params``."""
        kind = type(self)
        cls = next((c for c in kind.__mro__ if "_network_kind" in c.__dict__), None)
        if cls is None or not uses_own(self, cls, "pre_update_params", "update_params",
                                       "post_update_params"):
            return None
        names = ("learning_rate", "decay") + self._network_settings
        return (self._network_kind, {name: float(getattr(self, name)) for name in names})

    def _unusable(self, layer: Any) -> Exception:
        """The error for ``update_params(layer)`` when ``layer`` lacks what it reads."""
        where = f"{type(self).__name__}.update_params"
        if not (hasattr(layer, "weights") and hasattr(layer, "biases")):
            return TypeError(f"{where}: the layer must have weights and biases (a Layer_Dense), "
                             f"got {type(layer).__name__}")
        return RuntimeError(f"{where}: the layer has no gradients; call its backward() first "
                            "(Model.train does)")


class Optimizer_SGD(_Optimizer):
    """Stochastic gradient descent with the book's learning-rate decay and momentum.

    ``update_params(layer)``: with momentum, ``updates = momentum * momentums -
    lr * dweights``, ``momentums = updates``; without, ``updates = -lr * dweights``;
    then ``weights += updates`` (biases likewise). The state lives on the layer
    (``weight_momentums``, ``bias_momentums``), each array updated in one C pass.

    Raises TypeError when a hyperparameter is not a number, ValueError when it is negative.
    """

    momentum: float

    _network_kind = "sgd"
    _network_settings = ("momentum",)

    def __init__(self, learning_rate: float = 1., decay: float = 0.,
                 momentum: float = 0.) -> None:
        super().__init__(learning_rate, decay)
        self.momentum = check_number("Optimizer_SGD", "momentum", momentum)

    def update_params(self, layer: Any) -> None:
        try:
            weights, dweights = layer.weights, layer.dweights
            biases, dbiases = layer.biases, layer.dbiases
        except AttributeError:
            raise self._unusable(layer) from None
        if self.momentum:
            if not hasattr(layer, "weight_momentums"):
                layer.weight_momentums = np.zeros_like(weights)
                layer.bias_momentums = np.zeros_like(biases)
            sgd_update(weights, dweights, self.current_learning_rate,
                       self.momentum, layer.weight_momentums)
            sgd_update(biases, dbiases, self.current_learning_rate,
                       self.momentum, layer.bias_momentums)
        else:
            sgd_update(weights, dweights, self.current_learning_rate)
            sgd_update(biases, dbiases, self.current_learning_rate)


class Optimizer_Adagrad(_Optimizer):
    """Adagrad: ``cache += g**2``; ``param += -lr * g / (sqrt(cache) + epsilon)``. The caches
    live on the layer (``weight_cache``, ``bias_cache``).

    Raises TypeError when a hyperparameter is not a number, ValueError when it is negative.
    """

    epsilon: float

    _network_kind = "adagrad"
    _network_settings = ("epsilon",)

    def __init__(self, learning_rate: float = 1., decay: float = 0.,
                 epsilon: float = 1e-7) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = check_number("Optimizer_Adagrad", "epsilon", epsilon)

    def update_params(self, layer: Any) -> None:
        try:
            weights, dweights = layer.weights, layer.dweights
            biases, dbiases = layer.biases, layer.dbiases
        except AttributeError:
            raise self._unusable(layer) from None
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(weights)
            layer.bias_cache = np.zeros_like(biases)
        adagrad_update(weights, dweights, layer.weight_cache,
                       self.current_learning_rate, self.epsilon)
        adagrad_update(biases, dbiases, layer.bias_cache,
                       self.current_learning_rate, self.epsilon)


class Optimizer_RMSprop(_Optimizer):
    """RMSprop: ``cache = rho * cache + (1 - rho) * g**2``;
    ``param += -lr * g / (sqrt(cache) + epsilon)``. The caches live on the layer.

    Raises TypeError when a hyperparameter is not a number, ValueError when it is negative
    or ``rho`` is above 1.
    """

    epsilon: float
    rho: float

    _network_kind = "rmsprop"
    _network_settings = ("epsilon", "rho")

    def __init__(self, learning_rate: float = 0.001, decay: float = 0., epsilon: float = 1e-7,
                 rho: float = 0.9) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = check_number("Optimizer_RMSprop", "epsilon", epsilon)
        self.rho = check_number("Optimizer_RMSprop", "rho", rho, at_most=1)

    def update_params(self, layer: Any) -> None:
        try:
            weights, dweights = layer.weights, layer.dweights
            biases, dbiases = layer.biases, layer.dbiases
        except AttributeError:
            raise self._unusable(layer) from None
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(weights)
            layer.bias_cache = np.zeros_like(biases)
        rmsprop_update(weights, dweights, layer.weight_cache,
                       self.current_learning_rate, self.epsilon, self.rho)
        rmsprop_update(biases, dbiases, layer.bias_cache,
                       self.current_learning_rate, self.epsilon, self.rho)


class Optimizer_Adam(_Optimizer):
    """Adam: momentums and cache as exponential averages (``beta_1``, ``beta_2``), each
    bias-corrected by ``1 - beta ** (iterations + 1)``;
    ``param += -lr * m_hat / (sqrt(v_hat) + epsilon)``. The momentums and caches live on
    the layer.

    Raises TypeError when a hyperparameter is not a number, ValueError when it is negative
    or a beta is not below 1 (the bias correction would divide by 0).
    """

    epsilon: float
    beta_1: float
    beta_2: float

    _network_kind = "adam"
    _network_settings = ("epsilon", "beta_1", "beta_2")

    def __init__(self, learning_rate: float = 0.001, decay: float = 0., epsilon: float = 1e-7,
                 beta_1: float = 0.9, beta_2: float = 0.999) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = check_number("Optimizer_Adam", "epsilon", epsilon)
        self.beta_1 = check_number("Optimizer_Adam", "beta_1", beta_1, below=1)
        self.beta_2 = check_number("Optimizer_Adam", "beta_2", beta_2, below=1)

    def update_params(self, layer: Any) -> None:
        try:
            weights, dweights = layer.weights, layer.dweights
            biases, dbiases = layer.biases, layer.dbiases
        except AttributeError:
            raise self._unusable(layer) from None
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(weights)
            layer.weight_cache = np.zeros_like(weights)
            layer.bias_momentums = np.zeros_like(biases)
            layer.bias_cache = np.zeros_like(biases)
        lr, it, eps, b1, b2 = (self.current_learning_rate, self.iterations, self.epsilon,
                               self.beta_1, self.beta_2)
        adam_update(weights, dweights, layer.weight_momentums, layer.weight_cache,
                    lr, it, eps, b1, b2)
        adam_update(biases, dbiases, layer.bias_momentums, layer.bias_cache,
                    lr, it, eps, b1, b2)
