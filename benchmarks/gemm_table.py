"""nnfast's matrix product against NumPy's (OpenBLAS), measured in one process, interleaved.

    python benchmarks/gemm_table.py            # the full table (a few minutes)
    python benchmarks/gemm_table.py --quick    # sizes up to 1024

Prints, for square products (1024, 2048, 4096; float32, float64; 1 thread and all cores),
dense + ReLU at network shapes, and skinny / tiny shapes: each side's best time (or GFLOP/s)
and nnfast's speed ratio (> 1: nnfast faster). The FMA peak of one core is measured with
benchmarks/fma_peak.c (compiled here with cc) and GFLOP/s are also given as a fraction of
peak x threads.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which some machines set to keep old OpenBLAS builds
safe, force a slower kernel on a current NumPy: this script re-runs itself without them so
that NumPy runs its best kernel (it prints which one).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if any(v in os.environ for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import nnfast  # noqa: E402
from nnfast import _core  # noqa: E402

HERE = Path(__file__).resolve().parent


def fma_peak():
    """(isa, f32 GFLOP/s, f64 GFLOP/s) of one core, or None if no C compiler."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "fma_peak"
        built = subprocess.run(["cc", "-O2", "-ffp-contract=fast", str(HERE / "fma_peak.c"), "-o", str(exe)],
                               capture_output=True)
        if built.returncode != 0:
            return None
        isa, f32, f64 = subprocess.run([str(exe)], capture_output=True, text=True).stdout.split()
        return isa, float(f32), float(f64)


def interleaved(fa, fb, block_time=0.15, rounds=3):
    """Best time per call of fa and of fb, measured in alternating blocks so drift hits both
    alike. A pause follows each block: OpenBLAS's threads keep spinning for a while after a
    call and would otherwise take a core from whatever runs next (and nnfast's workers poll
    for 0.2 ms), so neither side is measured while the other's threads still hold a core."""
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for i, f in enumerate((fa, fb)):
            f()  # warm: page faults, thread start
            start = time.perf_counter()
            while True:
                t0 = time.perf_counter()
                f()
                t1 = time.perf_counter()
                best[i] = min(best[i], t1 - t0)
                if t1 - start > block_time:
                    break
            time.sleep(0.3)
    return best[0], best[1]


def square(sizes, threads_list, peak):
    print("\nSquare products C = A @ B (out= preallocated for both)")
    print(f"{'dtype':8} {'n':>5} {'threads':>7} {'NumPy GF/s':>11} {'nnfast GF/s':>12} {'ratio':>6}"
          f" {'nnfast % of peak':>17}")
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for n in sizes:
            a = rng.standard_normal((n, n)).astype(dtype)
            b = rng.standard_normal((n, n)).astype(dtype)
            out = np.empty((n, n), dtype)
            for threads in threads_list:
                with threadpool_limits(threads):
                    nnfast.set_num_threads(threads)
                    t_np, t_nf = interleaved(lambda: np.dot(a, b, out=out), lambda: nnfast.dot(a, b, out=out),
                                             block_time=1.0 if n >= 4096 else 0.3)
                gf = 2 * n**3 / 1e9
                pk = ""
                if peak:
                    pk = f"{100 * gf / t_nf / (peak[1 if dtype == np.float32 else 2] * threads):.0f}%"
                print(f"{np.dtype(dtype).name:8} {n:5} {threads:7} {gf / t_np:11.1f} {gf / t_nf:12.1f}"
                      f" {t_np / t_nf:6.2f} {pk:>17}")


def dense_relu(threads):
    print(f"\nDense + ReLU, float32, {threads} threads: nnfast.dense(x, w, b, 'relu') vs "
          "np.maximum(0, np.dot(x, w) + b)")
    print(f"{'shape':>22} {'NumPy us':>10} {'nnfast us':>10} {'ratio':>6}")
    rng = np.random.default_rng(1)
    for m, k, n in [(128, 784, 128), (1024, 784, 128), (8192, 784, 128), (1024, 128, 128),
                    (8192, 128, 10), (65536, 2, 64)]:
        x = rng.standard_normal((m, k)).astype(np.float32)
        w = (0.01 * rng.standard_normal((k, n))).astype(np.float32)
        b = rng.standard_normal((1, n)).astype(np.float32)
        with threadpool_limits(threads):
            nnfast.set_num_threads(threads)
            expect = np.maximum(0, np.dot(x, w) + b)
            np.testing.assert_allclose(nnfast.dense(x, w, b, "relu"), expect, rtol=1e-4, atol=1e-4)
            t_np, t_nf = interleaved(lambda: np.maximum(0, np.dot(x, w) + b), lambda: nnfast.dense(x, w, b, "relu"))
        print(f"{f'({m}, {k}) -> {n}':>22} {t_np * 1e6:10.1f} {t_nf * 1e6:10.1f} {t_np / t_nf:6.2f}")


def skinny(threads):
    print(f"\nSkinny and tiny products, float64, {threads} threads: nnfast.dot vs np.dot")
    print(f"{'A shape':>14} {'B shape':>12} {'NumPy us':>10} {'nnfast us':>10} {'ratio':>6}")
    rng = np.random.default_rng(2)
    for sa, sb in [((300, 2), (2, 64)), ((300, 64), (64, 3)), ((100000, 3), (3, 64)), ((3,), (3, 4)),
                   ((4, 3), (3, 4)), ((2, 5), (5, 3)), ((1000, 1000), (1000,)), ((784,), (784, 128))]:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        with threadpool_limits(threads):
            nnfast.set_num_threads(threads)
            np.testing.assert_allclose(nnfast.dot(a, b), np.dot(a, b), rtol=1e-10, atol=1e-10)
            t_np, t_nf = interleaved(lambda: np.dot(a, b), lambda: nnfast.dot(a, b))
        print(f"{str(sa):>14} {str(sb):>12} {t_np * 1e6:10.2f} {t_nf * 1e6:10.2f} {t_np / t_nf:6.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="square sizes up to 1024 only")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    blas = [(i["internal_api"], i.get("architecture"), i["version"]) for i in threadpool_info()]
    peak = fma_peak()
    print(f"NumPy {np.__version__} with {blas}; nnfast {nnfast.__version__}, SIMD path "
          f"{_core.get_isa()}; {cores} cores available")
    if peak:
        print(f"measured FMA peak of one core ({peak[0]}): float32 {peak[1]:.0f} GFLOP/s, "
              f"float64 {peak[2]:.0f} GFLOP/s")
    threads_list = sorted({1, cores})
    square([256, 1024] if args.quick else [1024, 2048, 4096], threads_list, peak)
    dense_relu(cores)
    skinny(cores)


if __name__ == "__main__":
    main()
