"""dense with a softmax over 2 or 3 outputs (the classifiers' last layer) gives bitwise
softmax(dense(...)): csrc/gemm/narrow.inc takes the softmax of each block of rows across
SIMD lanes as the sums leave the registers, with softmax's own steps in its order, on every
instruction set, for every row wherever it falls in a block; NaN, infinities and values
whose exp overflows or underflows included."""

import numpy as np
import pytest

import nnfast
from nnfast import _core


@pytest.fixture
def each_isa():
    isa = _core.get_isa()
    yield _core.supported_isas()
    _core.set_isa(isa)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [2, 3])
def test_softmax_of_narrow_dense_is_softmax_of_dense(each_isa, dtype, n):
    rng = np.random.default_rng(n)
    m, k = 37, 40  # k fills registers (dense_narrow), m no multiple of a block of rows
    x = rng.standard_normal((m, k)).astype(dtype)
    w = rng.standard_normal((k, n)).astype(dtype)
    x[::4] *= 300  # sums whose exp under- or overflows: libm's exp for those lanes
    x[5, 3], x[9, 0], x[11, :] = np.nan, np.inf, -np.inf
    biases = [rng.standard_normal(n).astype(dtype), np.zeros(n, dtype)]
    for name in each_isa:
        _core.set_isa(name)
        for b in biases:
            for xv in (x, x[::-1], np.asfortranarray(x)):
                fused = nnfast.dense(xv, w, b, "softmax")
                z = nnfast.dense(xv, w, b)
                apart = nnfast.softmax(z)
                assert np.isnan(fused).any() and (fused == 0).any()
                np.testing.assert_array_equal(fused, apart, err_msg=f"{name}, bias {b[0]}")
                # an output with rows apart (softmax row by row) gives the same numbers
                out = np.empty((m, n + 1), dtype)[:, :n]
                nnfast.dense(xv, w, b, "softmax", out=out)
                np.testing.assert_array_equal(out, apart, err_msg=name)
