"""Build nnfast's C extension `nnfast._core` from csrc/ (metadata lives in pyproject.toml)."""
import sys
from pathlib import Path

import numpy as np
from setuptools import Extension, setup

HERE = Path(__file__).parent
SOURCES = sorted(str(p.relative_to(HERE)) for p in (HERE / "csrc").glob("*.c"))

# Portable flags only: SIMD beyond the platform baseline is chosen at run time, never assumed
# at build time, so a wheel built here runs on any CPU of the architecture.
if sys.platform == "win32":
    COMPILE_ARGS = ["/O2"]
else:
    COMPILE_ARGS = ["-O3", "-std=c11", "-ffp-contract=fast", "-fopenmp-simd", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter", "-pthread"]

setup(
    ext_modules=[
        Extension(
            "nnfast._core",
            sources=SOURCES,
            include_dirs=[np.get_include(), "csrc"],
            depends=sorted(str(p.relative_to(HERE)) for p in (HERE / "csrc").glob("*.[hi]*")),
            extra_compile_args=COMPILE_ARGS,
            extra_link_args=[] if sys.platform == "win32" else ["-pthread"],
            # The flags, compiled in, so nnfast.show_config() reports what this build used.
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION"),
                           ("NNF_COMPILE_ARGS", '"' + " ".join(COMPILE_ARGS) + '"')],
        )
    ]
)
