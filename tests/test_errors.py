"""Every error path of the contract: exception type and a message naming the problem.

Never a crash, never a silent wrong number.
"""

import re

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn

F64 = np.float64


def raises(exc, fn, *args, patterns=(), **kwargs):
    """Call fn and check it raises exactly ``exc`` (or a subclass) with a message that
    matches every regex in ``patterns`` (case-insensitive)."""
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    msg = str(info.value)
    for pat in patterns:
        assert re.search(pat, msg, re.IGNORECASE), f"{pat!r} not found in message {msg!r}"
    return msg


def shape_re(*dims):
    """Regex for a shape tuple such as (3, 4) or (3,4)."""
    return r"\(" + r",\s*".join(str(d) for d in dims) + r",?\)"


BAD_DTYPES = [
    ("complex", np.ones(3, np.complex128), r"complex"),
    ("float16", np.ones(3, np.float16), r"float16"),
    ("object", np.array([1.0, None, 2.0], dtype=object), r"object"),
    ("str", np.array(["a", "b", "c"]), r"str|<U|unicode|U1"),
    ("datetime", np.array(["2020-01-01"] * 3, dtype="datetime64[D]"), r"datetime"),
]


# ---------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("a,b,pat", [
    (np.ones((3, 4)), np.ones((5, 2)), [shape_re(3, 4), shape_re(5, 2), "not aligned"]),
    (np.ones(3), np.ones(4), [shape_re(3), shape_re(4), "not aligned"]),
    (np.ones((2, 3)), np.ones(4), [shape_re(2, 3), shape_re(4), "not aligned"]),
    (np.ones(3), np.ones((4, 2)), [shape_re(3), shape_re(4, 2), "not aligned"]),
    (np.ones((0, 3)), np.ones((2, 0)), [shape_re(0, 3), shape_re(2, 0), "not aligned"]),
], ids=["mm", "vv", "mv", "vm", "empty"])
def test_dot_not_aligned(a, b, pat):
    msg = raises(ValueError, nnfast.dot, a, b, patterns=pat + ["dot"])
    if a.shape == (3, 4):  # the contract's exact format
        assert "4 (dim 1) != 5 (dim 0)" in msg


@pytest.mark.parametrize("a,b", [
    (np.float64(2.0), np.ones(3)),
    (np.ones(3), np.array(2.0)),
    (np.ones((2, 2, 2)), np.ones((2, 2))),
    (np.ones((2, 2)), np.ones((2, 2, 2))),
    (np.ones((1, 1, 1, 1)), np.ones(1)),
], ids=["0d-a", "0d-b", "3d-a", "3d-b", "4d"])
def test_dot_bad_ndim(a, b):
    raises(ValueError, nnfast.dot, a, b, patterns=[r"dot", r"ndim|dimension|1-D|2-D|0-d|3-d|\bd\b"])


@pytest.mark.parametrize("name,bad,pat", BAD_DTYPES, ids=[d[0] for d in BAD_DTYPES])
@pytest.mark.parametrize("position", ["a", "b"])
def test_dot_bad_dtype(name, bad, pat, position):
    good = np.ones(3, np.float16 if name == "float16" else np.float64)
    a, b = (bad, good) if position == "a" else (good, bad)
    raises(TypeError, nnfast.dot, a, b, patterns=[pat, r"dot"])


def test_dot_none_argument():
    raises(TypeError, nnfast.dot, None, np.ones(3), patterns=[r"dot"])
    raises(TypeError, nnfast.dot, np.ones(3), None, patterns=[r"dot"])


def test_dot_out_errors():
    a, b = np.ones((3, 4)), np.ones((4, 2))
    raises(TypeError, nnfast.dot, a, b, out=[[0.0, 0.0]] * 3, patterns=["out"])
    raises(TypeError, nnfast.dot, a, b, out=np.empty((3, 2), np.float32), patterns=["out", "float32|dtype"])
    raises(TypeError, nnfast.dot, a.astype(np.float32), b.astype(np.float32),
           out=np.empty((3, 2), np.float64), patterns=["out"])
    raises(ValueError, nnfast.dot, a, b, out=np.empty((2, 3)), patterns=["out", shape_re(2, 3)])
    raises(ValueError, nnfast.dot, a, b, out=np.empty((3, 2, 1)), patterns=["out"])
    raises(ValueError, nnfast.dot, a, b, out=np.empty(6), patterns=["out"])
    ro = np.zeros((3, 2))
    ro.flags.writeable = False
    raises(ValueError, nnfast.dot, a, b, out=ro, patterns=["out", "writ|read-only|readonly"])
    np.testing.assert_array_equal(ro, 0)
    raises(ValueError, nnfast.dot, np.ones((3, 4)), np.ones(4), out=np.empty(4), patterns=["out"])


