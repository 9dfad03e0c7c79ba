"""A typed use of nnfast, checked by mypy --strict against nnfast/_core.pyi
(tests/test_package.py runs mypy on it and also runs it). Not collected by pytest.

The notes' forward pass, float32 end to end: the stubs give every result its precise type.
"""

import numpy as np
from numpy.typing import NDArray

import nnfast


def forward(
    X: NDArray[np.float32],
    y: NDArray[np.uint8],
    W1: NDArray[np.float32],
    b1: NDArray[np.float32],
    W2: NDArray[np.float32],
    b2: NDArray[np.float32],
) -> tuple[np.float32, NDArray[np.float32], float]:
    hidden: NDArray[np.float32] = nnfast.dense(X, W1, b1, activation="relu")
    logits: NDArray[np.float32] = nnfast.dense(hidden, W2, b2)
    loss, probabilities = nnfast.softmax_crossentropy(logits, y)
    return loss, probabilities, nnfast.accuracy(probabilities, y)


def separate_steps(x: NDArray[np.float64], y: NDArray[np.uint8]) -> NDArray[np.float64]:
    probabilities: NDArray[np.float64] = nnfast.softmax(nnfast.relu(nnfast.linear(x)))
    mean_loss: np.float64 = nnfast.categorical_crossentropy(probabilities, y)
    per_sample: NDArray[np.float64] = nnfast.categorical_crossentropy(probabilities, y, reduction="none")
    assert np.isclose(mean_loss, per_sample.mean())
    return per_sample


def main() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2)).astype(np.float32)
    y = rng.integers(0, 3, 300).astype(np.uint8)
    W1 = (0.1 * rng.standard_normal((2, 64))).astype(np.float32)
    W2 = (0.1 * rng.standard_normal((64, 3))).astype(np.float32)
    b1, b2 = np.zeros((1, 64), np.float32), np.zeros((1, 3), np.float32)
    loss, probabilities, acc = forward(X, y, W1, b1, W2, b2)
    assert loss.dtype == np.float32 and probabilities.dtype == np.float32
    assert probabilities.shape == (300, 3) and 0.0 <= acc <= 1.0
    assert separate_steps(rng.standard_normal((300, 3)), y).shape == (300,)
    threads: int = nnfast.get_num_threads()
    isa: str = nnfast._core.get_isa()
    assert threads >= 1 and isa in nnfast._core.supported_isas()
    print(f"loss {loss:.4f}, accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
