"""Training speed: the book's spiral training loop written with the book's classes,
nnfast.nn against the book's classes in plain NumPy (nnfast.baseline.book); Model.train on the same
problem; and an MLP 784 -> 128 -> 128 -> 10 (ReLU, softmax + cross-entropy, Adam, batch 128,
float32) on synthetic data of Fashion-MNIST's shape, nnfast's Model.train against the
reference's and against PyTorch on the CPU (when importable) with the same threads.

`pytest benchmarks/test_training.py --benchmark-only` compares the contenders group by group;
`python benchmarks/test_training.py` prints the ratios in one process, interleaved."""
import contextlib
import io
import time

import numpy as np
import pytest

import nnfast
import nnfast.nn as nn
from nnfast.baseline import book as ref
from nnfast.datasets import spiral_data

try:
    import torch
except ImportError:  # PyTorch is optional: its benchmarks are skipped
    torch = None


# ---------------------------------------------------------------------------- the book's loop

def spiral_loop(mod, epochs, samples=100, accuracy_line=True):
    """The book's chapter 10 loop (spiral data, 2 -> 64 -> 3, Adam(0.05, decay=5e-7)),
    including its accuracy line unless told not to, with the classes of mod. Returns the last
    accuracy (None without the line) and loss."""
    np.random.seed(0)
    X, y = spiral_data(samples=samples, classes=3)
    accuracy = None
    dense1, activation1 = mod.Layer_Dense(2, 64), mod.Activation_ReLU()
    dense2 = mod.Layer_Dense(64, 3)
    loss_activation = mod.Activation_Softmax_Loss_CategoricalCrossentropy()
    optimizer = mod.Optimizer_Adam(learning_rate=0.05, decay=5e-7)
    for epoch in range(epochs):
        dense1.forward(X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        loss = loss_activation.forward(dense2.output, y)
        if accuracy_line:
            predictions = np.argmax(loss_activation.output, axis=1)
            accuracy = np.mean(predictions == y)
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)
        optimizer.pre_update_params()
        optimizer.update_params(dense1)
        optimizer.update_params(dense2)
        optimizer.post_update_params()
    return accuracy, loss


def spiral_model(mod, epochs):
    """The same network and optimizer through the book's Model.train."""
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    model = mod.Model()
    for layer in (mod.Layer_Dense(2, 64), mod.Activation_ReLU(), mod.Layer_Dense(64, 3),
                  mod.Activation_Softmax()):
        model.add(layer)
    model.set(loss=mod.Loss_CategoricalCrossentropy(),
              optimizer=mod.Optimizer_Adam(learning_rate=0.05, decay=5e-7),
              accuracy=mod.Accuracy_Categorical())
    model.finalize()
    with contextlib.redirect_stdout(io.StringIO()):  # the reference prints the book's lines
        if mod is nn:
            model.train(X, y, epochs=epochs, print_every=100, verbose=False)
        else:
            model.train(X, y, epochs=epochs, print_every=100)
    return model


EPOCHS = 200


@pytest.mark.benchmark(group="book spiral loop, 200 epochs")
@pytest.mark.parametrize("side", ["numpy", "nnfast"])
def test_spiral_loop(benchmark, side):
    mod = ref if side == "numpy" else nn
    acc, loss = spiral_loop(mod, EPOCHS)
    acc_ref, loss_ref = spiral_loop(ref, EPOCHS)
    assert loss == pytest.approx(loss_ref, rel=1e-6)
    benchmark.pedantic(spiral_loop, args=(mod, EPOCHS), rounds=5, iterations=1)


@pytest.mark.benchmark(group="book spiral Model.train, 200 epochs")
@pytest.mark.parametrize("side", ["numpy", "nnfast"])
def test_spiral_model_train(benchmark, side):
    mod = ref if side == "numpy" else nn
    benchmark.pedantic(spiral_model, args=(mod, EPOCHS), rounds=5, iterations=1)


# ---------------------------------------------------------------------------- MLP 784-128-128-10

N_SAMPLES, BATCH = 60_000, 128


def mlp_data(n=N_SAMPLES):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 784)).astype(np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    return X, y


def mlp_model(mod):
    np.random.seed(0)
    model = mod.Model()
    for layer in (mod.Layer_Dense(784, 128), mod.Activation_ReLU(), mod.Layer_Dense(128, 128),
                  mod.Activation_ReLU(), mod.Layer_Dense(128, 10), mod.Activation_Softmax()):
        if hasattr(layer, "weights"):
            layer.weights = layer.weights.astype(np.float32)
            layer.biases = layer.biases.astype(np.float32)
        model.add(layer)
    model.set(loss=mod.Loss_CategoricalCrossentropy(), optimizer=mod.Optimizer_Adam(),
              accuracy=mod.Accuracy_Categorical())
    model.finalize()
    return model


def mlp_train(mod, model, X, y):
    with contextlib.redirect_stdout(io.StringIO()):
        if mod is nn:
            model.train(X, y, epochs=1, batch_size=BATCH, print_every=10**9, verbose=False)
        else:
            model.train(X, y, epochs=1, batch_size=BATCH, print_every=10**9)


def torch_setup():
    torch.manual_seed(0)
    torch.set_num_threads(nnfast.get_num_threads())
    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=0.001, eps=1e-7)
    return net, opt, torch.nn.CrossEntropyLoss()


def torch_train(net, opt, loss_fn, X, y):
    for i in range(0, len(X), BATCH):
        xb, yb = X[i:i + BATCH], y[i:i + BATCH]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()


PART = 12_800  # 100 steps of 128 per benchmark round: time per epoch = 60000 / PART times it


@pytest.mark.benchmark(group="MLP 784-128-128-10, Adam, batch 128, float32: 100 steps")
@pytest.mark.parametrize("side", ["numpy", "nnfast", "torch"])
def test_mlp_steps(benchmark, side):
    X, y = mlp_data(PART)
    if side == "torch":
        if torch is None:
            pytest.skip("PyTorch is not installed")
        net, opt, loss_fn = torch_setup()
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        benchmark.pedantic(torch_train, args=(net, opt, loss_fn, Xt, yt), rounds=5, iterations=1)
        return
    mod = ref if side == "numpy" else nn
    model = mlp_model(mod)
    benchmark.pedantic(mlp_train, args=(mod, model, X, y), rounds=5, iterations=1)


# ---------------------------------------------------------------------------- dropout's masks

def dropout_model(rng):
    """The book's chapter 18 model (2 -> 512, ReLU, dropout 0.1, 512 -> 3, softmax + CCE) on
    3,000 spiral samples, its dropout masks drawn by `rng` ("book" or "fast")."""
    np.random.seed(0)
    X, y = spiral_data(samples=1000, classes=3)
    layers = [nn.Layer_Dense(2, 512), nn.Activation_ReLU(), nn.Layer_Dropout(0.1, rng=rng),
              nn.Layer_Dense(512, 3)]
    return X, y, layers, nn.Activation_Softmax_Loss_CategoricalCrossentropy()


def dropout_forward(X, y, layers, loss):
    out = X
    for layer in layers:
        out = layer.forward(out, True) if isinstance(layer, nn.Layer_Dropout) else layer.forward(out)
    return loss.forward(out, y)


@pytest.mark.benchmark(group="chapter 18 dropout model forward, (3000, 512) masks")
@pytest.mark.parametrize("rng", ["book", "fast"])
def test_dropout_forward(benchmark, rng):
    benchmark(dropout_forward, *dropout_model(rng))


# ---------------------------------------------------------------------------- ratios

def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    print(f"threads: nnfast {nnfast.get_num_threads()}, ISA {nnfast._core.get_isa()}")
    epochs = 1000
    t_np = best_of(lambda: spiral_loop(ref, epochs), 3)
    t_nf = best_of(lambda: spiral_loop(nn, epochs), 3)
    t_mt = best_of(lambda: spiral_model(nn, epochs), 3)
    t_mr = best_of(lambda: spiral_model(ref, epochs), 3)
    print(f"book spiral loop ({epochs} epochs): NumPy {t_np / epochs * 1e6:.1f} us/epoch, "
          f"nnfast {t_nf / epochs * 1e6:.1f} us/epoch ({t_np / t_nf:.1f}x)")
    print(f"Model.train spiral: NumPy reference {t_mr / epochs * 1e6:.1f} us/epoch, nnfast "
          f"{t_mt / epochs * 1e6:.1f} us/epoch ({t_mr / t_mt:.1f}x; {t_np / t_mt:.1f}x the NumPy loop)")
    book, fast = dropout_model("book"), dropout_model("fast")
    t_book = best_of(lambda: dropout_forward(*book), 20)
    t_fast = best_of(lambda: dropout_forward(*fast), 20)
    print(f"chapter 18 dropout model forward (3000 x 512 masks): np.random.binomial masks "
          f"{t_book * 1e3:.2f} ms, fast masks {t_fast * 1e3:.2f} ms ({t_book / t_fast:.1f}x)")
    X, y = mlp_data()
    scale = N_SAMPLES / PART
    Xp, yp = X[:PART], y[:PART]
    res = {}
    res["numpy"] = best_of(lambda: mlp_train(ref, mlp_model(ref), Xp, yp), 3) * scale
    res["nnfast"] = best_of(lambda: mlp_train(nn, mlp_model(nn), Xp, yp), 3) * scale
    if torch is not None:
        net, opt, loss_fn = torch_setup()
        Xt, yt = torch.from_numpy(Xp), torch.from_numpy(yp)
        res["torch"] = best_of(lambda: torch_train(net, opt, loss_fn, Xt, yt), 3) * scale
    line = ", ".join(f"{k} {v:.2f} s" for k, v in res.items())
    print(f"MLP 784-128-128-10 epoch (60000 x 784, batch 128, float32, Adam): {line}")
    print(f"  nnfast vs NumPy {res['numpy'] / res['nnfast']:.2f}x" +
          (f", vs PyTorch {res['torch'] / res['nnfast']:.2f}x" if "torch" in res else ""))


if __name__ == "__main__":
    main()
