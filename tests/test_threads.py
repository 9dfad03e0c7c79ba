"""Concurrency: several Python threads calling nnfast at once get correct results, on
distinct and on shared inputs; a process that used nnfast (and its thread pool, where
the kernels have one) can fork and the child computes correctly, also when the fork
happens while another thread is inside a kernel.

Arguments are big enough (THREADED: 48-160 per axis) that the GIL is released and the
products are large enough to be split over the pool. Each distinct argument set is
checked once against the reference; every other result for it, from any thread, must be
bitwise identical (the kernels promise the same result for any number of threads).
"""

import os
import threading
import time

import numpy as np
import pytest

import nnfast
from api_registry import API, THREADED, RngSource, dtype_of

THREADS = 4
ROUNDS = 6

core = nnfast._core
HAS_POOL = hasattr(core, "set_num_threads")


@pytest.fixture
def pool_threads():
    """Use 2 pool threads where the kernels have a pool (restored afterwards)."""
    if not HAS_POOL:
        yield
        return
    before = core.get_num_threads()
    core.set_num_threads(2)
    yield
    core.set_num_threads(before)


def draw_sets(api, count, seed):
    sets = []
    for i in range(count):
        dtype = np.dtype(np.float32 if i % 2 else np.float64)
        src = RngSource(np.random.default_rng(seed + i))
        sets.append(api.draw(src, dtype, THREADED))
    return sets


def as_bytes(res):
    if isinstance(res, tuple):
        return tuple(as_bytes(r) for r in res)
    a = np.asarray(res)
    return a.dtype.str, a.shape, a.tobytes()


def run_threads(target, n):
    errors = []
    barrier = threading.Barrier(n)

    def wrapped(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a thread did not finish (deadlock?)"
    if errors:
        raise errors[0]


# spiral_data draws from NumPy's global generator: threads calling it at once interleave
# their draws (as with any np.random.* call), so only the fork test covers it.
CONCURRENT = [api for api in API if not api.global_rng]


@pytest.mark.parametrize("api", CONCURRENT, ids=[api.name for api in CONCURRENT])
def test_threads_distinct_and_shared_inputs(api, pool_threads):
    sets = draw_sets(api, THREADS + 1, seed=100)  # one per thread, and the last is shared
    results = [[] for _ in sets]
    lock = threading.Lock()

    def work(i):
        mine = [i, len(sets) - 1]
        for r in range(ROUNDS):
            for j in mine[:: 1 if r % 2 else -1]:
                args, kwargs = sets[j]
                with np.errstate(all="ignore"):
                    res = api.call(*args, **kwargs)
                with lock:
                    results[j].append(res)

    run_threads(work, THREADS)
    for (args, kwargs), got in zip(sets, results):
        assert got, "no results"
        api.check(got[0], args, kwargs, dtype_of(api, args))
        first = as_bytes(got[0])
        assert all(as_bytes(g) == first for g in got[1:]), f"{api.name}: results differ"


def test_threads_writing_distinct_outs_of_one_buffer(pool_threads):
    """Threads writing neighbouring rows of one array through `out` at the same time."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((THREADS, 200, 64))
    w = rng.standard_normal((64, 96))
    b = rng.standard_normal(96)
    out = np.full((THREADS, 200, 96), np.nan)

    def work(i):
        for _ in range(ROUNDS):
            nnfast.dense(x[i], w, b, activation="relu", out=out[i])

    run_threads(work, THREADS)
    expected = np.maximum(0, np.einsum("tik,kn->tin", x, w) + b)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_set_num_threads_while_others_compute():
    if not HAS_POOL:
        pytest.skip("this build has no set_num_threads")
    rng = np.random.default_rng(8)
    a = rng.standard_normal((256, 200))
    b = rng.standard_normal((200, 128))
    expected = a @ b
    before = core.get_num_threads()
    stop = threading.Event()

    def compute(i):
        if i == 0:
            for n in [1, 2, 3, 1, 2] * 4:
                core.set_num_threads(n)
            stop.set()
            return
        while not stop.is_set():
            np.testing.assert_allclose(nnfast.dot(a, b), expected, rtol=1e-10, atol=1e-10)

    try:
        run_threads(compute, 3)
    finally:
        core.set_num_threads(before)


# ---------------------------------------------------------------------------------------
# fork

def child_checks():
    """In a forked child: every API entry on fresh arguments, checked against the
    reference, with the pool (if any) restarted by the child's first large product."""
    for k, api in enumerate(API):
        for args, kwargs in draw_sets(api, 2, seed=500 + 10 * k):
            with np.errstate(all="ignore"):
                res = api.call(*args, **kwargs)
            api.check(res, args, kwargs, dtype_of(api, args))


def fork_and_check(timeout=120):
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            child_checks()
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung (a lock held across fork?)")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(status) == 0, "the forked child computed wrong results"


_rng = np.random.default_rng(9)
BIG_A, BIG_B = _rng.standard_normal((300, 256)), _rng.standard_normal((256, 160))
# Computed once, here: OpenBLAS (behind NumPy's @) is not safe to fork while another
# thread is inside it, so the fork tests never call it around the fork.
BIG_EXPECTED = BIG_A @ BIG_B


def big_product():
    got = nnfast.dense(BIG_A, BIG_B, np.zeros(160))
    np.testing.assert_allclose(got, BIG_EXPECTED, rtol=1e-10, atol=1e-10)


def test_fork_after_use(pool_threads):
    big_product()  # the pool (if any) is running now
    fork_and_check()
    big_product()  # and the parent's still works


def test_fork_while_another_thread_is_in_a_kernel(pool_threads):
    stop = threading.Event()
    errors = []

    def busy():
        try:
            while not stop.is_set():
                big_product()
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=busy)
    t.start()
    try:
        time.sleep(0.05)
        for _ in range(3):
            fork_and_check()
    finally:
        stop.set()
        t.join(timeout=60)
    assert not errors, errors[0]


def test_fork_with_multiprocessing():
    import multiprocessing as mp

    big_product()
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.map(_mp_task, range(4))
    assert results == [True] * 4


def _mp_task(i):
    big_product()
    rng = np.random.default_rng(i)
    x = rng.standard_normal((50, 10))
    p = nnfast.softmax(x)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(p, e / e.sum(axis=1, keepdims=True), rtol=1e-12)
    return True
