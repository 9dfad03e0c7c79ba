"""Every path of the matrix product against the long-double reference.

csrc/gemm/plan.inc picks a kernel by shape, strides and activation, and
csrc/gemm/threads.inc splits the work over threads above a size; each path has blocking constants
of its own. The sizes below straddle each of them, and every result (every instruction set
this CPU runs, 1 and 2 threads, contiguous, transposed, strided, negative-stride and
reversed-row views) is checked with registry_bounds.check_affine: within
(k + 2) * eps * (|a| @ |b| + |bias|) of np.dot in long double, the activation applied to
the reference (relu, softmax over the whole row). The comment on each case says which path
it reaches (with AVX-512 unless it says otherwise; the lanes of a register, and with them
some paths' limits, are those of csrc/isa/*.c: 16, 32, 64 bytes).
"""

from functools import partial

import numpy as np
import pytest

import nnfast
from nnfast import _core
from registry_bounds import check_affine
from registry_training import check_dense_backward as _check_dense_backward
from check_once import CheckOnce
from conftest import as_layout

ISAS = _core.supported_isas()
ACTIVATIONS = [None, "linear", "relu", "softmax"]
# csrc/gemm/gemm.h's constants, which the sizes below straddle
NC, KC = 512, 128  # columns and rows of b per packed block
DIRECT_B_BYTES = 1 << 20  # b smaller than this (and with contiguous rows) is read in place
PAR_MIN_WORK = 600_000  # multiply-adds from which the product is split over threads


@pytest.fixture
def engines():
    """engines(work) -> each (instruction set, thread count) worth running, named: two
    threads only where the product is large enough to be split."""
    isa, threads = _core.get_isa(), _core.get_num_threads()

    def each(work):
        for name in ISAS:
            _core.set_isa(name)
            for t in (1, 2) if work > PAR_MIN_WORK else (1,):
                _core.set_num_threads(t)
                yield f"{name}, {t} thread(s)"

    yield each
    _core.set_isa(isa)
    _core.set_num_threads(threads)


def view(arr, layout):
    """arr in a memory layout: conftest's (C, F, strided, negstride), or rows_reversed
    (contiguous rows, a negative row stride: read in place backwards), or for a bias 2d
    (shape (1, n))."""
    if layout == "rows_reversed":
        out = np.ascontiguousarray(arr[::-1])[::-1]
        assert (out.strides[0] < 0 or len(out) < 2) and np.array_equal(out, arr)
        return out
    if layout == "2d":
        return arr.reshape(1, -1).copy()
    return as_layout(arr, layout)


# (inputs, weights, biases) layouts each product is computed in
LAYOUTS = [("C", "C", "C"), ("F", "F", "strided"), ("strided", "strided", "negstride"),
           ("negstride", "negstride", "2d"), ("C", "rows_reversed", "strided")]


def operands(dtype, m, k, n, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype),
            rng.standard_normal(n).astype(dtype))


def each_case(cases):
    """Parametrize `shape` over (id, shape) pairs."""
    return pytest.mark.parametrize("shape", [pytest.param(s, id=i) for i, s in cases])


def n_at_direct_limit(dtype, k):
    """The widest b (k, n) with contiguous rows that is read in place."""
    n = (DIRECT_B_BYTES - 1) // (k * np.dtype(dtype).itemsize)
    assert k * n * np.dtype(dtype).itemsize < DIRECT_B_BYTES <= k * (n + 1) * np.dtype(dtype).itemsize
    return n


