"""Every SIMD path: the numerical test modules re-run with NNFAST_ISA forcing each
instruction set (DESIGN.md: an environment variable forces a path so the tests
exercise every path on one machine)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import nnfast

TESTS = Path(__file__).resolve().parent
NUMERIC_MODULES = ["test_dot.py", "test_dense.py", "test_activations.py", "test_losses.py", "test_nn.py",
                   "test_backward.py", "test_optimizers.py",
                   # the C network against the layers, bit for bit: its fused kernels (the output
                   # layer with its loss, the pair and block sweeps) take each path's own shapes
                   "test_network_pair.py", "test_network_split.py", "test_network_blocks.py",
                   "test_network_random_models.py", "test_network_fuzz.py", "test_model_network.py",
                   "test_dropout_rng.py"]
ISAS = ["generic", "avx2", "avx512"]


# the subprocesses import the very nnfast this process imported (installed or in place),
# and run from a neutral directory so the source tree cannot shadow it
NNFAST_HOME = str(Path(nnfast.__file__).resolve().parent.parent)


def _env(isa):
    env = dict(os.environ)
    env["NNFAST_ISA"] = isa
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [NNFAST_HOME, env.get("PYTHONPATH", "")]))
    return env


def _probe(isa, cwd):
    code = "import nnfast, nnfast._core as c; print(c.get_isa() if hasattr(c, 'get_isa') else '?')"
    return subprocess.run([sys.executable, "-c", code], env=_env(isa), cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("isa", ISAS)
def test_numeric_suite_under_forced_isa(isa, tmp_path):
    probe = _probe(isa, tmp_path)
    assert probe.returncode >= 0, f"import crashed under NNFAST_ISA={isa}: {probe.stderr}"
    if probe.returncode != 0 and "not supported by this CPU" in probe.stderr:
        pytest.skip(f"this CPU cannot run {isa}")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() in (isa, "?"), f"NNFAST_ISA={isa} but the core uses {probe.stdout!r}"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-W", "ignore",
         *[str(TESTS / m) for m in NUMERIC_MODULES]],
        env=_env(isa), cwd=tmp_path, capture_output=True, text=True, timeout=600)
    tail = "\n".join((run.stdout + run.stderr).splitlines()[-40:])
    assert run.returncode == 0, f"NNFAST_ISA={isa}:\n{tail}"


def test_unknown_isa_name_is_an_error_not_a_crash(tmp_path):
    probe = _probe("bogus-isa", tmp_path)
    assert probe.returncode > 0, (probe.returncode, probe.stderr)
    assert "bogus-isa" in probe.stderr
