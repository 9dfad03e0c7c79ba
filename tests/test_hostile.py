"""Hostile arguments to every public function and class method (api_registry.API).

Each gets the correct result (checked against the references) or a TypeError / ValueError /
IndexError whose message names the problem; none crashes the interpreter. Cases that
could take the process down (huge shapes) run in a subprocess with an address-space limit.
"""

import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

import nnfast
import nnfast.nn as nn
from api_registry import API, BY_NAME, IDS, RngSource, TINY, dtype_of, tiny_args

ERRORS = (TypeError, ValueError, IndexError)
WITH_ARRAYS = [api for api in API if api.arrays]
WITH_OUT = [api for api in API if api.out]
WITH_LABELS = [api for api in API if api.label is not None]


def ids(apis):
    return [api.name for api in apis]


def base_args(api, dtype=np.float64, seed=3):
    """Small valid arguments; for label-taking functions, index labels and >= 2 classes."""
    for s in range(seed, seed + 200):
        args, kwargs = tiny_args(api, dtype, s)
        if api.label is None:
            return list(args), kwargs
        p, y = args[0], args[api.label]
        if np.ndim(y) == 1 and np.shape(p)[0] >= 2 and np.shape(p)[1] >= 2:
            return list(args), kwargs
    raise AssertionError("no suitable arguments drawn")


def expect_ok(api, args, kwargs):
    """The call succeeds and its result matches the reference."""
    with np.errstate(all="ignore"):
        res = api.call(*args, **kwargs)
    api.check(res, args, kwargs, dtype_of(api, args))
    return res


def expect_error(api, exc, patterns, args, kwargs):
    with pytest.raises(exc) as info:
        api.call(*args, **kwargs)
    msg = str(info.value)
    for pat in patterns:
        assert re.search(pat, msg, re.IGNORECASE), f"{pat!r} not in {msg!r}"
    return msg


def ok_or_error(api, args, kwargs, exc=ERRORS, patterns=()):
    """Either the correct result or an error of type exc naming the problem."""
    try:
        with np.errstate(all="ignore"):
            res = api.call(*args, **kwargs)
    except exc as e:
        msg = str(e)
        for pat in patterns:
            assert re.search(pat, msg, re.IGNORECASE), f"{pat!r} not in {msg!r}"
        return None
    api.check(res, args, kwargs, dtype_of(api, args))
    return res


def fn_re(api):
    return "|".join(api.names)


# ---------------------------------------------------------------------------------------
# Non-numeric arguments in place of any array

BAD = [
    ("None", lambda a: None, TypeError, r"None|dtype object|object"),
    ("str", lambda a: "abc", TypeError, r"dtype|<U|str"),
    ("bytes", lambda a: b"12345678", TypeError, r"dtype|\|S|bytes"),
    ("dict", lambda a: {"a": 1}, TypeError, r"object"),
    ("object_array", lambda a: np.asarray(a).astype(object), TypeError, r"object"),
    ("complex", lambda a: np.asarray(a).astype(np.complex128), TypeError, r"complex"),
    ("float16", lambda a: np.asarray(a).astype(np.float16), TypeError, r"float16"),
    ("datetime", lambda a: np.zeros(np.shape(a), "datetime64[s]"), TypeError, r"datetime|<M8|M8"),
    ("str_array", lambda a: np.full(np.shape(a), "x"), TypeError, r"dtype|<U|str"),
]


