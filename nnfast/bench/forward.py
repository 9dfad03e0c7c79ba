"""Benchmarks of the forward path: every public function and the notes' classes.

Each NumPy contender is the code the notes write (``np.dot(inputs, weights) + biases``,
``np.maximum(0, x)``, softmax with the row maximum subtracted, the clipped cross-entropy):
the functions and classes of nnfast.baseline.notes, which ``python -m nnfast`` runs too.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

import nnfast
from nnfast import nn
from nnfast.baseline import notes

from ._suite import Build, Contenders, Size, operation

Array = NDArray[Any]


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------
def layer(s: Size, rng: np.random.Generator) -> tuple[Array, Array, Array]:
    """Inputs (n, n_in), weights (n_in, n_out), biases (1, n_out) in the size's dtype."""
    X = rng.standard_normal((s.n, s.n_in)).astype(s.dtype)
    W = (rng.standard_normal((s.n_in, s.n_out)) / np.sqrt(max(s.n_in, 1))).astype(s.dtype)
    b = (0.1 * rng.standard_normal((1, s.n_out))).astype(s.dtype)
    return X, W, b


def logits(s: Size, rng: np.random.Generator, width: int | None = None) -> Array:
    return (2.0 * rng.standard_normal((s.n, width or s.n_classes))).astype(s.dtype)


def labels(s: Size, rng: np.random.Generator) -> Array:
    # uint8 as spiral_data returns them, a wider integer when the classes need it
    return rng.integers(0, s.n_classes, s.n).astype(np.uint8 if s.n_classes <= 256 else np.int64)


def layer_shapes(s: Size) -> str:
    return f"({s.n},{s.n_in}) @ ({s.n_in},{s.n_out}) + (1,{s.n_out})"


# ---------------------------------------------------------------------------------------
# PyTorch contenders (only built when torch is installed)
# ---------------------------------------------------------------------------------------
def torch_of(*arrays: Array) -> tuple[Any, tuple[Any, ...]]:
    """The torch module and the arrays as tensors sharing memory, or (None, ...)."""
    try:  # imported by name: torch is optional and its types are not needed here
        torch = importlib.import_module("torch")
    except ImportError:
        return None, arrays
    tensors = tuple(torch.from_numpy(a if a.dtype.kind == "f" else a.astype(np.int64))
                    for a in arrays)
    return torch, tensors


def torch_cce(torch: Any, probs: Any, y: Any) -> Any:
    picked = torch.gather(probs, 1, y[:, None])[:, 0]
    return -torch.log(torch.clamp(picked, 1e-7, 1 - 1e-7)).mean()


# ---------------------------------------------------------------------------------------
# The functional API
# ---------------------------------------------------------------------------------------
@operation("dot", torch=True)
def dot(s: Size, rng: np.random.Generator) -> Contenders:
    X, W, _ = layer(s, rng)
    torch, (tX, tW) = torch_of(X, W)
    return Contenders(
        nnfast=lambda: nnfast.dot(X, W),
        numpy=lambda: np.dot(X, W),
        torch=torch and (lambda: torch.mm(tX, tW)),
        shapes=f"({s.n},{s.n_in}) . ({s.n_in},{s.n_out})", k=s.n_in)


def _dense(activation: Any, np_activation: Callable[[Array], Array],
           torch_activation: Callable[[Any, Any], Any]) -> Build:
    def build(s: Size, rng: np.random.Generator) -> Contenders:
        X, W, b = layer(s, rng)
        torch, (tX, tW, tb) = torch_of(X, W, b)
        return Contenders(
            nnfast=lambda: nnfast.dense(X, W, b, activation=activation),
            numpy=lambda: np_activation(notes.dense(X, W, b)),
            torch=torch and (lambda: torch_activation(torch, torch.addmm(tb, tX, tW))),
            shapes=layer_shapes(s), k=s.n_in)
    return build


operation("dense", torch=True)(_dense(None, lambda z: z, lambda t, z: z))
operation("dense linear", torch=True)(_dense("linear", lambda z: z, lambda t, z: z))
operation("dense relu", torch=True)(
    _dense("relu", notes.relu, lambda t, z: t.relu(z)))
operation("dense softmax", torch=True)(
    _dense("softmax", notes.softmax, lambda t, z: t.softmax(z, dim=1)))


@operation("relu", torch=True)
def relu(s: Size, rng: np.random.Generator) -> Contenders:
    x = logits(s, rng, s.n_out)
    torch, (tx,) = torch_of(x)
    return Contenders(nnfast=lambda: nnfast.relu(x), numpy=lambda: notes.relu(x),
                      torch=torch and (lambda: torch.relu(tx)), shapes=f"({s.n},{s.n_out})")


