"""What a user installs: `python -m build` makes an sdist holding the repository's source and a
wheel built from that sdist; each installs into a fresh virtual environment and works there.

- The wheel installs and runs away from the source tree; the sdist, unpacked into a clean
  folder, runs part of the test suite against that installed wheel.
- `pip install -e` of the unpacked sdist builds it in place and runs the main job there.
- mypy --strict finds nnfast's types in both installs (tests/typing_user_program.py).

Slow (two builds of the extension in isolated environments, two venvs with NumPy: about three
minutes) so it runs only with NNFAST_TEST_WHEEL=1, which .ci/run sets.
"""
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
USER_PROGRAM = ROOT / "tests" / "typing_user_program.py"
# Tracked files an sdist leaves out: CI's scripts and git's own settings.
NOT_SHIPPED = (".ci/", ".gitignore")
# Test files the sdist runs against the installed wheel: quick, needing only SDIST_TEST_NEEDS
# (the shared API registry compares the data sets with the nnfs package's), not all of [test].
SDIST_TEST_NEEDS = ["pytest", "hypothesis", "nnfs==0.5.1"]
SDIST_TESTS = ["tests/test_dense.py", "tests/test_activations.py", "tests/test_backward.py",
               "tests/test_source_tree_import.py"]

pytestmark = pytest.mark.skipif(os.environ.get("NNFAST_TEST_WHEEL") != "1",
                                reason="slow: set NNFAST_TEST_WHEEL=1 to build and install the wheel")

# Without the variables that would let a venv see this checkout or the outer environment.
ENV = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MYPYPATH"}}


def run(cmd, **kwargs):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=ENV, **kwargs)
    assert res.returncode == 0, f"{cmd} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


def fresh_venv(path, *install):
    """A new virtual environment at ``path`` with ``pip install *install``; its python."""
    run([sys.executable, "-m", "venv", str(path)])
    python = path / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run([str(python), "-m", "pip", "install", "--quiet", *install])
    return python


def mypy_strict(python, folder):
    """mypy --strict on the user program (copied into ``folder``, away from any source tree),
    resolving imports in the environment of ``python``."""
    pytest.importorskip("mypy", reason="mypy not installed (pip install -e '.[test]')")
    shutil.copy(USER_PROGRAM, folder)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-executable", str(python),
                           "--cache-dir", str(folder / ".mypy_cache"), USER_PROGRAM.name],
                          capture_output=True, text=True, timeout=600, env=ENV, cwd=folder)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    res = run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return wheels[0], sdists[0], res.stdout + res.stderr


