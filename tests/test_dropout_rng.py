"""Dropout's fast masks: Philox4x32-10 in C (nnfast.dropout_philox), the program-wide switch
(nnfast.nn.set_dropout_rng, NNFAST_DROPOUT_RNG) and Layer_Dropout(rng=...)."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import nnfast
import nnfast._core as core
from nnfast import nn

# Random123's tests/kat_vectors, the three "philox4x32 10" lines: counter (4 words), key
# (2 words), the expected words.
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def _u64(lo, hi):
    return lo | hi << 32


@pytest.mark.parametrize("ctr,key,expected", KAT)
def test_philox_known_answers(ctr, key, expected):
    words = core._philox_words(_u64(*key), _u64(ctr[2], ctr[3]), _u64(ctr[0], ctr[1]), 1)
    assert words.dtype == np.uint32 and words.shape == (1, 4)
    assert tuple(int(w) for w in words[0]) == expected


def _philox_numpy(seed, step, blocks):
    """Philox4x32-10 from the paper's round function, in NumPy's uint64 arithmetic: a second
    implementation (anchored by the known answers) for many counters at once."""
    mask = np.uint64(0xFFFFFFFF)
    blocks = np.asarray(blocks, np.uint64)
    c = [blocks & mask, blocks >> np.uint64(32),
         np.full_like(blocks, step & 0xFFFFFFFF), np.full_like(blocks, step >> 32)]
    k0, k1 = seed & 0xFFFFFFFF, seed >> 32
    for _ in range(10):
        p0 = np.uint64(0xD2511F53) * c[0]
        p1 = np.uint64(0xCD9E8D57) * c[2]
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ np.uint64(k0), p1 & mask,
             (p0 >> np.uint64(32)) ^ c[3] ^ np.uint64(k1), p0 & mask]
        k0, k1 = (k0 + 0x9E3779B9) & 0xFFFFFFFF, (k1 + 0xBB67AE85) & 0xFFFFFFFF
    return np.stack(c, axis=1).astype(np.uint32)


@pytest.mark.parametrize("seed,step,block", [(0, 0, 0), (12345, 7, 2**64 - 100),
                                             (2**64 - 1, 2**63, 10**12)])
def test_philox_words_match_the_round_function(seed, step, block):
    count = 300  # several of the C side's chunks of 64 counters, and a partial one
    blocks = (block + np.arange(count, dtype=object)) % 2**64
    expected = _philox_numpy(seed, step, blocks.astype(np.uint64))
    np.testing.assert_array_equal(core._philox_words(seed, step, block, count), expected)


def _expected_keep(shape, rate, seed, step):
    size = math.prod(shape)
    words = core._philox_words(seed, step, 0, (size + 3) // 4).ravel()[:size]
    return (words.astype(np.uint64) < math.ceil((1 - rate) * 2**32)).reshape(shape)


# rows start mid-block; rows of several of the C side's chunks of 256 words
@pytest.mark.parametrize("shape", [(37, 53), (5, 1031)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mask_is_the_stream_in_c_order_and_scales_as_the_book(dtype, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    out, bm = nnfast.dropout_philox(x, 0.3, 99, 4)
    keep = _expected_keep(x.shape, 0.3, 99, 4)
    scale = np.asarray(1, dtype) / np.asarray(0.7, dtype)
    assert out.dtype == bm.dtype == dtype
    np.testing.assert_array_equal(bm, np.where(keep, scale, dtype(0)))
    np.testing.assert_array_equal(out, x * bm)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_fast_masks_keep_their_rate(rate):
    n = 10**6
    _, bm = nnfast.dropout_philox(np.ones((1000, 1000)), rate, 2024, 3)
    kept = int(np.count_nonzero(bm))
    p = 1 - rate
    assert abs(kept - n * p) < 5 * math.sqrt(n * p * (1 - p)), (kept, n * p)


def test_rate_zero_keeps_everything_and_keep_is_exact_to_2_pow_minus_32():
    _, bm = nnfast.dropout_philox(np.ones((50, 50)), 0.0, 1, 1)
    assert np.all(bm == 1)
    # a rate within 2**-32 of 1 keeps ceil(2**-32 * 2**32) = 1 value of the 2**32 words
    _, bm = nnfast.dropout_philox(np.ones((50, 50)), 1 - 2**-33, 1, 1)
    assert np.count_nonzero(bm) == np.count_nonzero(_expected_keep((50, 50), 1 - 2**-33, 1, 1))


def test_same_mask_for_any_thread_count_and_instruction_set():
    x = np.ones((301, 257), np.float32)  # parallel above the threshold; odd row lengths
    threads, isa = nnfast.get_num_threads(), core.get_isa()
    masks = []
    try:
        for name in core.supported_isas():
            core.set_isa(name)
            for t in (1, 2, 3):
                nnfast.set_num_threads(t)
                masks.append(nnfast.dropout_philox(x, 0.5, 77, 9)[1])
    finally:
        nnfast.set_num_threads(threads)
        core.set_isa(isa)
    for m in masks[1:]:
        np.testing.assert_array_equal(m, masks[0])
    np.testing.assert_array_equal(masks[0] != 0, _expected_keep(x.shape, 0.5, 77, 9))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_strided_inputs_and_out(dtype):
    base = np.random.default_rng(1).standard_normal((40, 60)).astype(dtype)
    x = base[::2, ::3]
    out = np.empty((20, 20), dtype)
    res, bm = nnfast.dropout_philox(x, 0.25, 5, 6, out=out)
    assert res is out
    keep = _expected_keep(x.shape, 0.25, 5, 6)
    np.testing.assert_array_equal(bm != 0, keep)
    np.testing.assert_array_equal(res, x * bm)


@pytest.mark.parametrize("shape", [(0,), (0, 5), (5, 0), (1,), (1, 1), ()])
def test_empty_and_one_element(shape):
    x = np.full(shape, 2.0)
    out, bm = nnfast.dropout_philox(x, 0.5, 3, 0)
    assert out.shape == bm.shape == x.shape
    keep = _expected_keep(x.shape, 0.5, 3, 0)
    np.testing.assert_array_equal(bm, np.where(keep, 2.0, 0.0))


@pytest.mark.parametrize("args,kind,words", [
    ((np.ones(3), 1.0, 0, 0), ValueError, "rate"),
    ((np.ones(3), "x", 0, 0), TypeError, "rate"),
    ((np.ones(3), 0.5, -1, 0), ValueError, "seed"),
    ((np.ones(3), 0.5, 2**64, 0), ValueError, "seed"),
    ((np.ones(3), 0.5, 1.5, 0), TypeError, "seed"),
    ((np.ones(3), 0.5, 0, None), TypeError, "step"),
    ((np.ones(3), 0.5, 0, -2), ValueError, "step"),
    ((["a"], 0.5, 0, 0), TypeError, "inputs"),
])
def test_bad_arguments_are_named(args, kind, words):
    with pytest.raises(kind, match=f"dropout_philox: .*{words}|dropout_philox.*{words}"):
        nnfast.dropout_philox(*args)


# --- the layer and the switch ------------------------------------------------------------

@pytest.fixture
def book_default():
    before = nn.get_dropout_rng()
    yield
    nn.set_dropout_rng(before)


def _masks(layer, x, steps):
    return [layer.forward(x, training=True).copy() for _ in range(steps)]


def test_layer_draws_one_seed_from_numpy_then_steps(restore_global_seed):
    x = np.ones((20, 30))
    np.random.seed(5)
    layer = nn.Layer_Dropout(0.4, rng="fast")
    first, second = _masks(layer, x, 2)
    np.random.seed(5)
    seed = int(np.random.randint(0, 2**64, dtype=np.uint64))
    after = np.random.random_sample()
    np.testing.assert_array_equal(first, nnfast.dropout_philox(x, 0.4, seed, 0)[0])
    np.testing.assert_array_equal(second, nnfast.dropout_philox(x, 0.4, seed, 1)[0])
    # nothing more was drawn from NumPy by the second forward
    np.random.seed(5)
    layer = nn.Layer_Dropout(0.4, rng="fast")
    _masks(layer, x, 3)
    assert np.random.random_sample() == after


def test_layer_masks_repeat_for_a_seed_and_differ_by_step_and_layer(restore_global_seed):
    x = np.ones((64, 64))
    np.random.seed(11)
    a, b = nn.Layer_Dropout(0.5, rng="fast"), nn.Layer_Dropout(0.5, rng="fast")
    run1 = _masks(a, x, 2) + _masks(b, x, 1)
    np.random.seed(11)
    a, b = nn.Layer_Dropout(0.5, rng="fast"), nn.Layer_Dropout(0.5, rng="fast")
    run2 = _masks(a, x, 2) + _masks(b, x, 1)
    for m1, m2 in zip(run1, run2):
        np.testing.assert_array_equal(m1, m2)
    assert not np.array_equal(run1[0], run1[1])  # a new step, a new mask
    assert not np.array_equal(run1[0], run1[2])  # another layer, another seed


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_backward_uses_the_forward_mask(dtype, restore_global_seed):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((30, 40)).astype(dtype)
    dv = rng.standard_normal((30, 40)).astype(dtype)
    layer = nn.Layer_Dropout(0.2, rng="fast")
    out = layer.forward(x, training=True)
    assert out.dtype == layer.binary_mask.dtype == dtype
    np.testing.assert_array_equal(out, x * layer.binary_mask)
    np.testing.assert_array_equal(layer.backward(dv), dv * layer.binary_mask)
    assert np.any(layer.binary_mask == 0) and np.any(layer.binary_mask != 0)


def test_switch_turns_every_default_layer_fast_and_rng_overrides_it(book_default,
                                                                   restore_global_seed):
    x = np.ones((10, 10))
    default, book = nn.Layer_Dropout(0.5), nn.Layer_Dropout(0.5, rng="book")
    assert nn.get_dropout_rng() == "book"
    nn.set_dropout_rng("fast")
    assert nn.get_dropout_rng() == "fast"
    np.random.seed(1)
    fast_out = default.forward(x, training=True)
    np.random.seed(1)
    seed = int(np.random.randint(0, 2**64, dtype=np.uint64))
    np.testing.assert_array_equal(fast_out, nnfast.dropout_philox(x, 0.5, seed, 0)[0])
    np.random.seed(1)
    book_out = book.forward(x, training=True)
    np.random.seed(1)
    np.testing.assert_array_equal(book_out, np.random.binomial(1, 0.5, size=x.shape) / 0.5)


def test_bad_choices_are_named(book_default):
    with pytest.raises(ValueError, match="set_dropout_rng: rng must be 'book'"):
        nn.set_dropout_rng("philox")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="set_dropout_rng: rng must be"):
        nn.set_dropout_rng(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Layer_Dropout: rng must be"):
        nn.Layer_Dropout(0.1, rng="Fast")  # type: ignore[arg-type]
    assert nn.get_dropout_rng() == "book"


def _import_with(value):
    env = dict(os.environ, NNFAST_DROPOUT_RNG=value)
    return subprocess.run([sys.executable, "-c", "import nnfast.nn as nn; "
                           "print(nn.get_dropout_rng())"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_environment_variable_sets_the_program_wide_choice():
    run = _import_with("fast")
    assert run.returncode == 0 and run.stdout.strip() == "fast", run.stderr
    run = _import_with("quick")
    assert run.returncode != 0 and "NNFAST_DROPOUT_RNG" in run.stderr
