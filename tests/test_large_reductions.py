"""Losses, accuracy and the regularization penalty reduced over about 2 million samples.

The per-sample error of a loss does not grow with the sample count; the error of adding the
samples up does. The C losses add in float64 whatever the dtype (a float32 running sum of 2
million losses errs by about 4e-4), Loss.calculate in np.mean's pairwise sum, the
regularization penalty in float64. Each result is checked against the long-double
reference within api_registry's per-sample bounds plus the bound of that accumulation:
- a float64 running sum of m terms: (m - 1) * eps64 / 2 * sum |term| (written here as
  m * eps64 * sum |term|), expressed in the result dtype's eps;
- np.mean's pairwise sum: (log2(m + 1) + 1) * eps * mean |term| (api_registry's bound).
"""

import math

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
import reference as ref
from registry_book_classes import _check_loss_mean
from registry_bounds import LD, assert_classified_close, check_cce, check_softmax_rows, loss_bound
from registry_notes import _check_accuracy
from registry_training import _check_regularization
from registry_training import check_pair_loss as _check_pair_loss

M = 2_000_003  # samples: past 2 ** 20, no multiple of any chunk or vector length
CLASSES = 3
EPS64 = np.finfo(np.float64).eps
# the largest per-sample cross-entropy: -log of the clip's lower bound
MAX_CCE = -math.log(ref.CLIP_LO)


def float64_sum_eps(m, dtype):
    """How many of dtype's eps per unit of mean |term| a float64 running sum of m terms
    adds to their mean: m * eps64 / eps(dtype)."""
    return m * EPS64 / float(np.finfo(dtype).eps)


def pairwise_sum_eps(m):
    """np.mean's pairwise sum over m terms, as api_registry bounds it (in eps of the dtype
    it sums in, per unit of mean |term|)."""
    return math.log2(m + 1) + 1


@pytest.fixture(scope="module", params=[np.float32, np.float64], ids=["float32", "float64"])
def data(request):
    """(dtype, logits (M, CLASSES), probabilities (their softmax), labels (M,), and the
    probabilities in long double: converting 6 million numbers to long double is the
    slowest step of a check, so it is done once)."""
    dtype = np.dtype(request.param)
    rng = np.random.default_rng(2_000_003)
    logits = (2 * rng.standard_normal((M, CLASSES))).astype(dtype)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = (e / e.sum(axis=1, keepdims=True)).astype(dtype)
    labels = rng.integers(0, CLASSES, size=M)
    return dtype, logits, probabilities, labels, probabilities.astype(LD)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_categorical_crossentropy(data, reduction):
    """Every per-sample loss is at most -log(1e-7), so the float64 sum adds at most
    m * eps64 * MAX_CCE per sample (check_cce's n_extra, in dtype eps)."""
    dtype, _, p, y, p_ld = data
    extra = float64_sum_eps(M, dtype) * MAX_CCE
    check_cce(nnfast.categorical_crossentropy(p, y, reduction=reduction), p_ld, y, reduction,
              dtype, n_extra=extra)


def test_softmax_crossentropy(data):
    """The probabilities within the softmax bound of the long-double softmax; the mean loss
    within the loss bound, plus what the probabilities' error (eps * (n + 10 + |x - max x|)
    of each, relative: registry_bounds.softmax_bound) moves -log p by, plus the float64 sum."""
    dtype, logits, _, y, _ = data
    loss, probabilities = nnfast.softmax_crossentropy(logits, y)
    x = logits.astype(LD)
    # the probabilities of the first and last rows (each row's softmax is computed alike:
    # test_activations checks it; the point here is the loss's sum over every row)
    ends = np.r_[0:4096, M - 4096:M]
    check_softmax_rows(probabilities[ends], x[ends], dtype, "probabilities: ")
    spread = float(np.max(x.max(axis=1, keepdims=True) - x))
    extra = CLASSES + 10 + spread + float64_sum_eps(M, dtype) * MAX_CCE
    check_cce(loss, ref.softmax(x), y, "mean", dtype, n_extra=extra)


