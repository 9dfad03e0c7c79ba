"""The C core as a C library of its own: csrc/Makefile builds libnnfast.a without Python and
the example program csrc/examples/train_spiral.c, which trains the spiral network through
nnfast.h alone. Built out of tree, in a temporary folder (about 20 s: the kernels at -O3)."""
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CSRC = Path(__file__).resolve().parent.parent / "csrc"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("make not found: csrc/Makefile needs it (Debian: apt-get install make)")
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler: {cc} not found")
    out = tmp_path_factory.mktemp("c_library")
    made = subprocess.run(["make", "-C", str(CSRC), f"BUILD={out}", "-j2"],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    return out


def test_spiral_example_trains(build):
    run = subprocess.run([str(build / "train_spiral")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    epochs = re.findall(r"^epoch (\d+) loss ([\d.]+) acc ([\d.]+)", run.stdout, re.M)
    final = re.search(r"^final loss ([\d.]+) acc ([\d.]+)$", run.stdout, re.M)
    assert len(epochs) > 2 and final, run.stdout
    # Weights of 0.01 * randn give nearly equal probabilities to the 3 classes: loss ln 3.
    first_loss = float(epochs[0][1])
    assert abs(first_loss - math.log(3)) < 1e-3, run.stdout
    final_loss, final_acc = float(final[1]), float(final[2])
    assert final_loss < first_loss / 2, run.stdout
    assert final_acc > 0.8, run.stdout  # chance is 1/3


def test_library_has_no_python_symbols(build):
    if shutil.which("nm") is None:
        pytest.skip("nm not found (binutils)")
    listed = subprocess.run(["nm", str(build / "libnnfast.a")], capture_output=True, text=True,
                            check=True).stdout
    names = {line.split()[-1] for line in listed.splitlines() if len(line.split()) >= 2}
    assert "nnf_dense_f64" in names and "nnf_optimizer_step_f64" in names, listed[:2000]
    python = sorted(n for n in names if n.lstrip("_").startswith("Py"))
    assert not python, f"the C library refers to Python: {python}"
