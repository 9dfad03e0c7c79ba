"""The C core as a C library of its own: csrc/Makefile builds libnnfast.a without Python, the
example program csrc/examples/train_spiral.c, which trains the spiral network through nnfast.h
alone, and tests/c/net_check.c, which trains the network a test describes so that the test can
compare it with nnfast.nn's Model.train. Built out of tree, in a temporary folder (about 20 s:
the kernels at -O3)."""
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

CSRC = Path(__file__).resolve().parent.parent / "csrc"

# Both sides train the class-sorted spiral in batches, as the book would: Model.train's warning
# to shuffle such data is expected here.
pytestmark = pytest.mark.filterwarnings("ignore:Model.train. y is sorted by class:UserWarning")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("make not found: csrc/Makefile needs it (Debian: apt-get install make)")
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip(f"no C compiler: {cc} not found")
    out = tmp_path_factory.mktemp("c_library")
    made = subprocess.run(["make", "-C", str(CSRC), f"BUILD={out}",
                           f"PROGRAMS={CSRC.parent / 'tests' / 'c'}", "-j2"],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    return out


def test_spiral_example_trains(build):
    run = subprocess.run([str(build / "train_spiral")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    epochs = re.findall(r"^epoch (\d+) loss ([\d.]+) acc ([\d.]+)", run.stdout, re.M)
    final = re.search(r"^final loss ([\d.]+) acc ([\d.]+)$", run.stdout, re.M)
    assert len(epochs) > 2 and final, run.stdout
    # Weights of 0.01 * randn give nearly equal probabilities to the 3 classes: loss ln 3.
    first_loss = float(epochs[0][1])
    assert abs(first_loss - math.log(3)) < 1e-3, run.stdout
    final_loss, final_acc = float(final[1]), float(final[2])
    assert final_loss < first_loss / 2, run.stdout
    assert final_acc > 0.8, run.stdout  # chance is 1/3


def test_kernels_run_on_the_best_isa_without_a_call(build):
    run = subprocess.run([str(build / "isa_default")], capture_output=True, text=True,
                         timeout=60, env={k: v for k, v in os.environ.items() if k != "NNFAST_ISA"})
    assert run.returncode == 0, run.stdout + run.stderr
    in_use, best = re.fullmatch(r"in use (\w+), best (\w+)\n", run.stdout).groups()
    assert in_use == best


def test_thread_count_is_fixed_at_its_first_use(build):
    run = subprocess.run([str(build / "threads_default")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    if run.stdout == "skip\n":
        pytest.skip("the process has one core, or cannot be pinned to one")
    first, pinned, cores = map(int, re.fullmatch(r"first (\d+), pinned (\d+), cores (\d+)\n",
                                                 run.stdout).groups())
    assert first == cores and pinned == first


def test_library_has_no_python_symbols(build):
    if shutil.which("nm") is None:
        pytest.skip("nm not found (binutils)")
    listed = subprocess.run(["nm", str(build / "libnnfast.a")], capture_output=True, text=True,
                            check=True).stdout
    names = {line.split()[-1] for line in listed.splitlines() if len(line.split()) >= 2}
    assert "nnf_dense_f64" in names and "nnf_optimizer_step_f64" in names, listed[:2000]
    python = sorted(n for n in names if n.lstrip("_").startswith("Py"))
    assert not python, f"the C library refers to Python: {python}"


# ---------------------------------------------------------------------------------------------
# The network of the C library (nnf_net_*) against nnfast.nn's Model.train. tests/c/net_check.c
# builds the network a spec describes, sets the initial parameters this test writes, trains,
# and writes back the parameters and the epochs' reports.

ROOT = CSRC.parent


def layer_objects(spec, n_inputs, rng="book"):
    """nnfast.nn's layers for the spec's layer lines (drawn from NumPy's global generator),
    each with the width of its output; dropout's masks drawn by ``rng``."""
    from nnfast import nn
    layers, width = [], n_inputs
    for item in spec:
        if item[0] == "dense":
            layer = nn.Layer_Dense(width, *item[1:])
            width = item[1]
        elif item[0] == "dropout":
            layer = nn.Layer_Dropout(item[1], rng=rng)
        else:
            layer = {"relu": nn.Activation_ReLU, "softmax": nn.Activation_Softmax,
                     "sigmoid": nn.Activation_Sigmoid, "linear": nn.Activation_Linear}[item[0]]()
        layers.append((layer, width))
    return layers


def python_objects(loss, accuracy, optimizer):
    from nnfast import nn
    loss_obj = {"cce": nn.Loss_CategoricalCrossentropy, "bce": nn.Loss_BinaryCrossentropy,
                "mse": nn.Loss_MeanSquaredError, "mae": nn.Loss_MeanAbsoluteError}[loss]()
    acc_obj = {"categorical": nn.Accuracy_Categorical,
               "binary": lambda: nn.Accuracy_Categorical(binary=True),
               "regression": nn.Accuracy_Regression}[accuracy]()
    kind, kwargs = optimizer
    opt_obj = {"sgd": nn.Optimizer_SGD, "adagrad": nn.Optimizer_Adagrad,
               "rmsprop": nn.Optimizer_RMSprop, "adam": nn.Optimizer_Adam}[kind](**kwargs)
    return loss_obj, acc_obj, opt_obj


def optimizer_line(kind, kwargs):
    """The spec's optimizer line: the Python optimizer's hyperparameters, defaults filled."""
    _, _, opt = python_objects("cce", "categorical", (kind, kwargs))
    values = [getattr(opt, name, 0.0) for name in
              ("learning_rate", "decay", "momentum", "epsilon", "rho", "beta_1", "beta_2")]
    return f"optimizer {kind} " + " ".join(repr(float(v)) for v in values)


# net_check writes each report as data_loss, regularization_loss, accuracy, learning_rate,
# loss_sum (float64)
REPORT_FIGURES = 5


def train_both(build, tmp_path, spec, loss, accuracy, optimizer, X, y, *, epochs,
               batch_size=None, dtype=np.float64, orders=None, seed=0, stop=None,
               python_epochs=None, again=0, streams=None):
    """Trains the spec's network in C (net_check) and with Model.train from the same initial
    parameters, dropout masks and sample orders; checks the C network's outputs equal
    Model.predict's; returns both models' parameters, the C epochs' reports (then the last
    step's) and the Python model. With ``stop``, the C training stops after that many steps
    and Model.train runs ``python_epochs``; with ``again``, both train once more for that
    many epochs. With ``streams``, a (seed, step) for each dropout layer, the layers draw
    fast masks (rng="fast") from that seed and step, and the C network its own, from the
    same: their streams must end at the same step. The parameters are each dense layer's
    weights, biases and the optimizer's state arrays."""
    total = epochs + again
    from nnfast import nn
    X = X.astype(dtype)
    labels = y.ndim == 1
    y = y if labels else y.astype(dtype)
    np.random.seed(seed)
    model = nn.Model()
    layers = layer_objects(spec, X.shape[1], "book" if streams is None else "fast")
    for layer, _ in layers:
        if isinstance(layer, nn.Layer_Dense):
            layer.weights = layer.weights.astype(dtype)
            layer.biases = layer.biases.astype(dtype)
        model.add(layer)
    loss_obj, acc_obj, opt_obj = python_objects(loss, accuracy, optimizer)
    model.set(loss=loss_obj, optimizer=opt_obj, accuracy=acc_obj)
    model.finalize()
    acc_obj.init(y)
    dense = [layer for layer in model.layers if isinstance(layer, nn.Layer_Dense)]
    n, batch = len(X), batch_size or len(X)
    steps = -(-n // batch)
    dropouts = [(layer, width) for layer, width in layers if isinstance(layer, nn.Layer_Dropout)]
    stream_lines = []
    if streams is not None:  # the C network draws these masks itself: none in DATA
        for (layer, _), (stream_seed, step) in zip(dropouts, streams, strict=True):
            layer._seed, layer._step = stream_seed, step
            stream_lines.append(f"stream {model.layers.index(layer)} {stream_seed} {step}")
        dropouts = []
    # The masks Model.train draws, drawn the same way from the same state beforehand.
    state = np.random.get_state()
    masks = [np.random.binomial(1, layer.rate, size=(min(batch, n - s * batch), width))
             for _ in range(total) for s in range(steps) for layer, width in dropouts]
    np.random.set_state(state)

    lines = [f"dtype {np.dtype(dtype).itemsize * 8}", f"inputs {X.shape[1]}"]
    lines += [" ".join(str(v) for v in item) for item in spec]
    precision = float(acc_obj.precision) if accuracy == "regression" else 0.0
    lines += [f"loss {loss}", f"accuracy {accuracy} {precision!r}", optimizer_line(*optimizer),
              f"train {n} {epochs} {batch_size or 0} {int(orders is not None)} "
              f"{'labels' if labels else 'targets'}"] + ([f"stop {stop}"] if stop else []) + \
        ([f"again {again}"] if again else []) + stream_lines
    (tmp_path / "spec").write_text("\n".join(lines) + "\n")
    with open(tmp_path / "data", "wb") as f:
        f.write(np.ascontiguousarray(X).tobytes())
        f.write(np.ascontiguousarray(y, dtype=np.int64 if labels else dtype).tobytes())
        for layer in dense:
            f.write(layer.weights.tobytes() + layer.biases.tobytes())
        per_epoch = len(masks) // total
        for epoch in range(total):  # in the order net_check reads them
            if orders is not None:
                f.write(np.asarray(orders[epoch], dtype=np.int64).tobytes())
            for mask in masks[epoch * per_epoch:(epoch + 1) * per_epoch]:
                f.write(mask.astype(np.int64).tobytes())
    run = subprocess.run([str(build / "net_check"), str(tmp_path / "spec"),
                          str(tmp_path / "data"), str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr

    if orders is None:
        model.train(X, y, epochs=python_epochs or epochs, batch_size=batch_size, verbose=False)
        if again:
            model.train(X, y, epochs=again, batch_size=batch_size, verbose=False)
    else:  # one epoch per call over the permuted samples: the optimizer's state carries on
        for order in orders:
            model.train(X[order], y[order], epochs=1, batch_size=batch_size, verbose=False)
    py_params = [getattr(layer, name) for layer in dense for name in
                 ("weights", "biases", "weight_momentums", "weight_cache", "bias_momentums",
                  "bias_cache") if hasattr(layer, name)]
    if streams is not None:  # each layer's stream where Python's ended
        printed = re.findall(r"^stream (\d+) (\d+) (\d+)$", run.stdout, re.M)
        assert printed == [(str(model.layers.index(layer)), str(layer._seed), str(layer._step))
                           for layer in model.layers if isinstance(layer, nn.Layer_Dropout)]
    raw = np.fromfile(tmp_path / "out", dtype=np.uint8)
    c_params, at = [], 0
    for p in py_params:
        c_params.append(raw[at:at + p.nbytes].view(dtype).reshape(p.shape))
        at += p.nbytes
    size = (total + 1) * REPORT_FIGURES * 8
    reports = raw[at:at + size].view(np.float64).reshape(-1, REPORT_FIGURES)
    outputs = raw[at + size:].view(dtype).reshape(len(X), -1)
    # nnf_net_forward is Model.predict (in batches of the training's size)
    np.testing.assert_array_equal(outputs, model.predict(X, batch_size=batch_size))
    return c_params, py_params, reports, model


def spiral(samples=100, classes=3):
    from nnfast.datasets import spiral_data
    np.random.seed(1)
    return spiral_data(samples, classes)


SPIRAL = [("dense", 64, 0, 0, 0, 0), ("relu",), ("dense", 3, 0, 0, 0, 0), ("softmax",)]
ADAM = ("adam", {"learning_rate": 0.05, "decay": 5e-7})


@pytest.mark.parametrize("batch_size", [None, 64])
def test_network_float64_equals_model_train_bitwise(build, tmp_path, batch_size):
    X, y = spiral()
    c, py, reports, model = train_both(build, tmp_path, SPIRAL, "cce", "categorical", ADAM,
                                       X, y, epochs=30, batch_size=batch_size)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    # the last epoch's report is the book's accumulated loss and accuracy
    assert len(reports) == 31  # 30 epochs, then the last step's
    data_loss, reg_loss, acc, lr, loss_sum = reports[29]
    assert data_loss == model.loss.calculate_accumulated()
    assert loss_sum == model.loss.accumulated_sum
    assert acc == model.accuracy.calculate_accumulated()
    assert reg_loss == 0 and lr == model.optimizer.current_learning_rate
    assert reports[29][0] < reports[0][0]
    if batch_size is None:  # the first step's loss, of weights 0.01 * randn: about ln 3
        assert abs(reports[0][0] - math.log(3)) < 1e-3
        assert list(reports[30]) == list(reports[29])  # one step: the epoch's report


def test_network_trains_on_where_it_stopped(build, tmp_path):
    # A second nnf_net_train goes on from the first's iterations, learning rate and state, as
    # a second Model.train does; the state arrays (Adam's momentums and caches) are Python's.
    X, y = spiral()
    c, py, reports, model = train_both(build, tmp_path, SPIRAL, "cce", "categorical", ADAM,
                                       X, y, epochs=3, batch_size=128, again=4)
    assert len(c) == len(py) == 12  # 2 dense layers: weights, biases, 4 state arrays
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    assert reports[6][3] == model.optimizer.current_learning_rate < 0.05


def test_network_float32_equals_model_train(build, tmp_path):
    # The same kernels of float32, called in the same order: the same bits as Model.train's
    # float32 run (the tightest bound there is; a reordered sum would break it).
    X, y = spiral()
    c, py, reports, model = train_both(build, tmp_path, SPIRAL, "cce", "categorical", ADAM,
                                       X, y, epochs=30, batch_size=64, dtype=np.float32)
    for a, b in zip(c, py):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)


def test_network_dropout_regularizers_shuffled_sgd(build, tmp_path):
    # Dropout's masks from the caller (NumPy's stream, as the book draws it), L1/L2 on both
    # parameters, SGD with momentum and decay, a new sample order each epoch.
    X, y = spiral()
    spec = [("dense", 32, 1e-4, 5e-4, 1e-4, 5e-4), ("relu",), ("dropout", 0.1),
            ("dense", 3, 0, 0, 0, 0), ("softmax",)]
    rng = np.random.default_rng(7)
    orders = [rng.permutation(len(X)) for _ in range(8)]
    c, py, reports, model = train_both(
        build, tmp_path, spec, "cce", "categorical",
        ("sgd", {"learning_rate": 0.5, "decay": 1e-3, "momentum": 0.9}), X, y, epochs=8,
        batch_size=100, orders=orders)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    assert reports[7][1] == model.loss.regularization_loss() > 0


def test_network_regression_mse(build, tmp_path):
    # Linear output, mean squared error (the mean: NumPy's pairwise sum), the book's
    # regression accuracy; Adam.
    X = np.arange(1000).reshape(-1, 1) / 1000  # nnfs's sine data
    y = np.sin(2 * np.pi * X)
    spec = [("dense", 16, 0, 0, 0, 0), ("relu",), ("dense", 16, 0, 0, 0, 0), ("relu",),
            ("dense", 1, 0, 0, 0, 0), ("linear",)]
    c, py, reports, model = train_both(build, tmp_path, spec, "mse", "regression",
                                       ("adam", {"learning_rate": 0.005, "decay": 1e-3}),
                                       X, y, epochs=10, batch_size=300)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    assert reports[9][0] == model.loss.calculate_accumulated()
    assert reports[9][4] == model.loss.accumulated_sum
    assert reports[9][2] == model.accuracy.calculate_accumulated()


@pytest.mark.parametrize("loss, optimizer", [("bce", ("rmsprop", {"decay": 1e-4})),
                                             ("mae", ("adagrad", {"learning_rate": 0.1}))])
def test_network_sigmoid_binary(build, tmp_path, loss, optimizer):
    X, y = spiral(100, 2)
    y = y.reshape(-1, 1)
    spec = [("dense", 16, 0, 5e-4, 0, 5e-4), ("relu",), ("dense", 1, 0, 0, 0, 0), ("sigmoid",)]
    c, py, reports, model = train_both(build, tmp_path, spec, loss, "binary", optimizer,
                                       X, y, epochs=6, batch_size=50)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    assert reports[5][0] == model.loss.calculate_accumulated()
    assert reports[5][4] == model.loss.accumulated_sum
    assert reports[5][2] == model.accuracy.calculate_accumulated()


def test_network_stops_between_steps_when_a_report_asks(build, tmp_path):
    # on_step's nonzero return after the 12th step (of 30 epochs of 3): NNF_STOPPED with the
    # parameters of exactly 12 whole steps, Model.train's 4 epochs'
    X, y = spiral()
    c, py, reports, model = train_both(build, tmp_path, SPIRAL, "cce", "categorical", ADAM,
                                       X, y, epochs=30, batch_size=100, stop=12,
                                       python_epochs=4)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    assert reports[2][0] > 0 and not reports[3:30].any()  # 3 epochs reported, then none


def run_spec(build, tmp_path, lines, X, y):
    """net_check on a spec and data of the spiral network's parameters (from a fresh draw)."""
    (tmp_path / "spec").write_text("\n".join(lines) + "\n")
    np.random.seed(0)
    with open(tmp_path / "data", "wb") as f:
        f.write(X.astype(np.float64).tobytes() + y.astype(np.int64).tobytes())
        for layer, _ in layer_objects(SPIRAL, 2):
            if hasattr(layer, "weights"):
                f.write(layer.weights.tobytes() + layer.biases.tobytes())
    return subprocess.run([str(build / "net_check"), str(tmp_path / "spec"),
                           str(tmp_path / "data"), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60)


SPIRAL_SPEC = ["dtype 64", "inputs 2", "dense 64 0 0 0 0", "relu", "dense 3 0 0 0 0",
               "softmax", "loss cce", "accuracy categorical 0",
               "optimizer adam 0.05 0 0 1e-7 0.9 0.9 0.999", "train 300 2 0 0 labels"]
NNF_ELABEL, NNF_EINVAL = 2, 4


def test_network_bad_label_is_its_status_before_any_step(build, tmp_path):
    X, y = spiral()
    y[123] = 3  # 3 classes: labels 0..2
    run = run_spec(build, tmp_path, SPIRAL_SPEC, X, y)
    assert run.returncode == NNF_ELABEL, run.stderr
    assert "sample 123 has label 3, outside [0, 3)" in run.stderr


@pytest.mark.parametrize("change, message", [
    (("accuracy categorical 0", "accuracy binary 0"), "the last layer is a softmax"),
    (("softmax", "sigmoid"), "the last layer is not a softmax"),
    (("train 300 2 0 0 labels", "train 300 2 -1 0 labels"), "batch_size must be >= 0"),
])
def test_network_setting_errors_are_einval(build, tmp_path, change, message):
    X, y = spiral()
    lines = [change[1] if line == change[0] else line for line in SPIRAL_SPEC]
    run = run_spec(build, tmp_path, lines, X, y)
    assert run.returncode == NNF_EINVAL and message in run.stderr, run.stderr


def test_network_layers_come_before_the_optimizer(build, tmp_path):
    X, y = spiral()
    lines = SPIRAL_SPEC[:2] + SPIRAL_SPEC[8:9] + SPIRAL_SPEC[2:8] + SPIRAL_SPEC[9:]
    run = run_spec(build, tmp_path, lines, X, y)
    assert run.returncode == NNF_EINVAL and "before nnf_net_set_optimizer" in run.stderr


def test_network_binary_accuracy_of_linear_outputs_compares_them_as_they_are(build, tmp_path):
    # The output layer's predictions: a linear layer's are its outputs, not thresholded.
    X, y = spiral(100, 2)
    spec = [("dense", 16, 0, 0, 0, 0), ("relu",), ("dense", 1, 0, 0, 0, 0), ("linear",)]
    c, py, reports, model = train_both(build, tmp_path, spec, "mse", "binary",
                                       ("sgd", {"learning_rate": 0.1}), X, y.reshape(-1, 1),
                                       epochs=3)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    assert reports[2][2] == model.accuracy.calculate_accumulated()


def test_network_misuse_statuses(build):
    # tests/c/net_errors.c: each misuse's status and message, and that a failed call changes
    # nothing (no step after a failing hook)
    run = subprocess.run([str(build / "net_errors")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "FAIL" not in run.stdout, run.stdout + run.stderr
    assert run.stdout.count("ok ") >= 20, run.stdout


def run_every_isa(build, program, min_cases):
    """Runs a tests/c program that compares a kernel with its reference on every instruction
    set the CPU has (one line "<isa> N cases, 0 differ" each); asserts all agreed."""
    run = subprocess.run([str(build / program)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "FAIL" not in run.stdout, run.stdout + run.stderr
    lines = re.findall(r"^(\w+) (\d+) cases, 0 differ$", run.stdout, re.M)
    assert "generic" in {isa for isa, _ in lines}, run.stdout
    assert all(int(n) >= min_cases for _, n in lines), run.stdout


def test_backward_rows_equal_dense_backward(build):
    # tests/c/backward_rows.c: nnf_dense_backward_rows (the network's first layer summed a
    # block of rows at a time) gives nnf_dense_backward's dweights and dbiases bitwise
    run_every_isa(build, "backward_rows", 1000)


def test_dense_relu_dense_backward_equals_its_two_calls(build):
    # tests/c/pair_backward.c: nnf_dense_relu_dense_backward (the network's first layer and
    # the one after it in one sweep) gives the two nnf_dense_backward calls' numbers bitwise
    run_every_isa(build, "pair_backward", 1000)


def test_dense_softmax_cce_backward_equals_its_two_calls(build):
    # tests/c/softmax_cce_fused.c: nnf_dense_softmax_cce_backward (the network's output layer
    # and loss in one pass) gives nnf_dense + nnf_softmax_cce_backward's probabilities,
    # gradient, loss sum, correct count and label errors bitwise
    run_every_isa(build, "softmax_cce_fused", 10000)


def test_network_holds_only_the_masks_its_path_reads(build):
    # tests/c/net_buffers.c: a dropout run by blocks holds its ReLU's and kept bits alone, one
    # layer by layer its binary mask, the book's masks add the drawn mask, each added when a
    # later call on the same rows needs it
    run = subprocess.run([str(build / "net_buffers")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and "FAIL" not in run.stdout, run.stdout + run.stderr
    assert run.stdout.count("ok ") == 5, run.stdout


def test_net_timing_runs(build):
    # tests/c/net_timing.c, the speed tool (csrc's developers run it with more repeats): it
    # builds both networks it times and reports every line
    run = subprocess.run([str(build / "net_timing"), "1"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    for name in ("spiral", "chapter18", "mlp"):
        assert re.search(rf"^{name} train [\d.]+ us/epoch, kernels alone [\d.]+ us/epoch, "
                         r"ratio [\d.]+$", run.stdout, re.M), run.stdout
    assert "dropout_philox" in run.stdout and "dense_backward 1 + ReLU" in run.stdout


# ---------------------------------------------------------------------------------------------
# The network's own dropout masks (nnf_net_set_dropout_stream): nnfast.dropout_philox's.

def run_masks(build, tmp_path, X, rate, seed, step, batch, epochs, threads):
    """net_masks: the last step's dropout output and binary mask, the stream's next step and
    the last step's rows."""
    X.tofile(tmp_path / "x")
    run = subprocess.run([str(build / "net_masks"), str(X.dtype.itemsize * 8), str(len(X)),
                          str(X.shape[1]), repr(rate), str(seed), str(step), str(batch),
                          str(epochs), str(threads), str(tmp_path / "x"), str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    stream = re.search(r"^stream (\d+) (\d+)$", run.stdout, re.M)
    rows = int(re.search(r"^rows (\d+)$", run.stdout, re.M)[1])
    assert int(stream[1]) == seed
    raw = np.fromfile(tmp_path / "out", dtype=X.dtype).reshape(2, rows, X.shape[1])
    return raw[0], raw[1], int(stream[2]), rows


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch, threads", [(0, 1), (0, 2), (64, 2)])
def test_network_masks_are_dropout_philox(build, tmp_path, dtype, batch, threads):
    # 150 samples of 40: 3 steps an epoch in batches of 64, the last of 22 rows, whose mask is
    # elements i * 40 + j of the stream counted from the batch's first row, as the Python
    # layer draws it from the batch it is given
    import nnfast
    X = np.random.default_rng(3).standard_normal((150, 40)).astype(dtype)
    seed, step, epochs = 2**64 - 12345, 7, 2
    out, bm, next_step, rows = run_masks(build, tmp_path, X, 0.3, seed, step, batch, epochs,
                                         threads)
    steps = epochs * (3 if batch else 1)
    assert next_step == step + steps
    want_out, want_bm = nnfast.dropout_philox(X[len(X) - rows:], 0.3, seed, next_step - 1)
    assert want_out.dtype == out.dtype == dtype
    np.testing.assert_array_equal(bm, want_bm)
    np.testing.assert_array_equal(out, want_out)
    assert 0.6 < (bm != 0).mean() < 0.8  # kept: 0.7


def test_network_masks_differ_by_step_and_seed(build, tmp_path):
    X = np.ones((100, 30))
    a = run_masks(build, tmp_path, X, 0.5, 11, 0, 0, 1, 1)[1]
    b = run_masks(build, tmp_path, X, 0.5, 11, 1, 0, 1, 1)[1]
    c = run_masks(build, tmp_path, X, 0.5, 12, 0, 0, 1, 1)[1]
    assert (a != b).mean() > 0.3 and (a != c).mean() > 0.3


CHAPTER_18 = [("dense", 64, 0, 5e-4, 0, 5e-4), ("relu",), ("dropout", 0.1),
              ("dense", 3, 0, 0, 0, 0), ("softmax",)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_network_fast_dropout_equals_model_train_bitwise(build, tmp_path, dtype):
    # Model.train with Layer_Dropout(rng="fast") and the C network from the same seed and
    # step: the same masks, so the same parameters, and both streams end at the same step
    X, y = spiral()
    c, py, reports, model = train_both(build, tmp_path, CHAPTER_18, "cce", "categorical",
                                       ("adam", {"learning_rate": 0.05, "decay": 5e-5}), X, y,
                                       epochs=6, batch_size=128, dtype=dtype,
                                       streams=[(2**63 + 5, 3)], again=2)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
    assert model.layers[2]._step == 3 + 8 * 3
    assert reports[7][1] == model.loss.regularization_loss() > 0


def test_network_fast_dropout_shuffled_each_layer_its_stream(build, tmp_path):
    # Three dropout layers (the first on the inputs), each its own stream; a new sample order
    # each epoch
    X, y = spiral()
    spec = [("dropout", 0.2)] + CHAPTER_18[:3] + [("dense", 16, 0, 0, 0, 0), ("relu",),
                                                  ("dropout", 0.3)] + CHAPTER_18[3:]
    rng = np.random.default_rng(8)
    orders = [rng.permutation(len(X)) for _ in range(4)]
    c, py, reports, model = train_both(build, tmp_path, spec, "cce", "categorical", ADAM, X, y,
                                       epochs=4, batch_size=100, orders=orders,
                                       streams=[(1, 0), (2**64 - 1, 2**40), (77, 5)])
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("spec, batch_size, streams", [
    # 64 wide: blocks of 64 rows, so batches of 65 end each task's rows on a 1-row block
    (CHAPTER_18, 65, [(9, 0)]),
    # a sigmoid before the dropout: the dropout's backward alone, book masks
    ([("dense", 16, 0, 0, 0, 0), ("sigmoid",), ("dropout", 0.25), ("dense", 3, 0, 0, 0, 0),
      ("softmax",)], 70, None),
    # rows wider than a block (4096 elements), book masks
    ([("dense", 4100, 0, 0, 0, 0), ("relu",), ("dropout", 0.5), ("dense", 3, 0, 0, 0, 0),
      ("softmax",)], 150, None),
])
def test_network_dropout_dinputs_by_row_blocks_are_the_class_paths(build, tmp_path, spec,
                                                                    batch_size, streams):
    # The backward of a dropout after a ReLU, and the ReLU's, run a block of rows at a time:
    # every row the whole batch's numbers
    X, y = spiral()
    c, py, reports, model = train_both(build, tmp_path, spec, "cce", "categorical", ADAM, X, y,
                                       epochs=2, batch_size=batch_size, streams=streams)
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)


def test_network_chapter_18_size_fast_dropout_bitwise(build, tmp_path):
    # Chapter 18's network at its size (3,000 samples, 512 wide): the row blocks split over
    # threads, and every product past its blocking sizes
    from nnfast.datasets import spiral_data
    np.random.seed(2)
    X, y = spiral_data(1000, 3)
    spec = [("dense", 512, 0, 5e-4, 0, 5e-4), ("relu",), ("dropout", 0.1),
            ("dense", 3, 0, 0, 0, 0), ("softmax",)]
    c, py, reports, model = train_both(build, tmp_path, spec, "cce", "categorical",
                                       ("adam", {"learning_rate": 0.05, "decay": 5e-5}), X, y,
                                       epochs=3, streams=[(2**40 + 3, 0)])
    for a, b in zip(c, py):
        np.testing.assert_array_equal(a, b)
