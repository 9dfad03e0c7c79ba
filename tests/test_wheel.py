"""`python -m build` makes an sdist and a wheel; the wheel installs into a fresh virtual
environment and works there (away from this source tree).

Slow (a build in an isolated environment, a venv, NumPy installed into it: about a minute)
so it runs only with NNFAST_TEST_WHEEL=1, which .ci/run sets.
"""
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.environ.get("NNFAST_TEST_WHEEL") != "1",
                                reason="slow: set NNFAST_TEST_WHEEL=1 to build and install the wheel")


def run(cmd, **kwargs):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kwargs)
    assert res.returncode == 0, f"{cmd} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return wheels[0], sdists[0]


def test_wheel_contents(dist):
    wheel, _ = dist
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ["nnfast/__init__.py", "nnfast/nn/__init__.py", "nnfast/datasets/__init__.py",
                     "nnfast/py.typed", "nnfast/_core.pyi", "nnfast/bench/__main__.py",
                     "nnfast/bench/forward.py", "nnfast/baseline/notes.py",
                     "nnfast/baseline/book/model.py"]:
        assert required in names, f"{required} missing from {wheel.name}"
    assert any(n.startswith("nnfast/_core.") and n.endswith((".so", ".pyd")) for n in names)
    assert not any(n.startswith(("tests/", "csrc/", "benchmarks/")) for n in names)


def test_sdist_builds_from_its_sources(dist):
    _, sdist = dist
    names = {n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n}
    headers = {str(p.relative_to(ROOT)) for p in (ROOT / "csrc").iterdir() if p.suffix in {".c", ".h", ".inc"}}
    assert headers <= names, f"sdist lacks {sorted(headers - names)}"
    assert {"setup.py", "pyproject.toml", "README.md", "nnfast/py.typed", "nnfast/_core.pyi"} <= names


def test_wheel_installs_and_runs_in_a_fresh_venv(dist, tmp_path):
    wheel, _ = dist
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    run([sys.executable, "-m", "venv", str(venv)], env=env)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], env=env)
    elsewhere = tmp_path / "elsewhere"  # not the source tree: import the installed package
    elsewhere.mkdir()
    check = (
        "import pathlib, numpy as np, nnfast\n"
        "assert str(pathlib.Path(nnfast.__file__)).startswith(%r), nnfast.__file__\n"
        "p = pathlib.Path(nnfast.__file__).parent\n"
        "assert (p / 'py.typed').exists() and (p / '_core.pyi').exists()\n"
        "x = np.arange(6.0).reshape(3, 2)\n"
        "assert np.allclose(nnfast.dense(x, np.eye(2), np.zeros(2), activation='relu'), x)\n"
        "nnfast.show_config()\n"
    ) % str(venv)
    res = run([str(python), "-c", check], cwd=elsewhere, env=env)
    assert "SIMD path in use" in res.stdout
    main_job = run([str(python), "-m", "nnfast"], cwd=elsewhere, env=env)
    assert "OK: nnfast and NumPy agree" in main_job.stdout
