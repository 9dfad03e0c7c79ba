"""Row maxima and argmaxes with the maximum in every lane position, on every ISA.

softmax's row max and the accuracy argmax (csrc/simd/max.inc: row_max, argmax) reduce a
row in SIMD registers, lane by lane, then across lanes; a reduction
that drops one lane is right for every row whose maximum sits elsewhere, so random rows
catch it only by chance. Here every row length from 1 to eight vectors of the widest
ISA + 1 (past each kernel's SIMD threshold: two vectors for the row max, four for the
argmax, plus the tails) puts its maximum at each position in turn: row i of an (n, n)
matrix holds it in column i. The expected results are exact, independent of any
summation order: the maximum is 1000 and the other values lie in [-1, 0), so every
exp(x - max) underflows to 0 and softmax gives exactly the identity matrix, while a
wrong (smaller) max makes exp(1000 - max) overflow to inf and the row NaN.
"""

import numpy as np
import pytest

import nnfast
from api_registry import check_cce

ISAS = nnfast._core.supported_isas()
WIDEST_VEC_BYTES = 64  # AVX-512: 16 float32 or 8 float64 lanes
BIG = 1000.0


@pytest.fixture(params=ISAS)
def isa(request):
    before = nnfast._core.get_isa()
    nnfast._core.set_isa(request.param)
    yield request.param
    nnfast._core.set_isa(before)


def lengths(dtype):
    lanes = WIDEST_VEC_BYTES // np.dtype(dtype).itemsize
    return range(1, 8 * lanes + 2)


def max_on_diagonal(n, dtype, rng, order="C"):
    """(n, n): row i is BIG at column i, values in [-1, 0) elsewhere."""
    x = rng.uniform(-1.0, 0.0, size=(n, n))
    np.fill_diagonal(x, BIG)
    return np.array(x.astype(dtype), order=order)


def first_wrong_row(got, expected):
    bad = ~np.all(got == expected, axis=1)
    return int(np.argmax(bad)) if bad.any() else None


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_softmax_finds_the_max_in_every_lane(isa, dtype, rng):
    for order in ("C", "F"):  # F: rows read through a column stride, the scalar path
        for n in lengths(dtype):
            x = max_on_diagonal(n, dtype, rng, order)
            eye = np.eye(n, dtype=dtype)
            with np.errstate(all="ignore"):
                got = nnfast.softmax(x)
            row = first_wrong_row(got, eye)
            assert row is None, f"{isa} {order} n={n}: row {row} (max at {row}) gives {got[row]}"
            for i in range(n):  # one row at a time: the single-row path
                with np.errstate(all="ignore"):
                    one = nnfast.softmax(x[i])
                assert np.array_equal(one, eye[i]), f"{isa} {order} n={n}, 1-D row {i}: {one}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_dense_softmax_finds_the_max_in_every_lane(isa, dtype, rng):
    """dense(I, X, 0, "softmax"): the product is X exactly (each sum has one non-zero term)."""
    for n in lengths(dtype):
        x = max_on_diagonal(n, dtype, rng)
        with np.errstate(all="ignore"):
            got = nnfast.dense(np.eye(n, dtype=dtype), x, np.zeros(n, dtype), activation="softmax")
        row = first_wrong_row(got, np.eye(n, dtype=dtype))
        assert row is None, f"{isa} n={n}: row {row} gives {got[row]}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_softmax_crossentropy_finds_the_max_in_every_lane(isa, dtype, rng):
    for n in lengths(dtype):
        x = max_on_diagonal(n, dtype, rng)
        labels = np.arange(n)
        with np.errstate(all="ignore"):
            loss, probs = nnfast.softmax_crossentropy(x, labels)
        eye = np.eye(n, dtype=dtype)
        row = first_wrong_row(probs, eye)
        assert row is None, f"{isa} n={n}: row {row} gives {probs[row]}"
        check_cce(loss, eye, labels, "mean", np.dtype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_accuracy_argmax_finds_the_max_in_every_lane(isa, dtype, rng):
    for order in ("C", "F"):
        for n in lengths(dtype):
            x = max_on_diagonal(n, dtype, rng, order)
            labels = np.arange(n)
            assert nnfast.accuracy(x, labels) == 1.0, f"{isa} {order} n={n}"
            # one-hot labels: their own argmax, the 1 in every lane position
            assert nnfast.accuracy(x, np.eye(n, dtype=dtype)) == 1.0, f"{isa} {order} n={n}"
            if n > 1:
                assert nnfast.accuracy(x, (labels + 1) % n) == 0.0, f"{isa} {order} n={n}"
                # a tie with the last column: the first maximum wins
                tied = x.copy(order="K")
                tied[:, -1] = BIG
                assert nnfast.accuracy(tied, labels) == 1.0, f"{isa} {order} n={n}, tie"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_softmax_crossentropy_backward_counts_the_max_in_every_lane(isa, dtype, rng):
    for n in lengths(dtype):
        p = max_on_diagonal(n, dtype, rng)
        _, _, correct = nnfast.softmax_crossentropy_backward(p, np.arange(n), with_stats=True)
        assert correct == n, f"{isa} n={n}: {correct} rows right"
