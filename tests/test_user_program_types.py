"""mypy --strict accepts nnfast itself and tests/typing_user_program.py (a user's program on the
whole public API) against this environment's nnfast, and the program runs. tests/test_wheel.py
runs the same check against a wheel and an editable install."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy not installed (pip install -e '.[test]')")
def test_mypy_strict_accepts_the_user_program(tmp_path):
    # --follow-imports=silent: nnfast's own modules are checked by their own runs; only the
    # program's uses of them are under test here.
    res = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                          "--cache-dir", str(tmp_path), "tests/typing_user_program.py"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr


def test_user_program_runs(capsys):
    import typing_user_program

    typing_user_program.main()
    assert "SIMD path in use" in capsys.readouterr().out


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy not installed (pip install -e '.[test]')")
def test_mypy_strict_accepts_the_package(tmp_path):
    # The package's own annotations (nn, datasets, bench, the main job), the book's NumPy
    # baseline aside (pyproject's [tool.mypy] overrides): a user's program is only as well
    # typed as what it calls.
    res = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path),
                          "nnfast"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