@pytest.fixture(scope="module")
def unpacked(dist, tmp_path_factory):
    """The sdist unpacked into a clean folder: its root."""
    _, sdist, _ = dist
    folder = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(sdist) as tar:
        # the "data" filter (Python 3.10.12+) refuses links and paths out of the folder
        tar.extractall(folder, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (root,) = folder.iterdir()
    return root


@pytest.fixture(scope="module")
def wheel_venv(dist, tmp_path_factory):
    wheel, _, _ = dist
    return fresh_venv(tmp_path_factory.mktemp("wheel") / "venv", str(wheel), *SDIST_TEST_NEEDS)


@pytest.fixture(scope="module")
def editable_venv(unpacked, tmp_path_factory):
    """A venv with `pip install -e` of a copy of the unpacked sdist (the install compiles the
    core into the copy; the unpacked folder stays without one)."""
    folder = tmp_path_factory.mktemp("editable")
    shutil.copytree(unpacked, folder / "src")
    return fresh_venv(folder / "venv", "-e", str(folder / "src"))


def test_build_states_the_license_without_warnings(dist):
    wheel, _, log = dist
    warnings = [line for line in log.replace("NPY_NO_DEPRECATED_API", "").splitlines()
                if "deprecat" in line.lower()]
    assert not warnings, warnings
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read("nnfast-0.1.0.dist-info/METADATA").decode()
        license_text = z.read("nnfast-0.1.0.dist-info/licenses/LICENSE").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert license_text == (ROOT / "LICENSE").read_text()


def test_wheel_contents(dist):
    wheel, _, _ = dist
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ["nnfast/__init__.py", "nnfast/nn/__init__.py", "nnfast/datasets/__init__.py",
                     "nnfast/py.typed", "nnfast/_core.pyi", "nnfast/bench/__main__.py",
                     "nnfast/bench/forward.py", "nnfast/baseline/notes.py",
                     "nnfast/baseline/book/model.py"]:
        assert required in names, f"{required} missing from {wheel.name}"
    assert not any(n.startswith(("tests/", "csrc/", "benchmarks/")) for n in names)


def test_wheel_extension_has_no_debug_information(dist):
    wheel, _, _ = dist
    with zipfile.ZipFile(wheel) as z:
        (core,) = [n for n in z.namelist() if n.startswith("nnfast/_core.") and n.endswith((".so", ".pyd"))]
        data = z.read(core)
    # An ELF file names its DWARF sections in its section-name table.
    assert b".debug_info" not in data and b".debug_line" not in data, f"{core}: {len(data)} bytes"


def git_files():
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the sdist is compared with the repository's files")
    return {p for p in out.splitlines() if not p.startswith(NOT_SHIPPED)}


def test_sdist_holds_the_repository_source(dist):
    """Every file of the repository (but CI's) is in the sdist, and nothing else but the
    metadata setuptools writes."""
    _, sdist, _ = dist
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n and not tar.getmember(n).isdir()}
    tracked = git_files()
    assert not tracked - names, f"the sdist lacks {sorted(tracked - names)}: add them to MANIFEST.in"
    generated = {n for n in names - tracked if n in {"PKG-INFO", "setup.cfg"} or n.startswith("nnfast.egg-info/")}
    assert not names - tracked - generated, f"the sdist has files git does not: {sorted(names - tracked - generated)}"


def test_wheel_installs_and_runs_in_a_fresh_venv(wheel_venv, tmp_path):
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
    ) % str(wheel_venv.parent.parent)
    res = run([str(wheel_venv), "-c", check], cwd=elsewhere)
    assert "SIMD path in use" in res.stdout
    main_job = run([str(wheel_venv), "-m", "nnfast"], cwd=elsewhere)
    assert "OK: nnfast and NumPy agree" in main_job.stdout


def test_sdist_test_suite_passes_against_the_installed_wheel(unpacked, wheel_venv):
    """`pytest` from the unpacked sdist (whose nnfast/ has no compiled core: a run that
    imported it instead of the installed package would fail)."""
    assert not list((unpacked / "nnfast").glob("_core*.so"))
    pytest_cmd = wheel_venv.parent / "pytest"
    res = run([str(pytest_cmd), "-q", "-p", "no:cacheprovider", *SDIST_TESTS], cwd=unpacked)
    last = res.stdout.strip().splitlines()[-1]
    assert " passed" in last and "failed" not in last and "error" not in last, res.stdout[-3000:]


def test_source_folder_import_explains_itself(unpacked, wheel_venv):
    """`python -m nnfast` in the unpacked sdist's root, with nnfast installed (not editable):
    Python imports the source folder, which says what to do."""
    res = subprocess.run([str(wheel_venv), "-m", "nnfast"], cwd=unpacked, capture_output=True,
                         text=True, timeout=120, env=ENV)
    assert res.returncode != 0
    assert "pip install -e ." in res.stderr.splitlines()[-1], res.stderr


def test_editable_install_of_the_sdist_runs_the_main_job(editable_venv):
    res = run([str(editable_venv), "-m", "nnfast"], cwd=editable_venv.parent.parent.parent / "src")
    assert "OK: nnfast and NumPy agree" in res.stdout


def test_mypy_finds_types_in_the_wheel_install(wheel_venv, tmp_path):
    res = mypy_strict(wheel_venv, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Success: no issues found" in res.stdout


def test_mypy_finds_types_in_the_editable_install(editable_venv, tmp_path):
    res = mypy_strict(editable_venv, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Success: no issues found" in res.stdout
