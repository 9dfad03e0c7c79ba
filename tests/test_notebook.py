"""notebooks/nnfast_vs_numpy.ipynb executes without error (its cells assert that NumPy and
nnfast agree), and its stored outputs are those of a real run: every code cell ran, in
order, and the outputs that do not depend on the machine (results, not timings or the
configuration) are the ones a fresh execution prints."""
import os
import re
from pathlib import Path

import pytest

import nnfast

nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test]' installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test]' installs nbclient")
pytest.importorskip("ipykernel", reason="pip install -e '.[test]' installs ipykernel")
pytest.importorskip("matplotlib", reason="pip install -e '.[test]' installs matplotlib")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "nnfast_vs_numpy.ipynb"
# Timings vary by run; the trained network's accuracy may vary with the SIMD path and thread
# count (training amplifies rounding differences), so neither is compared.
TIMING = re.compile(r"\d\s*(us|ms|s)\b|training accuracy")


def stable_text(cell):
    """The cell's printed lines that do not depend on the machine or the moment."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return [line for line in text.splitlines() if not TIMING.search(line)]


@pytest.fixture(scope="module")
def stored():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def executed(stored):
    nb = nbformat.reads(nbformat.writes(stored), as_version=4)  # a copy; the file stays
    # The kernel imports the same nnfast as this process.
    package_root = str(Path(nnfast.__file__).resolve().parent.parent)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = package_root + (os.pathsep + old if old else "")
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                         resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()  # raises CellExecutionError when a cell fails (an assert included)
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    return nb


def test_stored_outputs_are_from_a_run(stored):
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        "stored notebook was not executed top to bottom in one run"
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2, "expected the spiral plot and the decision regions"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_notebook_executes(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    printed = "".join(o.get("text", "") for c in code for o in c.outputs if o.get("output_type") == "stream")
    assert "after 20 steps: the NumPy and nnfast weights agree to rounding" in printed
    assert "training accuracy (nnfast.accuracy)" in printed
    assert "day 3: fused dense+ReLU, dense, softmax_crossentropy: agree" in printed


def test_stored_results_match_a_fresh_run(stored, executed):
    fresh = [c for c in executed.cells if c.cell_type == "code"]
    old = [c for c in stored.cells if c.cell_type == "code"]
    assert len(fresh) == len(old)
    for i, (a, b) in enumerate(zip(old[1:], fresh[1:]), start=2):  # cell 1 prints the machine
        assert stable_text(a) == stable_text(b), f"code cell {i}: stored output differs from a fresh run"
