"""Backward passes and the book's other losses: finite-difference gradient checks in float64
for every backward pass and every loss, and single calls against the NumPy reference of the
book's classes (nnfast.baseline.book), both dtypes, contiguous and strided, within the
error bounds of the registry's checks (registry_bounds)."""
import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
from nnfast.baseline import book as ref  # the book's classes in plain NumPy
from api_registry import BY_NAME, check_row
from conftest import LAYOUTS, as_layout, random_array


def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to every element of x (in place)."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def check(analytic, numeric, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------- dense

@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (5, 3, 4), (7, 2, 9), (6, 9, 3), (12, 20, 17)])
@pytest.mark.parametrize("reg", [(0, 0, 0, 0), (1e-2, 5e-3, 2e-2, 3e-3)])
def test_dense_backward_finite_differences(rng, m, k, n, reg):
    x = rng.standard_normal((m, k))
    w = rng.standard_normal((k, n))
    b = rng.standard_normal((1, n))
    upstream = rng.standard_normal((m, n))
    wl1, wl2, bl1, bl2 = reg

    def loss():  # sum(upstream * output) + the regularization loss the gradient includes
        out = x @ w + b
        return (np.sum(upstream * out) + wl1 * np.abs(w).sum() + wl2 * (w * w).sum()
                + bl1 * np.abs(b).sum() + bl2 * (b * b).sum())

    dw, db, dx = nnfast.dense_backward(upstream, x, w, b, *reg)
    check(dw, numeric_grad(loss, w))
    check(db, numeric_grad(loss, b))
    check(dx, numeric_grad(loss, x))
    assert db.shape == (1, n) and dw.shape == (k, n) and dx.shape == (m, k)


def test_dense_backward_fused_relu_finite_differences(rng):
    x, w, b = rng.standard_normal((9, 5)), rng.standard_normal((5, 7)), rng.standard_normal((1, 7))
    upstream = rng.standard_normal((9, 7))
    relu_out = np.maximum(0, x @ w + b)
    assert (np.abs(x @ w + b) > 1e-3).all()  # no kink within the finite-difference step

    def loss():
        return np.sum(upstream * np.maximum(0, x @ w + b))

    dw, db, dx = nnfast.dense_backward(upstream, x, w, b, relu_output=relu_out)
    check(dw, numeric_grad(loss, w))
    check(db, numeric_grad(loss, b))
    check(dx, numeric_grad(loss, x))
    dw2, db2, none = nnfast.dense_backward(upstream, x, w, b, relu_output=relu_out,
                                           need_dinputs=False)
    assert none is None
    np.testing.assert_array_equal(dw2, dw)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(0, 3, 4), (1, 2, 64), (300, 2, 64), (300, 64, 3), (33, 17, 5)])
def test_dense_layer_backward_matches_book(rng, dtype, layout, shape):
    m, k, n = shape
    x = as_layout(random_array(rng, (m, k), dtype), layout)
    dv = as_layout(random_array(rng, (m, n), dtype), layout)
    np.random.seed(1)
    ours = nn.Layer_Dense(k, n, weight_regularizer_l1=1e-3, weight_regularizer_l2=2e-3,
                          bias_regularizer_l1=3e-3, bias_regularizer_l2=4e-3)
    np.random.seed(1)
    theirs = ref.Layer_Dense(k, n, weight_regularizer_l1=1e-3, weight_regularizer_l2=2e-3,
                             bias_regularizer_l1=3e-3, bias_regularizer_l2=4e-3)
    theirs.biases = ours.biases = random_array(rng, (1, n))
    ours.weights = as_layout(ours.weights.astype(dtype), layout)
    ours.biases = ours.biases.astype(dtype)
    theirs.weights, theirs.biases = ours.weights.copy(), ours.biases.copy()
    ours.forward(x)
    theirs.forward(x)
    ours.backward(dv)
    theirs.backward(dv)
    for name in ["dweights", "dbiases", "dinputs"]:
        got, exp = getattr(ours, name), getattr(theirs, name)
        assert got.shape == exp.shape and got.dtype == dtype, name
    check_row("nn.Layer_Dense.backward", (ours.dweights, ours.dbiases, ours.dinputs), dv, x,
              ours.weights, ours.biases, 1e-3, 2e-3, 3e-3, 4e-3)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("m,n", [(0, 5), (1, 64), (7, 17), (129, 3), (300, 64), (260, 200)])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("layout", ["C", "strided", "Tstrided"])