# ---------------------------------------------------------------------------
# dense
# ---------------------------------------------------------------------------

X, W, B = np.ones((5, 3)), np.ones((3, 4)), np.ones(4)


@pytest.mark.parametrize("args,name,shapes", [
    ((np.ones((5, 2)), W, B), "inputs|weights", [shape_re(5, 2), shape_re(3, 4)]),
    ((np.ones(2), W, B), "inputs|weights", [shape_re(2), shape_re(3, 4)]),
    ((X, np.ones((2, 4)), B), "inputs|weights", [shape_re(5, 3), shape_re(2, 4)]),
    ((X, W, np.ones(3)), "biases", [shape_re(3)]),
    ((X, W, np.ones(5)), "biases", [shape_re(5)]),
    ((X, W, np.ones((1, 3))), "biases", [shape_re(1, 3)]),
    ((X, W, np.ones((2, 4))), "biases", [shape_re(2, 4)]),
    ((X, W, np.ones((5, 4))), "biases", [shape_re(5, 4)]),
    ((X, W, np.ones((1, 1, 4))), "biases", []),
    ((X, W, np.float64(1.0)), "biases", []),
    ((X, np.ones(3), B), "weights", [shape_re(3)]),
    ((X, np.ones((3, 4, 1)), B), "weights", []),
    ((X, np.float64(1.0), B), "weights", []),
    ((np.float64(1.0), W, B), "inputs", []),
    ((np.ones((5, 3, 1)), W, B), "inputs", []),
], ids=["inputs-cols", "sample-len", "weights-rows", "bias-short", "bias-long", "bias-2d-short",
        "bias-2rows", "bias-per-sample", "bias-3d", "bias-0d", "weights-1d", "weights-3d",
        "weights-0d", "inputs-0d", "inputs-3d"])
def test_dense_bad_shapes(args, name, shapes):
    raises(ValueError, nnfast.dense, *args, patterns=["dense", name] + shapes)


@pytest.mark.parametrize("name,bad,pat", BAD_DTYPES, ids=[d[0] for d in BAD_DTYPES])
@pytest.mark.parametrize("position", [0, 1, 2], ids=["inputs", "weights", "biases"])
def test_dense_bad_dtype(name, bad, pat, position):
    shapes = [(2, 3), (3, 3), (3,)]
    dt = np.float16 if name == "float16" else np.float64
    args = [np.ones(s, dt) for s in shapes]
    args[position] = np.resize(bad, shapes[position]) if bad.dtype != object else \
        np.array(np.resize(bad, shapes[position]), dtype=object)
    argname = ["inputs", "weights", "biases"][position]
    raises(TypeError, nnfast.dense, *args, patterns=[pat, "dense"] + ([argname] if name != "float16" else []))


@pytest.mark.parametrize("activation", ["tanh", "ReLU ", "", "sigmoid"])
def test_dense_unknown_activation(activation):
    raises(ValueError, nnfast.dense, X, W, B, activation=activation,
           patterns=["activation", re.escape(repr(activation)) + "|" + re.escape(activation) if activation else "activation"])


@pytest.mark.parametrize("activation", [3, 1.5, b"relu", ["relu"], nnfast.relu])
def test_dense_non_string_activation(activation):
    raises(TypeError, nnfast.dense, X, W, B, activation=activation, patterns=["activation"])


def test_dense_out_errors():
    raises(TypeError, nnfast.dense, X, W, B, out=[[0.0] * 4] * 5, patterns=["out"])
    raises(TypeError, nnfast.dense, X, W, B, out=np.empty((5, 4), np.float32), patterns=["out"])
    raises(ValueError, nnfast.dense, X, W, B, out=np.empty((4, 5)), patterns=["out", shape_re(4, 5)])
    raises(ValueError, nnfast.dense, X, W, B, out=np.empty((1, 4)), patterns=["out"])
    raises(ValueError, nnfast.dense, X[0], W, B, out=np.empty((1, 4)), patterns=["out"])
    ro = np.zeros((5, 4))
    ro.flags.writeable = False
    raises(ValueError, nnfast.dense, X, W, B, out=ro, patterns=["out"])
    np.testing.assert_array_equal(ro, 0)


