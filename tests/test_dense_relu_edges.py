"""nnfast.dense with activation="relu" where the sums are NaN or infinite, on each product
path that applies the ReLU to whole registers (the short-k rows, the few-columns broadcast,
the register tiles read in place or packed) and the others (a few rows, a few columns, one
row), on every instruction set, both dtypes: the ReLU keeps NaN (np.maximum(0, NaN) is
NaN), sends -inf and negatives to 0 and keeps +inf, as NumPy's np.maximum(0, x @ w + b)."""
import numpy as np
import pytest

import nnfast
from conftest import as_layout, random_array
from isa_select import each_isa  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("each_isa")
@pytest.mark.parametrize("m,k,n", [(37, 2, 64), (37, 3, 20), (37, 6, 7), (37, 6, 3), (70, 40, 50),
                                   (130, 300, 70), (3, 20, 64), (37, 64, 3), (1, 20, 30)])
@pytest.mark.parametrize("layout", ["C", "Tstrided"])
def test_relu_keeps_nan_and_infinity_on_every_path(rng, dtype, m, k, n, layout):
    x = random_array(rng, (m, k), dtype)
    w = random_array(rng, (k, n), dtype)
    b = random_array(rng, (n,), dtype)
    x[m // 2, k - 1] = np.nan  # a NaN row
    if m > 2:
        x[m - 1, 0] = np.inf  # a row of +inf and -inf (by the sign of w's first row)
        w[0, : n // 2] = np.abs(w[0, : n // 2]) + 1
        w[0, n // 2:] = -np.abs(w[0, n // 2:]) - 1
    got = nnfast.dense(as_layout(x, layout), w, b, activation="relu")
    with np.errstate(invalid="ignore"):
        want = np.maximum(0, x.astype(np.float64) @ w.astype(np.float64) + b)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    bound = (k + 2) * np.finfo(dtype).eps * (np.abs(x[np.isfinite(x).all(axis=1)]).astype(
        np.float64) @ np.abs(w).astype(np.float64) + np.abs(b)).max(initial=0)
    np.testing.assert_allclose(got[finite], want[finite], rtol=0, atol=bound + 1e-30)
    assert np.all(got[np.isinf(want)] == np.inf)
    assert not np.any(got < 0)