def test_few_inputs_backward_is_the_separate_products(rng, dtype, k, m, n, relu, layout):
    """A layer with at most 4 inputs takes one sweep over dvalues (dense_backward's
    few-inputs path); it must give the numbers of the three separate computations: nnfast's
    own products bitwise (where those take the same summation order), column sums bitwise
    those of rows added in order (np.add.accumulate; np.sum(axis=0) may add narrow columns
    pairwise), and the long-double products within the product bound. Shapes cover column
    tails, several register chunks (200 columns), several KC blocks of rows (more than 128)
    and masks with NaN."""
    x = as_layout(random_array(rng, (m, k), dtype), layout)
    w = random_array(rng, (k, n), dtype)
    dv = random_array(rng, (m, n), dtype)
    relu_out = None
    d = dv
    if relu:
        relu_out = np.maximum(0, random_array(rng, (m, n), dtype))
        if m > 3:
            relu_out[3, 0] = np.nan  # NaN is not <= 0: the book's mask keeps dvalues there
        d = np.where(relu_out <= 0, 0, dv).astype(dtype)
    dw, db, dx = nnfast.dense_backward(dv, x, w, None, relu_output=relu_out)
    assert dw.dtype == db.dtype == dx.dtype == dtype
    in_order = np.add.accumulate(d, axis=0)[-1:] if m else np.zeros((1, n), dtype)
    np.testing.assert_array_equal(db, in_order)
    if m > 4 and n > 4:  # where nnfast.dot sums x.T @ d in KC blocks too (not dot products)
        np.testing.assert_array_equal(dw, nnfast.dot(x.T, d))
    if m > 4 and n >= 16:  # where nnfast.dot takes dense_narrow for d @ w.T on every ISA
        np.testing.assert_array_equal(dx, nnfast.dot(d, w.T))
    check_row("dense_backward", (dw, db, dx), dv, x, w, None, 0, 0, 0, 0, relu_output=relu_out)
    _, _, none = nnfast.dense_backward(dv, x, w, None, relu_output=relu_out, need_dinputs=False)
    assert none is None


def test_dense_backward_writes_into_given_buffers(rng):
    x, w, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), np.zeros(3)
    dv = rng.standard_normal((6, 3))
    bufs = np.empty((4, 3)), np.empty(3), np.empty((6, 4))
    dw, db, dx = nnfast.dense_backward(dv, x, w, b, dweights=bufs[0], dbiases=bufs[1],
                                       dinputs=bufs[2])
    assert dw is bufs[0] and db is bufs[1] and dx is bufs[2]
    check_row("dense_backward", (dw, db, dx), dv, x, w, b, 0, 0, 0, 0, dweights=bufs[0],
              dbiases=bufs[1], dinputs=bufs[2])


def test_dense_backward_errors():
    x, w, dv = np.ones((4, 3)), np.ones((3, 2)), np.ones((4, 2))
    with pytest.raises(ValueError, match="dense_backward: shapes do not align"):
        nnfast.dense_backward(dv, x, np.ones((2, 2)))
    with pytest.raises(ValueError, match="dvalues must be 2-D"):
        nnfast.dense_backward(np.ones(2), x, w)
    with pytest.raises(ValueError, match="biases must have shape"):
        nnfast.dense_backward(dv, x, w, np.ones(3))
    with pytest.raises(ValueError, match="relu_output has shape"):
        nnfast.dense_backward(dv, x, w, relu_output=np.ones((4, 3)))
    with pytest.raises(TypeError, match="weight_regularizer_l1 must be a real number"):
        nnfast.dense_backward(dv, x, w, None, "a")
    with pytest.raises(ValueError, match="out has shape"):
        nnfast.dense_backward(dv, x, w, dweights=np.ones((2, 2)))


