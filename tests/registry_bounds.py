"""Tolerance maths and result checks of the API registry (api_registry.py).

Tolerances (eps, tiny: np.finfo(dtype).eps and .tiny):
- products (dot, dense, Neuron, Layer_Dense): against np.dot in np.longdouble, every
  finite element within (k + 2) * eps * (|a| @ |b| + |bias|) + (k + 2) * tiny, the classic
  bound for a k-term sum in any order; NaN and +-inf exactly where the long-double product
  has them. Values that could overflow a partial sum (whose result would then depend on
  the summation order) are not drawn for products: "huge" is 1e150 (float64), 1e17 (float32).
- softmax: against the long-double softmax, relative error eps * (n + 10 + |x - max(x)|)
  (the rounding of x - max is amplified by exp), absolute 2 * tiny; NaN rows exactly.
- losses: per sample eps * (n + 4) + 4 * eps * |loss| (one rounding per term of the
  one-hot sum, the log, the clip bounds in the dtype); mean/sum the same bound averaged.
- relu, linear, accuracy, spiral_data: exact (NaN where NumPy has NaN, signs of zeros too).

Training, eps and tiny of the compute dtype again:
- element-wise formulas (sigmoid, sigmoid/cce/softmax-cce/BCE/MSE/MAE backward, dropout,
  optimizer states): against the book's expression evaluated by NumPy in the compute dtype,
  within k * eps * |expected| + k * tiny, k = 4 for exp/log (NumPy's against libm's),
  2-4 for a few roundings, 0 for dropout (the same single roundings); relu_backward exact.
- optimizer parameters: 2 * steps * eps * (|param| + 8 * |update|) + 4 * steps * tiny (fused
  multiply-adds and the update's roundings); states 4 * steps ulps.
- dense_backward, Layer_Dense.backward: the product bound above per product ((m + 4) for
  dweights/dbiases, (n + 4) for dinputs) over |inputs|.T @ |dvalues| plus each regularization
  term. softmax_backward: eps * |s| * ((n + 3) * sum|s * dvalues| + 2 |dvalues|) + 2 eps
  |expected| + 2 tiny against long double.
- BCE/MSE/MAE losses: per sample eps * (sum of per-element bounds + (n + 2) * sum |term|) / n
  + eps * |loss| + tiny against long double with the clip bounds rounded to the dtype;
  Loss.calculate adds (log2(m + 1) + 1) * eps * mean|loss| for np.mean's pairwise sum.
- regularization_loss (float64 accumulation): (size + 3) * eps64 * (l1 sum|x| + l2 sum x^2).
- Model.predict/evaluate: the product bound carried through both layers (the first layer's
  error times |W2|), softmax as for dense; accuracy within the rows whose top two
  probabilities are closer than their bounds.
"""

import numpy as np

import reference as ref

LD = np.longdouble


def eps_tiny(dtype):
    fi = np.finfo(dtype)
    return LD(fi.eps), LD(fi.tiny)


def result_dtype(*arrays):
    """The dtype nnfast computes in: NumPy's float result type, float64 for integers."""
    t = np.result_type(*[np.asarray(a) for a in arrays])
    return t if t in (np.float32, np.float64) else np.dtype(np.float64)


def assert_classified_close(actual, expected, bound, what=""):
    """actual (dtype) against expected (long double): NaN exactly where expected is NaN,
    the same infinities, finite values within bound (an array or scalar)."""
    actual = np.asarray(actual)
    expected = np.asarray(expected, dtype=LD)
    assert actual.shape == expected.shape, f"{what}shape {actual.shape} != {expected.shape}"
    nan = np.isnan(expected)
    bad = np.isnan(actual) != nan
    assert not bad.any(), (f"{what}NaN mismatch at {np.argwhere(bad)[:5].tolist()}: "
                           f"got {actual[bad][:5]}, expected {expected[bad][:5]}")
    inf = np.isinf(expected)
    bad = inf & (actual.astype(LD) != expected)
    assert not bad.any(), f"{what}inf mismatch: got {actual[bad][:5]}, expected {expected[bad][:5]}"
    fin = ~nan & ~inf
    bound = np.broadcast_to(np.asarray(bound, dtype=LD), expected.shape)
    err = np.abs(actual.astype(LD) - expected)
    bad = fin & ~(err <= bound)
    assert not bad.any(), (f"{what}error above bound at {np.argwhere(bad)[:5].tolist()}: got "
                           f"{actual[bad][:5]}, expected {expected[bad][:5]}, bound {bound[bad][:5]}")


