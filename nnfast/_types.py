"""Names for the annotations of nnfast's Python API (nn, datasets, bench)."""

from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

# float32 or float64: ``def f(x: NDArray[Float]) -> NDArray[Float]`` says the result has the
# input's dtype (mypy checks each of the two in turn).
Float = TypeVar("Float", np.float32, np.float64)

# A float array whose dtype is not known statically (float32 or float64).
FloatArray = NDArray[np.floating[Any]]
