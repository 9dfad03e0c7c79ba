"""The book's accuracies: categorical (classes, or binary outputs) and regression."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._fusion import uses_own


class Accuracy:
    """Common accuracy class: ``calculate`` is the mean of ``compare``, accumulated for
    ``calculate_accumulated`` until ``new_pass``. Subclasses implement ``init(y)`` (which
    Model.train calls) and ``compare(predictions, y)``."""

    accumulated_sum: Any  #: the number of right predictions since ``new_pass``
    accumulated_count: int  #: the number of predictions since ``new_pass``

    if TYPE_CHECKING:  # what a subclass implements (the book's Accuracy declares it not)
        def compare(self, predictions: Any, y: Any) -> NDArray[np.bool_]: ...

    def calculate(self, predictions: Any, y: Any) -> np.floating[Any]:
        """Return the fraction of right predictions, ``np.mean(self.compare(predictions,
        y))``, and accumulate it for ``calculate_accumulated``. Raises what ``compare``
        raises."""
        comparisons = self.compare(predictions, y)
        accuracy: np.floating[Any] = np.mean(comparisons)
        self._accumulate(np.sum(comparisons), len(comparisons))
        return accuracy

    def _accumulate(self, total: Any, count: int) -> None:
        self.accumulated_sum = getattr(self, "accumulated_sum", 0) + total
        self.accumulated_count = getattr(self, "accumulated_count", 0) + count

    def calculate_accumulated(self) -> Any:
        """The fraction of right predictions since ``new_pass``. Raises RuntimeError when
        nothing was accumulated: call ``calculate`` first."""
        try:
            return self.accumulated_sum / self.accumulated_count
        except (AttributeError, ZeroDivisionError):
            raise RuntimeError(f"{type(self).__name__}.calculate_accumulated: no predictions "
                               "since new_pass(); call calculate() first") from None

    @property
    def network_part(self) -> tuple[str, float] | None:
        """This accuracy in the C library's network, which Model.train runs when every part of
        the model has one (nnfast/nn/_network.py): ``("categorical", 0.0)``, ``("binary",
        0.0)`` (Accuracy_Categorical(binary=True)) or ``("regression", precision)``. None for
        another accuracy, before Accuracy_Regression's ``init``, and when a subclass replaces
        a method the network stands in for (``compare``, ``calculate``, ``new_pass``,
        ``calculate_accumulated``: it computes each epoch's figures itself)."""
        methods = ("compare", "calculate", "new_pass", "calculate_accumulated")
        if isinstance(self, Accuracy_Regression):
            if self.precision is None or not uses_own(self, Accuracy_Regression, *methods):
                return None
            return ("regression", float(self.precision))
        if isinstance(self, Accuracy_Categorical) and uses_own(
                self, Accuracy_Categorical, *methods):
            return ("binary" if self.binary else "categorical", 0.0)
        return None

    def new_pass(self) -> None:
        """Reset the accumulated sum and count (the start of an epoch or a validation pass)."""
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Accuracy_Regression(Accuracy):
    """A prediction is right when within ``precision = np.std(y) / 250`` of the target
    (set by ``init``). ``compare`` before ``init`` raises RuntimeError."""

    precision: Any  #: None until ``init``, then a NumPy scalar

    def __init__(self) -> None:
        self.precision = None

    def init(self, y: ArrayLike, reinit: bool = False) -> None:
        """Set ``precision = np.std(y) / 250`` from the targets ``y`` (any shape), unless it is
        set and not ``reinit``."""
        if self.precision is None or reinit:
            self.precision = np.std(y) / 250  # type: ignore[arg-type]  # as NumPy takes it

    def compare(self, predictions: Any, y: Any) -> NDArray[np.bool_]:
        """``|predictions - y| < precision``, element-wise (the shapes broadcast). Raises
        RuntimeError before ``init``."""
        precision = self.precision
        if precision is None:
            raise RuntimeError("Accuracy_Regression.compare: call init(y) first to set the "
                               "precision (Model.train does)")
        comparisons: NDArray[np.bool_] = np.absolute(predictions - y) < precision
        return comparisons


class Accuracy_Categorical(Accuracy):
    """Predicted classes equal to the labels (one-hot labels by argmax unless ``binary``).

    ``predictions`` are class indices of shape (n,) (an activation's ``predictions``), or
    with ``binary`` 0/1 outputs of the labels' shape. Needs no ``init``."""

    binary: bool

    def __init__(self, *, binary: bool = False) -> None:
        self.binary = binary

    def init(self, y: ArrayLike) -> None:
        """Nothing to prepare (the book's method, for Model.train)."""

    def compare(self, predictions: Any, y: Any) -> NDArray[np.bool_]:
        """``predictions == y`` element-wise, with one-hot ``y`` (2-D, not ``binary``) taken
        by its argmax per row."""
        if not self.binary and np.ndim(y) == 2:  # (np.ndim: y may be a list)
            y = np.argmax(y, axis=1)
        comparisons: NDArray[np.bool_] = predictions == y
        return comparisons

    @property
    def takes_correct_count(self) -> bool:
        """True: with argmax predictions (of softmax outputs) Model.train may take the count
        of correct ones from the softmax + cross-entropy backward, which compares with labels
        (one-hot rows by their argmax) as ``compare`` does. False when ``binary`` or when a
        subclass replaces ``compare`` or ``calculate``."""
        return not self.binary and uses_own(self, Accuracy_Categorical, "compare", "calculate")