# ---------------------------------------------------------------------------
# relu / linear / softmax
# ---------------------------------------------------------------------------

ACTS = {"relu": nnfast.relu, "linear": nnfast.linear, "softmax": nnfast.softmax}


@pytest.mark.parametrize("fname", sorted(ACTS))
@pytest.mark.parametrize("name,bad,pat", BAD_DTYPES, ids=[d[0] for d in BAD_DTYPES])
def test_activation_bad_dtype(fname, name, bad, pat):
    raises(TypeError, ACTS[fname], bad, patterns=[pat, fname])


@pytest.mark.parametrize("fname", sorted(ACTS))
def test_activation_none_and_strings(fname):
    raises(TypeError, ACTS[fname], None, patterns=[fname])
    raises(TypeError, ACTS[fname], "abc", patterns=[fname])


def test_softmax_zero_dim():
    raises(ValueError, nnfast.softmax, np.float64(1.0), patterns=["softmax"])
    raises(ValueError, nnfast.softmax, 2.0, patterns=["softmax"])


@pytest.mark.parametrize("fname", sorted(ACTS))
def test_activation_out_errors(fname):
    fn = ACTS[fname]
    x = np.ones((3, 4))
    raises(TypeError, fn, x, out=[[0.0] * 4] * 3, patterns=["out"])
    raises(TypeError, fn, x, out=np.empty((3, 4), np.float32), patterns=["out"])
    raises(TypeError, fn, x.astype(np.float32), out=np.empty((3, 4)), patterns=["out"])
    raises(TypeError, fn, x, out=np.empty((3, 4), np.int64), patterns=["out"])
    raises(ValueError, fn, x, out=np.empty((4, 3)), patterns=["out", shape_re(4, 3)])
    raises(ValueError, fn, x, out=np.empty(12), patterns=["out"])
    raises(ValueError, fn, x, out=np.empty((1, 4)), patterns=["out"])  # no broadcasting
    ro = np.zeros((3, 4))
    ro.flags.writeable = False
    raises(ValueError, fn, x, out=ro, patterns=["out"])
    np.testing.assert_array_equal(ro, 0)


# ---------------------------------------------------------------------------
# categorical_crossentropy / softmax_crossentropy / accuracy
# ---------------------------------------------------------------------------

P = np.full((6, 3), 1 / 3)


def _cce(y_pred, y_true, **kw):
    return nnfast.categorical_crossentropy(y_pred, y_true, **kw)


def _scce(y_pred, y_true):
    return nnfast.softmax_crossentropy(y_pred, y_true)


LOSSES = {"categorical_crossentropy": _cce, "softmax_crossentropy": _scce}


@pytest.mark.parametrize("fname", sorted(LOSSES))
@pytest.mark.parametrize("label_dtype", [np.int64, np.int8, np.int32])
def test_loss_label_too_large(fname, label_dtype):
    y = np.array([0, 1, 2, 0, 7, 1], label_dtype)  # 7 at position 4, 3 classes
    raises(IndexError, LOSSES[fname], P, y, patterns=["7", "4", "y_true|label"])


@pytest.mark.parametrize("fname", sorted(LOSSES))
@pytest.mark.parametrize("label_dtype", [np.int64, np.int8, np.int16])
def test_loss_label_negative(fname, label_dtype):
    y = np.array([0, 1, 2, -5, 0, 1], label_dtype)  # -5 at position 3
    raises(IndexError, LOSSES[fname], P, y, patterns=["-5", "3", "y_true|label"])


@pytest.mark.parametrize("fname", sorted(LOSSES))
def test_loss_label_equal_to_classes(fname):
    y = np.array([0, 1, 2, 0, 1, 3])  # 3 == n_classes at position 5
    raises(IndexError, LOSSES[fname], P, y, patterns=["3", "5"])


@pytest.mark.parametrize("fname", sorted(LOSSES))
def test_loss_huge_unsigned_label(fname):
    y = np.array([0, 1, 2, 0, 1, 2**64 - 1], np.uint64)
    raises(IndexError, LOSSES[fname], P, y, patterns=["y_true|label"])
    y = np.array([0, 1, 2, 0, 1, 2**32 + 1], np.uint64)  # would wrap to 1 if truncated to 32 bits
    raises(IndexError, LOSSES[fname], P, y, patterns=["y_true|label"])


