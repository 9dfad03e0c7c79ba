"""Importing nnfast from a source folder without its compiled core (a repository after
`pip install .` without -e, run from its root) says what happened and what to do; any other
failure to load the core keeps its own message."""
import shutil
import subprocess
import sys
from pathlib import Path

import nnfast

PACKAGE = Path(nnfast.__file__).resolve().parent


def source_copy(tmp_path: Path) -> Path:
    """nnfast's Python files, without the compiled core, in tmp_path/nnfast."""
    shutil.copytree(PACKAGE, tmp_path / "nnfast",
                    ignore=shutil.ignore_patterns("_core*.so", "_core*.pyd", "__pycache__"))
    return tmp_path


def import_from(folder: Path) -> subprocess.CompletedProcess[str]:
    # -S: without site-packages, so no installed or editable nnfast can supply the core.
    code = f"import sys; sys.path.insert(0, {str(folder)!r}); import nnfast"
    return subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=folder)


def test_missing_core_says_what_happened_and_what_to_do(tmp_path):
    res = import_from(source_copy(tmp_path))
    assert res.returncode != 0
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: nnfast: the compiled core nnfast._core is not in "), res.stderr
    assert str(tmp_path / "nnfast") in last
    assert "pip install -e ." in last and "another folder" in last
    assert "ModuleNotFoundError" not in res.stderr and "cannot import name" not in res.stderr


def test_a_core_that_fails_to_load_keeps_its_own_message(tmp_path):
    folder = source_copy(tmp_path)
    suffix = next(p.name for p in PACKAGE.glob("_core*") if p.suffix in {".so", ".pyd"})
    (folder / "nnfast" / suffix).write_bytes(b"not a shared library")
    res = import_from(folder)
    assert res.returncode != 0
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: "), res.stderr
    assert "the compiled core" not in res.stderr and "pip install -e" not in res.stderr
