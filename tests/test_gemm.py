"""The matrix product under dot and dense: every SIMD path this CPU runs, every thread
count giving bitwise the same result, the paths that must agree bit for bit agreeing, each
of them also against the long-double reference (registry_bounds.check_affine: a bug two paths
share cannot pass by agreement), float32 error no worse than NumPy's own float32 product,
and the thread-count API."""
import os
import subprocess
import sys
from functools import partial

import numpy as np
import pytest

import nnfast
from nnfast import _core
from registry_bounds import check_affine
from registry_training import check_dense_backward as _check_dense_backward
from check_once import CheckOnce

ISAS = _core.supported_isas()
SHAPES = [(9, 300, 700), (1000, 50, 37), (33, 512, 1000), (1, 4000, 600), (700, 700, 3),
          (513, 257, 129), (2000, 600, 5), (257, 1025, 70), (2001, 100, 4), (3001, 301, 1)]


@pytest.fixture
def restore_engine():
    isa, threads = _core.get_isa(), _core.get_num_threads()
    yield
    _core.set_isa(isa)
    _core.set_num_threads(threads)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bitwise_identical_for_any_thread_count(restore_engine, isa, dtype):
    _core.set_isa(isa)
    rng = np.random.default_rng(7)
    for m, k, n in SHAPES:
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((k, n)).astype(dtype)
        bias = rng.standard_normal(n).astype(dtype)
        # the reference on the first and last 9 rows: a full tile of rows (MR <= 8) and the
        # next one's first row, the edge tile, the last thread's last rows; every other row
        # is computed by the same code as one of these (the long-double reference of every
        # row would cost 67 M multiply-adds per call)
        rows = np.unique(np.r_[0:min(m, 9), max(0, m - 9):m])
        for act in (None, "relu", "softmax"):
            results = []
            for threads in (1, 2, 3, 5):
                _core.set_num_threads(threads)
                results.append(nnfast.dense(np.asfortranarray(a) if threads == 3 else a, b, bias, act))
            for r in results[1:]:
                assert np.array_equal(r, results[0], equal_nan=True), (m, k, n, act)
            check_affine(results[0][rows], a[rows], b, bias, act, np.dtype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_backward_bitwise_identical_for_any_thread_count(restore_engine, dtype):
    """The backward pass too: its one-sweep path for few inputs (one thread whatever the
    setting) and its threaded products (large enough to split) give the same bits for 1, 2
    and 3 threads."""
    rng = np.random.default_rng(11)
    for m, k, n in [(300, 2, 64), (4096, 4, 256), (2048, 64, 96), (700, 96, 3)]:
        x = rng.standard_normal((m, k)).astype(dtype)
        w = rng.standard_normal((k, n)).astype(dtype)
        b = rng.standard_normal((1, n)).astype(dtype)
        dv = rng.standard_normal((m, n)).astype(dtype)
        relu_out = np.maximum(0, rng.standard_normal((m, n))).astype(dtype)
        results = []
        for threads in (1, 2, 3):
            _core.set_num_threads(threads)
            results.append(nnfast.dense_backward(dv, x, w, b, 1e-3, 2e-3, 0, 0,
                                                 relu_output=relu_out))
        for r in results[1:]:
            for got, first, name in zip(r, results[0], ("dweights", "dbiases", "dinputs")):
                assert np.array_equal(got, first), ((m, k, n), name)
        _check_dense_backward(results[0], (dv, x, w, b, 1e-3, 2e-3, 0, 0),
                              {"relu_output": relu_out}, np.dtype(dtype))


@pytest.mark.parametrize("isa", ISAS)
def test_float32_error_no_worse_than_numpy(restore_engine, isa):
    """Against a float64 reference, nnfast's float32 product errs no more than NumPy's
    float32 matmul (with a little slack for a different summation order)."""
    _core.set_isa(isa)
    rng = np.random.default_rng(3)
    for m, k, n in [(256, 2048, 256), (512, 784, 128), (64, 4096, 64)]:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        exact = a.astype(np.float64) @ b.astype(np.float64)
        err_nnfast = np.abs(nnfast.dot(a, b) - exact).max()
        err_numpy = np.abs((a @ b) - exact).max()
        assert err_nnfast <= 1.5 * err_numpy, (m, k, n, err_nnfast, err_numpy)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transposed_operands_as_in_backprop(restore_engine, isa, dtype):
    """X.T @ dZ and dZ @ W.T read through strides (no copy by the caller)."""
    _core.set_isa(isa)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((300, 64)).astype(dtype)
    dz = rng.standard_normal((300, 10)).astype(dtype)
    w = rng.standard_normal((64, 10)).astype(dtype)
    t = np.dtype(dtype)
    check_affine(nnfast.dot(x.T, dz), x.T, dz, None, None, t)
    check_affine(nnfast.dot(dz, w.T), dz, w.T, None, None, t)
    # The spiral network's shapes: a few columns (computed as the transpose when the rows of
    # a are strided) and a few rows (b read in place).
    for n in (1, 2, 3, 4):
        d = rng.standard_normal((300, n)).astype(dtype)
        check_affine(nnfast.dot(x.T, d), x.T, d, None, None, t)
        check_affine(nnfast.dot(d.T, x), d.T, x, None, None, t)
        bias = rng.standard_normal(64).astype(dtype)
        check_affine(nnfast.dense(d.T, x, bias, "relu"), d.T, x, bias, "relu", t)


def test_thread_count_api(restore_engine):
    _core.set_num_threads(3)
    assert nnfast.get_num_threads() == 3
    nnfast.set_num_threads(1)
    assert nnfast.get_num_threads() == 1
    for bad in (0, -1, 5000):
        with pytest.raises(ValueError, match="set_num_threads"):
            nnfast.set_num_threads(bad)
    for bad in (2.0, "2", None, True):
        with pytest.raises(TypeError, match="set_num_threads"):
            nnfast.set_num_threads(bad)


def _import_with(env_value):
    env = dict(os.environ, NNFAST_NUM_THREADS=env_value)
    code = "import nnfast; print(nnfast.get_num_threads())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


def test_env_var_sets_threads():
    run = _import_with("3")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "3"


@pytest.mark.parametrize("value", ["zero", "0", "-2", "1.5"])
def test_bad_env_var_is_a_clear_error(value):
    run = _import_with(value)
    assert run.returncode != 0
    assert "NNFAST_NUM_THREADS" in run.stderr


def test_default_threads_are_the_cores_this_process_may_use():
    env = {k: v for k, v in os.environ.items() if k != "NNFAST_NUM_THREADS"}
    code = "import os, nnfast; print(nnfast.get_num_threads(), len(os.sched_getaffinity(0)))"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    threads, cores = run.stdout.split()
    assert threads == cores


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_short_k_paths_equal_the_tiles(restore_engine, isa, dtype, k):
    """A product with a few inputs and a small output takes a row-by-row kernel (or, a few
    columns wide, the broadcast one); the same columns computed inside a product too wide
    for them, by the register tiles, are bitwise the same, and both are within the bound of
    the long-double reference."""
    _core.set_isa(isa)
    rng = np.random.default_rng(k)
    a = rng.standard_normal((301, k)).astype(dtype)
    b = rng.standard_normal((k, 600)).astype(dtype)
    bias = rng.standard_normal(600).astype(dtype)
    t = np.dtype(dtype)
    for act in (None, "relu"):
        wide = nnfast.dense(a, b, bias, act)
        check_affine(wide, a, b, bias, act, t)
        for n in (5, 9, 16, 64, 67, 256):
            narrow = nnfast.dense(a, b[:, :n], bias[:n], act)
            check_affine(narrow, a, b[:, :n], bias[:n], act, t)
            assert np.array_equal(narrow, wide[:, :n]), (act, n)
    narrow, wide = nnfast.dot(a, b[:, :64]), nnfast.dot(a, b)
    check_affine(narrow, a, b[:, :64], None, None, t)
    check_affine(wide, a, b, None, None, t)
    assert np.array_equal(narrow, wide[:, :64])


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_reads_equal_the_packed_tiles(restore_engine, isa, dtype):
    """A b with contiguous rows that fits in L2 is read in place by the register tiles, any
    other is packed first: the two give bitwise the same numbers, for full tiles and the
    edge rows and columns around them, and for a read in place through any strides."""
    _core.set_isa(isa)
    rng = np.random.default_rng(11)
    for m, k, n in [(8, 784, 128), (37, 300, 70), (129, 130, 33), (16, 1, 64), (100, 0, 40),
                    (64, 257, 96)]:
        a = rng.standard_normal((m, 2 * k)).astype(dtype)[:, ::2]
        b = rng.standard_normal((k, n)).astype(dtype)
        bias = rng.standard_normal(2 * n).astype(dtype)[::2]
        t = np.dtype(dtype)
        for act in (None, "relu"):
            # b, and b's rows read in place backwards (a negative row stride)
            for bb, rows in [(b, "rows forward"), (b[::-1], "rows reversed")]:
                check = CheckOnce(partial(check_affine, a=a, b=bb, bias=bias, activation=act,
                                          dtype=t))
                in_place = nnfast.dense(a, bb, bias, act)
                packed = nnfast.dense(a, np.asfortranarray(bb), bias, act)
                check(in_place, context=f"{(m, k, n)} {act} {rows} in place")
                check(packed, context=f"{(m, k, n)} {act} {rows} packed")
                assert np.array_equal(in_place, packed), (m, k, n, act, rows)
            assert np.array_equal(nnfast.dense(np.ascontiguousarray(a), b, bias, act),
                                  nnfast.dense(a, b, bias, act))
