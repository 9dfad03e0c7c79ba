"""The book's optimizers: SGD (with momentum), Adagrad, RMSprop, Adam; each parameter array
updated in one fused in-place C pass."""

import numpy as np

from .._core import adagrad_update, adam_update, rmsprop_update, sgd_update


class _Optimizer:
    """The book's learning-rate decay and iteration count, shared by the optimizers."""

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * \
                (1. / (1. + self.decay * self.iterations))

    def post_update_params(self):
        self.iterations += 1


class Optimizer_SGD(_Optimizer):
    """Stochastic gradient descent with the book's learning-rate decay and momentum.

    ``update_params(layer)``: with momentum, ``updates = momentum * momentums -
    lr * dweights``, ``momentums = updates``; without, ``updates = -lr * dweights``;
    then ``weights += updates`` (biases likewise). The state lives on the layer
    (``weight_momentums``, ``bias_momentums``), each array updated in one C pass.
    """

    def __init__(self, learning_rate=1., decay=0., momentum=0.):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.momentum = momentum

    def update_params(self, layer):
        if self.momentum:
            if not hasattr(layer, "weight_momentums"):
                layer.weight_momentums = np.zeros_like(layer.weights)
                layer.bias_momentums = np.zeros_like(layer.biases)
            sgd_update(layer.weights, layer.dweights, self.current_learning_rate,
                       self.momentum, layer.weight_momentums)
            sgd_update(layer.biases, layer.dbiases, self.current_learning_rate,
                       self.momentum, layer.bias_momentums)
        else:
            sgd_update(layer.weights, layer.dweights, self.current_learning_rate)
            sgd_update(layer.biases, layer.dbiases, self.current_learning_rate)


class Optimizer_Adagrad(_Optimizer):
    """Adagrad: ``cache += g**2``; ``param += -lr * g / (sqrt(cache) + epsilon)``."""

    def __init__(self, learning_rate=1., decay=0., epsilon=1e-7):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        adagrad_update(layer.weights, layer.dweights, layer.weight_cache,
                       self.current_learning_rate, self.epsilon)
        adagrad_update(layer.biases, layer.dbiases, layer.bias_cache,
                       self.current_learning_rate, self.epsilon)


class Optimizer_RMSprop(_Optimizer):
    """RMSprop: ``cache = rho * cache + (1 - rho) * g**2``;
    ``param += -lr * g / (sqrt(cache) + epsilon)``."""

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, rho=0.9):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.rho = rho

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        rmsprop_update(layer.weights, layer.dweights, layer.weight_cache,
                       self.current_learning_rate, self.epsilon, self.rho)
        rmsprop_update(layer.biases, layer.dbiases, layer.bias_cache,
                       self.current_learning_rate, self.epsilon, self.rho)


class Optimizer_Adam(_Optimizer):
    """Adam: momentums and cache as exponential averages (``beta_1``, ``beta_2``), each
    bias-corrected by ``1 - beta ** (iterations + 1)``;
    ``param += -lr * m_hat / (sqrt(v_hat) + epsilon)``."""

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        lr, it, eps, b1, b2 = (self.current_learning_rate, self.iterations, self.epsilon,
                               self.beta_1, self.beta_2)
        adam_update(layer.weights, layer.dweights, layer.weight_momentums, layer.weight_cache,
                    lr, it, eps, b1, b2)
        adam_update(layer.biases, layer.dbiases, layer.bias_momentums, layer.bias_cache,
                    lr, it, eps, b1, b2)
