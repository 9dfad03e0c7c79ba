"""The notes' classes, computed by nnfast's C core.

The names, attributes and initial values are those of the notes (and of the
book they follow, "Neural Networks from Scratch in Python", chapters 1-5), so
code written for them runs by changing only its imports::

    import numpy as np
    from nnfast.datasets import spiral_data
    from nnfast.nn import (Layer_Dense, Activation_ReLU, Activation_Softmax,
                           Loss_CategoricalCrossentropy)

    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    dense1 = Layer_Dense(2, 3)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(3, 3)
    activation2 = Activation_Softmax()
    loss_function = Loss_CategoricalCrossentropy()

    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    loss = loss_function.calculate(activation2.output, y)

Every ``forward`` stores its input in ``.inputs`` (where the book later needs
it for backpropagation), sets ``.output`` and also returns it.

dtypes follow the functional API: float32 and float64 are computed natively
and the result has the dtype NumPy would give; integer/bool-only inputs are
computed in float64. Errors (shapes that do not align, non-numeric dtypes,
labels out of range, ...) are raised by the C functions as TypeError,
ValueError or IndexError with a message naming the argument and the shapes.

PEP 8 aliases: ``Dense``, ``ReLU``, ``Softmax``, ``Linear``,
``CategoricalCrossentropy``.

Training (the book, chapters 9-22): every class also has the book's
``backward(dvalues)`` setting ``.dinputs`` (and ``.dweights``/``.dbiases`` for
dense layers), computed in C; ``Layer_Dense`` takes the L1/L2 regularizers;
``Layer_Dropout``, ``Layer_Input``, ``Activation_Sigmoid``, the losses
``Loss_BinaryCrossentropy``, ``Loss_MeanSquaredError``,
``Loss_MeanAbsoluteError``, ``Activation_Softmax_Loss_CategoricalCrossentropy``,
the optimizers ``Optimizer_SGD``, ``Optimizer_Adagrad``, ``Optimizer_RMSprop``,
``Optimizer_Adam`` (one fused in-place C pass per parameter array),
``Accuracy_Categorical``, ``Accuracy_Regression`` and ``Model`` follow the
book's names, attributes, defaults and formulas, so a script written against
the book's classes runs by changing only its imports.

Dropout draws its mask exactly as the book does, ``np.random.binomial(1,
1 - rate, size=inputs.shape)`` from NumPy's global generator (so a seeded run
gives the book's numbers); the masking and scaling by ``1 / (1 - rate)`` run in
C. ``set_dropout_rng("fast")`` (or ``NNFAST_DROPOUT_RNG=fast`` in the
environment, or ``Layer_Dropout(rate, rng="fast")`` for one layer) draws the
masks in C instead, with Philox4x32-10 seeded from NumPy's global generator.

Unlike the book's NumPy code, a float32 network stays float32 throughout:
``Layer_Dense(..., dtype=np.float32)`` draws the book's float64 weights from the
same generator and casts them, and float32 inputs then give float32 outputs and
gradients (the type annotations say so: ``Layer_Dense`` is generic over its
dtype, an activation's ``forward`` returns its input's dtype).

Misuse raises before anything changes, with a message naming the method and
what to do: ``backward`` before ``forward`` and an optimizer's ``update_params``
before ``backward`` give RuntimeError; a dropout rate outside [0, 1) or a
negative learning rate, decay, epsilon, momentum, rho, beta or regularizer
gives ValueError (TypeError when it is not a number).
"""

from .accuracy import Accuracy, Accuracy_Categorical, Accuracy_Regression
from .activations import Activation_Linear, Activation_ReLU, Activation_Sigmoid, Activation_Softmax
from ._dropout_rng import get_dropout_rng, set_dropout_rng
from .history import History
from .layers import Layer_Dense, Layer_Dropout, Layer_Input, Neuron
from .losses import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)
from .model import Model
from .optimizers import Optimizer_Adagrad, Optimizer_Adam, Optimizer_RMSprop, Optimizer_SGD

__all__ = [
    "Neuron",
    "Layer_Dense",
    "Activation_Linear",
    "Activation_ReLU",
    "Activation_Softmax",
    "Loss",
    "Loss_CategoricalCrossentropy",
    "Dense",
    "Linear",
    "ReLU",
    "Softmax",
    "CategoricalCrossentropy",
    # training (the book, chapters 9-22)
    "Layer_Dropout",
    "Layer_Input",
    "Activation_Sigmoid",
    "Loss_BinaryCrossentropy",
    "Loss_MeanSquaredError",
    "Loss_MeanAbsoluteError",
    "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Optimizer_SGD",
    "Optimizer_Adagrad",
    "Optimizer_RMSprop",
    "Optimizer_Adam",
    "Accuracy",
    "Accuracy_Categorical",
    "Accuracy_Regression",
    "Model",
    "History",
    "set_dropout_rng",
    "get_dropout_rng",
    "Dropout",
    "Input",
    "Sigmoid",
    "BinaryCrossentropy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "SoftmaxCategoricalCrossentropy",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "CategoricalAccuracy",
    "RegressionAccuracy",
]


# PEP 8 names.
Dense = Layer_Dense
Linear = Activation_Linear
ReLU = Activation_ReLU
Softmax = Activation_Softmax
CategoricalCrossentropy = Loss_CategoricalCrossentropy
Dropout = Layer_Dropout
Input = Layer_Input
Sigmoid = Activation_Sigmoid
BinaryCrossentropy = Loss_BinaryCrossentropy
MeanSquaredError = Loss_MeanSquaredError
MeanAbsoluteError = Loss_MeanAbsoluteError
SoftmaxCategoricalCrossentropy = Activation_Softmax_Loss_CategoricalCrossentropy
SGD = Optimizer_SGD
Adagrad = Optimizer_Adagrad
RMSprop = Optimizer_RMSprop
Adam = Optimizer_Adam
CategoricalAccuracy = Accuracy_Categorical
RegressionAccuracy = Accuracy_Regression