# ---------------------------------------------------------------------------- activations

def test_relu_backward_finite_differences(rng):
    x = rng.standard_normal((6, 5))
    x[np.abs(x) < 1e-3] = 0.5
    up = rng.standard_normal((6, 5))
    check(nnfast.relu_backward(up, x), numeric_grad(lambda: np.sum(up * np.maximum(0, x)), x))


def test_sigmoid_backward_finite_differences(rng):
    x, up = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    s = nnfast.sigmoid(x)
    check(nnfast.sigmoid_backward(up, s),
          numeric_grad(lambda: np.sum(up * (1 / (1 + np.exp(-x)))), x))


def test_softmax_backward_finite_differences(rng):
    x, up = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    s = nnfast.softmax(x)

    def loss():
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return np.sum(up * e / e.sum(axis=1, keepdims=True))

    check(nnfast.softmax_backward(up, s), numeric_grad(loss, x))


def test_linear_backward_finite_differences(rng):
    x, up = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    act = nn.Activation_Linear()
    act.forward(x)
    check(act.backward(up), numeric_grad(lambda: np.sum(up * x), x))


def test_dropout_backward_finite_differences(rng):
    x, up = rng.standard_normal((6, 7)), rng.standard_normal((6, 7))
    mask = (rng.uniform(size=(6, 7)) < 0.7).astype(np.int64)
    out, bm = nnfast.dropout(x, mask, 0.3)
    check(nnfast.dropout_backward(up, bm), numeric_grad(lambda: np.sum(up * x * mask / 0.7), x))


@pytest.mark.parametrize("cls", ["Activation_ReLU", "Activation_Sigmoid", "Activation_Softmax",
                                 "Activation_Linear"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (7, 3), (300, 64)], ids=str)
def test_activation_backward_matches_book(rng, dtype, cls, layout, shape):
    x = as_layout(random_array(rng, shape, dtype), layout)
    dv = as_layout(random_array(rng, shape, dtype), layout)
    ours, theirs = getattr(nn, cls)(), getattr(ref, cls)()
    ours.forward(x)
    theirs.forward(x)
    ours.backward(dv)
    theirs.backward(dv)
    assert ours.dinputs.shape == theirs.dinputs.shape
    check_row(f"nn.{cls}.backward", (ours.output, ours.dinputs), dv, x)
    assert ours.dinputs.dtype == dtype
    if shape[0]:
        np.testing.assert_array_equal(ours.predictions(ours.output), theirs.predictions(theirs.output))


def test_relu_backward_masks_exactly_where_book_does():
    x = np.array([[-1.0, 0.0, -0.0, 1e-300, np.nan, 2.0]])
    dv = np.arange(1.0, 7.0)[None]
    ours, theirs = nn.Activation_ReLU(), ref.Activation_ReLU()
    for a in (ours, theirs):
        a.forward(x)
        a.backward(dv)
    np.testing.assert_array_equal(ours.dinputs, theirs.dinputs)


# ---------------------------------------------------------------------------- losses

def probabilities(rng, m, n):
    e = np.exp(rng.standard_normal((m, n)))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("onehot", [False, True])
