"""No leaks: reference counts of the inputs unchanged after calls (success and error paths
alike), memory flat over 100,000 calls of each public function and class method.

Memory is watched two ways: tracemalloc (Python objects and NumPy array buffers, which
NumPy reports to it) and the process's resident set size from /proc (which also sees
the C core's own malloc). Arrays are tiny so the 100,000 calls stay fast.
"""

import gc
import sys
import tracemalloc

import numpy as np
import pytest

from api_registry import API, IDS, tiny_args
from test_hostile import BAD, WITH_LABELS, base_args, label_cases

CALLS = 100_000


def refcounts(objs):
    return [sys.getrefcount(o) for o in objs]


class quiet_gc:
    """No garbage collection in between: a collection that frees some other holder of a
    shared object (an interned string, a cached dtype) would change its count."""

    def __enter__(self):
        gc.collect()
        gc.disable()

    def __exit__(self, *exc):
        gc.enable()


def tracked(args, kwargs):
    """Every argument object whose reference count a leak would change. Strings are left out:
    they are interned and shared with the interpreter, whose own holders come and go (the
    sanitizer run saw 'relu' and 'mean' drop by one over 20 failing calls, once, not per
    call); the binding only borrows their UTF-8 buffer. So are small ints and bools (the
    interpreter's shared singletons: adam_update's iteration=1 changed by one, once)."""

    def shared(a):
        return isinstance(a, (str, bool)) or (type(a) is int and -5 <= a <= 256)

    return [a for a in list(args) + list(kwargs.values()) if a is not None and not shared(a)]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.parametrize("api", API, ids=IDS)
def test_refcounts_unchanged_on_success(api):
    for dtype in (np.float32, np.float64):
        args, kwargs = tiny_args(api, dtype, seed=5)
        objs = tracked(args, kwargs)
        api.call(*args, **kwargs)  # warm-up: caches, lazily created objects
        with quiet_gc():
            before = refcounts(objs)
            for _ in range(100):
                res = api.call(*args, **kwargs)
            del res
            if api.cycles:
                gc.collect()
            assert refcounts(objs) == before
        if api.inplace:
            # the in-place function itself, on the same arrays (updated 100 times: only the
            # counts matter here)
            fn = api.call.direct
            fn(*args, **kwargs)
            with quiet_gc():
                before = refcounts(objs)
                for _ in range(100):
                    fn(*args, **kwargs)
                assert refcounts(objs) == before
        if api.out:
            res = np.asarray(api.pick(api.call(*args, **kwargs)))
            out = np.empty_like(res)
            objs = tracked(args, kwargs) + [out]
            api.call(*args, **kwargs, out=out)
            with quiet_gc():
                before = refcounts(objs)
                for _ in range(100):
                    got = api.call(*args, **kwargs, out=out)
                del got
                assert refcounts(objs) == before


def error_cases(api):
    """(args, kwargs) that make api raise, over every error path the tests know."""
    args, kwargs = base_args(api)
    for name, make, exc, pat in BAD:
        for pos in api.arrays:
            bad = list(args)
            bad[pos] = make(args[pos])
            yield bad, kwargs
    for pos in api.arrays:  # a 3-d array
        bad = list(args)
        bad[pos] = np.ones((2, 2, 2))
        yield bad, kwargs
    if api.label is not None:
        for name, y, exc, pat in label_cases(args[0], args[api.label]):
            bad = list(args)
            bad[api.label] = y
            yield bad, kwargs
    if api.out:
        res = np.asarray(api.pick(api.call(*args, **kwargs)))
        ro = np.empty_like(res)
        ro.setflags(write=False)
        for out in (ro, np.empty(res.shape + (2,)), np.empty(res.shape, np.int32), [1.0]):
            yield args, {**kwargs, "out": out}


@pytest.mark.parametrize("api", [a for a in API if a.arrays], ids=[a.name for a in API if a.arrays])
def test_refcounts_unchanged_on_errors(api):
    n = 0
    with quiet_gc():  # one collection for all the cases (one per case took seconds)
        for args, kwargs in error_cases(api):
            objs = tracked(args, kwargs)
            try:
                api.call(*args, **kwargs)
            except Exception:
                pass
            else:
                continue  # not an error case for this function (e.g. relu takes 3-d)
            if api.cycles:
                gc.collect(0)  # the young generation holds them (gc is off: no promotion)
            before = refcounts(objs)
            for _ in range(20):
                try:
                    api.call(*args, **kwargs)
                except (TypeError, ValueError, IndexError):
                    pass
            if api.cycles:
                gc.collect(0)
            after = refcounts(objs)
            assert after == before, (api.name, [type(o).__name__ for o in objs], before, after)
            n += 1
    assert n >= 5


def measure(fn, calls):
    """(tracemalloc growth, RSS growth) in bytes over `calls` calls, after a warm-up."""
    for _ in range(2000):
        fn()
    gc.collect()
    rss0 = rss_bytes()
    tracemalloc.start()
    try:
        snap0 = tracemalloc.get_traced_memory()[0]
        for _ in range(calls // 5):  # traced: slower, a fifth of the calls is plenty
            fn()
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - snap0
    finally:
        tracemalloc.stop()
    for _ in range(calls):
        fn()
    gc.collect()
    return traced, rss_bytes() - rss0


@pytest.mark.parametrize("api", API, ids=IDS)
def test_memory_flat_over_many_calls(api):
    args, kwargs = tiny_args(api, np.float32, seed=6)
    # The C functions 100,000 times; the classes (Python around the same C calls) and the
    # pure-Python spiral_data fewer times, to keep the suite fast.
    # (and entries that seed NumPy's global generator per call, fewer still)
    calls = CALLS // 50 if api.global_rng else CALLS // 5 if api.name.startswith("nn.") else \
        CALLS // 50 if "." in api.name else CALLS

    fn = api.call.direct if api.inplace else api.call  # in place: the C function itself,
    # on the same arrays (the entry's fresh copies are test code, and slow)

    def call():
        fn(*args, **kwargs)

    traced, rss = measure(call, calls)
    # A leak of even one small object per call would be 20,000 x ~50 bytes traced and
    # 100,000 x ~50 bytes of RSS; allow the noise of a few pages.
    assert traced < 32 * 1024, f"{api.name}: {traced} bytes traced after {calls // 5} calls"
    assert rss < 1024 * 1024, f"{api.name}: RSS grew {rss} bytes over {calls} calls"


@pytest.mark.parametrize("api", WITH_LABELS, ids=[a.name for a in WITH_LABELS])
def test_memory_flat_over_many_errors(api):
    args, kwargs = base_args(api)
    bad = list(args)
    bad[api.label] = np.full(np.shape(args[api.label]), -1)

    def call():
        try:
            api.call(*bad, **kwargs)
        except IndexError:
            pass
        else:
            if api.labels_indexed:
                raise AssertionError("expected IndexError")

    traced, rss = measure(call, CALLS // 5)
    assert traced < 32 * 1024, traced
    assert rss < 1024 * 1024, rss
