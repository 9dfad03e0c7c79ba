"""nnfast's benchmarks: nnfast against the same computation in NumPy (and PyTorch).

``python -m nnfast.bench`` runs the quick report (a table of speed-ups and peak memory, and a
bar chart); ``pytest benchmarks --benchmark-only`` runs the same operations under
pytest-benchmark. The operations are registered in the modules named by ``SUITES``
(``nnfast/bench/forward.py`` today); see ``nnfast/bench/_suite.py``.
"""

from ._suite import (
    SIZES,
    SUITES,
    Case,
    Contenders,
    Operation,
    Size,
    all_operations,
    assert_agree,
    best_times,
    cases,
    operation,
    peak_memory,
    torch_available,
)

__all__ = [
    "SIZES",
    "SUITES",
    "Case",
    "Contenders",
    "Operation",
    "Size",
    "all_operations",
    "assert_agree",
    "best_times",
    "cases",
    "operation",
    "peak_memory",
    "torch_available",
]
