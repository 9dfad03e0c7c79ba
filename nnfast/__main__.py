"""``python -m nnfast``: the notes' forward pass with nnfast and with plain NumPy.

Runs the notes' pipeline (spiral data, Dense 2->3, ReLU, Dense 3->3, Softmax,
categorical cross-entropy, accuracy) once with nnfast's classes and once with
the notes' classes in plain NumPy (nnfast.baseline.notes) on identical
parameters, prints both results and whether they agree, then times a forward
pass of each, and of the fused functional calls on the notes' spiral
(300 samples, 2 -> 64 -> 3). Exit status 0 when everything agrees, 1 otherwise.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import accuracy, dense, softmax_crossentropy
from .baseline import notes
from .bench import best_times
from .datasets import spiral_data
from .nn import (
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
)


Network = tuple[Layer_Dense[np.float64], Activation_ReLU, Layer_Dense[np.float64], Activation_Softmax,
                Loss_CategoricalCrossentropy]
NotesNetwork = tuple[notes.Layer_Dense, notes.Activation_ReLU, notes.Layer_Dense, notes.Activation_Softmax,
                     notes.Loss_CategoricalCrossentropy]


# --------------------------------------------------------------------------
# Pipelines
# --------------------------------------------------------------------------
def numpy_twin(layer: Layer_Dense[np.float64]) -> notes.Layer_Dense:
    """The notes' NumPy Layer_Dense holding copies of ``layer``'s parameters."""
    twin = notes.Layer_Dense(0, 0)
    twin.weights, twin.biases = layer.weights.copy(), layer.biases.copy()
    return twin


def build(n_hidden: int) -> tuple[Network, NotesNetwork]:
    """nnfast's network 2 -> n_hidden -> 3 with its loss, and its NumPy twin on the same
    parameters, each as notes.forward_pass takes it."""
    fast = (Layer_Dense(2, n_hidden), Activation_ReLU(), Layer_Dense(n_hidden, 3),
            Activation_Softmax(), Loss_CategoricalCrossentropy())
    slow = (numpy_twin(fast[0]), notes.Activation_ReLU(), numpy_twin(fast[2]),
            notes.Activation_Softmax(), notes.Loss_CategoricalCrossentropy())
    return fast, slow


def forward_times(funcs: list[Callable[[], Any]]) -> list[float]:
    """Best time per call (seconds) of each zero-argument callable: 5 interleaved rounds of
    0.02 s of calls each."""
    return best_times(funcs, rounds=5, budget=math.inf, round_time=0.02)


def close(a: Any, b: Any) -> bool:
    return bool(np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-7, atol=1e-12))


def main() -> int:
    np.random.seed(0)
    X, y = spiral_data(100, 3)

    # The notes' network, once with nnfast and once with NumPy.
    fast, slow = build(3)
    loss_fast = notes.forward_pass(fast, X, y)
    loss_slow = notes.forward_pass(slow, X, y)
    probs_fast, probs_slow = fast[3].output, slow[3].output
    acc_fast = accuracy(probs_fast, y)
    acc_slow = notes.accuracy(probs_slow, y)
    # each stage's output on both sides (the loss, fast[4], has none)
    outputs = [(fast[0].output, slow[0].output), (fast[1].output, slow[1].output),
               (fast[2].output, slow[2].output), (fast[3].output, slow[3].output)]
    outputs_agree = all(close(f, s) for f, s in outputs)
    loss_agree = close(loss_fast, loss_slow)
    acc_agree = acc_fast == acc_slow
    max_diff = max(float(np.max(np.abs(f - s), initial=0.0)) for f, s in outputs)

    # The benchmark shape: the notes' spiral, 300 samples, 2 -> 64 -> 3.
    fast64, slow64 = build(64)
    agree64 = close(notes.forward_pass(fast64, X, y), notes.forward_pass(slow64, X, y)) and close(
        fast64[3].output, slow64[3].output)
    W1, W2 = fast64[0].weights, fast64[2].weights
    b1, b2 = 0.01 * np.random.randn(1, 64), 0.01 * np.random.randn(1, 3)

    def nnfast_fused() -> tuple[Any, Any]:
        hidden = dense(X, W1, b1, activation="relu")
        return softmax_crossentropy(dense(hidden, W2, b2), y)

    def plain_numpy_fused() -> Any:
        return notes.forward_pass_functions(X, y, W1, b1, W2, b2)

    (lf, pf), (ls, ps) = nnfast_fused(), plain_numpy_fused()
    fused_agree = close(lf, ls) and close(pf, ps)

    times = forward_times([
        lambda: notes.forward_pass(fast, X, y), lambda: notes.forward_pass(slow, X, y),
        lambda: notes.forward_pass(fast64, X, y), lambda: notes.forward_pass(slow64, X, y),
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
