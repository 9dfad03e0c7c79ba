"""Benchmarks compare nnfast with NumPy in one process; run with
`pytest benchmarks --benchmark-only` (pytest-benchmark groups the contenders side by side)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # reference.py
