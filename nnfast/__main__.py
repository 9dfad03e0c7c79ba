"""``python -m nnfast``: the notes' forward pass with nnfast and with plain NumPy.

Runs the notes' pipeline (spiral data, Dense 2->3, ReLU, Dense 3->3, Softmax,
categorical cross-entropy, accuracy) once with nnfast's classes and once with
a plain-NumPy copy of the notes' classes (defined below) on identical
parameters, prints both results and whether they agree, then times a forward
pass of each, and of the fused functional calls on the issue's benchmark shape
(300 samples, 2 -> 64 -> 3). Exit status 0 when everything agrees, 1 otherwise.
"""

import sys
import timeit

import numpy as np

from ._core import accuracy, dense, softmax_crossentropy
from .datasets import spiral_data
from .nn import (
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
)


# --------------------------------------------------------------------------
# NumPy baseline: the notes' classes in plain NumPy, as the notes write them.
# --------------------------------------------------------------------------
class NumPy_Layer_Dense:
    def __init__(self, weights, biases):  # parameters copied from nnfast's layer
        self.weights = weights.copy()
        self.biases = biases.copy()

    def forward(self, inputs):
        self.output = np.dot(inputs, self.weights) + self.biases


class NumPy_Activation_ReLU:
    def forward(self, inputs):
        self.output = np.maximum(0, inputs)


class NumPy_Activation_Softmax:
    def forward(self, inputs):
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)


class NumPy_Loss:
    def calculate(self, output, y):
        return np.mean(self.forward(output, y))


class NumPy_Loss_CategoricalCrossentropy(NumPy_Loss):
    def forward(self, y_pred, y_true):
        samples = len(y_pred)
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        if len(y_true.shape) == 1:
            correct_confidences = y_pred_clipped[range(samples), y_true]
        else:
            correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)
        return -np.log(correct_confidences)


def numpy_accuracy(probabilities, y):
    return np.mean(np.argmax(probabilities, axis=1) == y)


# NumPy baseline of the fused functional path (same math, idiomatic NumPy).
def numpy_fused(X, W1, b1, W2, b2, y, rows):
    hidden = np.maximum(0, np.dot(X, W1) + b1)
    logits = np.dot(hidden, W2) + b2
    exp_values = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probs = exp_values / np.sum(exp_values, axis=1, keepdims=True)
    loss = np.mean(-np.log(np.clip(probs[rows, y], 1e-7, 1 - 1e-7)))
    return loss, probs


# --------------------------------------------------------------------------
# Pipelines
# --------------------------------------------------------------------------
def build(n_hidden):
    """nnfast's network 2 -> n_hidden -> 3 and its NumPy twin on the same parameters."""
    layers = [Layer_Dense(2, n_hidden), Activation_ReLU(),
              Layer_Dense(n_hidden, 3), Activation_Softmax()]
    twins = [NumPy_Layer_Dense(layers[0].weights, layers[0].biases), NumPy_Activation_ReLU(),
             NumPy_Layer_Dense(layers[2].weights, layers[2].biases), NumPy_Activation_Softmax()]
    return (layers, Loss_CategoricalCrossentropy()), (twins, NumPy_Loss_CategoricalCrossentropy())


def forward_pass(network, X, y):
    """The notes' forward pass: each layer on the previous output, then the loss."""
    (l1, a1, l2, a2), loss_function = network
    l1.forward(X)
    a1.forward(l1.output)
    l2.forward(a1.output)
    a2.forward(l2.output)
    return loss_function.calculate(a2.output, y)


def best_times(funcs, repeats=5, budget=0.02):
    """Best time per call (seconds) of each zero-argument callable, repeats interleaved."""
    timers = [timeit.Timer(f) for f in funcs]
    numbers = [max(1, int(budget / max(t.timeit(10) / 10, 1e-9))) for t in timers]
    best = [float("inf")] * len(timers)
    for _ in range(repeats):
        for i, (t, n) in enumerate(zip(timers, numbers)):
            best[i] = min(best[i], t.timeit(n) / n)
    return best


