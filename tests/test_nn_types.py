"""The annotations of the nn classes, checked by mypy --strict: a float32 layer's forward of
float32 inputs is float32, a float64 layer's float64; activations and losses follow their
input's dtype; a layer's dtype fixes its weights' type; a wrong argument type is flagged.
Each wrong line of the snippet is flagged, and only those."""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SNIPPET = """\
import numpy as np
from numpy.typing import NDArray
from nnfast.nn import (Activation_ReLU, Activation_Softmax, Layer_Dense, Layer_Dropout,
                       Loss_CategoricalCrossentropy, Optimizer_Adam)
x32, x64 = np.ones((4, 2), np.float32), np.ones((4, 2))
y = np.zeros(4, np.int64)
layer32, layer64 = Layer_Dense(2, 3, dtype=np.float32), Layer_Dense(2, 3)
a: NDArray[np.float32] = layer32.forward(x32)
b: NDArray[np.float64] = layer64.forward(x64)
c: Layer_Dense[np.float32] = Layer_Dense(2, 3, weight_regularizer_l2=5e-4, dtype="float32")
d: NDArray[np.float32] = Activation_Softmax().forward(Activation_ReLU().forward(a))
e: np.float32 = Loss_CategoricalCrossentropy().calculate(d, y)
f: NDArray[np.float64] = layer32.forward(x32)
i: Layer_Dense[np.float32] = Layer_Dense(2, 3)
Layer_Dropout("0.1")
Optimizer_Adam(learning_rate=None)
j: np.float64 = Loss_CategoricalCrossentropy().calculate(d, y)
layer32.weights = x64
"""
WRONG = [13, 14, 15, 16, 17, 18]


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy not installed")
def test_mypy_follows_the_dtypes(tmp_path):
    program = tmp_path / "uses_nn.py"
    program.write_text(SNIPPET)
    res = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                          "--no-error-summary", "--cache-dir", str(tmp_path / "cache"),
                          str(program)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    flagged = sorted({int(n) for n in re.findall(r"uses_nn\.py:(\d+): error", res.stdout)})
    assert flagged == WRONG, res.stdout + res.stderr