def test_softmax_crossentropy_backward_finite_differences(rng, onehot):
    logits = rng.standard_normal((6, 4))
    y = rng.integers(0, 4, 6)
    labels = np.eye(4)[y] if onehot else y

    def loss():
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        return -np.mean(np.log(p[range(6), y]))

    probs = nnfast.softmax(logits)
    check(nnfast.softmax_crossentropy_backward(probs, labels), numeric_grad(loss, logits))
    res = nnfast.softmax_crossentropy_backward(probs, labels, with_stats=True)
    check_row("softmax_crossentropy_backward", res, probs, labels, with_stats=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m", [1, 255, 256, 257, 601])
def test_softmax_crossentropy_backward_stats_over_many_rows(rng, dtype, m):
    """The step's loss sum and accuracy, whose logs are taken 256 rows at a time; the
    gradient, computed a chunk of rows at a time, is bitwise the book's on both sides of a
    chunk's end, written into a new array, into probabilities itself and through strides."""
    probs = probabilities(rng, m, 3).astype(dtype)
    probs[0] = [1, 0, 0]  # a confident row: the clip bounds
    y = rng.integers(0, 3, m)
    book = ref.softmax_crossentropy_backward(probs, y)
    assert book.dtype == dtype
    in_place = probs.copy()
    assert nnfast.softmax_crossentropy_backward(in_place, y, out=in_place) is in_place
    for got in (nnfast.softmax_crossentropy_backward(probs, y), in_place,
                nnfast.softmax_crossentropy_backward(as_layout(probs, "strided"), y)):
        np.testing.assert_array_equal(got, book)
    res = nnfast.softmax_crossentropy_backward(probs, y, with_stats=True)
    np.testing.assert_array_equal(res[0], book)
    check_row("softmax_crossentropy_backward", res, probs, y, with_stats=True)


@pytest.mark.parametrize("onehot", [False, True])
def test_categorical_crossentropy_backward_finite_differences(rng, onehot):
    p = probabilities(rng, 5, 3)
    y = rng.integers(0, 3, 5)
    labels = np.eye(3)[y] if onehot else y
    check(nnfast.categorical_crossentropy_backward(p, labels),
          numeric_grad(lambda: -np.mean(np.log(p[range(5), y])), p, eps=1e-8), rtol=1e-5)


@pytest.mark.parametrize("name,fd_loss", [
    ("binary_crossentropy", lambda p, t: np.mean(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p), axis=-1))),
    ("mean_squared_error", lambda p, t: np.mean(np.mean((t - p) ** 2, axis=-1))),
    ("mean_absolute_error", lambda p, t: np.mean(np.mean(np.abs(t - p), axis=-1))),
])
def test_pair_loss_backward_finite_differences(rng, name, fd_loss):
    p = rng.uniform(0.05, 0.95, (6, 3))
    t = (rng.uniform(size=(6, 3)) < 0.5).astype(float) if name == "binary_crossentropy" \
        else rng.uniform(0, 1, (6, 3))
    if name == "mean_absolute_error":
        t[np.abs(t - p) < 1e-3] += 0.1  # away from the kink
    grad = getattr(nnfast, name + "_backward")(p, t)
    check(grad, numeric_grad(lambda: fd_loss(p, t), p))
    check_row(name, getattr(nnfast, name)(p, t), p, t)


@pytest.mark.parametrize("cls", ["Loss_CategoricalCrossentropy", "Loss_BinaryCrossentropy",
                                 "Loss_MeanSquaredError", "Loss_MeanAbsoluteError"])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("m,n", [(1, 1), (5, 3), (200, 10)])
def test_loss_classes_match_book(rng, dtype, cls, layout, m, n):
    if cls == "Loss_CategoricalCrossentropy":
        pred = probabilities(rng, m, n).astype(dtype)
        y = rng.integers(0, n, m)
    elif cls == "Loss_BinaryCrossentropy":
        pred = rng.uniform(0, 1, (m, n)).astype(dtype)
        pred.flat[0] = 0.0  # clipped
        y = rng.integers(0, 2, (m, n))
    else:
        pred = random_array(rng, (m, n), dtype)
        y = random_array(rng, (m, n), dtype)
    pred = as_layout(pred, layout)
    ours, theirs = getattr(nn, cls)(), getattr(ref, cls)()
    for method in ("forward", "calculate"):
        got, exp = getattr(ours, method)(pred, y), getattr(theirs, method)(pred, y)
        assert np.shape(got) == np.shape(exp), method
        check_row(f"nn.{cls}.{method}", got, pred, y)
    ours.backward(pred, y)
    theirs.backward(pred, y)
    assert ours.dinputs.shape == theirs.dinputs.shape
    check_row(f"nn.{cls}.backward", ours.dinputs, pred, y)


