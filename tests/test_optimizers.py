"""The book's optimizers (SGD with decay and momentum, Adagrad, RMSprop, Adam): nnfast's fused
in-place C steps against the NumPy reference of the book's classes, step by step, both
dtypes, contiguous and strided parameters, within one step's error bound (registry_bounds);
and the functional update errors."""
import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
from nnfast.baseline import book as ref  # the book's classes in plain NumPy
from api_registry import BY_NAME
from conftest import as_layout
from registry_bounds import check_steps, check_ulps

OPTIMIZERS = [
    ("Optimizer_SGD", {}),
    ("Optimizer_SGD", dict(learning_rate=0.5, decay=1e-2)),
    ("Optimizer_SGD", dict(learning_rate=0.5, decay=1e-3, momentum=0.9)),
    ("Optimizer_Adagrad", dict(decay=1e-4)),
    ("Optimizer_Adagrad", dict(learning_rate=0.3, epsilon=1e-5)),
    ("Optimizer_RMSprop", {}),
    ("Optimizer_RMSprop", dict(learning_rate=0.02, decay=1e-5, rho=0.999)),
    ("Optimizer_Adam", {}),
    ("Optimizer_Adam", dict(learning_rate=0.05, decay=5e-7, beta_1=0.8, beta_2=0.99)),
]


class Params:
    """A stand-in layer: weights, biases and their gradients."""

    def __init__(self, w, b):
        self.weights, self.biases = w, b


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=lambda v: str(v))
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_optimizer_steps_match_book(rng, dtype, name, kwargs, layout):
    w0 = rng.standard_normal((7, 5)).astype(dtype)
    b0 = rng.standard_normal((1, 5)).astype(dtype)
    ours = Params(as_layout(w0, layout), b0.copy())
    theirs = Params(w0.copy(), b0.copy())
    opt_ours, opt_theirs = getattr(nn, name)(**kwargs), getattr(ref, name)(**kwargs)
    for attr in ("learning_rate", "current_learning_rate", "decay", "iterations"):
        assert getattr(opt_ours, attr) == getattr(opt_theirs, attr)
    for step in range(5):
        g_w = rng.standard_normal((7, 5)).astype(dtype)
        g_b = rng.standard_normal((1, 5)).astype(dtype)
        ours.dweights, ours.dbiases = as_layout(g_w, layout), g_b
        theirs.dweights, theirs.dbiases = g_w, g_b
        before = theirs.weights.copy(), theirs.biases.copy()
        for opt, layer in ((opt_ours, ours), (opt_theirs, theirs)):
            opt.pre_update_params()
            opt.update_params(layer)
            opt.post_update_params()
        assert opt_ours.current_learning_rate == opt_theirs.current_learning_rate
        assert opt_ours.iterations == opt_theirs.iterations == step + 1
        check_steps(ours.weights, before[0], theirs.weights, dtype, 1, "weights: ")
        check_steps(ours.biases, before[1], theirs.biases, dtype, 1, "biases: ")
        ours.weights[...], ours.biases[...] = theirs.weights, theirs.biases
        for state in ("weight_momentums", "weight_cache", "bias_momentums", "bias_cache"):
            assert hasattr(ours, state) == hasattr(theirs, state), state
            if hasattr(ours, state):
                check_ulps(getattr(ours, state), getattr(theirs, state), dtype, 4, state + ": ")
                getattr(ours, state)[...] = getattr(theirs, state)
        # the next step starts from the book's numbers: each step within one step's bound


def test_optimizer_defaults_are_the_books():
    assert (nn.Optimizer_SGD().learning_rate, nn.Optimizer_SGD().decay, nn.Optimizer_SGD().momentum) == (1.0, 0.0, 0.0)
    assert (nn.Optimizer_Adagrad().learning_rate, nn.Optimizer_Adagrad().epsilon) == (1.0, 1e-7)
    r = nn.Optimizer_RMSprop()
    assert (r.learning_rate, r.decay, r.epsilon, r.rho) == (0.001, 0.0, 1e-7, 0.9)
    a = nn.Optimizer_Adam()
    assert (a.learning_rate, a.decay, a.epsilon, a.beta_1, a.beta_2) == (0.001, 0.0, 1e-7, 0.9, 0.999)


def test_adam_update_in_float64_is_the_books_expression(rng):
    """One fused step against the book's expression evaluated by NumPy element by element."""
    p, g = rng.standard_normal(1000), rng.standard_normal(1000)
    m, v = rng.standard_normal(1000) * 0.1, rng.uniform(0, 1, 1000)
    exp_m = 0.9 * m + (1 - 0.9) * g
    exp_v = 0.999 * v + (1 - 0.999) * g ** 2
    exp_p = p + -0.01 * (exp_m / (1 - 0.9 ** 4)) / (np.sqrt(exp_v / (1 - 0.999 ** 4)) + 1e-7)
    p0 = p.copy()
    nnfast.adam_update(p, g, m, v, 0.01, 3)
    f64 = np.dtype(np.float64)
    check_ulps(m, exp_m, f64, 4, "momentums: ")
    check_ulps(v, exp_v, f64, 4, "cache: ")
    check_steps(p, p0, exp_p, f64, 1, "param: ")


