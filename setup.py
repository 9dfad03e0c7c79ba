"""Build nnfast's C extension `nnfast._core` from csrc/ (metadata lives in pyproject.toml)."""
import os
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
# Every C file under csrc/ (the core and the binding), except the C library's example programs.
SOURCES = sorted(str(p.relative_to(HERE)) for p in (HERE / "csrc").rglob("*.c")
                 if "examples" not in p.relative_to(HERE / "csrc").parts)


def compiler_is_clang():
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or ""
    return "clang" in cc or sys.platform == "darwin"  # Apple's cc is clang


# Multiply-adds are fused (the GEMM's a * b + c), except where a file's pragma turns it off
# so that a kernel rounds as NumPy's expression does (optimizers, backward, losses). clang
# ignores that pragma under -ffp-contract=fast but honours it under "on", which still fuses
# within an expression; GCC before 14 has no "on" (it means off) and honours its pragma.
FP_CONTRACT = "-ffp-contract=on" if compiler_is_clang() else "-ffp-contract=fast"

# Portable flags only: SIMD beyond the platform baseline is chosen at run time, never assumed
# at build time, so a wheel built here runs on any CPU of the architecture.
# GCC or Clang only: the kernels use their vector extensions and the pool POSIX threads.
# -g0 overrides the -g in Python's own CFLAGS (sysconfig), which would put about 4 MB of
# debug information into the extension and the wheel; function names stay in the symbol table.
COMPILE_ARGS = ["-O3", "-g0", "-std=c11", FP_CONTRACT, "-fopenmp-simd", "-fno-math-errno",
                "-Wall", "-Wextra", "-Wno-unused-parameter", "-pthread"]


class build_ext_parallel(build_ext):
    """build_ext compiling the C files a core each (setuptools runs one compiler after
    another within an extension, and the ISA files take most of the build), as pip install,
    the wheel and the sanitizer build all do."""

    def build_extensions(self) -> None:
        compile_files = self.compiler.compile
        cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                 else os.cpu_count())

        def compile_each(sources, *args, **kwargs):  # the objects in the order of sources
            with ThreadPoolExecutor(max(1, cores or 1)) as pool:
                return [obj for objects in pool.map(lambda s: compile_files([s], *args, **kwargs),
                                                    sources) for obj in objects]
        self.compiler.compile = compile_each
        super().build_extensions()


setup(
    cmdclass={"build_ext": build_ext_parallel},
    ext_modules=[
        Extension(
            "nnfast._core",
            sources=SOURCES,
            include_dirs=[np.get_include(), "csrc"],
            depends=sorted(str(p.relative_to(HERE)) for p in (HERE / "csrc").rglob("*.[hi]*")),
            extra_compile_args=COMPILE_ARGS,
            extra_link_args=["-pthread"],
            # The flags, compiled in, so nnfast.show_config() reports what this build used.
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION"),
                           ("NNF_COMPILE_ARGS", '"' + " ".join(COMPILE_ARGS) + '"')],
        )
    ]
)