@pytest.mark.parametrize("case", BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("api", WITH_ARRAYS, ids=ids(WITH_ARRAYS))
def test_non_numeric_argument(api, case):
    name, make, exc, pat = case
    for pos in api.arrays:
        args, kwargs = base_args(api)
        args[pos] = make(args[pos])
        if name == "float16" and len(api.arrays) > 1:  # all float16: no float32/64 to promote to

            def floating(i, a):
                return i in api.arrays or getattr(a, "dtype", np.dtype(np.int8)).kind == "f"

            args = [make(a) if floating(i, a) else a for i, a in enumerate(args)]
            kwargs = {k: make(a) if floating(None, a) else a for k, a in kwargs.items()}
        # an array updated in place must be an ndarray: the message says so
        expect_error(api, exc, [pat + ("|ndarray" if pos in api.inplace else ""), fn_re(api)],
                     args, kwargs)


def test_ragged_list_is_refused():
    for api in WITH_ARRAYS:
        args, kwargs = base_args(api)
        pos = [i for i in api.arrays if i not in api.inplace][0]  # in place: must be an ndarray
        args[pos] = [[1.0, 2.0], [3.0]]
        expect_error(api, ValueError, [r"inhomogeneous|sequence|shape"], args, kwargs)


# ---------------------------------------------------------------------------------------
# Unusual but valid memory: each gives the correct result

def big_endian(a):
    a = np.asarray(a)
    return a.astype(a.dtype.newbyteorder(">" if a.dtype.byteorder != ">" else "<"))


def misaligned(a):
    """A copy of a whose data starts one byte past an aligned address."""
    a = np.asarray(a)
    buf = bytearray(a.nbytes + a.itemsize + 1)
    v = np.frombuffer(buf, dtype=a.dtype, count=a.size, offset=1).reshape(a.shape)
    v[...] = a
    assert a.size <= 1 and a.itemsize == 1 or not v.flags.aligned
    return v


def read_only(a):
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def broadcast_first(a):
    """A zero-stride view repeating a's first element (a read-only broadcast)."""
    a = np.asarray(a)
    return np.broadcast_to(a.flat[0], a.shape) if a.size else a


def as_list(a):
    return np.asarray(a).tolist()


def reversed_view(a):
    """a's values in a view with negative strides on every axis."""
    a = np.asarray(a)
    rev = (slice(None, None, -1),) * a.ndim
    return np.array(a[rev], copy=True)[rev]


VALID_MEMORY = [("big_endian", big_endian), ("misaligned", misaligned), ("read_only", read_only),
                ("broadcast", broadcast_first), ("list", as_list), ("reversed", reversed_view)]


@pytest.mark.parametrize("case", VALID_MEMORY, ids=[c[0] for c in VALID_MEMORY])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("api", WITH_ARRAYS, ids=ids(WITH_ARRAYS))
def test_unusual_memory_gives_correct_result(api, dtype, case):
    name, make = case
    positions = list(api.arrays) + ([api.label] if api.label is not None else [])
    for pos in positions + ["all"]:
        args, kwargs = base_args(api, dtype)
        targets = positions if pos == "all" else [pos]
        for p in targets:
            args[p] = make(args[p])
        if any(p in api.inplace for p in targets):
            # updated in place: the correct update, or an error naming the function
            # (a list or a read-only view cannot be updated)
            ok_or_error(api, args, kwargs, patterns=[fn_re(api)])
        else:
            expect_ok(api, args, kwargs)


# ---------------------------------------------------------------------------------------
# Wrong dimensions and widths: the correct result (when the function takes that shape) or
# a ValueError naming the shapes

def add_axis(a):
    a = np.asarray(a)
    return np.stack([a, a])


def zero_d(a):
    return np.asarray(np.asarray(a).flat[0] if np.size(a) else 1.0, dtype=np.asarray(a).dtype)


def wider(a):
    a = np.asarray(a)
    if a.ndim == 0:
        return a
    return np.concatenate([a, a[..., :1] if a.shape[-1] else np.ones(a.shape[:-1] + (1,), a.dtype)],
                          axis=-1)


def taller(a):
    a = np.asarray(a)
    if a.ndim < 2:
        return a
    return np.concatenate([a, a[:1]], axis=0)


SHAPES = [("0d", zero_d), ("3d", add_axis), ("wider", wider), ("taller", taller)]


@pytest.mark.parametrize("case", SHAPES, ids=[c[0] for c in SHAPES])
@pytest.mark.parametrize("api", WITH_ARRAYS, ids=ids(WITH_ARRAYS))
def test_wrong_shape_is_result_or_value_error(api, case):
    name, make = case
    for pos in api.arrays:
        args, kwargs = base_args(api)
        args[pos] = make(args[pos])
        ok_or_error(api, args, kwargs, ValueError, [fn_re(api), r"shape|dimension|d array|-D"])


def test_layers_fed_the_wrong_width():
    layer = nn.Layer_Dense(3, 4)
    with pytest.raises(ValueError, match=r"\(5, ?2\).*\(3, ?4\)"):
        layer.forward(np.ones((5, 2)))
    neuron = nn.Neuron(np.ones(3), 0.5)
    with pytest.raises(ValueError, match=r"not aligned"):
        neuron.forward(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"y_true|one-hot"):
        nn.Loss_CategoricalCrossentropy().calculate(np.full((2, 3), 1 / 3), np.eye(4)[:2])
    sm = nn.Activation_Softmax()
    with pytest.raises(ValueError, match="0-d"):
        sm.forward(np.float64(1.0))


# ---------------------------------------------------------------------------------------
# out=

def out_case_args(api):
    args, kwargs = base_args(api)
    res = expect_ok(api, args, kwargs)
    return args, kwargs, np.asarray(api.pick(res))


@pytest.mark.parametrize("api", WITH_OUT, ids=ids(WITH_OUT))
def test_out_errors(api):
    args, kwargs, res = out_case_args(api)
    f = fn_re(api)
    expect_error(api, TypeError, [f, "out"], args, {**kwargs, "out": res.tolist()})
    expect_error(api, TypeError, [f, "out"], args, {**kwargs, "out": np.empty(res.shape, np.float32)})
    expect_error(api, TypeError, [f, "out"], args, {**kwargs, "out": np.empty(res.shape, np.int64)})
    expect_error(api, TypeError, [f, "out"], args, {**kwargs, "out": np.empty(res.shape, object)})
    expect_error(api, ValueError, [f, "out", "shape"], args,
                 {**kwargs, "out": np.empty(res.shape + (1,), res.dtype)})
    if res.ndim:
        expect_error(api, ValueError, [f, "out", "shape"], args,
                     {**kwargs, "out": np.empty((res.shape[0] + 1,) + res.shape[1:], res.dtype)})
    ro = np.empty(res.shape, res.dtype)
    ro.setflags(write=False)
    expect_error(api, ValueError, ["out", "read-only|writeable"], args, {**kwargs, "out": ro})
    # A big-endian out has another dtype: refused, or filled correctly.
    be = np.zeros(res.shape, res.dtype.newbyteorder(">"))
    try:
        got = api.call(*args, **kwargs, out=be)
    except TypeError as e:
        assert "out" in str(e)
    else:
        assert api.pick(got) is be
        api.check(got, args, {**kwargs, "out": be}, res.dtype)


def out_views(shape, dtype):
    """Writeable `out` arrays of a shape in unusual memory."""
    size = int(np.prod(shape))
    yield "misaligned", misaligned(np.zeros(shape, dtype))
    yield "reversed", np.zeros(shape, dtype)[(slice(None, None, -1),) * len(shape)]
    big = np.zeros(tuple(3 * s + 1 for s in shape), dtype)
    yield "strided", big[tuple(slice(0, 3 * s, 3) for s in shape)]
    if len(shape) >= 2:
        yield "fortran", np.zeros(shape[::-1], dtype).T
    if len(shape) >= 3:  # axes that do not merge into rows
        yield "unmergeable", np.zeros((shape[1], shape[0]) + shape[2:], dtype).swapaxes(0, 1)
    if size > 1:  # every element at one address: gets what NumPy's assignment would leave
        yield "self_overlapping", as_strided(np.zeros(1, dtype), shape, (0,) * len(shape),
                                             writeable=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("api", WITH_OUT, ids=ids(WITH_OUT))
def test_out_in_unusual_memory(api, dtype):
    for seed in range(3, 8):
        args, kwargs = base_args(api, dtype, seed)
        full = expect_ok(api, args, kwargs)
        res = np.asarray(api.pick(full))
        for name, out in out_views(res.shape, res.dtype):
            got = api.call(*args, **kwargs, out=out)
            assert api.pick(got) is out, name
            if name == "self_overlapping":
                twin = as_strided(np.zeros(1, dtype), res.shape, (0,) * res.ndim, writeable=True)
                twin[...] = res  # NumPy's assignment into the same memory layout
                np.testing.assert_array_equal(out, twin, err_msg=name)
            else:
                api.check(got, args, {**kwargs, "out": out}, res.dtype)


@pytest.mark.parametrize("api", WITH_OUT, ids=ids(WITH_OUT))
def test_out_aliasing_an_input(api):
    """out is an input itself, or overlaps one shifted by an element: the result is what
    the inputs held before the call."""
    done = 0
    for seed in range(3, 40):
        args, kwargs = base_args(api, np.float64, seed)
        res = np.asarray(api.pick(expect_ok(api, args, kwargs)))
        for pos in api.arrays:
            a = np.asarray(args[pos])
            if a.shape != res.shape or a.dtype != res.dtype:
                continue
            before = [np.array(x, copy=True) if isinstance(x, np.ndarray) else x for x in args]
            # the same array
            work = list(args)
            work[pos] = np.array(a, copy=True)
            got = api.call(*work, **kwargs, out=work[pos])
            assert api.pick(got) is work[pos]
            api.check(got, before, kwargs, res.dtype)
            # shifted by one element within one buffer
            buf = np.zeros(a.size + 1, a.dtype)
            inp = buf[1:].reshape(a.shape)
            inp[...] = a
            out = buf[:-1].reshape(a.shape)
            work[pos] = inp
            got = api.call(*work, **kwargs, out=out)
            assert api.pick(got) is out
            api.check(got, before, kwargs, res.dtype)
            done += 1
        if done >= 3:
            break
    if api.name in ("relu", "linear", "softmax", "relu_backward", "sigmoid", "sigmoid_backward",
                    "softmax_backward", "dropout_backward", "binary_crossentropy_backward",
                    "mean_squared_error_backward", "mean_absolute_error_backward"):
        assert done, "no aliasing case was exercised"


# ---------------------------------------------------------------------------------------
# Labels

def label_cases(p, y):
    m, n = np.shape(p)
    y = np.asarray(y)

    def with_first(v, dt=np.int64):
        z = y.astype(dt)
        z[0] = v
        return z

    yield "negative", with_first(-1), IndexError, r"y_true\[0\] = -1"
    yield "too_large", with_first(n), IndexError, rf"y_true\[0\] = {n}"
    yield "int8_min", with_first(-128, np.int8), IndexError, r"-128"
    yield "uint64_max", with_first(2**64 - 1, np.uint64), IndexError, r"18446744073709551615"
    yield "float", y.astype(np.float64), TypeError, r"y_true.*(integer|float)"
    yield "bool", (y > 0), TypeError, r"y_true"
    yield "too_many", np.concatenate([y, y[:1]]), ValueError, rf"y_true.*{m + 1}"
    yield "too_few", y[:-1], ValueError, rf"y_true.*{m - 1}"
    yield "onehot_wide", np.eye(n + 1)[y], ValueError, r"one-hot.*" + rf"\({m}, ?{n + 1}\)"
    yield "onehot_tall", np.eye(n)[np.concatenate([y, y[:1]])], ValueError, r"one-hot"
    yield "3d", np.eye(n)[y][None], ValueError, r"y_true"
    yield "0d", np.asarray(y[0]), ValueError, r"y_true"
    yield "None", None, TypeError, r"y_true"
    yield "str", "abc", TypeError, r"y_true"
    yield "complex", y.astype(complex), TypeError, r"y_true.*complex"


@pytest.mark.parametrize("api", WITH_LABELS, ids=ids(WITH_LABELS))
def test_bad_labels(api):
    args, kwargs = base_args(api)
    for name, bad, exc, pat in label_cases(args[0], args[api.label]):
        work = list(args)
        work[api.label] = bad
        if not api.labels_indexed and exc is IndexError:
            # accuracy compares labels, never indexes with them: a label that is no class
            # simply never matches
            res = expect_ok(api, work, kwargs)
            continue
        expect_error(api, exc, [pat, fn_re(api)], work, kwargs)


@pytest.mark.parametrize("api", WITH_LABELS, ids=ids(WITH_LABELS))
def test_labels_in_unusual_memory(api):
    args, kwargs = base_args(api)
    y = np.asarray(args[api.label])
    onehot = np.eye(np.shape(args[0])[1])[y]
    for lab in [big_endian(y.astype(np.int32)), misaligned(y.astype(np.int64)), y[::-1][::-1],
                big_endian(onehot), misaligned(onehot), onehot.T.copy().T, y.tolist(),
                read_only(y.astype(np.uint16))]:
        work = list(args)
        work[api.label] = lab
        expect_ok(api, work, kwargs)


# ---------------------------------------------------------------------------------------
# Keyword and scalar arguments

C_FUNCTIONS = [nnfast.dot, nnfast.dense, nnfast.relu, nnfast.linear, nnfast.softmax,
               nnfast.categorical_crossentropy, nnfast.softmax_crossentropy, nnfast.accuracy,
               nnfast.dense_backward, nnfast.relu_backward, nnfast.sigmoid,
               nnfast.sigmoid_backward, nnfast.softmax_backward,
               nnfast.softmax_crossentropy_backward, nnfast.categorical_crossentropy_backward,
               nnfast.binary_crossentropy, nnfast.binary_crossentropy_backward,
               nnfast.mean_squared_error, nnfast.mean_squared_error_backward,
               nnfast.mean_absolute_error, nnfast.mean_absolute_error_backward,
               nnfast.dropout, nnfast.dropout_backward, nnfast.regularization_loss,
               nnfast.sgd_update, nnfast.adagrad_update, nnfast.rmsprop_update,
               nnfast.adam_update]


@pytest.mark.parametrize("fn", C_FUNCTIONS, ids=lambda f: f.__name__)
def test_argument_parsing(fn):
    api = BY_NAME[fn.__name__]
    args, kwargs = base_args(api)
    first = next(iter(inspect.signature(fn).parameters))  # from the docstring's signature
    with pytest.raises(TypeError, match=rf"{fn.__name__}.*unexpected keyword.*bogus"):
        fn(*args, **kwargs, bogus=1)
    with pytest.raises(TypeError, match=rf"{fn.__name__}.*at most"):
        fn(*args, *([None] * 14))
    with pytest.raises(TypeError, match=rf"{fn.__name__}.*missing"):
        fn()
    with pytest.raises(TypeError, match=r"multiple values"):
        fn(*args, **{first: args[0]})
    with pytest.raises((TypeError, ValueError)):  # UnicodeEncodeError is a ValueError
        fn(*args, **{"\udc80": 1})  # a keyword that is not valid UTF-8


def test_string_options():
    x, w, b = np.ones((2, 3)), np.ones((3, 2)), np.ones(2)
    for bad, exc in [(5, TypeError), (b"relu", TypeError), ("tanh", ValueError), ("RELU", ValueError),
                     ("relu\0x", ValueError), ("\udc80", (TypeError, ValueError, UnicodeError))]:
        with pytest.raises(exc):
            nnfast.dense(x, w, b, activation=bad)
    p, y = np.full((2, 3), 1 / 3), np.array([0, 1])
    for bad, exc in [(None, TypeError), (1, TypeError), ("avg", ValueError), ("mean\0", ValueError)]:
        with pytest.raises(exc, match="reduction"):
            nnfast.categorical_crossentropy(p, y, reduction=bad)


@pytest.mark.parametrize("bad,exc", [(None, TypeError), ("3", TypeError), (2.5, TypeError),
                                     (True, TypeError), (-1, ValueError),
                                     (np.float64(3), TypeError)])
def test_spiral_data_bad_counts(bad, exc):
    with pytest.raises(exc, match="spiral_data.*samples"):
        nnfast.datasets.spiral_data(bad, 3)
    with pytest.raises(exc, match="spiral_data.*classes"):
        nnfast.datasets.spiral_data(3, bad)
    with pytest.raises(ValueError, match="spiral_data.*classes.*256"):
        nnfast.datasets.spiral_data(3, 257)


@pytest.mark.parametrize("cls", [nn.Layer_Dense])
@pytest.mark.parametrize("bad,exc", [(None, TypeError), (2.0, TypeError), (-1, ValueError),
                                     ("3", TypeError), (True, TypeError)])
def test_layer_bad_sizes(cls, bad, exc):
    with pytest.raises(exc, match="Layer_Dense"):
        cls(bad, 3)
    with pytest.raises(exc, match="Layer_Dense"):
        cls(3, bad)


# ---------------------------------------------------------------------------------------
# Sizes whose products overflow: refused before any allocation. Run in a subprocess with
# a 4 GiB address-space limit, so an attempt to allocate them fails fast instead of
# taking the machine's memory, and a crash fails this test instead of the whole run.

HUGE_SCRIPT = textwrap.dedent(r"""
    import os, re, resource, sys
    import numpy as np
    from numpy.lib.stride_tricks import as_strided
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASan maps terabytes of shadow
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    import nnfast, nnfast.nn as nn
    G = 2**40
    def zs(shape, dtype=np.float64):  # a zero-stride view: any shape, one element of memory
        return as_strided(np.zeros(1, dtype), shape, (0,) * len(shape))
    V, M = (ValueError,), (ValueError, MemoryError)
    TOO_BIG = r"too big|Maximum allowed dimension"
    cases = [  # name, call, accepted exceptions, message pattern
        # products that overflow a 64-bit size: refused before allocating anything
        ("dot mm", lambda: nnfast.dot(zs((G, 1)), zs((1, G))), V, TOO_BIG),
        ("dot mm f32", lambda: nnfast.dot(zs((G, 1), np.float32), zs((1, G), np.float32)), V, TOO_BIG),
        ("dense", lambda: nnfast.dense(zs((G, 1)), zs((1, G)), zs((G,))), V, TOO_BIG),
        ("dense softmax", lambda: nnfast.dense(zs((G, 1)), zs((1, G)), zs((G,)), activation="softmax"), V, TOO_BIG),
        ("linear int8 cast", lambda: nnfast.linear(zs((2**60,), np.int8)), V, TOO_BIG),
        ("relu int8 cast", lambda: nnfast.relu(zs((2**61, 2), np.int8)), V, TOO_BIG),
        ("Layer_Dense", lambda: nn.Layer_Dense(G, G), V, TOO_BIG),
        ("spiral_data", lambda: nnfast.datasets.spiral_data(2**62, 4), V, TOO_BIG),
        ("spiral_data 10**30", lambda: nnfast.datasets.spiral_data(10**30, 2), V, TOO_BIG),
        # a wrong `out` is reported as such, whatever the size of the result
        ("dense out", lambda: nnfast.dense(zs((G, 1)), zs((1, G)), zs((G,)), out=np.empty((2, 2))), V,
         r"out has shape \(2,2\) but the result has shape \(1099511627776,1099511627776\)"),
        ("dot out 32 GiB", lambda: nnfast.dot(zs((2**16, 1)), zs((1, 2**16)), out=np.empty(3)), V,
         r"out has shape \(3,\) but the result has shape \(65536,65536\)"),
        # sizes that fit but cannot be allocated: MemoryError, nothing else
        ("dense 1-D", lambda: nnfast.dense(zs((1,)), zs((1, 2**59)), zs((2**59,))), M, ""),
        ("relu 2**59", lambda: nnfast.relu(zs((2**59,))), M, ""),
        ("softmax 2**30 x 2**29", lambda: nnfast.softmax(zs((2**30, 2**29))), M, ""),
        ("cce none", lambda: nnfast.categorical_crossentropy(zs((2**58, 2)), zs((2**58,), np.int64), reduction="none"), M, ""),
        ("softmax_cce", lambda: nnfast.softmax_crossentropy(zs((2**58, 2)), zs((2**58,), np.int64)), M, ""),
        ("cce onehot cast", lambda: nnfast.categorical_crossentropy(zs((2**58, 2)), zs((2**58, 2), np.int8)), M, ""),
        ("Layer_Dense.forward", lambda: nn.Layer_Dense(1, 1).forward(zs((2**59, 1))), M, ""),
        # training
        ("dense_backward dweights", lambda: nnfast.dense_backward(zs((1, G)), zs((1, G)), zs((G, G))), V, TOO_BIG),
        ("sigmoid int8 cast", lambda: nnfast.sigmoid(zs((2**62, 4), np.int8)), V, TOO_BIG),
        ("bce none", lambda: nnfast.binary_crossentropy(zs((2**59, 2)), zs((2**59, 2)), reduction="none"), V, TOO_BIG),
        ("regularization_loss int8 cast", lambda: nnfast.regularization_loss(zs((2**61, 2), np.int8), 1.0), V, TOO_BIG),
        ("adam zero-stride param", lambda: nnfast.adam_update(as_strided(np.zeros(1), (G,), (0,), writeable=True),
                                                               zs((G,)), zs((G,)), zs((G,)), 0.1, 0), V, "share memory"),
        ("dense_backward 2**59", lambda: nnfast.dense_backward(zs((2**59, 1)), zs((2**59, 1)), zs((1, 1))), M, ""),
        ("relu_backward", lambda: nnfast.relu_backward(zs((2**59,)), zs((2**59,))), M, ""),
        ("softmax_cce_backward", lambda: nnfast.softmax_crossentropy_backward(zs((2**58, 2)), zs((2**58,), np.int64)), M, ""),
        ("dropout", lambda: nnfast.dropout(zs((2**59,)), zs((2**59,), np.int64), 0.5), M, ""),
    ]
    failed = 0
    for name, f, accepted, pattern in cases:
        try:
            f()
        except accepted as e:
            ok = re.search(pattern, str(e)) is not None
            print(f"{name}: {type(e).__name__}: {e}" + ("" if ok else "  <-- message"))
            failed |= not ok
        except Exception as e:
            print(f"{name}: {type(e).__name__}: {e}  <-- not {accepted}")
            failed = 1
        else:
            print(f"{name}: returned  <-- expected an error")
            failed = 1
    print("cases:", len(cases))
    sys.exit(failed)
""")


def test_huge_sizes_are_refused():
    root = str(Path(nnfast.__file__).resolve().parent.parent)  # the nnfast being tested
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-c", HUGE_SCRIPT], capture_output=True, text=True,
                       timeout=120, cwd=Path(__file__).parent, env=env)
    assert r.returncode == 0, f"rc={r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "cases: 27" in r.stdout, r.stdout


# ---------------------------------------------------------------------------------------
# Training functions: what the table's loops cannot express

OPTIMIZER_CALLS = {  # name: (call(param, grad, s1, s2), number of state arrays)
    "sgd_update": (lambda p, g, s1, s2: nnfast.sgd_update(p, g, 0.1, 0.9, s1), 1),
    "adagrad_update": (lambda p, g, s1, s2: nnfast.adagrad_update(p, g, s1, 0.1), 1),
    "rmsprop_update": (lambda p, g, s1, s2: nnfast.rmsprop_update(p, g, s1, 0.1), 1),
    "adam_update": (lambda p, g, s1, s2: nnfast.adam_update(p, g, s1, s2, 0.1, 3), 2),
}


def _expected_step(name, p, g, s1, s2):
    """The book's step on copies (NumPy, float64), as (param, s1, s2)."""
    from nnfast.baseline import book as rt
    kind = {"sgd_update": "sgd", "adagrad_update": "adagrad", "rmsprop_update": "rmsprop",
            "adam_update": "adam"}[name]
    hyper = dict(learning_rate=0.1)
    if kind == "sgd":
        hyper["momentum"] = 0.9
    if kind == "adam":
        hyper["iteration"] = 3
    return rt.optimizer_step(kind, p.copy(), g.copy(), None if s1 is None else s1.copy(),
                             None if s2 is None else s2.copy(), **hyper)


@pytest.mark.parametrize("name", list(OPTIMIZER_CALLS))
def test_inplace_arrays_sharing_memory(name):
    """Arrays updated in place that share memory are refused (naming both); a gradient that
    shares memory with them is read as it was before the call (as NumPy's `param +=
    -lr * grad` reads it), whether it is the same array or shifted by an element."""
    call, states = OPTIMIZER_CALLS[name]
    rng = np.random.default_rng(1)
    vals = rng.standard_normal(9)

    def state():
        return np.abs(rng.standard_normal(8))

    # a state array that is the parameter, or overlaps it shifted by one element
    buf = vals.copy()
    for s1, s2, pat in [(buf[:8], state(), "shares memory with param"),
                        (buf[1:], state(), "shares memory with param")] + \
            ([(state(), buf[:8], "shares memory with param")] if states == 2 else []):
        with pytest.raises(ValueError, match=rf"{name}: .*{pat}"):
            call(buf[:8], np.ones(8), s1, s2)
    if states == 2:
        s = state()
        with pytest.raises(ValueError, match=rf"{name}: cache shares memory with momentums"):
            call(vals[:8].copy(), np.ones(8), s, s)
    np.testing.assert_array_equal(buf, vals)  # nothing written
    # the gradient is the parameter, a state, or overlaps the parameter shifted either way
    for case in ["param", "state", "shift_left", "shift_right"]:
        buf = vals.copy()
        s1, s2 = state(), (state() if states == 2 else None)
        if case == "param":
            p, g = buf[:8], buf[:8]
        elif case == "state":
            p, g = buf[:8], s1
        elif case == "shift_left":
            p, g = buf[:8], buf[1:]
        else:
            p, g = buf[1:], buf[:8]
        expected = _expected_step(name, p, g, s1, s2)
        call(p, g, s1, s2)
        np.testing.assert_allclose(p, expected[0], rtol=1e-14, atol=1e-300, err_msg=case)
        if case != "state":  # s1 is also the gradient there: its new value is the state's
            np.testing.assert_allclose(s1, expected[1], rtol=1e-14, err_msg=case)


@pytest.mark.parametrize("name", list(OPTIMIZER_CALLS))
def test_inplace_array_with_repeated_elements_is_refused(name):
    call, states = OPTIMIZER_CALLS[name]
    zero_stride = as_strided(np.zeros(1), (4,), (0,), writeable=True)
    for pos in range(1 + states):
        arrs = [np.zeros(4), np.ones(4) if states else None, np.ones(4) if states == 2 else None]
        arrs[pos] = zero_stride
        with pytest.raises(ValueError, match=rf"{name}: .*share memory"):
            call(arrs[0], np.ones(4), arrs[1], arrs[2])


@pytest.mark.parametrize("name", list(OPTIMIZER_CALLS))
def test_gradient_cast_like_numpy_inplace_add(name):
    """A float64 (or integer) gradient updates a float32 parameter, as `param += -lr * grad`
    does in NumPy (same_kind casting); the parameter stays float32."""
    call, states = OPTIMIZER_CALLS[name]
    rng = np.random.default_rng(2)
    p64, g64 = rng.standard_normal(6), rng.standard_normal(6)
    for g in (g64, np.arange(-3, 3)):
        p = p64.astype(np.float32)
        s = [np.ones(6, np.float32) if i < states else None for i in range(2)]
        expected = _expected_step(name, p.astype(np.float64), np.asarray(g, np.float64),
                                  *[None if a is None else a.astype(np.float64) for a in s])
        call(p, g, *s)
        assert p.dtype == np.float32
        np.testing.assert_allclose(p, expected[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(OPTIMIZER_CALLS))
def test_optimizer_hyperparameters(name):
    p, g = np.zeros(3), np.ones(3)
    s = [np.ones(3), np.ones(3)]
    fn = getattr(nnfast, name)
    lr_pos = {"sgd_update": 2, "adagrad_update": 3, "rmsprop_update": 3, "adam_update": 4}[name]
    args = [p, g] + ([s[0]] if name in ("adagrad_update", "rmsprop_update") else
                     s if name == "adam_update" else []) + [0.1] + ([0] if name == "adam_update" else [])
    for bad in [None, "0.1", 1j, [0.1], object()]:
        work = list(args)
        work[lr_pos] = bad
        with pytest.raises(TypeError, match=rf"{name}: learning_rate must be a real number"):
            fn(*work)
    np.testing.assert_array_equal(p, 0)  # nothing was updated
    if name == "adam_update":
        with pytest.raises(TypeError, match="adam_update: iteration must be a real number"):
            fn(p, g, *s, 0.1, "3")


def test_dense_backward_outs():
    """dweights=, dbiases=, dinputs=: each checked like any `out` (type, dtype, shape,
    writeable); two results in one memory are refused; an out that is an input gets the
    right result."""
    rng = np.random.default_rng(3)
    dv, x, w, b = (rng.standard_normal(s) for s in [(3, 3), (3, 3), (3, 3), (3,)])
    expected = (x.T @ dv, dv.sum(axis=0), dv @ w.T)
    shapes = {"dweights": (3, 3), "dbiases": (3,), "dinputs": (3, 3)}
    for name, shape in shapes.items():
        f = "dense_backward"
        with pytest.raises(TypeError, match=rf"{f}: out must be a numpy.ndarray"):
            nnfast.dense_backward(dv, x, w, b, **{name: [0.0] * 3})
        with pytest.raises(TypeError, match=rf"{f}: out has dtype float32"):
            nnfast.dense_backward(dv, x, w, b, **{name: np.zeros(shape, np.float32)})
        with pytest.raises(ValueError, match=rf"{f}: out has shape"):
            nnfast.dense_backward(dv, x, w, b, **{name: np.zeros(shape + (1,))})
        with pytest.raises(ValueError, match=rf"{f}: out is read-only"):
            nnfast.dense_backward(dv, x, w, b, **{name: read_only(np.zeros(shape))})
    for a, c in [("dweights", "dinputs"), ("dweights", "dbiases"), ("dbiases", "dinputs")]:
        buf = np.zeros((3, 3))
        outs = {a: buf if shapes[a] == (3, 3) else buf[0], c: buf if shapes[c] == (3, 3) else buf[0]}
        with pytest.raises(ValueError, match=rf"dense_backward: {a} and {c} share memory"):
            nnfast.dense_backward(dv, x, w, b, **outs)
    for name, inputs in [("dinputs", "dv"), ("dweights", "x"), ("dweights", "w"), ("dinputs", "w")]:
        args = {"dv": dv.copy(), "x": x.copy(), "w": w.copy()}
        got = nnfast.dense_backward(args["dv"], args["x"], args["w"], b, **{name: args[inputs]})
        for r, e in zip(got, expected):
            np.testing.assert_allclose(r, e, rtol=1e-12, atol=1e-12, err_msg=f"{name}={inputs}")
    with pytest.raises(ValueError, match="dense_backward: bias_regularizer_l1/l2 given without biases"):
        nnfast.dense_backward(dv, x, w, bias_regularizer_l1=0.5)
    with pytest.raises(TypeError, match="dense_backward: weight_regularizer_l2 must be a real number"):
        nnfast.dense_backward(dv, x, w, b, weight_regularizer_l2=None)


def test_dropout_masks_and_rates():
    x = np.arange(6.0).reshape(2, 3)
    for rate in [np.nan, 1.0, -0.1, np.inf]:
        with pytest.raises(ValueError, match=r"dropout: rate must be in \[0, 1\)"):
            nnfast.dropout(x, np.ones((2, 3), int), rate)
    for rate in [None, "0.5", 1j]:
        with pytest.raises(TypeError, match="dropout: rate must be a real number"):
            nnfast.dropout(x, np.ones((2, 3), int), rate)
    with pytest.raises(TypeError, match="dropout: mask has dtype uint64, which does not fit int64"):
        nnfast.dropout(x, np.ones((2, 3), np.uint64), 0.5)
    for bad, pat in [(np.ones((2, 3)), "mask must hold integers"), (np.ones((3, 2), int), "shape")]:
        with pytest.raises((TypeError, ValueError), match=rf"dropout: .*{pat}"):
            nnfast.dropout(x, bad, 0.5)
    for mask in [np.array([[1, 0, 1], [0, 1, 1]], np.uint32), np.array([[True, False, True]] * 2)]:
        out, bm = nnfast.dropout(x, mask, 0.5)
        np.testing.assert_array_equal(bm, mask / 0.5)
        np.testing.assert_array_equal(out, x * (mask / 0.5))


def test_softmax_crossentropy_backward_nan_one_hot_label():
    """One-hot rows are read by np.argmax, which takes the first NaN as the maximum."""
    p = np.full((3, 3), 1 / 3)
    y = np.array([[0.0, 1.0, np.nan], [np.nan, 1.0, 0.0], [0.0, 2.0, 1.0]])
    expected = p.copy()
    expected[np.arange(3), np.argmax(y, axis=1)] -= 1
    np.testing.assert_allclose(nnfast.softmax_crossentropy_backward(p, y), expected / 3)
    d, loss_sum, correct = nnfast.softmax_crossentropy_backward(p, y, with_stats=True)
    np.testing.assert_allclose(d, expected / 3)
