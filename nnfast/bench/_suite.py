"""The benchmark registry: sizes, operations, contenders, agreement checks and timers.

An *operation* is a function decorated with :func:`operation` that, given a :class:`Size`
and a random generator, builds its inputs once and returns :class:`Contenders`: zero-argument
callables computing the same result with nnfast, with NumPy (the code the notes write) and,
where PyTorch is installed, with torch on the CPU. The pytest-benchmark suite
(``benchmarks/test_ops.py``) and the report (``python -m nnfast.bench``) both run every
registered operation at every size; both first check that the contenders agree.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import time
import tracemalloc
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

# Modules of nnfast.bench whose operations make up the suite. A new family of benchmarks
# (backward passes, optimizer steps, a training step) is one new module here that defines
# @operation functions, and its name in this tuple.
SUITES = ("forward", "training")


@dataclass(frozen=True)
class Size:
    """A problem size: ``n`` samples through ``n_in -> n_out`` (a dense layer) and
    ``n_classes`` outputs (softmax, losses), computed in ``dtype``."""

    name: str
    n: int
    n_in: int
    n_out: int
    n_classes: int
    dtype: str
    about: str

    def describe(self) -> str:
        return (f"{self.name}: batch {self.n}, {self.n_in} -> {self.n_out}, "
                f"{self.n_classes} classes, {self.dtype} ({self.about})")


SIZES = {
    "small": Size("small", 300, 2, 64, 3, "float64", "the notes' spiral network"),
    "medium": Size("medium", 1024, 784, 128, 10, "float32", "an MNIST-sized layer"),
    "large": Size("large", 4096, 1024, 1024, 1000, "float32", "a wide layer, 1000 classes"),
}


@dataclass
class Contenders:
    """The same computation three ways. ``shapes`` describes the inputs; ``k`` is the length
    of the longest sum in the result (it scales the agreement tolerance)."""

    nnfast: Callable[[], Any]
    numpy: Callable[[], Any]
    shapes: str
    k: int = 1
    torch: Callable[[], Any] | None = None
    # For contenders that update state in place (optimizer steps): fresh(side) runs one call
    # of that side and one of NumPy's, each on its own copy of the initial state, and returns
    # both results, so the agreement check does not depend on how often either side ran.
    fresh: Callable[[str], tuple[Any, Any]] | None = None

    def side(self, name: str) -> Callable[[], Any] | None:
        return {"nnfast": self.nnfast, "numpy": self.numpy, "torch": self.torch}[name]

    def results(self, name: str) -> tuple[Any, Any]:
        """(result of side ``name``, NumPy's result) for the agreement check."""
        if self.fresh is not None:
            return self.fresh(name)
        side = self.side(name)
        if side is None:
            raise ValueError(f"Contenders.results: this operation has no {name} contender")
        return side(), self.numpy()


# An operation's builder: the inputs for a size, made with the generator, and the contenders.
Build = Callable[[Size, np.random.Generator], Contenders]


@dataclass(frozen=True)
class Operation:
    name: str
    build: Build
    torch: bool  # whether build() gives a torch contender when torch is installed


_REGISTRY: dict[str, Operation] = {}


def operation(name: str, torch: bool = False) -> Callable[[Build], Build]:
    """Register ``build(size, rng) -> Contenders`` as the benchmark ``name``."""
    def register(build: Build) -> Build:
        if name in _REGISTRY:
            raise ValueError(f"benchmark operation {name!r} registered twice")
        _REGISTRY[name] = Operation(name, build, torch)
        return build
    return register


def all_operations() -> list[Operation]:
    """Every registered operation, in definition order (imports the SUITES modules)."""
    for suite in SUITES:
        importlib.import_module(f"{__package__}.{suite}")
    return list(_REGISTRY.values())


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


@dataclass(frozen=True)
class Case:
    """One operation at one size; ``build()`` makes the inputs and the contenders."""

    op: Operation
    size: Size

    @property
    def id(self) -> str:
        return f"{self.op.name.replace(' ', '_')}-{self.size.name}"

    @property
    def group(self) -> str:
        return f"{self.op.name} [{self.size.name}]"

    def build(self) -> Contenders:
        seed = sum(ord(c) for c in self.id)  # a fixed seed per case
        return self.op.build(self.size, np.random.default_rng(seed))

    def sides(self) -> list[str]:
        wanted = ["numpy", "nnfast"]
        if self.op.torch and torch_available():
            wanted.append("torch")
        return wanted


def cases(sizes: Collection[str] | None = None, ops: Collection[str] | None = None) -> list[Case]:
    """Every operation at every size (optionally only the named sizes / operations)."""
    chosen_sizes = [SIZES[s] for s in (sizes or SIZES)]
    chosen = [op for op in all_operations() if not ops or op.name in ops]
    return [Case(op, size) for op in chosen for size in chosen_sizes]


# ---------------------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------------------
def as_numpy(result: Any) -> Any:
    """The result as NumPy data: tuples element-wise, torch tensors via .numpy()."""
    if isinstance(result, tuple):
        return tuple(as_numpy(r) for r in result)
    if hasattr(result, "detach"):  # a torch tensor
        return result.detach().numpy()
    return np.asarray(result)


def assert_agree(result: Any, reference: Any, dtype: str, k: int, what: str) -> None:
    """Raise AssertionError unless ``result`` equals the NumPy ``reference`` (same shapes,
    values within a tolerance for ``dtype`` growing with the sum length ``k``)."""
    result, reference = as_numpy(result), as_numpy(reference)
    if isinstance(reference, tuple):
        assert isinstance(result, tuple) and len(result) == len(reference), what
        for r, e in zip(result, reference):
            assert_agree(r, e, dtype, k, what)
        return
    if np.dtype(dtype) == np.float64:
        rtol, atol = 1e-9, 1e-12 * math.sqrt(k) * 10
    else:
        rtol, atol = 1e-4, 1e-5 * math.sqrt(k)
    np.testing.assert_allclose(result, reference, rtol=rtol, atol=atol, err_msg=what)
    assert np.shape(result) == np.shape(reference), what


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------
def best_times(funcs: list[Callable[[], Any]], rounds: int = 30, budget: float = 0.5,
               round_time: float = 0.002, settle: float = 0.1) -> list[float]:
    """Best time per call, in seconds, of each zero-argument callable.

    One round times every callable in turn (interleaved, so a busy moment on a shared
    machine hits all sides alike), each for ``round_time`` seconds' worth of calls (at least
    one call). Rounds repeat until ``rounds`` are done or ``budget`` seconds have passed
    (at least 3 rounds); the best round of each callable counts. Many short rounds find the
    machine's quiet moments better than a few long ones.

    When a call takes 0.5 ms or more (long enough for a library to split it over threads),
    each side's block is followed by a ``settle``-second pause: OpenBLAS's idle threads keep
    spinning on the cores for tens of milliseconds after a call, and the next side's threads
    would share a core with them (nnfast's 2-thread product ran 2x slower right after a NumPy
    one). Each side is then timed on its own machine, as it would run in a program of its own.
    """
    numbers, per_call = [], []
    for f in funcs:  # calibration (also the warm-up)
        calls, start = 0, time.perf_counter()
        while True:
            f()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= round_time:
                break
        numbers.append(max(1, int(calls * round_time / elapsed)))
        per_call.append(elapsed / calls)
    pause = settle if max(per_call) >= 0.0005 else 0.0
    best = [math.inf] * len(funcs)
    deadline = time.perf_counter() + budget
    done = 0
    while done < 3 or (done < rounds and time.perf_counter() < deadline):
        for i, (f, number) in enumerate(zip(funcs, numbers)):
            start = time.perf_counter()
            for _ in range(number):
                f()
            best[i] = min(best[i], (time.perf_counter() - start) / number)
            if pause:
                time.sleep(pause)
        done += 1
    return best


def peak_memory(func: Callable[[], Any]) -> int:
    """Peak bytes allocated during one call of ``func``, as tracemalloc sees them.

    tracemalloc counts Python objects and NumPy's array buffers (NumPy reports its data
    allocations to it): results, temporaries and copies, on both sides alike. It does not
    see memory C code takes with plain malloc: nnfast's GEMM packing buffers and OpenBLAS's
    internal buffers are not counted.
    """
    func()  # warm up: caches, lazy imports
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = func()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak
