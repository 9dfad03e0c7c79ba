"""Training and prediction speed of whole networks, in one process: every row a ratio against
a baseline measured in the same process, each time the best of interleaved rounds.

    python benchmarks/network.py [--quick] [--threads 1,2] [--json FILE]

- spiral (300 x 2 -> 64 -> ReLU -> 3 softmax + cross-entropy, Adam, full batch, float64),
  us/epoch: the book's class loop on the book's NumPy classes and on nnfast.nn, the book's
  NumPy Model.train, nnfast's Model.train, and the kernels' own work (nnfast._core.Network's
  train of the same network, many epochs in one call, no callbacks);
- MLP (784 -> 128 -> 128 -> 10, Adam, batch 128, float32, 20,000 samples), ms/epoch:
  nnfast's Model.train against the GEMM bound (the epoch's products alone, 3 forward and 5
  backward a step, by nnfast.dot on the same shapes and batches, timed interleaved with the
  rows), PyTorch eager and a jitted JAX step when importable;
- predict: Model.predict of 100,000 samples through the MLP against its 3 products alone;
- chapter 18 (3,000 spiral samples, 2 -> 512 with L2 and dropout 0.1 -> 3), ms/epoch: the
  book's NumPy Model.train, nnfast's with the book's masks and with the fast masks.

Each section runs at every thread count of --threads (nnfast.set_num_threads, threadpoolctl
for NumPy's BLAS, torch.set_num_threads). JAX runs in a child process restricted to that
many cores (its thread pool is sized once, at import), so its ratio spans two processes.
--quick is a smoke run of a few seconds: its numbers mean nothing. Before timing, each
section checks that its rows train what they claim (the same parameters as the book's
NumPy code, the optimizer's step count).
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

import nnfast
import nnfast.nn as nn
from nnfast import _core
from nnfast.baseline import book as ref
from nnfast.bench import best_times
from nnfast.bench.__main__ import blas, cpu_model
from nnfast.datasets import spiral_data
from test_training import BATCH, mlp_data, mlp_model, spiral_loop, torch, torch_setup, torch_train

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import book_chapter18  # noqa: E402  the book's chapter 18 Model.train, in NumPy

QUIET = 10**9  # print_every that never prints
HAS_NETWORK = hasattr(_core, "Network")
NO_NETWORK = "nnfast._core.Network is not in this build"


class Table:
    """The rows: (section, name, threads, seconds per unit or None, unit, ratio, what the
    ratio is, goal, met) or a skip reason; printed as they come, dumped by --json."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, section: str, name: str, threads: int, seconds: float | None = None,
            unit: str = "", ratio: float | None = None, what: str = "",
            goal: tuple[str, float] | None = None, skipped: str | None = None) -> None:
        met = None
        if goal is not None and ratio is not None:
            met = ratio >= goal[1] if goal[0] == ">=" else ratio <= goal[1]
        row = dict(section=section, name=name, threads=threads, seconds=seconds, unit=unit,
                   ratio=ratio, what=what, goal=None if goal is None else f"{goal[0]} {goal[1]:g}",
                   met=met, skipped=skipped)
        self.rows.append(row)
        print(format_row(row), flush=True)


SCALE = {"us/epoch": 1e6, "ms/epoch": 1e3, "ms": 1e3}


def format_row(r: dict[str, Any]) -> str:
    head = f"{r['section'] + ': ' + r['name']:60} {r['threads']:>2}"
    if r["skipped"]:
        return f"{head}  skipped: {r['skipped']}"
    time_ = "" if r["seconds"] is None else f"{r['seconds'] * SCALE[r['unit']]:.2f} {r['unit']}"
    ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f} {r['what']}"
    met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
    return f"{head} {time_:>16}  {ratio:40} {r['goal'] or '':>7} {met:>4}"


def timed(funcs: Mapping[str, Callable[[], Any]], cfg: argparse.Namespace) -> dict[str, float]:
    """Best seconds per call of each callable, interleaved rounds (nnfast.bench.best_times:
    a pause after each side lets OpenBLAS's spinning threads go idle)."""
    names = list(funcs)
    best = best_times([funcs[n] for n in names], rounds=cfg.rounds, budget=cfg.budget,
                      settle=0.0 if cfg.quick else 0.1)
    return dict(zip(names, best))


class Counted:
    """A callable that counts its calls, so a row can check how many steps it trained."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.fn()


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(f"network.py: a row does not time what it claims: {what}")


def expect_steps(what: str, iterations: int, counted: Counted, steps_per_call: int) -> None:
    """The optimizer made a step for every step of every timed call (and calibration call)."""
    expect(iterations == counted.calls * steps_per_call,
           f"{what} made {iterations} steps in {counted.calls} calls of {steps_per_call}")


def params(model: Any) -> list[np.ndarray]:
    return [a for layer in model.trainable_layers for a in (layer.weights, layer.biases)]


def same_params(a: Any, b: Any, rtol: float) -> bool:
    return all(np.allclose(x, y, rtol=rtol, atol=rtol * 1e-3) for x, y in zip(params(a), params(b)))


# ------------------------------------------------------------------------------ the models

def build(mod: Any, layers: list[Any], optimizer: Any) -> Any:
    """mod's Model of these layers, softmax + cross-entropy, categorical accuracy; the
    NumPy side trains as chapter 18 does (one step per epoch, a line every print_every)."""
    model = book_chapter18.Model() if mod is ref else nn.Model()
    for layer in layers:
        model.add(layer)
    model.set(loss=mod.Loss_CategoricalCrossentropy(), optimizer=optimizer,
              accuracy=mod.Accuracy_Categorical())
    model.finalize()
    return model


def spiral_model(mod: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    layers = [mod.Layer_Dense(2, 64), mod.Activation_ReLU(), mod.Layer_Dense(64, 3), mod.Activation_Softmax()]
    return build(mod, layers, mod.Optimizer_Adam(learning_rate=0.05, decay=5e-7)), X, y


def chapter18_model(mod: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    np.random.seed(0)
    X, y = spiral_data(samples=1000, classes=3)
    layers = [mod.Layer_Dense(2, 512, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4),
              mod.Activation_ReLU(), mod.Layer_Dropout(0.1), mod.Layer_Dense(512, 3),
              mod.Activation_Softmax()]
    return build(mod, layers, mod.Optimizer_Adam(learning_rate=0.05, decay=5e-5)), X, y


def train(model: Any, X: np.ndarray, y: np.ndarray, epochs: int, batch_size: int | None = None) -> None:
    if isinstance(model, nn.Model):
        model.train(X, y, epochs=epochs, batch_size=batch_size, print_every=QUIET, verbose=False)
    else:
        model.train(X, y, epochs=epochs, print_every=QUIET)


def network_of(model: Any) -> Any:
    """nnfast._core.Network of an nnfast.nn classifier (Dense, ReLU, softmax + cross-entropy,
    Adam), starting from the model's parameters and optimizer settings."""
    first = model.trainable_layers[0]
    net = _core.Network(first.weights.dtype, first.weights.shape[0])
    for layer in model.layers:
        if isinstance(layer, nn.Layer_Dense):
            i = net.add_dense(layer.weights.shape[1])
            net.param(i, "weights")[...] = layer.weights
            net.param(i, "biases")[...] = layer.biases
        else:
            net.add_activation({nn.Activation_ReLU: "relu", nn.Activation_Softmax: "softmax"}[type(layer)])
    net.set_loss("categorical_crossentropy")
    net.set_accuracy("categorical")
    opt = model.optimizer
    net.set_optimizer("adam", learning_rate=opt.learning_rate, decay=opt.decay, epsilon=opt.epsilon,
                      beta_1=opt.beta_1, beta_2=opt.beta_2)
    return net


def network_weights(net: Any) -> list[np.ndarray]:
    return [net.param(i, w).copy() for i in range(net.n_layers) for w in ("weights", "biases")
            if net.param(i, w) is not None]


# ------------------------------------------------------------------------------ sections

