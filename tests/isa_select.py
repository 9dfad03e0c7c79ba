"""Each instruction set in turn, inside one test process: the C library's own switch
(nnf_isa_select, through ctypes on the extension module, which exports the C API), so a
test runs a kernel's every SIMD path without a subprocess per set. The set in use before is
restored after each test."""
import ctypes

import pytest

import nnfast._core

LIB = ctypes.CDLL(nnfast._core.__file__)
LIB.nnf_isa_name.restype = ctypes.c_char_p


@pytest.fixture(params=["generic", "avx2", "avx512"])
def each_isa(request):
    current = LIB.nnf_isa_name(ctypes.c_int.in_dll(LIB, "nnf_isa_current").value)
    if LIB.nnf_isa_select(request.param.encode()) != 0:
        pytest.skip(f"this CPU cannot run {request.param}")
    yield request.param
    assert LIB.nnf_isa_select(current) == 0