def test_softmax_loss_class_matches_book(rng, dtype):
    logits = random_array(rng, (50, 4), dtype)
    y = rng.integers(0, 4, 50)
    name = "nn.Activation_Softmax_Loss_CategoricalCrossentropy"
    ours = nn.Activation_Softmax_Loss_CategoricalCrossentropy()
    theirs = ref.Activation_Softmax_Loss_CategoricalCrossentropy()
    loss = ours.forward(logits, y)
    assert np.shape(loss) == np.shape(theirs.forward(logits, y))
    check_row(f"{name}.forward", (loss, ours.output), logits, y)
    for labels in (y, np.eye(4)[y]):
        ours.backward(ours.output, labels)
        theirs.backward(theirs.output, labels)
        assert ours.dinputs.shape == theirs.dinputs.shape
        check_row(f"{name}.backward", ours.dinputs, ours.output, labels)


def test_loss_errors():
    with pytest.raises(IndexError, match=r"y_true\[1\] = 5"):
        nnfast.softmax_crossentropy_backward(np.full((2, 3), 1 / 3), np.array([0, 5]))
    with pytest.raises(IndexError, match="softmax_crossentropy_backward"):
        nnfast.softmax_crossentropy_backward(np.full((2, 3), 1 / 3), np.array([0, -1]))
    with pytest.raises(IndexError, match="categorical_crossentropy_backward"):
        nnfast.categorical_crossentropy_backward(np.full((2, 3), 1 / 3), np.array([3, 0]))
    with pytest.raises(ValueError, match="y_true has shape"):
        nnfast.binary_crossentropy(np.ones((4, 1)) / 2, np.ones(4))
    with pytest.raises(ValueError, match="y_pred must be 2-D"):
        nnfast.mean_squared_error(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="unknown reduction"):
        nnfast.mean_absolute_error(np.ones((2, 2)), np.ones((2, 2)), reduction="max")
    with pytest.raises(TypeError, match="y_true has dtype"):
        nnfast.mean_squared_error(np.ones((2, 2)), np.array([["a", "b"], ["c", "d"]]))


def test_pair_loss_reductions(rng):
    p, t = rng.uniform(size=(7, 2)), rng.uniform(size=(7, 2))
    for reduction in ("none", "sum", "mean"):
        check_row("mean_squared_error", nnfast.mean_squared_error(p, t, reduction=reduction), p, t,
                  reduction=reduction)
    check_row("mean_squared_error", nnfast.mean_squared_error(p, t), p, t)


# ---------------------------------------------------------------------------- dropout, regularization

def test_dropout_class_draws_the_books_mask(rng, restore_global_seed):
    x = rng.standard_normal((40, 30))
    ours, theirs = nn.Layer_Dropout(0.1), ref.Layer_Dropout(0.1)
    assert ours.rate == theirs.rate == 1 - 0.1
    np.random.seed(3)
    ours.forward(x, training=True)
    np.random.seed(3)
    theirs.forward(x, training=True)
    np.testing.assert_array_equal(ours.binary_mask, theirs.binary_mask)
    np.testing.assert_array_equal(ours.output, theirs.output)
    dv = rng.standard_normal((40, 30))
    ours.backward(dv)
    theirs.backward(dv)
    np.testing.assert_array_equal(ours.dinputs, theirs.dinputs)
    ours.forward(x, training=False)
    np.testing.assert_array_equal(ours.output, x)
    assert ours.output is not x


def test_dropout_errors():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="rate must be in"):
        nnfast.dropout(x, np.ones((2, 3), dtype=int), 1.0)
    with pytest.raises(TypeError, match="mask must hold integers"):
        nnfast.dropout(x, np.ones((2, 3)), 0.5)
    with pytest.raises(ValueError, match="mask has shape"):
        nnfast.dropout(x, np.ones((3, 2), dtype=int), 0.5)


