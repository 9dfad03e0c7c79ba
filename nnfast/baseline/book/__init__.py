"""The book's code ("Neural Networks from Scratch in Python", Kinsley & Kukiela, chapters
9-22) in plain NumPy, as the book writes it: the classes by the book's names in one
namespace (``book.Layer_Dense``, ``book.Optimizer_Adam``, ``book.Model``, ...), and the same
formulas as functions of arrays (functions.py).
"""
from .layers import (
    Layer_Dense, Layer_Dropout, Layer_Input, Activation_ReLU, Activation_Softmax,
    Activation_Sigmoid, Activation_Linear,
)
from .losses import (
    Loss, Loss_CategoricalCrossentropy, Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss_BinaryCrossentropy, Loss_MeanSquaredError, Loss_MeanAbsoluteError,
)
from .optimizers import (
    Optimizer_SGD, Optimizer_Adagrad, Optimizer_RMSprop, Optimizer_Adam,
)
from .accuracy import (
    Accuracy, Accuracy_Regression, Accuracy_Categorical,
)
from .model import (
    Model,
)
from .datasets import (
    sine_data,
)
from .functions import (
    dense_backward, relu_backward, sigmoid, sigmoid_backward, softmax_backward, labels_of,
    softmax_crossentropy_backward, categorical_crossentropy_backward,
    binary_crossentropy_terms, pair_loss_samples, pair_loss_backward, dropout,
    regularization_loss, optimizer_update, optimizer_step,
)

__all__ = [
    "Layer_Dense", "Layer_Dropout", "Layer_Input", "Activation_ReLU", "Activation_Softmax",
    "Activation_Sigmoid", "Activation_Linear", "Loss", "Loss_CategoricalCrossentropy",
    "Activation_Softmax_Loss_CategoricalCrossentropy", "Loss_BinaryCrossentropy",
    "Loss_MeanSquaredError", "Loss_MeanAbsoluteError", "Optimizer_SGD", "Optimizer_Adagrad",
    "Optimizer_RMSprop", "Optimizer_Adam", "Accuracy", "Accuracy_Regression",
    "Accuracy_Categorical", "Model", "sine_data", "dense_backward", "relu_backward",
    "sigmoid", "sigmoid_backward", "softmax_backward", "labels_of",
    "softmax_crossentropy_backward", "categorical_crossentropy_backward",
    "binary_crossentropy_terms", "pair_loss_samples", "pair_loss_backward", "dropout",
    "regularization_loss", "optimizer_update", "optimizer_step",
]
