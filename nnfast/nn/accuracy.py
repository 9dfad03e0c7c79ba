"""The book's accuracies: categorical (classes, or binary outputs) and regression."""

import numpy as np

from ._fusion import uses_own


class Accuracy:
    """Common accuracy class: ``calculate`` is the mean of ``compare``, accumulated for
    ``calculate_accumulated`` until ``new_pass``."""

    def calculate(self, predictions, y):
        comparisons = self.compare(predictions, y)
        accuracy = np.mean(comparisons)
        self._accumulate(np.sum(comparisons), len(comparisons))
        return accuracy

    def _accumulate(self, total, count):
        self.accumulated_sum = getattr(self, "accumulated_sum", 0) + total
        self.accumulated_count = getattr(self, "accumulated_count", 0) + count

    def calculate_accumulated(self):
        return self.accumulated_sum / self.accumulated_count

    def new_pass(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Accuracy_Regression(Accuracy):
    """A prediction is right when within ``precision = np.std(y) / 250`` of the target."""

    def __init__(self):
        self.precision = None

    def init(self, y, reinit=False):
        if self.precision is None or reinit:
            self.precision = np.std(y) / 250

    def compare(self, predictions, y):
        return np.absolute(predictions - y) < self.precision


class Accuracy_Categorical(Accuracy):
    """Predicted classes equal to the labels (one-hot labels by argmax unless ``binary``)."""

    def __init__(self, *, binary=False):
        self.binary = binary

    def init(self, y):
        pass

    def compare(self, predictions, y):
        if not self.binary and np.ndim(y) == 2:  # (np.ndim: y may be a list)
            y = np.argmax(y, axis=1)
        return predictions == y

    @property
    def takes_correct_count(self):
        """True: with argmax predictions (of softmax outputs) Model.train may take the count
        of correct ones from the softmax + cross-entropy backward, which compares with labels
        (one-hot rows by their argmax) as ``compare`` does. False when ``binary`` or when a
        subclass replaces ``compare`` or ``calculate``."""
        return not self.binary and uses_own(self, Accuracy_Categorical, "compare", "calculate")
