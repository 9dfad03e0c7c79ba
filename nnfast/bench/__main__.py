"""``python -m nnfast.bench``: nnfast's speed-up over NumPy, per operation and size.

For every benchmark operation (nnfast/bench/forward.py, training.py) at every size, in one process:
checks that nnfast and NumPy compute the same result, times both interleaved (the best of
many short rounds, see ``best_times``), measures the peak memory
one call allocates on each side (tracemalloc), prints a table and writes a bar chart of
the speed-ups (PNG, needs matplotlib). Takes well under a minute.
Exit status 0 when every pair agrees, 1 otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import math
import os
import platform
import sys
import time
from typing import TypedDict

import numpy as np

import nnfast

from ._suite import SIZES, Size, assert_agree, best_times, cases, peak_memory


class Row(TypedDict):
    """One operation at one size in the chart."""

    op: str
    size: str
    speedup: float


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_bytes(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas() -> str:
    """NumPy's BLAS library, its kernel and thread count, as threadpoolctl sees them."""
    try:  # imported by name: threadpoolctl has no type information (no py.typed)
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        return "(install threadpoolctl to see NumPy's BLAS)"
    libs = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} "
                     f"({i.get('architecture')}, {i.get('num_threads')} threads)" for i in libs)


def header(sizes: list[Size]) -> list[str]:
    lines = [
        f"nnfast {nnfast.__version__}: {nnfast._core.get_isa()} kernels, "
        f"{nnfast.get_num_threads()} threads | NumPy {np.__version__}: {blas()}",
        f"Python {platform.python_version()}, {cpu_model()}, {os.cpu_count()} logical CPUs",
    ]
    forced = [f"{v}={os.environ[v]}" for v in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS",
                                                "NNFAST_ISA", "NNFAST_NUM_THREADS") if v in os.environ]
    if forced:
        lines.append("environment: " + " ".join(forced))
    lines += ["sizes:"] + [f"  {s.describe()}" for s in sizes]
    return lines


def plot(rows: list[Row], sizes: list[Size], path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    ops = list(dict.fromkeys(r["op"] for r in rows))
    size_names = [s.name for s in sizes]
    bar = 0.8 / len(size_names)
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(ops) + 1.8))
    colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]
    for j, name in enumerate(size_names):
        ys, xs = [], []
        for i, op in enumerate(ops):
            for r in rows:
                if r["op"] == op and r["size"] == name:
                    ys.append(i + (j - (len(size_names) - 1) / 2) * bar)
                    xs.append(r["speedup"])
        label = next(s.describe().split(" (")[0] for s in sizes if s.name == name)
        ax.barh(ys, xs, height=bar, color=colors[j % len(colors)], label=label)
        for x, y in zip(xs, ys):
            ax.text(x * 1.03, y, f"{x:.2g}x" if x < 10 else f"{x:.0f}x", va="center", fontsize=7)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}x"))
    ax.set_yticks(range(len(ops)))
    ax.set_yticklabels(ops)
    ax.invert_yaxis()
    ax.set_xlabel("speed-up of nnfast over NumPy (NumPy time / nnfast time; > 1: nnfast faster)")
    lo = min(r["speedup"] for r in rows)
    hi = max(r["speedup"] for r in rows)
    ax.set_xlim(min(0.5, lo / 1.5), hi * 2.0)
    ax.set_title(title, fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnfast.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", "-o", default="nnfast-bench.png",
                        help="where to write the bar chart (default: %(default)s in the current directory)")
    parser.add_argument("--no-plot", action="store_true", help="do not write the chart")
    parser.add_argument("--sizes", default=",".join(SIZES),
                        help="comma-separated sizes to run (default: %(default)s)")
    parser.add_argument("--dtype", choices=["float32", "float64"],
                        help="run every size in this dtype (default: each size's own)")
    parser.add_argument("--rounds", type=int, default=30,
                        help="interleaved timing rounds per operation and size, at most (default: %(default)s)")
    parser.add_argument("--budget", type=float, default=0.4,
                        help="seconds of rounds per operation and size, at most; 3 rounds at least "
                             "(default: %(default)s)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)

    names = [n.strip() for n in args.sizes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {list(SIZES)}")
    sizes = [SIZES[n] if not args.dtype else dataclasses.replace(SIZES[n], dtype=args.dtype)
             for n in names]

    start = time.perf_counter()
    for line in header(sizes):
        print(line)
    print(f"time per call: the best of up to {args.rounds} interleaved rounds (at most {args.budget} s "
          "per row, 3 rounds at least;\ncalls of 0.5 ms and more pause 0.1 s after each side, as "
          "OpenBLAS's idle threads spin); peak: bytes\none call allocates as tracemalloc sees them "
          "(NumPy arrays and Python objects on both sides; not nnfast's GEMM\npacking buffers nor "
          "OpenBLAS's own)")
    print()

    widths = (38, 7, 10, 10, 9, 10, 10)
    titles = ("operation", "size", "nnfast", "NumPy", "speed-up", "peak nnfast", "peak NumPy")
    if args.markdown:
        print("| " + " | ".join(titles) + " |")
        print("|" + "|".join(["---"] * 2 + ["---:"] * 5) + "|")
    else:
        print("  ".join(t.ljust(w) if i < 2 else t.rjust(w) for i, (t, w) in enumerate(zip(titles, widths))))
    rows: list[Row] = []
    failures: list[str] = []
    for case in [c for c in cases() if c.size.name in names]:
        size = next(s for s in sizes if s.name == case.size.name)
        case = dataclasses.replace(case, size=size)
        contenders = case.build()
        try:
            assert_agree(*contenders.results("nnfast"), size.dtype, contenders.k,
                         f"{case.op.name} [{size.name}]: nnfast and NumPy disagree")
        except AssertionError as exc:
            failures.append(str(exc))
            print(f"{case.op.name:<38}  {size.name:<7}  DISAGREE (see below)")
            continue
        t_fast, t_numpy = best_times([contenders.nnfast, contenders.numpy], args.rounds, args.budget)
        m_fast, m_numpy = peak_memory(contenders.nnfast), peak_memory(contenders.numpy)
        row: Row = {"op": case.op.name, "size": size.name, "speedup": t_numpy / t_fast}
        rows.append(row)
        cells = (case.op.name, size.name, fmt_time(t_fast), fmt_time(t_numpy),
                 f"{t_numpy / t_fast:.2f}x", fmt_bytes(m_fast), fmt_bytes(m_numpy))
        if args.markdown:
            print("| " + " | ".join(cells) + " |")
        else:
            print("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(cells, widths))))
        del contenders

    print()
    for s in sizes:
        ratios = [r["speedup"] for r in rows if r["size"] == s.name]
        if ratios:
            geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            print(f"{s.name}: geometric mean speed-up {geo:.2f}x over {len(ratios)} operations "
                  f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x)")
    if rows and not args.no_plot:
        try:
            title = (f"nnfast {nnfast.__version__} ({nnfast._core.get_isa()}, "
                     f"{nnfast.get_num_threads()} threads) vs NumPy {np.__version__}, "
                     f"{cpu_model()}")
            plot(rows, sizes, args.output, title)
            print(f"chart: {args.output}")
        except ImportError:
            print("chart: not written (matplotlib is not installed)")
    print(f"total time {time.perf_counter() - start:.1f} s")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