def test_softmax_crossentropy_backward_stats(data):
    """The training step's loss sum and hit count (with_stats): per-sample losses in the
    dtype, summed in float64 (a Python float); hits exact."""
    dtype, _, p, y, p_ld = data
    _, loss_sum, correct = nnfast.softmax_crossentropy_backward(p, y, with_stats=True)
    assert isinstance(loss_sum, float) and isinstance(correct, int)
    per = ref.categorical_crossentropy_samples(p_ld, y)
    bound = np.sum(loss_bound(per, CLASSES, dtype)) + M * EPS64 * np.sum(per)
    assert_classified_close(loss_sum, np.sum(per), bound, "loss sum: ")
    assert correct == int(np.sum(np.argmax(p, axis=1) == y))


def test_accuracy(data):
    """nnfast.accuracy and Accuracy_Categorical.calculate: exactly the book's mean."""
    dtype, _, p, y, _ = data
    _check_accuracy(nnfast.accuracy(p, y), (p, y), {}, dtype)
    onehot = np.eye(CLASSES, dtype=np.int8)[y]
    acc = nn.Accuracy_Categorical().calculate(np.argmax(p, axis=1), onehot)
    assert acc == ref.accuracy(p, y), (acc, ref.accuracy(p, y))


def test_categorical_crossentropy_loss_calculate(data):
    """Loss_CategoricalCrossentropy.calculate: the per-sample losses in the dtype, then
    np.mean's pairwise sum in the dtype."""
    dtype, _, p, y, p_ld = data
    res = nn.Loss_CategoricalCrossentropy().calculate(p, y)
    check_cce(res, p_ld, y, "mean", dtype, n_extra=pairwise_sum_eps(M) * MAX_CCE)


@pytest.fixture(scope="module")
def pairs(data):
    """(dtype, predictions (M, 1) in (0, 1), targets (M, 1) in [0, 1])."""
    dtype, _, p, _, _ = data
    rng = np.random.default_rng(5)
    return dtype, p[:, :1].copy(), rng.random((M, 1)).astype(dtype)


# the three losses share one reduction (csrc/ops/pair_losses.inc pair_loss): the sum once
@pytest.mark.parametrize("kind, reduction", [("bce", "mean"), ("mse", "mean"), ("mae", "mean"),
                                             ("mse", "sum")])
def test_pair_losses(pairs, kind, reduction):
    """binary_crossentropy, mean_squared_error, mean_absolute_error: api_registry's bound
    with the float64 sum's (its `extra`, in dtype eps per unit of mean |loss|: m times more
    for the sum)."""
    dtype, p, t = pairs
    fn = {"bce": nnfast.binary_crossentropy, "mse": nnfast.mean_squared_error,
          "mae": nnfast.mean_absolute_error}[kind]
    extra = float64_sum_eps(M, dtype) * (M if reduction == "sum" else 1)
    _check_pair_loss(kind)(fn(p, t, reduction=reduction), (p, t),
                           {"reduction": reduction, "extra": extra}, dtype)


def test_loss_calculate(pairs):
    """The book's Loss.calculate (np.mean of forward, the same for every loss class):
    api_registry's check of it."""
    dtype, p, t = pairs
    _check_loss_mean("mse")(nn.Loss_MeanSquaredError().calculate(p, t), (p, t), {}, dtype)


def test_regularization_loss(data):
    """l1 * sum|x| + l2 * sum x^2 over M elements (contiguous, and a column read through
    its stride), both sums in float64: api_registry's bound, (size + 3) * eps64 *
    (l1 sum|x| + l2 sum x^2), which either sum in float32 (error about 1e-4) exceeds."""
    dtype, logits, _, _, _ = data
    for x in (np.ascontiguousarray(logits[:, 0]), logits[:, 1]):
        _check_regularization(nnfast.regularization_loss(x, 1e-3, 2e-3), (x, 1e-3, 2e-3), {},
                              dtype)
