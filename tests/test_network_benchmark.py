"""benchmarks/network.py, the speed table of whole networks, keeps running: a --quick run
prints every row (a time and a ratio) or the reason it skips it, and --json writes the same
rows. Not a timing test: a quick run's numbers mean nothing."""
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import nnfast
from nnfast import _core

pytest.importorskip("threadpoolctl", reason="threadpoolctl not installed (pip install -e '.[test]')")

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "network.py"

# Each section's rows (a name, or the start of a name that carries a version or a size) and
# whether it can run here; a row that cannot must say why instead.
NETWORK = hasattr(_core, "Network")
ROWS = {
    "spiral": [("NumPy class loop", True), ("NumPy Model.train", True), ("nnfast class loop", True),
               ("nnfast Model.train", True), ("kernels' work (Network.train", NETWORK),
               ("Model.train / kernels' work", NETWORK)],
    "MLP": [("nnfast Model.train", True), ("GEMM bound", True), ("kernels' work (Network.train", NETWORK),
            ("PyTorch", importlib.util.find_spec("torch") is not None),
            ("JAX", importlib.util.find_spec("jax") is not None)],
    "predict": [("nnfast Model.predict", True), ("GEMM bound", True)],
    "chapter 18": [("NumPy Model.train (the book's)", True), ("nnfast Model.train, book masks", True),
                   ("nnfast Model.train, fast masks", True)],
}

GOALS = {("spiral", "nnfast Model.train"), ("spiral", "Model.train / kernels' work"),
         ("MLP", "nnfast Model.train"), ("predict", "nnfast Model.predict"),
         ("chapter 18", "nnfast Model.train, fast masks")}


def test_quick_run_prints_every_row(tmp_path):
    rows_file = tmp_path / "rows.json"
    # the nnfast this test imports, whichever folder the script's own imports would find first
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(nnfast.__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]))
    res = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--threads", "1", "--json", str(rows_file)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = json.loads(rows_file.read_text())["rows"]
    expected = sum(len(names) for names in ROWS.values())
    assert len(rows) == expected, [f"{r['section']}: {r['name']}" for r in rows]
    for section, names in ROWS.items():
        for name, runs in names:
            found = [r for r in rows if r["section"] == section and r["name"].startswith(name)]
            assert len(found) == 1, f"{section}: {name}: {len(found)} rows"
            row = found[0]
            label = re.escape(f"{section}: {row['name']}")
            if runs:
                assert row["skipped"] is None, row
                assert math.isfinite(row["ratio"]) and row["ratio"] > 0, row
                assert row["goal"] is None or isinstance(row["met"], bool), row
                assert re.search(rf"^{label}\s+1\s+.*\d\.\d\d ", res.stdout, re.M), res.stdout
            else:
                assert row["skipped"], row
                assert re.search(rf"^{label}\s+1\s+skipped: \S", res.stdout, re.M), res.stdout
    # the goals, each on its row and no other
    def key(row):  # the predict row's name carries its sample count
        return row["section"], row["name"].split(",")[0] if row["section"] == "predict" \
            else row["name"]
    with_goal = {key(r) for r in rows if r["goal"] is not None}
    assert with_goal == GOALS & {key(r) for r in rows if not r["skipped"]}


@pytest.mark.skipif(not NETWORK, reason="nnfast._core.Network is not in this build")
def test_spiral_rows_prints_its_split():
    script = SCRIPT.parent / "spiral_rows.py"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(nnfast.__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]))
    res = subprocess.run([sys.executable, str(script), "--epochs", "5"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    for samples in (30, 60, 150, 300, 600):
        assert re.search(rf"^ *{samples} samples: +\d+\.\d\d us/epoch", res.stdout, re.M), res.stdout
    assert re.search(r"^least squares: -?\d+\.\d\d us fixed \+ -?\d+\.\d ns per sample$",
                     res.stdout, re.M), res.stdout
    assert re.search(r"^a sample's 832 float64 multiply-adds at -?\d+\.\d GFLOP/s$", res.stdout,
                     re.M), res.stdout