@operation("linear", torch=True)
def linear(s: Size, rng: np.random.Generator) -> Contenders:
    x = logits(s, rng, s.n_out)
    torch, (tx,) = torch_of(x)
    return Contenders(nnfast=lambda: nnfast.linear(x), numpy=lambda: x.copy(),
                      torch=torch and (lambda: tx.clone()), shapes=f"({s.n},{s.n_out})")


@operation("softmax", torch=True)
def softmax(s: Size, rng: np.random.Generator) -> Contenders:
    x = logits(s, rng)
    torch, (tx,) = torch_of(x)
    return Contenders(nnfast=lambda: nnfast.softmax(x), numpy=lambda: notes.softmax(x),
                      torch=torch and (lambda: torch.softmax(tx, dim=1)),
                      shapes=f"({s.n},{s.n_classes})", k=s.n_classes)


@operation("categorical_crossentropy", torch=True)
def categorical_crossentropy(s: Size, rng: np.random.Generator) -> Contenders:
    probs, y = notes.softmax(logits(s, rng)), labels(s, rng)
    torch, (tp, ty) = torch_of(probs, y)
    return Contenders(nnfast=lambda: nnfast.categorical_crossentropy(probs, y),
                      numpy=lambda: notes.categorical_crossentropy(probs, y),
                      torch=torch and (lambda: torch_cce(torch, tp, ty)),
                      shapes=f"({s.n},{s.n_classes}), labels ({s.n},)", k=s.n)


@operation("categorical_crossentropy one-hot")
def categorical_crossentropy_onehot(s: Size, rng: np.random.Generator) -> Contenders:
    probs = notes.softmax(logits(s, rng))
    onehot = np.eye(s.n_classes, dtype=s.dtype)[labels(s, rng)]
    return Contenders(nnfast=lambda: nnfast.categorical_crossentropy(probs, onehot),
                      numpy=lambda: notes.categorical_crossentropy(probs, onehot),
                      shapes=f"({s.n},{s.n_classes}), one-hot ({s.n},{s.n_classes})", k=s.n)


@operation("softmax_crossentropy", torch=True)
def softmax_crossentropy(s: Size, rng: np.random.Generator) -> Contenders:
    x, y = logits(s, rng), labels(s, rng)
    torch, (tx, ty) = torch_of(x, y)

    def numpy_side() -> tuple[Any, Any]:
        probs = notes.softmax(x)
        return notes.categorical_crossentropy(probs, y), probs

    def torch_side() -> tuple[Any, Any]:
        probs = torch.softmax(tx, dim=1)
        return torch_cce(torch, probs, ty), probs

    return Contenders(nnfast=lambda: nnfast.softmax_crossentropy(x, y), numpy=numpy_side,
                      torch=torch and torch_side,
                      shapes=f"({s.n},{s.n_classes}), labels ({s.n},)", k=s.n)


@operation("accuracy", torch=True)
def accuracy(s: Size, rng: np.random.Generator) -> Contenders:
    probs, y = notes.softmax(logits(s, rng)), labels(s, rng)
    torch, (tp, ty) = torch_of(probs, y)
    return Contenders(nnfast=lambda: nnfast.accuracy(probs, y),
                      numpy=lambda: notes.accuracy(probs, y),
                      torch=torch and (lambda: (tp.argmax(dim=1) == ty).double().mean()),
                      shapes=f"({s.n},{s.n_classes}), labels ({s.n},)")


# ---------------------------------------------------------------------------------------
# The notes' classes (nnfast.nn against the notes' classes in plain NumPy)
# ---------------------------------------------------------------------------------------
@operation("Neuron.forward")
def neuron(s: Size, rng: np.random.Generator) -> Contenders:
    X, W, b = layer(s, rng)
    w, bias = W[:, 0].copy(), float(b[0, 0])
    fast, slow = nn.Neuron(w, bias), notes.Neuron(w, bias)
    return Contenders(nnfast=lambda: fast.forward(X), numpy=_numpy_forward(slow, X),
                      shapes=f"({s.n},{s.n_in}) . ({s.n_in},) + bias", k=s.n_in)


@operation("Layer_Dense.forward")
def layer_dense(s: Size, rng: np.random.Generator) -> Contenders:
    X, W, b = layer(s, rng)
    fast = nn.Layer_Dense(0, 0)
    fast.weights, fast.biases = W, b
    slow = notes.Layer_Dense(0, 0)
    slow.weights, slow.biases = W, b
    return Contenders(nnfast=lambda: fast.forward(X), numpy=_numpy_forward(slow, X),
                      shapes=layer_shapes(s), k=s.n_in)


