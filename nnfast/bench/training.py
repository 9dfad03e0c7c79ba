"""Benchmarks of training: backward passes and optimizer steps, each against the book's NumPy
code (the gradients and updates of "Neural Networks from Scratch in Python", chapters 9-10, as
nnfast.baseline.book writes them).

Sizes as in forward.py: the dense layer is n x (n_in -> n_out); the optimizers update its
(n_in, n_out) weights. The optimizer steps run in place, so their agreement check runs one
step of each side on fresh copies of the same state (Contenders.fresh); while timed, each
side keeps stepping its own state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import nnfast
from nnfast.baseline import book, notes

from ._suite import Contenders, Size, operation
from .forward import Array, labels, layer, logits

# An in-place step: step(grad, weights, *state arrays).
Step = Callable[..., None]


@operation("dense_backward", torch=False)
def dense_backward(s: Size, rng: np.random.Generator) -> Contenders:
    X, W, b = layer(s, rng)
    dvalues = rng.standard_normal((s.n, s.n_out)).astype(s.dtype)
    slow = book.Layer_Dense(0, 0)
    slow.inputs, slow.weights, slow.biases = X, W, b

    def numpy_side() -> tuple[Any, Any, Any]:
        slow.backward(dvalues)
        return slow.dweights, slow.dbiases, slow.dinputs

    return Contenders(nnfast=lambda: nnfast.dense_backward(dvalues, X, W, b), numpy=numpy_side,
                      shapes=f"dvalues ({s.n},{s.n_out}), inputs ({s.n},{s.n_in}), weights ({s.n_in},{s.n_out})",
                      k=max(s.n, s.n_out))


@operation("relu_backward")
def relu_backward(s: Size, rng: np.random.Generator) -> Contenders:
    inputs, dvalues = logits(s, rng, s.n_out), logits(s, rng, s.n_out)
    return Contenders(nnfast=lambda: nnfast.relu_backward(dvalues, inputs),
                      numpy=lambda: book.relu_backward(dvalues, inputs),
                      shapes=f"({s.n},{s.n_out})")


@operation("softmax_crossentropy_backward")
def softmax_crossentropy_backward(s: Size, rng: np.random.Generator) -> Contenders:
    probs, y = notes.softmax(logits(s, rng)), labels(s, rng)
    slow = book.Activation_Softmax_Loss_CategoricalCrossentropy()

    def numpy_side() -> Any:
        slow.backward(probs, y)
        return slow.dinputs

    return Contenders(nnfast=lambda: nnfast.softmax_crossentropy_backward(probs, y), numpy=numpy_side,
                      shapes=f"({s.n},{s.n_classes}), labels ({s.n},)")


def _optimizer(s: Size, rng: np.random.Generator, n_state: int, nnfast_step: Step,
               numpy_step: Step) -> Contenders:
    """Contenders for an in-place step on (n_in, n_out) weights with n_state state arrays."""
    _, W, _ = layer(s, rng)
    grad = (0.01 * rng.standard_normal(W.shape)).astype(s.dtype)
    start = [W] + [np.abs(0.01 * rng.standard_normal(W.shape)).astype(s.dtype) for _ in range(n_state)]

    def copies() -> list[Array]:
        return [a.copy() for a in start]

    fast, slow = copies(), copies()

    def fresh(side: str) -> tuple[list[Array], list[Array]]:
        a, b = copies(), copies()
        (nnfast_step if side == "nnfast" else numpy_step)(grad, *a)
        numpy_step(grad, *b)
        return a, b

    def run(step: Step, state: list[Array]) -> Callable[[], Array]:
        def call() -> Array:
            step(grad, *state)
            return state[0]
        return call

    return Contenders(nnfast=run(nnfast_step, fast), numpy=run(numpy_step, slow), fresh=fresh,
                      shapes=f"weights ({s.n_in},{s.n_out}), {n_state} state array(s)")


@operation("sgd_update momentum")
def sgd_update(s: Size, rng: np.random.Generator) -> Contenders:
    lr, momentum = 0.1, 0.9

    def numpy_step(grad: Array, weights: Array, momentums: Array) -> None:  # the book's Optimizer_SGD with momentum
        book.optimizer_update("sgd", weights, grad, momentums, learning_rate=lr, momentum=momentum)

    return _optimizer(s, rng, 1, lambda g, w, m: nnfast.sgd_update(w, g, lr, momentum, m), numpy_step)


@operation("adam_update")
def adam_update(s: Size, rng: np.random.Generator) -> Contenders:
    lr, beta_1, beta_2, eps, iteration = 0.001, 0.9, 0.999, 1e-7, 0

    # the book's Optimizer_Adam (iterations = 0)
    def numpy_step(grad: Array, weights: Array, momentums: Array, cache: Array) -> None:
        book.optimizer_update("adam", weights, grad, momentums, cache, learning_rate=lr, epsilon=eps,
                              beta_1=beta_1, beta_2=beta_2, iteration=iteration)

    return _optimizer(s, rng, 2, lambda g, w, m, c: nnfast.adam_update(w, g, m, c, lr, iteration), numpy_step)
