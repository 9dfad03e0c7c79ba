"""A user's program on nnfast's public API, written as a user of a typed NumPy library would:
every annotation is what mypy --strict must accept with nnfast installed (a wheel, an editable
install, or this repository's folder). tests/test_user_program_types.py and tests/test_wheel.py
run mypy on it; it also runs. Not collected by pytest.

Covers the functional API (forward, backward, losses, dropout, optimizer steps), the package's
settings (threads, show_config, __version__), the benchmark registry's entry points, every class
of nnfast.nn (the notes' and the book's, and their PEP 8 names) and every loader of
nnfast.datasets.
"""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np
from numpy.typing import NDArray

import nnfast
import nnfast.bench
import nnfast.nn as nn
from nnfast.bench import SIZES, Case, Contenders, Operation, Size
from nnfast.datasets import create_data_mnist, load_mnist_dataset, sine_data, spiral_data, vertical_data

FloatArray = NDArray[np.floating[Any]]


def forward_backward(X: NDArray[np.float32], y: NDArray[np.uint8], W: NDArray[np.float32],
                     b: NDArray[np.float32]) -> tuple[np.float32, FloatArray, FloatArray]:
    """One dense + softmax cross-entropy step: loss, dweights, dinputs."""
    hidden: NDArray[np.float32] = nnfast.dense(X, W, b, activation="relu")
    logits: NDArray[np.float32] = nnfast.linear(hidden)
    loss, probabilities = nnfast.softmax_crossentropy(logits, y)
    dlogits: FloatArray = nnfast.softmax_crossentropy_backward(probabilities, y)
    drelu: FloatArray = nnfast.relu_backward(dlogits, hidden)
    dweights, dbiases, dinputs = nnfast.dense_backward(drelu, X, W, b, weight_regularizer_l2=5e-4)
    assert dbiases is not None and dinputs is not None
    return loss, dweights, dinputs


def losses(p: NDArray[np.float64], t: NDArray[np.float64], y: NDArray[np.uint8]) -> list[float]:
    """Every loss and its backward pass, reduced to floats."""
    cce: np.float64 = nnfast.categorical_crossentropy(p, y)
    per_sample: NDArray[np.float64] = nnfast.categorical_crossentropy(p, y, reduction="none")
    sig: FloatArray = nnfast.sigmoid(p)
    bce: np.floating[Any] = nnfast.binary_crossentropy(sig, t)
    mse: np.floating[Any] = nnfast.mean_squared_error(p, t, reduction="sum")
    mae: FloatArray = nnfast.mean_absolute_error(p, t, reduction="none")
    grads: list[FloatArray] = [
        nnfast.categorical_crossentropy_backward(p, y),
        nnfast.binary_crossentropy_backward(sig, t),
        nnfast.mean_squared_error_backward(p, t),
        nnfast.mean_absolute_error_backward(p, t),
        nnfast.sigmoid_backward(p, sig),
        nnfast.softmax_backward(p, nnfast.softmax(p)),
    ]
    assert all(g.shape == p.shape for g in grads)
    return [float(cce), float(per_sample.mean()), float(bce), float(mse), float(mae.sum())]


def optimizer_steps(W: NDArray[np.float64], dW: NDArray[np.float64]) -> float:
    """The four optimizers' in-place steps, then the L1/L2 penalty of the result."""
    momentums, cache = np.zeros_like(W), np.zeros_like(W)
    nnfast.sgd_update(W, dW, 0.1, momentum=0.9, momentums=momentums)
    nnfast.adagrad_update(W, dW, cache, 0.1)
    nnfast.rmsprop_update(W, dW, cache, 0.01, rho=0.95)
    nnfast.adam_update(W, dW, momentums, cache, 0.001, iteration=1)
    penalty: float = nnfast.regularization_loss(W, l1=1e-4, l2=5e-4)
    return penalty


def dropout(x: NDArray[np.float64], rate: float) -> FloatArray:
    mask = np.random.default_rng(1).binomial(1, 1 - rate, x.shape)
    out, binary_mask = nnfast.dropout(x, mask, rate)
    back: FloatArray = nnfast.dropout_backward(np.ones_like(x), binary_mask)
    fast, fast_mask = nnfast.dropout_philox(x, rate, 12345, 0)
    assert back.shape == out.shape == fast.shape == fast_mask.shape
    return out


