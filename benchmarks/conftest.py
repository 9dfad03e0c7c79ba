"""Benchmarks compare nnfast with NumPy (and PyTorch where installed) in one process; run with
`pytest benchmarks --benchmark-only` (pytest-benchmark groups the contenders side by side).

test_ops.py runs every operation registered in nnfast/bench/ (also behind
`python -m nnfast.bench`); test_forward.py holds the 0.1 release's speed goals."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # reference.py