def spiral(table: Table, t: int, cfg: argparse.Namespace) -> None:
    s, q = "spiral", cfg.scale
    epochs = {"NumPy class loop": 200, "NumPy Model.train": 200, "nnfast class loop": 1000,
              "nnfast Model.train": 2000, "kernels' work": 2000}
    epochs = {k: max(2, v // q) for k, v in epochs.items()}
    model, X, y = spiral_model(nn)
    book_model, _, _ = spiral_model(ref)
    net = network_of(model) if HAS_NETWORK else None
    # the models timed below first train alike: the same parameters as the book's NumPy code
    check = 20
    train(model, X, y, check)
    train(book_model, X, y, check)
    expect(same_params(model, book_model, 1e-6), "spiral: nnfast's Model.train differs from the book's")
    _, loss_nf = spiral_loop(nn, check)
    _, loss_np = spiral_loop(ref, check)
    expect(abs(loss_nf - loss_np) <= 1e-9 * abs(loss_np), "spiral: the class loops' losses differ")
    funcs: dict[str, Counted] = {
        "NumPy class loop": Counted(lambda: spiral_loop(ref, epochs["NumPy class loop"])),
        "NumPy Model.train": Counted(lambda: train(book_model, X, y, epochs["NumPy Model.train"])),
        "nnfast class loop": Counted(lambda: spiral_loop(nn, epochs["nnfast class loop"])),
        "nnfast Model.train": Counted(lambda: train(model, X, y, epochs["nnfast Model.train"])),
    }
    if net is not None:
        net.train(X, y, epochs=check)
        expect(all(np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(network_weights(net), params(model))),
               "spiral: Network.train does not train the Model's network")
        funcs["kernels' work"] = Counted(lambda: net.train(X, y, epochs=epochs["kernels' work"]))
    with threadpool_limits(t):
        best = timed(funcs, cfg)
    expect_steps("spiral: nnfast Model.train", model.optimizer.iterations - check, funcs["nnfast Model.train"],
                 epochs["nnfast Model.train"])
    expect_steps("spiral: NumPy Model.train", book_model.optimizer.iterations - check, funcs["NumPy Model.train"],
                 epochs["NumPy Model.train"])
    if net is not None:
        expect_steps("spiral: Network.train", net.get_iterations()[0] - check, funcs["kernels' work"],
                     epochs["kernels' work"])
    per_epoch = {k: v / epochs[k] for k, v in best.items()}
    base = per_epoch["NumPy class loop"]
    for name in funcs:
        goal = (">=", 15.0) if name == "nnfast Model.train" else None
        label = "kernels' work (Network.train, no callbacks)" if name == "kernels' work" else name
        table.add(s, label, t, per_epoch[name], "us/epoch", base / per_epoch[name], "x the NumPy class loop", goal)
    if HAS_NETWORK:
        table.add(s, "Model.train / kernels' work", t, None, "", per_epoch["nnfast Model.train"] /
                  per_epoch["kernels' work"], "(time over time)", ("<=", 1.5))
    else:
        table.add(s, "kernels' work (Network.train, no callbacks)", t, skipped=NO_NETWORK)
        table.add(s, "Model.train / kernels' work", t, skipped=NO_NETWORK)


Products = list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # (a, b, out) of nnfast.dot(a, b, out=out)


def mlp_epoch_products(X: np.ndarray, W: list[np.ndarray], rng: np.random.Generator) -> Products:
    """An MLP epoch's products, batch by batch over X, as a step reads them: forward X W1,
    H1 W2, H2 W3; backward H2^T D3, D3 W3^T, H1^T D2, D2 W2^T, X^T D1 (no input gradient for
    the first layer). The hidden arrays are buffers kept between steps, as Model.train keeps
    them; the gradients flowing back are random (a product's time does not depend on them)."""
    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32)
    H1, H2, out, G1, G2 = r(BATCH, 128), r(BATCH, 128), r(BATCH, 10), r(BATCH, 128), r(BATCH, 128)
    D1, D2, D3 = r(BATCH, 128), r(BATCH, 128), r(BATCH, 10)
    dW1, dW2, dW3 = r(784, 128), r(128, 128), r(128, 10)
    W1, W2, W3 = W
    products: Products = []
    for i in range(0, len(X), BATCH):
        x = X[i:i + BATCH]
        m = len(x)
        products += [(x, W1, H1[:m]), (H1[:m], W2, H2[:m]), (H2[:m], W3, out[:m]),
                     (H2[:m].T, D3[:m], dW3), (D3[:m], W3.T, G2[:m]), (H1[:m].T, D2[:m], dW2),
                     (D2[:m], W2.T, G1[:m]), (x.T, D1[:m], dW1)]
    return products


def run_products(products: Products) -> None:
    for a, b, out in products:
        nnfast.dot(a, b, out=out)


def macs(products: Products) -> int:
    return sum(a.shape[0] * a.shape[1] * b.shape[1] for a, b, _ in products)


def mlp(table: Table, t: int, cfg: argparse.Namespace) -> None:
    s, n = "MLP", cfg.mlp_samples
    X, y = mlp_data(n)
    full, last = divmod(n, BATCH)
    steps = full + (last > 0)
    model = mlp_model(nn)
    funcs: dict[str, Counted] = {"nnfast Model.train": Counted(lambda: train(model, X, y, 1, BATCH))}
    check = 4  # steps the Model and the Network first take alike
    if HAS_NETWORK:
        net = network_of(model)
        net.train(X[:check * BATCH], y[:check * BATCH], epochs=1, batch_size=BATCH)
        funcs["kernels' work"] = Counted(lambda: net.train(X, y, epochs=1, batch_size=BATCH))
    train(model, X[:check * BATCH], y[:check * BATCH], 1, BATCH)
    if HAS_NETWORK:
        expect(all(np.allclose(a, b, rtol=1e-5, atol=1e-7) for a, b in zip(network_weights(net), params(model))),
               "MLP: Network.train does not train the Model's network")
    if torch is not None:
        tnet, opt, loss_fn = torch_setup()  # threads: nnfast's, set by the caller
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        funcs["PyTorch eager"] = Counted(lambda: torch_train(tnet, opt, loss_fn, Xt, yt))
    products = mlp_epoch_products(X, [layer.weights for layer in model.trainable_layers], np.random.default_rng(0))
    per_sample = 2 * 784 * 128 + 3 * 128 * 128 + 3 * 128 * 10
    expect(len(products) == 8 * steps and macs(products) == n * per_sample,
           "MLP: the GEMM bound's products are not the steps' 3 forward and 5 backward ones")
    funcs["GEMM bound"] = Counted(lambda: run_products(products))
    with threadpool_limits(t):
        best = timed(funcs, cfg)
    bound = best["GEMM bound"]
    expect_steps("MLP: Model.train", model.optimizer.iterations - check, funcs["nnfast Model.train"], steps)
    expect(all(p.dtype == np.float32 for p in params(model)), "MLP: the model is not float32")
    if HAS_NETWORK:
        expect_steps("MLP: Network.train", net.get_iterations()[0] - check, funcs["kernels' work"], steps)
    if torch is not None:
        for st in opt.state.values():
            expect_steps("MLP: PyTorch", int(st["step"]), funcs["PyTorch eager"], steps)
    ours = best["nnfast Model.train"]
    table.add(s, "nnfast Model.train", t, ours, "ms/epoch", bound / ours, "of the GEMM bound", (">=", 0.9))
    table.add(s, f"GEMM bound (nnfast.dot, {per_sample * BATCH / 1e6:.1f}M multiply-adds a step)", t, bound,
              "ms/epoch", bound / ours, "of nnfast Model.train's time")
    if HAS_NETWORK:
        table.add(s, "kernels' work (Network.train, no callbacks)", t, best["kernels' work"], "ms/epoch",
                  bound / best["kernels' work"], "of the GEMM bound")
    else:
        table.add(s, "kernels' work (Network.train, no callbacks)", t, skipped=NO_NETWORK)
    if torch is not None:
        table.add(s, f"PyTorch {torch.__version__} eager", t, best["PyTorch eager"], "ms/epoch",
                  best["PyTorch eager"] / ours, "x nnfast Model.train's time")
    else:
        table.add(s, "PyTorch eager", t, skipped="torch is not importable")
    jax_row(table, t, cfg, ours)


def jax_row(table: Table, t: int, cfg: argparse.Namespace, ours: float) -> None:
    if importlib.util.find_spec("jax") is None:
        table.add("MLP", "JAX jitted step", t, skipped="jax is not importable")
        return
    env = dict(os.environ)
    if t == 1:  # XLA's own intra-op threads; the child's core affinity caps the rest
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") +
                            " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
    args = [sys.executable, __file__, "--jax-child", str(t), "--rounds", str(cfg.rounds)]
    res = subprocess.run(args + (["--quick"] if cfg.quick else []), env=env, capture_output=True, text=True)
    if res.returncode != 0:
        table.add("MLP", "JAX jitted step", t, skipped="the JAX child failed: " + res.stderr.strip()[-300:])
        return
    out = json.loads(res.stdout.strip().splitlines()[-1])
    table.add("MLP", f"JAX {out['version']} jitted step (own process)", t, out["seconds"],
              "ms/epoch", out["seconds"] / ours, "x nnfast Model.train's time")


def jax_child(threads: int, cfg: argparse.Namespace) -> None:
    """One MLP epoch (cfg.mlp_samples, batch 128) of a jitted Adam step (the book's Adam,
    categorical cross-entropy on a clipped softmax) on `threads` cores; prints JSON."""
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])
    import jax
    import jax.numpy as jnp

    def loss_fn(p: Any, x: Any, y: Any) -> Any:
        h = x
        for i in range(0, 6, 2):
            h = h @ p[i] + p[i + 1]
            if i < 4:
                h = jnp.maximum(h, 0)
        probs = jnp.clip(jax.nn.softmax(h), 1e-7, 1 - 1e-7)
        return -jnp.mean(jnp.log(jnp.take_along_axis(probs, y[:, None], axis=1)))

    @jax.jit
    def step(p: Any, m: Any, v: Any, it: Any, x: Any, y: Any) -> Any:
        lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7
        g = jax.grad(loss_fn)(p, x, y)
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        p = [pi - lr * (mi / (1 - b1 ** (it + 1))) / (jnp.sqrt(vi / (1 - b2 ** (it + 1))) + eps)
             for pi, mi, vi in zip(p, m, v)]
        return p, m, v

    X, y = mlp_data(cfg.mlp_samples)
    batches = [(jnp.asarray(X[i:i + BATCH]), jnp.asarray(y[i:i + BATCH].astype(np.int32)))
               for i in range(0, len(X), BATCH)]
    start = [jnp.asarray(a) for a in params(mlp_model(ref))]
    zeros = [jnp.zeros_like(a) for a in start]
    state: dict[str, Any] = {"p": start, "m": zeros, "v": zeros, "it": 0}

    def epoch() -> None:
        p, m, v, it = state["p"], state["m"], state["v"], state["it"]
        for xb, yb in batches:
            p, m, v = step(p, m, v, jnp.float32(it), xb, yb)
            it += 1
        jax.block_until_ready(p)
        state.update(p=p, m=m, v=v, it=it)

    loss0 = float(loss_fn(start, *batches[0]))
    seconds = best_times([epoch], rounds=cfg.rounds, budget=cfg.budget, settle=0.0)[0]
    expect(state["it"] >= 2 * len(batches) and float(loss_fn(state["p"], *batches[0])) < loss0,
           "JAX: the jitted step did not train")
    print(json.dumps({"seconds": seconds, "version": jax.__version__}))


