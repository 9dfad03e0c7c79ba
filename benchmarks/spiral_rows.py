"""Where the C network's spiral epoch goes: a cost per sample and a fixed cost.

    python benchmarks/spiral_rows.py [--threads 1] [--epochs 1000]

nnfast._core.Network.train (no callbacks) of the spiral's network (2 -> 64 -> ReLU -> 3,
softmax + cross-entropy, Adam(0.05, decay 5e-7), full batch, float64) on 30 to 600 spiral
samples, each time the best of 7 calls of 1,000 epochs (--epochs). A least-squares line through the
times splits an epoch into a part per sample (the layers' kernels) and a fixed part (Adam's
update of the 387 parameters, the loop). A sample's forward and backward passes are 832
multiply-adds (2 x 64 and 64 x 3 forward; 64 x 3 twice and 2 x 64 backward); the line's
slope gives their rate, to set against one core's FMA peak (benchmarks/fma_peak.c).

The hidden layer's (m, 64) arrays take 15 KB at 30 samples (in L1) and 300 KB at 600 (in
L2): a slope as steep between small sizes as between large ones says the epoch is bound by
arithmetic, not by moving those arrays.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import nnfast
from nnfast import _core
from nnfast.datasets import spiral_data

SAMPLES = (30, 60, 150, 300, 600)
MACS_PER_SAMPLE = 2 * 64 + 64 * 3 + 2 * 64 * 3 + 2 * 64


def spiral_network(X: np.ndarray) -> _core.Network:
    """The spiral's network, its weights 0.01 * randn as the book's Layer_Dense draws them."""
    net = _core.Network(np.float64, X.shape[1])
    for width in (64, 3):
        weights = net.param(net.add_dense(width), "weights")
        weights[...] = 0.01 * np.random.randn(*weights.shape)
        net.add_activation("relu" if width == 64 else "softmax")
    net.set_loss("categorical_crossentropy")
    net.set_accuracy("categorical")
    net.set_optimizer("adam", learning_rate=0.05, decay=5e-7)
    return net


def epoch_us(samples: int, epochs: int, repeats: int = 7) -> float:
    """Best-of-repeats time of one epoch (of calls of `epochs`) on `samples` spiral samples,
    in us."""
    np.random.seed(0)
    X, y = spiral_data(samples=samples // 3, classes=3)
    net = spiral_network(X)
    net.train(X, y, epochs=epochs)  # warm: buffers allocated, caches filled
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        net.train(X, y, epochs=epochs)
        best = min(best, time.perf_counter() - t0)
    return best / epochs * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="nnfast's threads (default 1)")
    parser.add_argument("--epochs", type=int, default=1000, help="epochs a call (default 1000)")
    args = parser.parse_args()
    nnfast.set_num_threads(args.threads)
    times = [epoch_us(m, args.epochs) for m in SAMPLES]
    for m, t in zip(SAMPLES, times):
        print(f"{m:4d} samples: {t:6.2f} us/epoch, {t / m * 1e3:6.1f} ns per sample")
    per_sample, fixed = np.polyfit(SAMPLES, times, 1)
    print(f"least squares: {fixed:.2f} us fixed + {per_sample * 1e3:.1f} ns per sample")
    for (m0, t0), (m1, t1) in zip(zip(SAMPLES, times), zip(SAMPLES[1:], times[1:])):
        print(f"  slope {m0}-{m1} samples: {(t1 - t0) / (m1 - m0) * 1e3:.1f} ns per sample")
    print(f"a sample's {MACS_PER_SAMPLE} float64 multiply-adds at "
          f"{2 * MACS_PER_SAMPLE / (per_sample * 1e3):.1f} GFLOP/s")


if __name__ == "__main__":
    main()
