"""Where an epoch of the book's spiral class loop goes on nnfast, against what a speed goal
(10x the NumPy loop, issue 4) leaves for it.

    python benchmarks/spiral_budget.py [--goal 10]

One process, each figure the best of several runs, microseconds per epoch:
- the book's loop (benchmarks/test_training.py's spiral_loop: 300 samples, 2 -> 64 -> 3,
  Adam, with the book's NumPy accuracy line) on the NumPy reference and on nnfast;
- nnfast's loop without the accuracy line (the difference is NumPy's argmax and mean, which
  the book's loop runs on nnfast's output and nnfast cannot speed up);
- nnfast's loop without the accuracy line on 3 samples: what does not grow with the data
  (Python, the binding's argument checks, allocating results), left over from 300 samples as
  the part that does: the kernels' work over the (300, 64) hidden arrays.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import nnfast.nn as nn  # noqa: E402
import reference_train as ref  # noqa: E402
from nnfast.datasets import spiral_data  # noqa: E402


def epoch_us(mod, samples, accuracy_line, epochs, repeats=5):
    """Best-of-repeats time per epoch of the book's loop (spiral_loop's body) in us."""
    best = float("inf")
    for _ in range(repeats):
        np.random.seed(0)
        X, y = spiral_data(samples=samples, classes=3)
        dense1, activation1 = mod.Layer_Dense(2, 64), mod.Activation_ReLU()
        dense2 = mod.Layer_Dense(64, 3)
        loss_activation = mod.Activation_Softmax_Loss_CategoricalCrossentropy()
        optimizer = mod.Optimizer_Adam(learning_rate=0.05, decay=5e-7)
        t0 = time.perf_counter()
        for _ in range(epochs):
            dense1.forward(X)
            activation1.forward(dense1.output)
            dense2.forward(activation1.output)
            loss_activation.forward(dense2.output, y)
            if accuracy_line:
                predictions = np.argmax(loss_activation.output, axis=1)
                np.mean(predictions == y)
            loss_activation.backward(loss_activation.output, y)
            dense2.backward(loss_activation.dinputs)
            activation1.backward(dense2.dinputs)
            dense1.backward(activation1.dinputs)
            optimizer.pre_update_params()
            optimizer.update_params(dense1)
            optimizer.update_params(dense2)
            optimizer.post_update_params()
        best = min(best, (time.perf_counter() - t0) / epochs * 1e6)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goal", type=float, default=10.0, help="speed-up goal (default 10)")
    goal = parser.parse_args().goal
    numpy_loop = epoch_us(ref, 100, True, 1000)
    loop = epoch_us(nn, 100, True, 2000)
    no_accuracy = epoch_us(nn, 100, False, 2000)
    fixed = epoch_us(nn, 1, False, 5000)
    budget = numpy_loop / goal
    accuracy = loop - no_accuracy
    print(f"book spiral loop, us/epoch: NumPy {numpy_loop:.1f}, nnfast {loop:.1f} "
          f"({numpy_loop / loop:.2f}x)")
    print(f"{goal:g}x the NumPy loop leaves {budget:.1f} us/epoch; of nnfast's {loop:.1f}:")
    print(f"  the loop's NumPy accuracy line (argmax, mean)   {accuracy:5.1f} us")
    print(f"  calls' fixed cost (the loop on 3 samples)        {fixed:5.1f} us")
    print(f"  kernels' work on the 300-sample arrays           {no_accuracy - fixed:5.1f} us")
    print(f"at {goal:g}x, the kernels' work would have {budget - accuracy - fixed:.1f} us")


if __name__ == "__main__":
    main()