def assert_exact(actual, expected, dtype):
    """Same dtype and shape; NaN at the same places; equal values with equal signs."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.dtype == dtype, f"dtype {actual.dtype} != {dtype}"
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_array_equal(actual, expected.astype(dtype))
    same = ~np.isnan(expected)
    np.testing.assert_array_equal(np.signbit(actual[same]), np.signbit(expected[same]))


def softmax_bound(x_ld, p_ld, dtype):
    eps, tiny = eps_tiny(dtype)
    n = x_ld.shape[-1] if x_ld.ndim else 1
    with np.errstate(invalid="ignore"):
        d = np.abs(x_ld - np.max(x_ld, axis=-1, keepdims=True)) if x_ld.size else x_ld
    d = np.where(np.isfinite(d), d, 0)
    return eps * (n + 10 + d) * np.abs(p_ld) + 2 * tiny


def check_softmax_rows(actual, x, dtype, what=""):
    x_ld = np.asarray(x, dtype=LD)
    with np.errstate(all="ignore"):
        p = ref.softmax(x_ld)
    assert np.asarray(actual).dtype == dtype, f"{what}dtype {np.asarray(actual).dtype} != {dtype}"
    assert_classified_close(actual, p, softmax_bound(x_ld, p, dtype), what)


def check_affine(actual, a, b, bias, activation, dtype, shape=None):
    """actual == activation(a @ b + bias) within the product bound (bias may be None or a
    scalar/array broadcast as NumPy does)."""
    eps, tiny = eps_tiny(dtype)
    a, b = np.asarray(a), np.asarray(b)
    k = a.shape[-1] if a.ndim else 1
    with np.errstate(all="ignore"):
        z = ref.dot_longdouble(a, b)
        mag = ref.dot_longdouble(np.abs(a), np.abs(b))
        if bias is not None:
            z = z + np.asarray(bias, dtype=LD)
            mag = mag + np.abs(np.asarray(bias, dtype=LD))
    if shape is not None:
        z, mag = z.reshape(shape), mag.reshape(shape)
    bound = (k + 2) * eps * np.where(np.isfinite(mag), mag, 0) + (k + 2) * tiny
    actual_arr = np.asarray(actual)
    assert actual_arr.dtype == dtype, f"dtype {actual_arr.dtype} != {dtype}"
    if activation in (None, "linear"):
        assert_classified_close(actual, z, bound)
    elif activation == "relu":
        with np.errstate(invalid="ignore"):
            assert_classified_close(actual, np.where(z < 0, LD(0), z), bound)
    else:  # softmax: the logits' error e moves each probability by a factor up to exp(2e)
        with np.errstate(all="ignore"):
            p = ref.softmax(z)
            e = np.max(bound, axis=-1, keepdims=True) if z.size else bound
            factor = np.expm1(2 * e)
            moved = np.where(factor > 1, 1, factor * np.abs(p))  # a probability stays in [0, 1]
        assert_classified_close(actual, p, softmax_bound(z, p, dtype) + moved)


def loss_bound(losses, n, dtype):
    eps, _ = eps_tiny(dtype)
    with np.errstate(invalid="ignore"):
        return eps * (n + 4) + 4 * eps * np.where(np.isfinite(losses), np.abs(losses), 0)


def check_cce(actual, y_pred, y_true, reduction, dtype, n_extra=0):
    """categorical_crossentropy against the long-double reference (labels as given)."""
    p = np.asarray(y_pred, dtype=LD)
    y = np.asarray(y_true)
    y = y.astype(LD) if y.ndim == 2 else y
    n = p.shape[1]
    with np.errstate(all="ignore"):
        per = ref.categorical_crossentropy_samples(p, y)
    bound = loss_bound(per, n + n_extra, dtype)
    actual_arr = np.asarray(actual)
    assert actual_arr.dtype == dtype, f"dtype {actual_arr.dtype} != {dtype}"
    if reduction == "none":
        assert_classified_close(actual, per, bound)
        return
    with np.errstate(all="ignore"):
        total = np.sum(per)
        expected = total if reduction == "sum" else (total / len(per) if len(per) else LD(np.nan))
        b = np.sum(bound) if reduction == "sum" else (np.mean(bound) if len(per) else 0)
    assert actual_arr.shape == (), actual_arr.shape
    assert_classified_close(actual, expected, b)


def in_dtype(dtype, *arrays):
    return [np.asarray(a).astype(dtype) for a in arrays]


def ulp_bound(expected, dtype, k):
    """k roundings of the result: k * eps * |expected| + k * tiny."""
    eps, tiny = eps_tiny(dtype)
    with np.errstate(invalid="ignore"):
        mag = np.where(np.isfinite(expected), np.abs(np.asarray(expected, dtype=LD)), 0)
    return k * eps * mag + k * tiny


def check_steps(actual, before, expected, dtype, steps, what=""):
    """Parameters after `steps` optimizer steps from `before`, against the book's steps in
    the same dtype: 2 * steps * eps * (|before| + 8 * |update|) + 4 * steps * tiny (fused
    multiply-adds and the update's roundings, per step)."""
    eps, tiny = eps_tiny(dtype)
    assert np.asarray(actual).dtype == dtype, f"{what}dtype {np.asarray(actual).dtype} != {dtype}"
    with np.errstate(all="ignore"):
        update = np.asarray(expected, dtype=LD) - np.asarray(before, dtype=LD)
        mag = np.abs(np.asarray(before, dtype=LD)) + 8 * np.abs(update)
    bound = 2 * steps * eps * np.where(np.isfinite(mag), mag, 0) + 4 * steps * tiny
    assert_classified_close(actual, expected, bound, what)


def check_ulps(actual, expected, dtype, k, what=""):
    actual_arr = np.asarray(actual)
    assert actual_arr.dtype == dtype, f"{what}dtype {actual_arr.dtype} != {dtype}"
    assert_classified_close(actual, np.asarray(expected, dtype=LD), ulp_bound(expected, dtype, k),
                            what)