def close(a, b):
    return bool(np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-7, atol=1e-12))


def main():
    np.random.seed(0)
    X, y = spiral_data(100, 3)
    rows = np.arange(len(y))

    # The notes' network, once with nnfast and once with NumPy.
    fast, slow = build(3)
    loss_fast = forward_pass(fast, X, y)
    loss_slow = forward_pass(slow, X, y)
    probs_fast, probs_slow = fast[0][3].output, slow[0][3].output
    acc_fast = accuracy(probs_fast, y)
    acc_slow = numpy_accuracy(probs_slow, y)
    outputs_agree = all(close(f.output, s.output) for f, s in zip(fast[0], slow[0]))
    loss_agree = close(loss_fast, loss_slow)
    acc_agree = acc_fast == acc_slow
    max_diff = max(float(np.max(np.abs(f.output - s.output), initial=0.0))
                   for f, s in zip(fast[0], slow[0]))

    # The benchmark shape: 300 samples, 2 -> 64 -> 3.
    fast64, slow64 = build(64)
    agree64 = close(forward_pass(fast64, X, y), forward_pass(slow64, X, y)) and close(
        fast64[0][3].output, slow64[0][3].output)
    W1, W2 = fast64[0][0].weights, fast64[0][2].weights
    b1, b2 = 0.01 * np.random.randn(1, 64), 0.01 * np.random.randn(1, 3)

    def nnfast_fused():
        hidden = dense(X, W1, b1, activation="relu")
        return softmax_crossentropy(dense(hidden, W2, b2), y)

    def plain_numpy_fused():
        return numpy_fused(X, W1, b1, W2, b2, y, rows)

    (lf, pf), (ls, ps) = nnfast_fused(), plain_numpy_fused()
    fused_agree = close(lf, ls) and close(pf, ps)

    times = best_times([
        lambda: forward_pass(fast, X, y), lambda: forward_pass(slow, X, y),
        lambda: forward_pass(fast64, X, y), lambda: forward_pass(slow64, X, y),
        nnfast_fused, plain_numpy_fused,
    ])

    agree = outputs_agree and loss_agree and acc_agree and agree64 and fused_agree
    yes = {True: "yes", False: "NO"}
    print("nnfast: the notes' forward pass, C core vs plain NumPy "
          f"(NumPy {np.__version__})")
    print(f"data: spiral_data(100, 3) after np.random.seed(0): X {X.shape} {X.dtype}, "
          f"y {y.shape} {y.dtype}")
    print("network: Layer_Dense(2, 3) -> ReLU -> Layer_Dense(3, 3) -> Softmax -> "
          "CategoricalCrossentropy")
    print(f"{'':12}{'nnfast':>20}{'NumPy':>20}")
    print(f"{'loss':12}{float(loss_fast):>20.15f}{float(loss_slow):>20.15f}")
    print(f"{'accuracy':12}{float(acc_fast):>20.4f}{float(acc_slow):>20.4f}")
    print(f"agree: {yes[agree]} (layer outputs {yes[outputs_agree]}, max |diff| "
          f"{max_diff:.1e}; loss {yes[loss_agree]}; accuracy {yes[acc_agree]}; "
          f"2->64->3 {yes[agree64]}; fused {yes[fused_agree]})")
    print()
    print(f"{'time per forward pass incl. loss, best of 5':<46}{'nnfast':>9} {'NumPy':>9}  speed-up")
    labels = ["notes' classes, 300 x 2->3->3",
              "notes' classes, 300 x 2->64->3",
              "fused dense+softmax_crossentropy, 2->64->3"]
    for i, label in enumerate(labels):
        t_fast, t_slow = times[2 * i], times[2 * i + 1]
        print(f"  {label:<43} {t_fast * 1e6:6.1f} us {t_slow * 1e6:6.1f} us  "
              f"{t_slow / t_fast:6.1f}x")
    print("OK: nnfast and NumPy agree" if agree else "FAIL: nnfast and NumPy disagree")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
