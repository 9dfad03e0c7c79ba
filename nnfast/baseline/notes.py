"""The notes' code in plain NumPy: a neuron, a dense layer over a batch, the activations,
softmax, categorical cross-entropy, accuracy and the forward pass of the spiral network.

Samples are rows: ``inputs (n, n_inputs) @ weights (n_inputs, n_neurons) + biases
(1, n_neurons)``. Each class computes what the function of the same name computes, so the
functional contenders and the classes run the same NumPy calls.
"""

import numpy as np

CLIP = (1e-7, 1 - 1e-7)  # the bounds the notes clip predicted probabilities to


# ---------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------
def dense(inputs, weights, biases):
    """The weighted sum of a layer (or, with 1-D weights and a scalar bias, of a neuron)."""
    return np.dot(inputs, weights) + biases


def relu(inputs):
    return np.maximum(0, inputs)


def softmax(inputs):
    """Softmax of each row, the row's maximum subtracted first so exp cannot overflow."""
    exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
    return exp_values / np.sum(exp_values, axis=1, keepdims=True)


def categorical_crossentropy_samples(y_pred, y_true):
    """Each sample's loss, -log of its clipped probability of the true class; y_true holds
    class indices (n,) or one-hot rows (n, n_classes)."""
    samples = len(y_pred)
    y_pred_clipped = np.clip(y_pred, *CLIP)
    if len(y_true.shape) == 1:
        correct_confidences = y_pred_clipped[range(samples), y_true]
    elif len(y_true.shape) == 2:
        correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)
    return -np.log(correct_confidences)


def categorical_crossentropy(y_pred, y_true):
    """The mean loss over the samples."""
    return np.mean(categorical_crossentropy_samples(y_pred, y_true))


def accuracy(y_pred, y_true):
    """The fraction of samples whose largest prediction is the true class."""
    predictions = np.argmax(y_pred, axis=1)
    if len(y_true.shape) == 2:
        y_true = np.argmax(y_true, axis=1)
    return np.mean(predictions == y_true)


# ---------------------------------------------------------------------------------------
# Classes
# ---------------------------------------------------------------------------------------
class Neuron:
    def __init__(self, weights, bias):
        self.weights = weights
        self.bias = bias

    def forward(self, inputs):
        self.output = dense(inputs, self.weights, self.bias)


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.output = dense(inputs, self.weights, self.biases)


class Activation_Linear:
    def forward(self, inputs):
        self.output = inputs


class Activation_ReLU:
    def forward(self, inputs):
        self.output = relu(inputs)


class Activation_Softmax:
    def forward(self, inputs):
        self.output = softmax(inputs)


class Loss:
    def calculate(self, output, y):
        sample_losses = self.forward(output, y)
        return np.mean(sample_losses)


class Loss_CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        return categorical_crossentropy_samples(y_pred, y_true)


# ---------------------------------------------------------------------------------------
# The forward pass of the notes' network
# ---------------------------------------------------------------------------------------
def forward_pass(network, X, y):
    """The notes' forward pass through ``network = (dense1, activation1, dense2, activation2,
    loss_function)``: each layer on the previous one's output, then the mean loss. Any classes
    with the notes' ``forward``/``output``/``calculate`` will do (nnfast.nn's too)."""
    dense1, activation1, dense2, activation2, loss_function = network
    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    return loss_function.calculate(activation2.output, y)


def forward_pass_functions(X, y, W1, b1, W2, b2):
    """The same network as functions: dense + ReLU, dense + softmax, the mean loss.
    Returns (loss, probabilities)."""
    hidden = relu(dense(X, W1, b1))
    probabilities = softmax(dense(hidden, W2, b2))
    return categorical_crossentropy(probabilities, y), probabilities
