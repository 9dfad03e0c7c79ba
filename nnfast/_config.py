"""``nnfast.show_config()``: what ran, for a bug report."""

from __future__ import annotations

import os
import platform
import re
import sysconfig

import numpy as np

from . import _core

# The flags setup.py passed to the compiler for this build of the C core (extra_compile_args),
# compiled into the extension as a string.
SETUP_COMPILE_ARGS = _core.COMPILE_ARGS.split()


def compiler_of_extension(path: str) -> str:
    """The compiler named in the extension's ``.comment`` section (GCC and Clang record it
    in ELF binaries), or "unknown"."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return "unknown"
    found = re.findall(rb"(GCC: \([^)\x00]*\) [0-9][0-9.]*|clang version [0-9][0-9.]*)", data)
    names = sorted({m.decode("ascii", "replace") for m in found})
    return ", ".join(names) if names else "unknown"


def numpy_blas() -> str:
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{deps.get('name', '?')} {deps.get('version', '?')}"
    except Exception:  # NumPy < 1.26 has no mode="dicts"
        return "unknown"


def get_config() -> dict[str, str]:
    """The facts :func:`show_config` prints, as a dict of strings."""
    env = {v: os.environ[v] for v in ("NNFAST_ISA", "NNFAST_NUM_THREADS", "OPENBLAS_CORETYPE",
                                      "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if v in os.environ}
    from . import __version__

    return {
        "nnfast": __version__,
        "extension": _core.__file__,
        "SIMD path in use": _core.get_isa(),
        "SIMD paths this CPU supports": ", ".join(_core.supported_isas()),
        "threads": str(_core.get_num_threads()),
        "environment": " ".join(f"{k}={v}" for k, v in env.items()) or "(NNFAST_ISA, NNFAST_NUM_THREADS unset)",
        "compiler (recorded in the extension)": compiler_of_extension(_core.__file__),
        "compile flags (setup.py)": " ".join(SETUP_COMPILE_ARGS),
        "compiler and base flags (sysconfig)":
            f"{sysconfig.get_config_var('CC')} {sysconfig.get_config_var('CFLAGS')}",
        "NumPy": f"{np.__version__} (BLAS: {numpy_blas()})",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "platform": f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} logical CPUs",
    }


def show_config() -> None:
    """Print nnfast's version, the SIMD path in use (and those the CPU supports), the thread
    count, the compiler and flags the C core was built with, and the NumPy, Python and
    platform versions: paste it into a bug report."""
    for key, value in get_config().items():
        print(f"{key + ':':<38} {value}")