# (id, (m, k, n)): n may be a function of the dtype. The path each reaches:
DENSE_CASES = [
    # the register tiles over packed panels: two NC column blocks (512 + 188), three KC
    # blocks (128 + 128 + 44), edge rows (9 rows, no multiple of MR); the softmax of a block
    # of rows once its last column block is stored. The C b is read in place for None/relu
    # (dense_direct, no NC blocks), on 2 threads split by columns.
    ("tiles_past_NC", (9, 300, 700)),
    # one column past NC, one row of b past KC; 2 threads split by columns (None/relu) or rows
    ("one_past_NC_and_KC", (13, 129, 513)),
    # three NC blocks (512 + 512 + 76); float64 b is over 1 MB: packed even when contiguous
    ("three_NC_blocks", (9, 129, 1100)),
    # nine KC blocks over two NC blocks, 5 rows (an edge tile of rows on every instruction
    # set; too many rows for dense_few_rows)
    ("nine_KC_blocks", (5, 1100, 600)),
    # b just under 1 MB: read in place by dense_direct (C and rows_reversed b, None/relu),
    # its edge columns by the tiles; then one column more: packed
    ("b_just_under_L2_rule", (9, 300, lambda t: n_at_direct_limit(t, 300))),
    ("b_just_over_L2_rule", (9, 300, lambda t: n_at_direct_limit(t, 300) + 1)),
    # 600,362 multiply-adds, just past the thread threshold: on 2 threads split by columns
    # (None/relu: 0..128, 128..266), by rows for softmax (0..16, 16..37); one column less and
    # it stays on one thread
    ("threads_just_over", (37, 61, 266)),
    ("threads_just_under", (37, 61, 265)),
    # more rows than columns: split by rows
    ("threads_by_rows", (266, 61, 37)),
    # dense_narrow (n <= 4, k filling a register): dot products along k with a partial last
    # vector (300 is no multiple of the lanes), RD rows at a time (301 no multiple of it);
    # b's columns read in place (F b, or n == 1) or copied, a's rows copied when strided
    *[(f"narrow_n{n}", (301, 300, n)) for n in (1, 2, 3, 4)],
    # dense_narrow with k one past 16 lanes
    ("narrow_k17", (301, 17, 3)),
    # one column over a k shorter than a register: the neuron loop (dense_narrow for
    # float64 generic, whose register holds 2)
    ("neuron", (300, 3, 1)),
    # dense_bcast (2 <= n <= lanes, k too short for dense_narrow): n = 2 over k = 1 takes it
    # on every instruction set
    ("bcast_n2", (301, 1, 2)),
    # dense_bcast over three KC blocks where a register holds 7 columns (float32 AVX2 and
    # AVX-512, float64 AVX-512), the tiles elsewhere
    ("bcast_k300", (301, 300, 7)),
    # dense_bcast filling float32 AVX-512's 16 lanes
    ("bcast_n16", (301, 5, 16)),
    # dense_smallk (k <= 4, n past every register): k = 1, 2, 3 and the generic k = 4; the
    # last vector of columns partial
    *[(f"smallk_k{k}", (301, k, 67)) for k in (1, 2, 3, 4)],
    # the widest output dense_smallk takes (n = 256), and one past its size (m * n > 131072):
    # the tiles
    ("smallk_n256", (301, 4, 256)),
    ("smallk_too_large", (600, 3, 256)),
    # dense_few_rows (m <= 4, b's rows contiguous, read in place row after row): KC blocks
    # of k (128 + 128 + 44, in groups of 4 rows of b), full vectors then a partial one;
    # with F or strided b the tiles (one row: dense_one_row)
    *[(f"few_rows_m{m}", (m, 300, 203)) for m in (1, 2, 3, 4)],
    # one row of a wide b: dense_few_rows over two NC column blocks (512 + 188), softmax
    # over all 700 columns; with F b dense_one_row
    ("one_row_wide", (1, 300, 700)),
    # three and four rows of a wide b (over 1 MB in float64): dense_few_rows over two and
    # three NC column blocks, softmax across them, k = 131 ending in a KC block of 3 single
    # rows of b; with F b the tiles (edge tiles of 3 and 4 rows)
    ("three_rows_wide", (3, 300, 700)),
    ("four_rows_wide", (4, 131, 1029)),
    # k = 0: the output is act(bias)
    ("k_zero", (10, 0, 40)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@each_case(DENSE_CASES)
def test_dense_paths_against_long_double(engines, dtype, shape):
    m, k, n = shape
    n = n(dtype) if callable(n) else n
    a, b, bias = operands(dtype, m, k, n, seed=m * 1_000_003 + k * 1009 + n)
    check = CheckOnce(partial(check_affine, a=a, b=b, bias=bias, dtype=np.dtype(dtype)))
    views = [(lay, view(a, lay[0]), view(b, lay[1]), view(bias, lay[2])) for lay in LAYOUTS]
    for engine in engines(m * k * n):
        for lay, av, bv, biasv in views:
            for act in ACTIVATIONS:
                check(nnfast.dense(av, bv, biasv, act), activation=None if act == "linear" else act,
                      context=f"{engine}, layouts {lay}, activation {act}")


# (id, (m, k, n)) of dot (no bias)
DOT_CASES = [
    # a = x.T (its columns contiguous) and n <= 4: computed as (d.T @ x).T, whose few rows
    # dense_few_rows computes reading x in place
    ("transposed_a_few_columns", (64, 301, 3)),
    # the same over a wide x (1100 rows: three NC column blocks of the transposed product)
    ("transposed_a_wide", (200, 1100, 3)),
    # no bias through the tiles and dense_direct
    ("tiles_no_bias", (9, 300, 700)),
    ("narrow_no_bias", (301, 300, 2)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@each_case(DOT_CASES)
def test_dot_paths_against_long_double(engines, dtype, shape):
    m, k, n = shape
    a, b, _ = operands(dtype, m, k, n, seed=m + 7 * k + 11 * n)
    check = CheckOnce(partial(check_affine, a=a, b=b, bias=None, activation=None,
                              dtype=np.dtype(dtype)))
    layouts = ["C", "F", "strided", "negstride", "rows_reversed"]
    views = [(la, lb, view(a, la), view(b, lb)) for la in layouts for lb in layouts
             if la == lb or "C" in (la, lb)]
    for engine in engines(m * k * n):
        for la, lb, av, bv in views:
            check(nnfast.dot(av, bv), context=f"{engine}, layouts {la}/{lb}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vector_products_against_long_double(engines, dtype):
    """One sample (a vector of inputs): m == 1, dense_few_rows over a b of any size with
    contiguous rows, dense_one_row over the others. A
    matrix times a vector: n == 1, dense_narrow (or the neuron loop for a short k)."""
    rng = np.random.default_rng(17)
    for k, n in [(300, 700), (129, 203), (3, 600)]:
        x = rng.standard_normal(k).astype(dtype)
        w = rng.standard_normal((k, n)).astype(dtype)
        bias = rng.standard_normal(n).astype(dtype)
        check = CheckOnce(partial(check_affine, a=x, b=w, bias=bias, dtype=np.dtype(dtype)))
        for engine in engines(k * n):
            for lx, lw in [("C", "C"), ("strided", "F"), ("negstride", "rows_reversed")]:
                for act in ACTIVATIONS:
                    check(nnfast.dense(view(x, lx), view(w, lw), bias, act),
                          activation=None if act == "linear" else act,
                          context=f"{engine}, {lx}/{lw}, {act}")
    for m, k in [(301, 300), (300, 3), (9, 1100)]:
        a = rng.standard_normal((m, k)).astype(dtype)
        v = rng.standard_normal(k).astype(dtype)
        check = CheckOnce(partial(check_affine, a=a, b=v, bias=None, activation=None,
                                  dtype=np.dtype(dtype)))
        for engine in engines(m * k):
            for la, lv in [("C", "C"), ("F", "strided"), ("negstride", "negstride")]:
                check(nnfast.dot(view(a, la), view(v, lv)), context=f"{engine}, {la}/{lv}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_strided_out_against_long_double(engines, dtype):
    """An out= whose columns are not contiguous: no dense_direct or dense_smallk (they store
    whole vectors), every tile through the scratch edge tile; the narrow and few-rows paths
    store through the strides."""
    for m, k, n in [(37, 61, 266), (301, 3, 67), (301, 300, 3), (2, 300, 203), (9, 300, 700)]:
        a, b, bias = operands(dtype, m, k, n, seed=m + k + n)
        check = CheckOnce(partial(check_affine, a=a, b=b, bias=bias, dtype=np.dtype(dtype)))
        for engine in engines(m * k * n):
            for layout in ("F", "strided", "negstride"):
                for act in (None, "relu", "softmax"):
                    out = view(np.full((m, n), np.nan, dtype), layout)
                    assert nnfast.dense(a, b, bias, act, out=out) is out
                    check(out, activation=act, context=f"{engine}, out {layout}, {act}")


# (m, k, n) of dense_backward: dweights = inputs.T @ d, dinputs = d @ weights.T,
# dbiases = column sums of d (d: dvalues, masked by relu_output when given)
BACKWARD_CASES = [
    # k <= 4 inputs and contiguous rows: the one-sweep backward (csrc/ops/dense_backward.inc
    # backward_few_inputs): m past KC rows (sums in blocks of 128 rows), n no multiple of the
    # lanes; dinputs by dense_narrow. A Fortran dvalues takes the products below.
    ("few_inputs", (300, 2, 67)),
    ("few_inputs_k4", (1000, 4, 37)),
    # n <= 4 < k: dweights computed as its transpose (dvalues.T @ inputs: dense_few_rows),
    # dinputs (300, 64) over k = 3 by dense_smallk
    ("narrow_layer", (300, 64, 3)),
    # dweights (40, 530) over 150 rows: past NC and KC (tiles, or dense_direct for a
    # contiguous dvalues); dinputs over k = 530 with weights.T packed; 2 threads split them
    ("wide_layer", (150, 40, 530)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@each_case(BACKWARD_CASES)
def test_dense_backward_products_against_long_double(engines, dtype, shape):
    """Checked by api_registry's dense_backward check: each product within its long-double
    bound ((m + 4) terms for dweights and dbiases, (n + 4) for dinputs)."""
    m, k, n = shape
    rng = np.random.default_rng(m + k + n)
    dv, x, w = (rng.standard_normal(s).astype(dtype) for s in [(m, n), (m, k), (k, n)])
    b = rng.standard_normal((1, n)).astype(dtype)
    ro = np.maximum(0, rng.standard_normal((m, n))).astype(dtype)
    regs = (1e-3, 2e-3, 5e-4, 0.0)

    def check_backward(res, masked, need_dinputs):
        kwargs = {"relu_output": ro if masked else None, "need_dinputs": need_dinputs}
        _check_dense_backward(res, (dv, x, w, b, *regs), kwargs, np.dtype(dtype))

    check = CheckOnce(check_backward)
    for engine in engines(m * k * n):
        for ldv, lx, lw in [("C", "C", "C"), ("F", "F", "F"), ("strided", "negstride", "strided")]:
            for masked in (False, True):
                for need_dinputs in (True, False):
                    res = nnfast.dense_backward(
                        view(dv, ldv), view(x, lx), view(w, lw), b, *regs,
                        relu_output=view(ro, ldv) if masked else None, need_dinputs=need_dinputs)
                    check(res, masked=masked, need_dinputs=need_dinputs,
                          context=f"{engine}, layouts {ldv}/{lx}/{lw}, relu {masked}")