@pytest.mark.parametrize("dtype,iteration", [
    # around the steps where 1 - beta_1**t, then 1 - beta_2**t, rounds to 1 in the dtype
    (np.float32, 163), (np.float32, 164), (np.float32, 165), (np.float32, 17319),
    (np.float32, 17320), (np.float32, 17321),
    (np.float64, 354), (np.float64, 355), (np.float64, 356), (np.float64, 37410),
    (np.float64, 37411), (np.float64, 37412)], ids=str)
def test_adam_late_steps_are_the_books_expression_bitwise(rng, dtype, iteration):
    """Late in training the bias corrections round to 1 and the step skips their division
    (x / 1 is x): the same numbers as the book's expression evaluated by NumPy, bitwise, on
    both sides of each threshold, with zeros, tiny and huge values among the momentums."""
    n = 1000
    p, g = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
    m, v = (rng.standard_normal(n) * 0.1).astype(dtype), rng.uniform(0, 1, n).astype(dtype)
    tiny, huge = np.finfo(dtype).smallest_subnormal, np.finfo(dtype).max / 4
    m[:4], g[:4] = [0, -0.0, tiny, huge], [0, 0, tiny, 1]
    t = iteration + 1
    c1, c2 = dtype(1 - 0.9 ** t), dtype(1 - 0.999 ** t)
    exp_m = dtype(0.9) * m + dtype(1 - 0.9) * g
    exp_v = dtype(0.999) * v + dtype(1 - 0.999) * (g * g)
    exp_p = p + dtype(-0.01) * (exp_m / c1) / (np.sqrt(exp_v / c2) + dtype(1e-7))
    nnfast.adam_update(p, g, m, v, 0.01, iteration)
    assert np.array_equal(m, exp_m) and np.array_equal(v, exp_v)
    assert np.array_equal(p, exp_p)


@pytest.mark.parametrize("name", ["adagrad_update", "rmsprop_update", "adam_update"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_epsilon_is_added_after_the_square_root(dtype, name):
    """The book's denominator sqrt(cache) + epsilon, not sqrt(cache + epsilon): with
    epsilon 1e-2 and caches near 1 the two differ by about 0.5%, far past the float32
    bound the registry's check allows."""
    t = np.dtype(dtype).type
    p = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]], dtype)
    g = np.array([[1.0, -0.5, 0.25], [2.0, -1.5, 0.75]], dtype)
    cache = np.array([[1.0, 0.5, 2.0], [0.25, 1.0, 0.0]], dtype)
    args = {"adagrad_update": (p, g, cache, 0.5, 1e-2),
            "rmsprop_update": (p, g, cache, 0.5, 1e-2, 0.9),
            "adam_update": (p, g, g * t(0.1), cache, 0.5, 2, 1e-2, 0.9, 0.999)}[name]
    api = BY_NAME[name]
    api.check(api.call(*args), args, {}, np.dtype(dtype))


@pytest.mark.parametrize("name", ["Optimizer_Adagrad", "Optimizer_RMSprop", "Optimizer_Adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_optimizer_classes_add_epsilon_after_the_square_root(dtype, name):
    w = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]], dtype)
    b = np.array([[0.125, -2.0, 1.0]], dtype)
    args = (w, b, w[::-1] * 2, b * 3)
    kwargs = {"steps": 3, "learning_rate": 0.5, "epsilon": 1e-2}
    api = BY_NAME[f"nn.{name}.update_params"]
    api.check(api.call(*args, **kwargs), args, kwargs, np.dtype(dtype))


def test_update_errors():
    w = np.ones((3, 2))
    with pytest.raises(TypeError, match="param must be a numpy.ndarray"):
        nnfast.sgd_update([1.0, 2.0], [1.0, 1.0], 0.1)
    with pytest.raises(TypeError, match="param has dtype int64"):
        nnfast.sgd_update(np.ones(3, dtype=np.int64), np.ones(3), 0.1)
    ro = np.ones((3, 2))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        nnfast.sgd_update(ro, w, 0.1)
    with pytest.raises(ValueError, match="grad has shape"):
        nnfast.sgd_update(w, np.ones((2, 3)), 0.1)
    with pytest.raises(ValueError, match="cache has shape"):
        nnfast.adagrad_update(w, w, np.ones(6), 0.1)
    with pytest.raises(TypeError, match="cache has dtype float32"):
        nnfast.rmsprop_update(w, w, np.ones((3, 2), np.float32), 0.1)
    with pytest.raises(TypeError, match="momentums must be a numpy.ndarray"):
        nnfast.sgd_update(w, w, 0.1, 0.9)
    with pytest.raises(TypeError, match="missing required argument 'iteration'"):
        nnfast.adam_update(w, w, np.zeros_like(w), np.zeros_like(w), 0.1)
    with pytest.raises(TypeError, match="learning_rate must be a real number"):
        nnfast.sgd_update(w, w, "fast")
