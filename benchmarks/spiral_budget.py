"""Where an epoch of the book's spiral class loop goes on nnfast, against what a speed goal
(by default 10x the NumPy loop) leaves for it.

    python benchmarks/spiral_budget.py [--goal 10]

One process, each figure the best of 5 runs, microseconds per epoch, of test_training.py's
spiral_loop (the book's loop: 300 samples, 2 -> 64 -> 3, Adam, the book's NumPy accuracy
line):
- on the NumPy reference and on nnfast;
- on nnfast without the accuracy line (the difference is NumPy's argmax and mean, which the
  book's loop runs on nnfast's output and nnfast cannot speed up);
- on nnfast without the accuracy line on 3 samples: what does not grow with the data
  (Python, the binding's argument checks, allocating results); what 300 samples add is the
  kernels' work over the (300, 64) hidden arrays.
The NumPy loop's own time moves between processes (188-245 us/epoch seen on the 2-core
machine of the README), so compare figures from one run.
"""
import argparse
import time

import nnfast.nn as nn
from test_training import ref, spiral_loop


def epoch_us(mod, epochs, samples=100, accuracy_line=True, repeats=5):
    """Best-of-repeats time per epoch of spiral_loop, in us (setup included: it is small
    against the epochs)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        spiral_loop(mod, epochs, samples, accuracy_line)
        best = min(best, (time.perf_counter() - t0) / epochs * 1e6)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goal", type=float, default=10.0, help="speed-up goal (default 10)")
    goal = parser.parse_args().goal
    numpy_loop = epoch_us(ref, 1000)
    loop = epoch_us(nn, 2000)
    no_accuracy = epoch_us(nn, 2000, accuracy_line=False)
    fixed = epoch_us(nn, 5000, samples=1, accuracy_line=False)
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