def benchmark_registry() -> list[str]:
    """The benchmark registry as a user script would use it: sizes, cases, one timing."""
    small: Size = SIZES["small"]
    ops: list[Operation] = nnfast.bench.all_operations()
    chosen: list[Case] = nnfast.bench.cases(sizes=["small"], ops=[ops[0].name])
    contenders: Contenders = chosen[0].build()
    result, reference = contenders.results("nnfast")
    nnfast.bench.assert_agree(result, reference, small.dtype, contenders.k, chosen[0].id)
    times: list[float] = nnfast.bench.best_times([contenders.nnfast, contenders.numpy], rounds=3,
                                                 budget=0.01, round_time=0.001)
    peak: int = nnfast.bench.peak_memory(contenders.numpy)
    assert all(t > 0 for t in times) and peak >= 0
    torch: bool = nnfast.bench.torch_available()
    return [small.describe(), chosen[0].group, str(torch)]


def notes_forward() -> float:
    """The notes' forward pass with their classes, float32 end to end, and a single neuron."""
    X64, y = spiral_data(samples=20, classes=3)
    X = X64.astype(np.float32)
    dense1: nn.Layer_Dense[np.float32] = nn.Layer_Dense(2, 8, dtype=np.float32)
    dense2 = nn.Dense(8, 3, dtype=np.float32)
    hidden: NDArray[np.float32] = nn.Activation_ReLU().forward(dense1.forward(X))
    probabilities: NDArray[np.float32] = nn.Softmax().forward(
        nn.Linear().forward(dense2.forward(hidden)))
    loss: np.float32 = nn.Loss_CategoricalCrossentropy().calculate(probabilities, y)
    also: np.float32 = nn.CategoricalCrossentropy().calculate(probabilities, y)
    neuron = nn.Neuron([0.2, 0.8, -0.5], 2.0)
    one = neuron.forward(np.array([1.0, 2.0, 3.0]))
    assert loss == also
    return float(loss) + float(np.sum(one))


def book_training_step() -> list[float]:
    """One step of the book's chapters 9-18 by hand: every layer, activation, loss and optimizer
    class (and its PEP 8 name), forward and backward."""
    X, y = vertical_data(samples=10, classes=2)
    X_sine, y_sine = sine_data(samples=30)
    dense = nn.Layer_Dense(2, 4, weight_regularizer_l2=5e-4)
    previous = nn.get_dropout_rng()
    nn.set_dropout_rng("fast")
    dropout = nn.Layer_Dropout(0.1, rng="book")
    nn.set_dropout_rng(previous)
    relu, sigmoid = nn.ReLU(), nn.Activation_Sigmoid()
    out: NDArray[np.float64] = sigmoid.forward(relu.forward(dropout.forward(dense.forward(X), True)))
    bce = nn.Loss_BinaryCrossentropy()
    targets = (y.reshape(-1, 1) == np.arange(4)).astype(np.float64)
    data_loss = bce.calculate(out, targets)
    bce.backward(out, targets)
    sigmoid.backward(bce.dinputs)
    relu.backward(sigmoid.dinputs)
    dropout.backward(relu.dinputs)
    dense.backward(dropout.dinputs)
    head = nn.Input()
    head.forward(X_sine, False)
    regression = nn.Dense(1, 1)
    linear = nn.Activation_Linear()
    prediction = linear.forward(regression.forward(head.output))
    mse, mae = nn.Loss_MeanSquaredError(), nn.MeanAbsoluteError()
    losses = [float(data_loss), float(mse.calculate(prediction, y_sine)),
              float(mae.calculate(prediction, y_sine)), float(nn.MeanSquaredError().calculate(prediction, y_sine)),
              float(nn.BinaryCrossentropy().calculate(out, targets))]
    softmax_loss = nn.Activation_Softmax_Loss_CategoricalCrossentropy()
    probabilities = nn.Activation_Softmax().forward(out)
    softmax_loss.backward(probabilities, y)
    nn.SoftmaxCategoricalCrossentropy().backward(probabilities, y)
    for optimizer in (nn.Optimizer_SGD(momentum=0.9), nn.Optimizer_Adagrad(), nn.Optimizer_RMSprop(),
                      nn.Optimizer_Adam(decay=1e-3), nn.SGD(), nn.Adagrad(), nn.RMSprop(), nn.Adam()):
        optimizer.pre_update_params()
        optimizer.update_params(dense)
        optimizer.post_update_params()
    categorical: nn.Accuracy = nn.Accuracy_Categorical()
    regression_accuracy = nn.Accuracy_Regression()
    regression_accuracy.init(y_sine)
    losses.append(float(categorical.calculate(np.argmax(probabilities, axis=1), y)))
    losses.append(float(regression_accuracy.calculate(prediction, y_sine)))
    losses.append(float(nn.CategoricalAccuracy().calculate(np.argmax(probabilities, axis=1), y)))
    regression_accuracy = nn.RegressionAccuracy()
    return losses


