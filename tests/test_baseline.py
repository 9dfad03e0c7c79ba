"""nnfast.baseline, the NumPy side of the benchmarks and of the class and training tests: it
runs on NumPy alone (never nnfast's C core nor nnfast.nn, the code it is compared with), and
the notes' functions agree with the tests' own references (reference.py)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnfast
import reference as ref
from nnfast.baseline import notes

# Imports nnfast.baseline under a bare parent package, so that nnfast/__init__.py (which loads
# the C core for the functional API) does not run, uses the notes' and the book's code, and
# prints every nnfast module then loaded.
ISOLATED = r"""
import sys, types
package = types.ModuleType("nnfast")
package.__path__ = [sys.argv[1]]
sys.modules["nnfast"] = package
import numpy as np
from nnfast.baseline import book, notes

np.random.seed(0)
X, y = np.random.randn(6, 2), np.array([0, 1, 2, 0, 1, 2])
network = (notes.Layer_Dense(2, 4), notes.Activation_ReLU(), notes.Layer_Dense(4, 3),
           notes.Activation_Softmax(), notes.Loss_CategoricalCrossentropy())
assert np.isfinite(notes.forward_pass(network, X, y))
model = book.Model()
for layer in (book.Layer_Dense(2, 4), book.Activation_ReLU(), book.Layer_Dense(4, 3),
              book.Activation_Softmax()):
    model.add(layer)
model.set(loss=book.Loss_CategoricalCrossentropy(), optimizer=book.Optimizer_Adam(),
          accuracy=book.Accuracy_Categorical())
model.finalize()
model.train(X, y, epochs=2, print_every=100)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] == "nnfast")))
"""


def test_baseline_runs_without_the_c_core_or_nnfast_nn():
    package = str(Path(nnfast.__file__).resolve().parent)
    res = subprocess.run([sys.executable, "-c", ISOLATED, package], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    loaded = set(res.stdout.strip().splitlines()[-1].split())
    assert {"nnfast.baseline.notes", "nnfast.baseline.book.model"} <= loaded, loaded
    assert "nnfast._core" not in loaded and "nnfast.nn" not in loaded, loaded
    assert all(m == "nnfast" or m.startswith("nnfast.baseline") for m in loaded), loaded


@pytest.fixture
def layer_data(rng):
    X = rng.standard_normal((9, 4))
    W1, b1 = rng.standard_normal((4, 6)), rng.standard_normal((1, 6))
    W2, b2 = rng.standard_normal((6, 3)), rng.standard_normal((1, 3))
    y = rng.integers(0, 3, 9)
    return X, y, W1, b1, W2, b2


def test_notes_functions_agree_with_the_references(layer_data):
    X, y, W1, b1, W2, b2 = layer_data
    onehot = np.eye(3)[y]
    hidden = notes.relu(notes.dense(X, W1, b1))
    np.testing.assert_allclose(hidden, ref.dense(X, W1, b1, activation="relu"), rtol=1e-13)
    logits = notes.dense(hidden, W2, b2)
    probs = notes.softmax(logits)
    np.testing.assert_allclose(probs, ref.softmax(logits), rtol=1e-13)
    for labels in (y, onehot):
        np.testing.assert_allclose(notes.categorical_crossentropy_samples(probs, labels),
                                   ref.categorical_crossentropy_samples(probs, labels), rtol=1e-13)
        assert notes.categorical_crossentropy(probs, labels) == \
            pytest.approx(ref.categorical_crossentropy(probs, labels), rel=1e-13)
        assert notes.accuracy(probs, labels) == ref.accuracy(probs, labels)


def test_notes_forward_pass_classes_and_functions_agree_with_the_references(layer_data):
    X, y, W1, b1, W2, b2 = layer_data
    expected_loss, expected_probs = ref.softmax_crossentropy(
        ref.dense(ref.dense(X, W1, b1, activation="relu"), W2, b2), y)
    loss, probs = notes.forward_pass_functions(X, y, W1, b1, W2, b2)
    np.testing.assert_allclose(probs, expected_probs, rtol=1e-13)
    assert loss == pytest.approx(expected_loss, rel=1e-13)
    dense1, dense2 = notes.Layer_Dense(0, 0), notes.Layer_Dense(0, 0)
    dense1.weights, dense1.biases, dense2.weights, dense2.biases = W1, b1, W2, b2
    network = (dense1, notes.Activation_ReLU(), dense2, notes.Activation_Softmax(),
               notes.Loss_CategoricalCrossentropy())
    assert notes.forward_pass(network, X, y) == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(network[3].output, expected_probs, rtol=1e-13)
