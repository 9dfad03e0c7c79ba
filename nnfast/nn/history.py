"""What Model.train returns: each epoch's figures, ready to plot."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

TRAINING_KEYS = ("loss", "data_loss", "regularization_loss", "accuracy", "learning_rate")
VALIDATION_KEYS = ("val_loss", "val_accuracy")


class History:
    """The figures of one ``Model.train`` call, as Keras's ``History`` holds them.

    Attributes
    ----------
    history : dict[str, list[float]]
        ``"loss"`` (data + regularization loss), ``"data_loss"``, ``"regularization_loss"``,
        ``"accuracy"`` and ``"learning_rate"``: one value per epoch, the figures of the book's
        ``training, ...`` line (with one step per epoch, that step's figures, as chapter 18
        prints them; the learning rate is the optimizer's ``current_learning_rate`` after
        the epoch). With ``validation_data`` also ``"val_loss"`` and ``"val_accuracy"``.
    epoch : list[int]
        The epoch numbers, 1 to ``epochs``, that the training lists are indexed by.
    val_epoch : list[int]
        The epochs after which validation ran, that ``"val_loss"`` and ``"val_accuracy"``
        are indexed by: every epoch with ``batch_size`` (chapter 19), only the last without
        (chapter 18 validates once, after training). Empty without ``validation_data``.

    Plotting takes one line::

        plt.plot(h.epoch, h.history["loss"]); plt.plot(h.val_epoch, h.history["val_loss"])
    """

    def __init__(self, *, validation: bool) -> None:
        keys = TRAINING_KEYS + VALIDATION_KEYS if validation else TRAINING_KEYS
        self._history: dict[str, list[float]] = {key: [] for key in keys}
        self.epoch: list[int] = []
        self.val_epoch: list[int] = []
        # the C network's report rows not yet in the lists (see add_rows)
        self._pending: list[tuple[NDArray[np.float64], type, float | None]] = []
        # lists known to hold only Python floats (the C network's, from ndarray.tolist),
        # which as_floats need not walk: 2,000 epochs' five lists cost it about 150 us
        self._floats: set[str] = set()

    @property
    def history(self) -> dict[str, list[float]]:
        """The figures by name, one list each (see the class's docstring)."""
        if self._pending:
            self._unpack()
        return self._history

    def __repr__(self) -> str:
        last = ", ".join(f"{key}={values[-1]:.4g}" for key, values in self.history.items() if values)
        return f"History(epochs={len(self.epoch)}{', ' if last else ''}{last})"

    def add_rows(self, rows: NDArray[np.float64], loss_type: type,
                 learning_rate: float | None) -> None:
        """Epochs' training figures as the C network reports them: ``rows`` (epochs, 4 or
        more) of data_loss, regularization_loss, accuracy and the learning rate (or, when
        ``learning_rate`` is not None, that number for every epoch), the loss being
        data_loss + regularization_loss added in ``loss_type`` as the layers add them. The
        rows are kept as they are (not copied: the caller hands them over) and made Python
        floats when the history is first read: a long run's lists, 10,000 floats per 2,000
        epochs, are made only if someone reads them."""
        self._pending.append((rows, loss_type, learning_rate))
        self._floats.update(TRAINING_KEYS if learning_rate is None else TRAINING_KEYS[:4])

    def _unpack(self) -> None:
        pending, self._pending = self._pending, []
        lists = [self._history[key] for key in TRAINING_KEYS]
        for rows, loss_type, learning_rate in pending:
            data, regularization = rows[:, 0], rows[:, 1]
            lists[0].extend((data.astype(loss_type) + regularization.astype(loss_type)).tolist())
            lists[1].extend(data.tolist())
            lists[2].extend(regularization.tolist())
            lists[3].extend(rows[:, 2].tolist())
            if learning_rate is None:
                lists[4].extend(rows[:, 3].tolist())
            else:
                lists[4].extend([learning_rate] * len(rows))

    def as_floats(self) -> None:
        """Make every value a Python ``float`` (the step's figures may be NumPy scalars of
        the network's dtype, or the int 0 of no regularization; a learning rate kept as the
        user gave it): once, after training."""
        self._pending = [(rows, loss_type, None if rate is None else float(rate))
                         for rows, loss_type, rate in self._pending]
        for key, values in self._history.items():
            if key not in self._floats:
                values[:] = map(float, values)