def _numpy_forward(slow: Any, x: Array) -> Callable[[], Any]:
    """slow.forward(x) returning slow.output (the notes' forward returns nothing)."""
    def numpy_side() -> Any:
        slow.forward(x)
        return slow.output

    return numpy_side


def _class_forward(fast: Any, slow: Any, x: Array) -> tuple[Callable[[], Any], Callable[[], Any]]:
    def nnfast_side() -> Any:
        fast.forward(x)
        return fast.output

    return nnfast_side, _numpy_forward(slow, x)


@operation("Activation_ReLU.forward")
def activation_relu(s: Size, rng: np.random.Generator) -> Contenders:
    x = logits(s, rng, s.n_out)
    f, n = _class_forward(nn.Activation_ReLU(), notes.Activation_ReLU(), x)
    return Contenders(nnfast=f, numpy=n, shapes=f"({s.n},{s.n_out})")


@operation("Activation_Softmax.forward")
def activation_softmax(s: Size, rng: np.random.Generator) -> Contenders:
    x = logits(s, rng)
    f, n = _class_forward(nn.Activation_Softmax(), notes.Activation_Softmax(), x)
    return Contenders(nnfast=f, numpy=n, shapes=f"({s.n},{s.n_classes})", k=s.n_classes)


@operation("Loss_CategoricalCrossentropy.calculate")
def loss_cce(s: Size, rng: np.random.Generator) -> Contenders:
    probs, y = notes.softmax(logits(s, rng)), labels(s, rng)
    fast, slow = nn.Loss_CategoricalCrossentropy(), notes.Loss_CategoricalCrossentropy()
    return Contenders(nnfast=lambda: fast.calculate(probs, y),
                      numpy=lambda: slow.calculate(probs, y),
                      shapes=f"({s.n},{s.n_classes}), labels ({s.n},)", k=s.n)


def network(s: Size, rng: np.random.Generator) -> tuple[Array, Array, Array, Array, Array, Array]:
    """A two-layer network n_in -> n_out (ReLU) -> n_classes (softmax), its data and labels."""
    X, W1, b1 = layer(s, rng)
    W2 = (rng.standard_normal((s.n_out, s.n_classes)) / np.sqrt(max(s.n_out, 1))).astype(s.dtype)
    b2 = (0.1 * rng.standard_normal((1, s.n_classes))).astype(s.dtype)
    return X, labels(s, rng), W1, b1, W2, b2


def network_shapes(s: Size) -> str:
    return f"({s.n},{s.n_in}) -> {s.n_out} relu -> {s.n_classes} softmax + loss"


@operation("forward pass, notes' classes")
def forward_classes(s: Size, rng: np.random.Generator) -> Contenders:
    X, y, W1, b1, W2, b2 = network(s, rng)
    fast = (nn.Layer_Dense(0, 0), nn.Activation_ReLU(), nn.Layer_Dense(0, 0), nn.Activation_Softmax(),
            nn.Loss_CategoricalCrossentropy())
    slow = (notes.Layer_Dense(0, 0), notes.Activation_ReLU(), notes.Layer_Dense(0, 0),
            notes.Activation_Softmax(), notes.Loss_CategoricalCrossentropy())
    for net in (fast, slow):
        net[0].weights, net[0].biases, net[2].weights, net[2].biases = W1, b1, W2, b2

    def run(net: tuple[Any, ...]) -> tuple[Any, Any]:
        return notes.forward_pass(net, X, y), net[3].output

    return Contenders(nnfast=lambda: run(fast), numpy=lambda: run(slow),
                      shapes=network_shapes(s), k=max(s.n_in, s.n_out, s.n))


@operation("forward pass, fused calls", torch=True)
def forward_fused(s: Size, rng: np.random.Generator) -> Contenders:
    X, y, W1, b1, W2, b2 = network(s, rng)
    torch, (tX, ty, tW1, tb1, tW2, tb2) = torch_of(X, y, W1, b1, W2, b2)

    def nnfast_side() -> tuple[Any, Any]:
        hidden = nnfast.dense(X, W1, b1, activation="relu")
        return nnfast.softmax_crossentropy(nnfast.dense(hidden, W2, b2), y)

    def numpy_side() -> Any:
        return notes.forward_pass_functions(X, y, W1, b1, W2, b2)

    def torch_side() -> tuple[Any, Any]:
        hidden = torch.relu(torch.addmm(tb1, tX, tW1))
        probs = torch.softmax(torch.addmm(tb2, hidden, tW2), dim=1)
        return torch_cce(torch, probs, ty), probs

    return Contenders(nnfast=nnfast_side, numpy=numpy_side, torch=torch and torch_side,
                      shapes=network_shapes(s), k=max(s.n_in, s.n_out, s.n))