def predict(table: Table, t: int, cfg: argparse.Namespace) -> None:
    s, n = "predict", cfg.predict_samples
    model, book_model = mlp_model(nn), mlp_model(ref)
    X = np.random.default_rng(1).standard_normal((n, 784), dtype=np.float32)
    expect(np.allclose(model.predict(X[:500]), book_model.predict(X[:500]), rtol=1e-4, atol=1e-6),
           "predict: Model.predict differs from the book's")
    W = [layer.weights for layer in model.trainable_layers]
    H1, H2 = np.empty((n, 128), np.float32), np.empty((n, 128), np.float32)
    products = [(X, W[0], H1), (H1, W[1], H2), (H2, W[2], np.empty((n, 10), np.float32))]
    with threadpool_limits(t):
        best = timed({"predict": lambda: model.predict(X), "bound": lambda: run_products(products)}, cfg)
    ours, bound = best["predict"], best["bound"]
    table.add(s, f"nnfast Model.predict, {n:,} samples", t, ours, "ms", bound / ours, "of the GEMM bound",
              (">=", 0.9))
    table.add(s, f"GEMM bound (nnfast.dot, {macs(products) / 1e9:.2f}G multiply-adds)", t, bound, "ms", bound / ours,
              "of nnfast Model.predict's time")


