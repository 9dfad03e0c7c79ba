"""The shape of the house: rooms a reader holds, and no history in shipped code.

Every source file of the C core (csrc/) and of the package (nnfast/) stays under a size a reader
holds in mind; code, tests and CI speak of what is, not of the issues or sessions that made it.
"""
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600
SOURCE_SUFFIXES = {".c", ".h", ".inc", ".py", ".pyi"}


def tracked(*folders):
    try:
        out = subprocess.run(["git", "ls-files", *folders], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout (an sdist): the layout is checked in the repository")
    return [ROOT / p for p in out.split()]


def test_source_files_stay_small():
    big = [f"{p.relative_to(ROOT)}: {n} lines" for p in tracked("csrc", "nnfast")
           if p.suffix in SOURCE_SUFFIXES and (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not big, f"files past {MAX_LINES} lines (split by concern):\n" + "\n".join(big)


def test_no_issue_numbers_in_code_tests_or_ci():
    pattern = re.compile(r"\bissues? #?\d+\b", re.I)
    found = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
             for p in tracked("csrc", "nnfast", "tests", "benchmarks", "fuzz", ".ci", "setup.py")
             if p.suffix in SOURCE_SUFFIXES | {".sh", ""} and p.is_file()
             for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
             if pattern.search(line)]
    assert not found, "history belongs in commit messages:\n" + "\n".join(found)