def test_regularization_loss_matches_book(rng):
    np.random.seed(5)
    layer = ref.Layer_Dense(6, 4, 1e-3, 2e-3, 3e-3, 4e-3)
    layer.biases = rng.standard_normal((1, 4))
    np.random.seed(5)
    ours = nn.Layer_Dense(6, 4, 1e-3, 2e-3, 3e-3, 4e-3)
    ours.biases = layer.biases.copy()
    np.testing.assert_array_equal(ours.weights, layer.weights)
    check_row("nn.Loss.regularization_loss", nn.Loss().regularization_loss(ours), layer.weights,
              layer.biases, 1e-3, 2e-3, 3e-3, 4e-3)
    assert nnfast.regularization_loss(layer.weights, 0, 0) == 0
    check_row("regularization_loss", nnfast.regularization_loss(layer.weights, 0.5),
              layer.weights, 0.5, 0)


def test_regularization_gradient_is_the_loss_gradient(rng):
    w = rng.standard_normal((3, 4))
    w[np.abs(w) < 1e-3] = 0.5
    x, dv = np.zeros((2, 3)), np.zeros((2, 4))  # no data gradient: only the regularization
    dw, db, _ = nnfast.dense_backward(dv, x, w, np.zeros((1, 4)), 0.01, 0.02)
    check(dw, numeric_grad(lambda: nnfast.regularization_loss(w, 0.01, 0.02), w))


@pytest.mark.parametrize("bad", [np.array([1, 0]), "yes", None, 1.5])
def test_flags_refuse_non_booleans(bad):
    """with_stats / need_dinputs take True/False (or an integer, NumPy's bools); anything else
    is a TypeError naming the option, not NumPy's ambiguous-truth-value message."""
    p, y = np.full((2, 3), 1 / 3), np.array([0, 1])
    with pytest.raises(TypeError, match="softmax_crossentropy_backward: with_stats"):
        nnfast.softmax_crossentropy_backward(p, y, with_stats=bad)
    with pytest.raises(TypeError, match="dense_backward: need_dinputs"):
        nnfast.dense_backward(np.ones((2, 3)), np.ones((2, 4)), np.ones((4, 3)), need_dinputs=bad)
    assert len(nnfast.softmax_crossentropy_backward(p, y, with_stats=np.True_)) == 3


# ---------------------------------------------------------------------------- BCE near 0 and 1

def bce_edges(dtype):
    """(predictions, targets) (4, 6): predictions at and next to the clip bounds, where
    1 - p differs from 1 - clip(p) (1 - 1e-7 rounds to 1 - 2**-23 in float32)."""
    one = np.array(1.0, dtype)
    near_one = [one, np.nextafter(one, 0), np.nextafter(np.nextafter(one, 0), 0),
                dtype.type(1 - 1e-7), dtype.type(1 - 3e-7), dtype.type(0.999)]
    near_zero = [0.0, np.finfo(dtype).smallest_subnormal, 1e-8, 1e-7, 3e-7, 1e-3]
    p = np.array([near_one, near_zero, near_one[::-1], near_zero[::-1]], dtype)
    t = np.array([[0.0, 0.3, 1.0, 0.0, 0.5, 1.0]] * 4, dtype)
    return p, t


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_binary_crossentropy_clips_both_terms_at_the_edges(dtype):
    """Forward and backward against the book's clipped expressions in the dtype, within
    their bounds (api_registry): an unclipped 1 - p divides by 0 (or by 2**-24 instead of
    2**-23) in float32 and takes log(0)."""
    p, t = bce_edges(np.dtype(dtype))
    for name, kwargs in [("binary_crossentropy_backward", {}),
                         ("binary_crossentropy", {"reduction": "none"}),
                         ("nn.Loss_BinaryCrossentropy.backward", {}),
                         ("nn.Loss_BinaryCrossentropy.calculate", {})]:
        api = BY_NAME[name]
        res = api.call(p, t, **kwargs)
        assert np.all(np.isfinite(res)), (name, res)
        api.check(res, (p, t), kwargs, np.dtype(dtype))