@contextlib.contextmanager
def dropout_masks(kind: str) -> Any:
    """nnfast.nn's dropout masks ("book" or "fast") for the block, restored after it."""
    before = nn.get_dropout_rng()
    nn.set_dropout_rng(kind)  # type: ignore[arg-type]
    try:
        yield
    finally:
        nn.set_dropout_rng(before)


def chapter18(table: Table, t: int, cfg: argparse.Namespace) -> None:
    s = "chapter 18"
    epochs = max(1, 5 // cfg.scale)
    models = {"NumPy Model.train (the book's)": (ref, "book"), "nnfast Model.train, book masks": (nn, "book"),
              "nnfast Model.train, fast masks": (nn, "fast")}
    funcs: dict[str, Counted] = {}
    trained = {}
    for name, (mod, kind) in models.items():
        with dropout_masks(kind):  # while building too: a model may choose its masks there
            trained[name], X, y = chapter18_model(mod)

        def run(model: Any = trained[name], kind: str = kind, X: np.ndarray = X, y: np.ndarray = y) -> None:
            with dropout_masks(kind):
                train(model, X, y, epochs)
        funcs[name] = Counted(run)
        np.random.seed(1)  # the first call, from one seed: the book's masks give the book's numbers
        funcs[name]()
    numpy_run, book, fast = trained.values()
    expect(same_params(book, numpy_run, 1e-6), "chapter 18: nnfast's book masks train otherwise than the book")
    expect(not same_params(fast, book, 1e-3), "chapter 18: the fast masks are the book's")
    with threadpool_limits(t):
        best = timed(funcs, cfg)
    for name, model in trained.items():
        expect_steps(f"chapter 18: {name}", model.optimizer.iterations, funcs[name], epochs)
    base = best["NumPy Model.train (the book's)"] / epochs
    for name in funcs:
        goal = (">=", 8.0) if name.endswith("fast masks") else None  # not "nnfast"
        table.add(s, name, t, best[name] / epochs, "ms/epoch", base / (best[name] / epochs), "x the NumPy run", goal)


# ------------------------------------------------------------------------------ main

def header(threads: list[int]) -> dict[str, Any]:
    return {
        "python": platform.python_version(), "numpy": np.__version__, "blas": blas(),
        "nnfast": nnfast.__version__, "isa": _core.get_isa(), "cpu": cpu_model(),
        "cores": len(os.sched_getaffinity(0)), "threads": threads,
        "torch": None if torch is None else torch.__version__,
        "network": HAS_NETWORK,
        "environment": {v: os.environ[v] for v in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "NNFAST_ISA",
                                                     "NNFAST_NUM_THREADS", "NNFAST_DROPOUT_RNG", "XLA_FLAGS")
                        if v in os.environ},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--threads", default=None, help="thread counts, e.g. 1,2 (default: 1 and all cores)")
    parser.add_argument("--json", default=None, help="write the header and rows to this file")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds per row (best counts)")
    parser.add_argument("--jax-child", type=int, default=None, help=argparse.SUPPRESS)
    cfg = parser.parse_args()
    cfg.scale = 20 if cfg.quick else 1
    cfg.rounds = cfg.rounds or (2 if cfg.quick else 7)
    cfg.budget = 0.0 if cfg.quick else 5.0
    cfg.mlp_samples = 1280 if cfg.quick else 20_000
    cfg.predict_samples = 5_000 if cfg.quick else 100_000
    if cfg.jax_child is not None:
        jax_child(cfg.jax_child, cfg)
        return
    cores = len(os.sched_getaffinity(0))
    threads = [int(x) for x in cfg.threads.split(",")] if cfg.threads else sorted({1, cores})
    info = header(threads)
    for key, value in info.items():
        print(f"{key}: {value}")
    print(f"{'row':60} {'th':>2} {'time':>16}  {'ratio':40} {'goal':>7} {'met':>4}")
    table = Table()
    started = time.perf_counter()
    before = nnfast.get_num_threads()
    try:
        for t in threads:
            nnfast.set_num_threads(t)
            for section in (spiral, mlp, predict, chapter18):
                section(table, t, cfg)
    finally:
        nnfast.set_num_threads(before)
    print(f"(total {time.perf_counter() - started:.1f} s)")
    if cfg.json:
        Path(cfg.json).write_text(json.dumps({"header": info, "rows": table.rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
