"""A user's program on nnfast's public API, written as a user of a typed NumPy library would:
every annotation is what mypy --strict must accept with nnfast installed (a wheel, an editable
install, or this repository's folder). tests/test_user_program_types.py and tests/test_wheel.py
run mypy on it; it also runs. Not collected by pytest.

Covers the functional API (forward, backward, losses, dropout, optimizer steps), the package's
settings (threads, show_config, __version__) and the benchmark registry's entry points.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import nnfast
import nnfast.bench
from nnfast.bench import SIZES, Case, Contenders, Operation, Size

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
    assert back.shape == out.shape
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


if __name__ == "__main__":
    main()
