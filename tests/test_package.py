"""The package around the kernels: version, show_config, docstrings, type stubs (checked
against the extension and by mypy), ruff, and the benchmark report command."""
import ast
import importlib.util
import inspect
import os
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnfast
import nnfast._config as config
import nnfast.datasets
import nnfast.nn
from nnfast import _core

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "nnfast" / "_core.pyi"
# The _core functions that are not kernels on arrays (they need no shapes/dtypes in their docs).
CONTROL = {"get_isa", "set_isa", "supported_isas", "get_num_threads", "set_num_threads"}
# Documented with shapes, dtypes and errors (the training functions are to join this list).
FORWARD = ["dot", "dense", "relu", "linear", "softmax", "categorical_crossentropy",
           "softmax_crossentropy", "accuracy"]


def core_functions():
    return sorted(n for n, v in vars(_core).items()
                  if not n.startswith("_") and callable(v) and not isinstance(v, type))


def run(*args, cwd=ROOT, env=None, timeout=300):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


# ------------------------------------------------------------------------------ version
def test_version_matches_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    declared = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)
    assert nnfast.__version__ == declared
    assert re.fullmatch(r"\d+\.\d+\.\d+", nnfast.__version__)


# -------------------------------------------------------------------------- show_config
def test_show_config_reports_what_runs(capsys):
    nnfast.show_config()
    out = capsys.readouterr().out
    fields = dict(line.split(":", 1) for line in out.splitlines())
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    assert fields["nnfast"] == nnfast.__version__
    assert fields["SIMD path in use"] == _core.get_isa()
    assert fields["SIMD paths this CPU supports"].split(", ") == _core.supported_isas()
    assert fields["threads"] == str(nnfast.get_num_threads())
    assert fields["NumPy"].startswith(np.__version__ + " ")
    assert fields["compile flags (setup.py)"] == " ".join(config.SETUP_COMPILE_ARGS)
    if sys.platform.startswith("linux"):
        assert re.match(r"(GCC: \(.*\) \d|clang version \d)", fields["compiler (recorded in the extension)"])


def test_show_config_follows_the_environment():
    """Forcing the portable kernels and one thread shows up in show_config (nothing hardcoded)."""
    env = dict(os.environ, NNFAST_ISA="generic", NNFAST_NUM_THREADS="1")
    res = run("-c", "import nnfast; nnfast.show_config()", env=env)
    assert res.returncode == 0, res.stderr
    assert re.search(r"^SIMD path in use:\s+generic$", res.stdout, re.M), res.stdout
    assert re.search(r"^threads:\s+1$", res.stdout, re.M), res.stdout
    assert "NNFAST_ISA=generic NNFAST_NUM_THREADS=1" in res.stdout