def book_model(folder: str) -> tuple[float, list[float]]:
    """The book's chapters 19-22: a Model trained in float32 with shuffling and validation, its
    History, evaluate, predict, and its files."""
    X, y = spiral_data(samples=30, classes=3)
    model = nn.Model(dtype=np.float32)
    for layer in (nn.Layer_Dense(2, 16), nn.Activation_ReLU(), nn.Dropout(0.05), nn.Layer_Dense(16, 3),
                  nn.Activation_Softmax()):
        model.add(layer)
    model.set(loss=nn.Loss_CategoricalCrossentropy(), optimizer=nn.Optimizer_Adam(learning_rate=0.01),
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    history: nn.History = model.train(X, y, epochs=3, batch_size=32, shuffle=True, validation_data=(X, y),
                                      verbose=False)
    losses: list[float] = history.history["loss"]
    epochs: list[int] = history.epoch
    loss, accuracy = model.evaluate(X, y, verbose=False)
    predictions: NDArray[np.floating[Any]] = model.predict(X[:5], batch_size=2)
    model.save_parameters(f"{folder}/spiral.parms")
    model.load_parameters(f"{folder}/spiral.parms")
    model.save(f"{folder}/spiral.model")
    loaded: nn.Model = nn.Model.load(f"{folder}/spiral.model")
    assert np.array_equal(loaded.predict(X[:5], batch_size=2), predictions) and len(epochs) == 3
    return loss + accuracy, losses


def fashion_mnist(folder: str) -> int:
    """Chapter 19's loaders on a folder of the book's layout (type-checked; tests/test_datasets_mnist.py
    runs them)."""
    X, y = load_mnist_dataset("train", folder)
    X_train, y_train, X_test, y_test = create_data_mnist(folder)
    scaled: NDArray[np.float32] = ((X_train.reshape(X_train.shape[0], -1).astype(np.float32) - 127.5)
                                   / np.float32(127.5))
    return int(scaled.shape[0]) + len(y) + len(y_test) + int(X.shape[0] + X_test.shape[0] + y_train.shape[0])


def main() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5)).astype(np.float32)
    y = rng.integers(0, 3, 64).astype(np.uint8)
    W = (0.1 * rng.standard_normal((5, 3))).astype(np.float32)
    b = np.zeros((1, 3), np.float32)
    loss, dweights, dinputs = forward_backward(X, y, W, b)
    assert loss.dtype == np.float32 and dweights.shape == W.shape and dinputs.shape == X.shape

    p = nnfast.softmax(rng.standard_normal((64, 3)))
    t = rng.random((64, 3))
    assert all(np.isfinite(v) for v in losses(p, t, y))
    assert optimizer_steps(rng.standard_normal((5, 3)), rng.standard_normal((5, 3))) > 0
    assert dropout(rng.standard_normal((8, 4)), 0.25).shape == (8, 4)
    product: NDArray[np.float64] = np.asarray(nnfast.dot(np.eye(3), p.T))
    assert product.shape == (3, 64)
    assert nnfast.accuracy(p, y) <= 1.0

    threads: int = nnfast.get_num_threads()
    nnfast.set_num_threads(1)
    nnfast.set_num_threads(threads)
    version: str = nnfast.__version__
    config: dict[str, str] = nnfast._config.get_config()
    assert config["nnfast"] == version
    nnfast.show_config()
    print("\n".join(benchmark_registry()))
    print(notes_forward(), book_training_step())
    with tempfile.TemporaryDirectory() as folder:
        print(book_model(folder))


if __name__ == "__main__":
    main()