@pytest.mark.parametrize("fname", sorted(LOSSES))
@pytest.mark.parametrize("n_labels", [0, 5, 7])
def test_loss_wrong_label_count(fname, n_labels):
    y = np.zeros(n_labels, np.int64)
    raises(ValueError, LOSSES[fname], P, y, patterns=["y_true", str(n_labels), "6"])


@pytest.mark.parametrize("fname", sorted(LOSSES))
@pytest.mark.parametrize("shape", [(6, 2), (6, 4), (5, 3), (6, 0)], ids=str)
def test_loss_onehot_wrong_shape(fname, shape):
    raises(ValueError, LOSSES[fname], P, np.zeros(shape), patterns=["y_true", shape_re(*shape)])


@pytest.mark.parametrize("fname", sorted(LOSSES))
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_loss_float_index_labels(fname, dt):
    raises(TypeError, LOSSES[fname], P, np.zeros(6, dt), patterns=["y_true"])


@pytest.mark.parametrize("fname", sorted(LOSSES))
def test_loss_bad_label_dtype_and_ndim(fname):
    raises(TypeError, LOSSES[fname], P, np.array(["a"] * 6), patterns=["y_true"])
    raises(TypeError, LOSSES[fname], P, np.zeros(6, np.complex128), patterns=["y_true"])
    raises(ValueError, LOSSES[fname], P, np.zeros((6, 3, 1), np.int64), patterns=["y_true"])
    raises((ValueError, TypeError), LOSSES[fname], P, np.int64(1), patterns=["y_true"])


@pytest.mark.parametrize("fname", sorted(LOSSES))
@pytest.mark.parametrize("y_pred", [np.full(3, 1 / 3), np.full((2, 3, 1), 0.5), np.float64(0.5)],
                         ids=["1d", "3d", "0d"])
def test_loss_predictions_not_2d(fname, y_pred):
    argname = "y_pred" if fname == "categorical_crossentropy" else "logits"
    raises(ValueError, LOSSES[fname], y_pred, np.zeros(np.shape(y_pred)[:1] or (1,), np.int64),
           patterns=[argname])


@pytest.mark.parametrize("fname", sorted(LOSSES))
@pytest.mark.parametrize("name,bad,pat", BAD_DTYPES, ids=[d[0] for d in BAD_DTYPES])
def test_loss_bad_prediction_dtype(fname, name, bad, pat):
    y_pred = np.array(np.resize(bad, (3, 3)), dtype=bad.dtype)
    raises(TypeError, LOSSES[fname], y_pred, np.array([0, 1, 2]), patterns=[pat])


@pytest.mark.parametrize("reduction", ["avg", "MEAN", "", "batchmean"])
def test_cce_unknown_reduction(reduction):
    raises(ValueError, _cce, P, np.zeros(6, np.int64), reduction=reduction, patterns=["reduction"])


@pytest.mark.parametrize("reduction", [None, 1, ["mean"]])
def test_cce_non_string_reduction(reduction):
    raises((TypeError, ValueError), _cce, P, np.zeros(6, np.int64), reduction=reduction,
           patterns=["reduction"])


def test_accuracy_errors():
    raises(ValueError, nnfast.accuracy, P, np.zeros(5, np.int64), patterns=["y_true|shape"])
    raises(ValueError, nnfast.accuracy, P, np.zeros((6, 4)), patterns=["y_true|shape"])
    raises(TypeError, nnfast.accuracy, np.ones((3, 3), np.complex128), np.zeros(3, np.int64))


def test_errors_leave_no_partial_output():
    # a failing call must not have written into out
    out = np.full((3, 2), 7.0)
    with pytest.raises(ValueError):
        nnfast.dot(np.ones((3, 4)), np.ones((5, 2)), out=out)
    np.testing.assert_array_equal(out, 7.0)


# ---------------------------------------------------------------------------
# nnfast.nn and datasets
# ---------------------------------------------------------------------------

def test_nn_errors():
    layer = nn.Layer_Dense(2, 3)
    with pytest.raises(ValueError, match=r"\(4, ?5\)|inputs|weights"):
        layer.forward(np.ones((4, 5)))
    with pytest.raises(TypeError):
        nn.Activation_ReLU().forward(np.ones(3, np.complex128))
    with pytest.raises(ValueError):
        nn.Activation_Softmax().forward(np.float64(1.0))
    with pytest.raises(IndexError):
        nn.Loss_CategoricalCrossentropy().calculate(P, np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ValueError):
        nn.Neuron([1.0, 2.0], 0.0).forward([1.0, 2.0, 3.0])
