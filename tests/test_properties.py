"""Property-based tests (hypothesis) of every public function and class method.

For each entry of api_registry.API and both float dtypes, hypothesis draws arguments:
shapes from 0 to 200 per axis, memory layouts with steps 1-3 forwards or backwards,
optionally transposed, inside NaN-poisoned buffers, and values among which NaN, +-inf,
-0.0, denormals and huge magnitudes appear at a drawn rate; it draws whether the result
goes to a fresh array or to a strided `out`, and which instruction set computes it. Every
result is checked against the NumPy references (tests/reference.py) with the tolerances
stated per dtype in api_registry's docstring; NaN must appear exactly where the reference
has it.

Softmax of a row containing +inf is NaN for the whole row (inf - inf), as NumPy's
reference computes it; -inf entries get probability 0; an all -inf row is NaN.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnfast
from api_registry import API, IDS, PROPERTY, DrawSource, dtype_of, in_layout

EXAMPLES = int(os.environ.get("NNFAST_HYPOTHESIS_EXAMPLES", "50"))

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),  # CI: the same examples every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    print_blob=True,
)

ISAS = nnfast._core.supported_isas()


@pytest.fixture
def restore_isa():
    isa = nnfast._core.get_isa()
    yield
    nnfast._core.set_isa(isa)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("api", API, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_matches_reference(api, dtype, data, restore_isa):
    src = DrawSource(data.draw)
    nnfast._core.set_isa(src.pick(ISAS))
    args, kwargs = api.draw(src, np.dtype(dtype), PROPERTY)
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    t = dtype_of(api, args)
    with np.errstate(all="ignore"):
        res = api.call(*args, **kwargs)
        api.check(res, args, kwargs, t)  # the references meet the same NaN and inf
    for a, b in zip(args, before):  # inputs are never written
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
    if api.out and src.pick([False, True]):
        # The same call into a drawn `out` layout, prefilled with NaN.
        res_out = np.asarray(api.pick(res))
        out = in_layout(src, np.full(res_out.shape, np.nan, dtype=res_out.dtype))
        with np.errstate(all="ignore"):
            got = api.call(*args, **{**kwargs, "out": out})
        assert api.pick(got) is out
        with np.errstate(all="ignore"):
            api.check(got, args, {**kwargs, "out": out}, t)
    for i in api.inplace:  # updated on copies in the same memory layout (fresh_like)
        assert np.asarray(res[api.inplace.index(i)]).shape == np.shape(args[i])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_softmax_rows_with_inf_documented(dtype):
    """The statement of docs/numerics.md, literally: a row with +inf is all NaN; -inf gets 0; an
    all -inf row is NaN; NaN anywhere makes the row NaN."""
    inf, nan = np.inf, np.nan
    x = np.array([[0.0, inf, 1.0], [0.0, -inf, 0.0], [-inf, -inf, -inf], [1.0, nan, 2.0]], dtype)
    with np.errstate(all="ignore"):
        p = nnfast.softmax(x)
        loss, q = nnfast.softmax_crossentropy(x, np.array([0, 0, 0, 0]))
    assert np.isnan(p[0]).all() and np.isnan(q[0]).all()
    np.testing.assert_array_equal(p[1], np.array([0.5, 0.0, 0.5], dtype))
    assert np.isnan(p[2]).all() and np.isnan(p[3]).all()
    assert np.isnan(loss)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_training_semantics_documented(dtype):
    """The "Training functions" statements of docs/numerics.md, literally."""
    inf, nan = np.inf, np.nan
    t = np.dtype(dtype).type
    with np.errstate(all="ignore"):
        # no clipping in categorical_crossentropy_backward: -y / dvalues / samples
        d = nnfast.categorical_crossentropy_backward(np.array([[0.0, 0.0]], dtype), np.array([0]))
        assert d[0, 0] == -inf and np.isnan(d[0, 1])
        # BCE clips to [1e-7, 1 - 1e-7] in the dtype; NaN stays NaN
        lo = t(1e-7)
        got = nnfast.binary_crossentropy(np.array([[0.0, nan]], dtype), np.array([[1.0, 1.0]], dtype),
                                         reduction="none")
        assert np.isnan(got[0])
        one = nnfast.binary_crossentropy(np.array([[0.0]], dtype), np.array([[1.0]], dtype))
        assert one == -np.log(lo)
        # MAE backward: sign(dvalues - y_true) / outputs / samples, NaN for NaN
        g = nnfast.mean_absolute_error_backward(np.array([[2.0, 0.0, nan, 1.0]], dtype),
                                                np.array([[1.0, 1.0, 1.0, 1.0]], dtype))
        np.testing.assert_array_equal(g, np.array([[0.25, -0.25, nan, 0.0]], dtype))
        # sigmoid saturates to 0 and 1; relu_backward passes NaN inputs
        np.testing.assert_array_equal(nnfast.sigmoid(np.array([-1e4, 1e4, nan], dtype)),
                                      np.array([0.0, 1.0, nan], dtype))
        np.testing.assert_array_equal(
            nnfast.relu_backward(np.array([5.0, 5.0, 5.0], dtype), np.array([nan, 0.0, -0.0], dtype)),
            np.array([5.0, 0.0, 0.0], dtype))
        # dropout stays in the dtype
        out, mask = nnfast.dropout(np.ones(4, dtype), np.array([1, 0, 1, 1]), 0.5)
        assert out.dtype == mask.dtype == dtype
        # a NaN or infinite gradient: that element NaN or infinite
        p = np.zeros(3, dtype)
        nnfast.sgd_update(p, np.array([inf, nan, 1.0], dtype), 0.5)
        assert p[0] == -inf and np.isnan(p[1]) and p[2] == t(-0.5)
        # regularization: each term only when its factor is > 0, accumulated in float64
        assert nnfast.regularization_loss(np.array([-2.0, 3.0], dtype), -1.0, 0.5) == 6.5
    # dense_backward's L1 gradient: sign(0) = +1, as the book's dL1
    dw, db, _ = nnfast.dense_backward(np.zeros((1, 2), dtype), np.zeros((1, 1), dtype),
                                      np.array([[0.0, -1.0]], dtype), np.zeros(2, dtype),
                                      weight_regularizer_l1=0.5)
    np.testing.assert_array_equal(dw, np.array([[0.5, -0.5]], dtype))
