"""One row of the API registry (api_registry.py): the Api record, which says how to call
one public callable, draw its arguments and check its result, and the adapters that turn
class methods and in-place functions into calls that return what they computed.
"""

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass
class Api:
    """One public callable.

    call(*args, **kwargs): the nnfast side. draw(src, dtype, size) -> (args, kwargs): valid
    arguments. check(result, args, kwargs, dtype): asserts the result against the
    reference. arrays: positions of float-array arguments; label: position of y_true;
    out: whether `out=` is accepted; names: words one of which an error message must
    contain (the C function's name); global_rng: draws from NumPy's global generator (so
    concurrent calls interleave their draws, as any np.random.* calls do); inplace:
    positions of arrays the function updates in place (call works on fresh copies of them,
    fresh_like, and returns them); pick: the array `out=` receives, from a result that is
    a tuple; labels_indexed: a label outside [0, classes) is an IndexError (accuracy only
    compares labels); cycles: a call leaves reference cycles (Model's layers link to each
    other), so reference counts are taken after a collection."""
    name: str
    call: Callable
    draw: Callable
    check: Callable
    arrays: tuple = ()
    label: Optional[int] = None
    out: bool = False
    names: tuple = field(default_factory=tuple)
    global_rng: bool = False
    inplace: tuple = ()
    cycles: bool = False
    pick: Callable = lambda res: res
    labels_indexed: bool = True


def fresh_like(a):
    """A new copy of ndarray a in the same memory: dtype (byte order included), strides,
    address modulo 64 (so misaligned stays misaligned) and writeable flag. Other objects are
    returned as they are. In-place entries call nnfast on these, so every call starts from
    the drawn values whatever else (another thread, an earlier call) used them."""
    if not isinstance(a, np.ndarray):
        return a
    # the byte extent from the strides (not __array_interface__, which tracemalloc sees
    # keeping ~48 bytes per call in NumPy 2.4, and test_leaks counts them)
    low = sum(st * (n - 1) for st, n in zip(a.strides, a.shape) if st < 0 and n)
    high = sum(st * (n - 1) for st, n in zip(a.strides, a.shape) if st > 0 and n)
    raw = np.zeros(high - low + a.itemsize + 64, np.uint8)
    start = (a.ctypes.data + low - raw.ctypes.data) % 64 - low
    b = np.ndarray(a.shape, a.dtype, buffer=raw, offset=start, strides=a.strides)
    b[...] = a
    if not a.flags.writeable:
        b.setflags(write=False)
    return b


def in_place(fn, positions):
    """fn updates the arrays at `positions` in place and returns None: the entry calls it on
    fresh copies of them (fresh_like) and returns the updated copies."""
    def call(*args, **kwargs):
        args = list(args)
        for i in positions:
            args[i] = fresh_like(args[i])
        assert fn(*args, **kwargs) is None
        return tuple(args[i] for i in positions)
    call.__name__ = fn.__name__
    call.direct = fn  # the function itself: test_leaks counts references around it
    return call


def first_of(res):
    """The array `out=` receives, of a result that may be a tuple."""
    return res[0] if isinstance(res, tuple) else res


def method_call(cls, method="forward"):
    def call(*args, **kwargs):
        obj = cls()
        out = getattr(obj, method)(*args, **kwargs)
        if method == "forward" and hasattr(obj, "output"):
            assert obj.output is out
        return out
    call.__name__ = f"{cls.__name__}.{method}"
    return call