def test_show_config_states_setup_py_flags():
    """show_config's flags are setup.py's COMPILE_ARGS for this platform (read, not imported),
    with the FMA-contraction flag setup.py picks for the compiler that built the extension."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    assigns = [(t.id, node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
               for t in node.targets if isinstance(t, ast.Name)]
    (contract,) = [v for name, v in assigns if name == "FP_CONTRACT"]  # "on" if clang else "fast"
    clang_flag, other_flag = ast.literal_eval(contract.body), ast.literal_eval(contract.orelse)
    built_by_clang = "clang" in config.compiler_of_extension(_core.__file__).lower()
    flag = clang_flag if built_by_clang else other_flag

    def evaluate(node):
        if isinstance(node, ast.List):
            return [flag if isinstance(e, ast.Name) and e.id == "FP_CONTRACT"
                    else ast.literal_eval(e) for e in node.elts]
        return ast.literal_eval(node)

    (value,) = [evaluate(v) for name, v in assigns if name == "COMPILE_ARGS"]
    assert config.SETUP_COMPILE_ARGS == value


# --------------------------------------------------------------------------- docstrings
def public_objects():
    """(qualified name, object) for every public function and class."""
    found = []
    for module in (nnfast, nnfast.nn, nnfast.datasets):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, str) or inspect.ismodule(obj):
                continue
            found.append((f"{module.__name__}.{name}", obj))
    return found


@pytest.mark.parametrize("name, obj", public_objects(), ids=[n for n, _ in public_objects()])
def test_public_object_has_docstring(name, obj):
    doc = inspect.getdoc(obj)
    assert doc and doc.strip(), f"{name} has no docstring"


@pytest.mark.parametrize("name", core_functions())
def test_core_function_has_signature_and_docstring(name):
    fn = getattr(_core, name)
    params = list(inspect.signature(fn).parameters)  # from the "name(sig)\n--\n\n" prefix
    assert fn.__doc__ and fn.__doc__.strip(), name
    assert params or name in {"get_isa", "get_num_threads", "supported_isas"}, name


@pytest.mark.parametrize("name", FORWARD)
def test_forward_docstring_states_shapes_dtypes_errors(name):
    doc = getattr(nnfast, name).__doc__
    assert re.search(r"shape|\(\w+, ?\w+\)|\(\w+,\)", doc), f"{name}: no shapes in the docstring"
    assert "dtype" in doc and "float32" in doc, f"{name}: no dtypes in the docstring"
    assert "Raises" in doc and "Error" in doc, f"{name}: no errors in the docstring"
    help_text = pydoc.render_doc(getattr(nnfast, name), renderer=pydoc.plaintext)  # what help() shows
    assert f"{name}(" in help_text and "Raises" in help_text


# ---------------------------------------------------------------------------- type stubs
def stub_functions():
    """name -> list of ast.FunctionDef (overloads included) in nnfast/_core.pyi."""
    defs = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.FunctionDef):
            defs.setdefault(node.name, []).append(node)
    return defs


def test_stub_names_match_extension():
    stubs, runtime = set(stub_functions()), set(core_functions())
    assert not runtime - stubs, f"add stubs to nnfast/_core.pyi for {sorted(runtime - stubs)}"
    assert not stubs - runtime, f"nnfast/_core.pyi declares functions _core lacks: {sorted(stubs - runtime)}"


def stub_params(fdef):
    """[(name, default node or None)] of a stub, positional then keyword-only parameters."""
    args, kwonly = fdef.args.args, fdef.args.kwonlyargs
    defaults = [None] * (len(args) - len(fdef.args.defaults)) + list(fdef.args.defaults)
    return list(zip([a.arg for a in args], defaults)) + [(a.arg, d) for a, d in zip(kwonly, fdef.args.kw_defaults)]


@pytest.mark.parametrize("name", sorted(set(stub_functions()) & set(core_functions())))
def test_stub_signature_matches_extension(name):
    """Each stub (every overload) has the runtime's parameter names in order; a default in the
    stub equals the runtime's; a parameter required at run time is required in the stub; and
    one overload leaves optional exactly what the runtime leaves optional."""
    runtime = inspect.signature(getattr(_core, name)).parameters
    optional = {p for p, v in runtime.items() if v.default is not inspect.Parameter.empty}
    overload_optionals = []
    for fdef in stub_functions()[name]:
        params = stub_params(fdef)
        assert [p for p, _ in params] == list(runtime), f"{name}: stub parameters differ from {list(runtime)}"
        for param, default in params:
            if default is None:
                continue
            assert param in optional, f"{name}: {param} is required at run time"
            if not (isinstance(default, ast.Constant) and default.value is Ellipsis):
                assert ast.literal_eval(default) == runtime[param].default, f"{name}: default of {param}"
        overload_optionals.append({p for p, d in params if d is not None})
    assert optional in overload_optionals, f"{name}: no overload leaves {sorted(optional)} optional"


def test_stub_and_py_typed_are_package_data():
    text = (ROOT / "pyproject.toml").read_text()
    assert (ROOT / "nnfast" / "py.typed").exists()
    assert re.search(r'\[tool\.setuptools\.package-data\]\s*nnfast = \[[^]]*"py\.typed"[^]]*"\*\.pyi"', text)


mypy = pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                          reason="mypy not installed (pip install -e '.[test]')")
MYPY = ["-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
        "--hide-error-context"]


@mypy
def test_mypy_passes_on_stubs_and_typed_example(tmp_path):
    res = run(*MYPY, "--cache-dir", str(tmp_path), "nnfast/_core.pyi", "tests/typing_example.py")
    assert res.returncode == 0, res.stdout + res.stderr


@mypy
def test_mypy_rejects_misuse(tmp_path):
    """The stubs are precise: mypy flags each wrong line of this snippet (and only those)."""
    bad = tmp_path / "bad_use.py"
    bad.write_text(
        "import numpy as np\n"
        "from numpy.typing import NDArray\n"
        "import nnfast\n"
        "x = np.ones((2, 2), np.float32)\n"
        "a: NDArray[np.float64] = nnfast.relu(x)\n"                    # 5: float32 result
        "b = nnfast.dense(x, x, x, activation='tanh')\n"              # 6: unknown activation
        "c: int = nnfast.accuracy(x, [0, 1])\n"                        # 7: accuracy is a float
        "nnfast.set_num_threads('2')\n"                                # 8: n is an int
        "d = nnfast.categorical_crossentropy(x, [0, 1], reduction='avg')\n"  # 9
        "e: NDArray[np.float32] = nnfast.softmax(x)\n"                 # fine
    )
    res = run(*MYPY, "--cache-dir", str(tmp_path / "cache"), str(bad))
    lines = sorted({int(m) for m in re.findall(r"bad_use\.py:(\d+): error", res.stdout)})
    assert lines == [5, 6, 7, 8, 9], res.stdout


def test_typing_example_runs():
    import typing_example

    typing_example.main()


# --------------------------------------------------------------------------------- ruff
@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff not installed")
def test_ruff_clean():
    res = run("-m", "ruff", "check", "--no-cache", "nnfast", "tests", "benchmarks")
    assert res.returncode == 0, res.stdout + res.stderr


# ------------------------------------------------------------------ benchmark machinery
def test_benchmarks_cover_every_forward_function():
    from nnfast.bench import all_operations

    names = {op.name.split()[0] for op in all_operations()}
    assert set(FORWARD) <= names, set(FORWARD) - names


def test_agreement_check_catches_a_difference():
    from nnfast.bench import assert_agree

    a = np.linspace(0.0, 1.0, 7)
    assert_agree(a, a.copy(), "float64", 1, "same")
    with pytest.raises(AssertionError):
        assert_agree(a + 1e-6, a, "float64", 1, "differ")
    with pytest.raises(AssertionError):
        assert_agree((a, a), (a, a[:-1]), "float32", 1, "shapes differ")


def test_bench_report_runs(tmp_path):
    """python -m nnfast.bench at the notes' size: every operation agrees, a row each, a chart."""
    png = tmp_path / "chart.png"
    res = run("-m", "nnfast.bench", "--sizes", "small", "--rounds", "3", "--budget", "0.001",
              "--output", str(png))
    assert res.returncode == 0, res.stdout + res.stderr
    from nnfast.bench import all_operations

    for op in all_operations():
        assert re.search(rf"^{re.escape(op.name)}\s+small\s+\S+ \w?s\s+\S+ \w?s\s+[\d.]+x\s",
                         res.stdout, re.M), f"no row for {op.name}:\n{res.stdout}"
    if importlib.util.find_spec("matplotlib") is not None:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
