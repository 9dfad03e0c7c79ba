"""Every benchmark operation of nnfast.bench (every public function and the notes' classes,
at the sizes small / medium / large), nnfast against NumPy and, where PyTorch is installed,
torch on the CPU. One pytest-benchmark group per operation and size, so

    pytest benchmarks --benchmark-only

prints the contenders of each group side by side. Each benchmark first checks that its
contender computes what NumPy computes. New operations (backward passes, optimizer steps,
training) are registered in nnfast/bench/ and appear here without a change to this file.
"""
import functools

import pytest

from nnfast.bench import assert_agree, cases

PARAMS = [pytest.param(case, side, id=f"{case.id}-{side}")
          for case in cases() for side in case.sides()]


@functools.lru_cache(maxsize=1)
def built(case):
    """The case's inputs and contenders, built once for its consecutive sides."""
    return case.build()


@pytest.mark.parametrize("case, side", PARAMS)
def test_op(benchmark, case, side):
    contenders = built(case)
    fn = contenders.side(side)
    assert_agree(*contenders.results(side), case.size.dtype, contenders.k,
                 f"{case.group}: {side} disagrees with NumPy")
    benchmark.group = f"{case.group} {contenders.shapes}, {case.size.dtype}"
    benchmark(fn)
