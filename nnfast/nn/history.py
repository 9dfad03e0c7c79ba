"""What Model.train returns: each epoch's figures, ready to plot."""

from __future__ import annotations

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
        self.history: dict[str, list[float]] = {key: [] for key in keys}
        self.epoch: list[int] = []
        self.val_epoch: list[int] = []
        # lists known to hold only Python floats (the C network's, from ndarray.tolist),
        # which as_floats need not walk: 2,000 epochs' five lists cost it about 150 us
        self._floats: set[str] = set()

    def __repr__(self) -> str:
        last = ", ".join(f"{key}={values[-1]:.4g}" for key, values in self.history.items() if values)
        return f"History(epochs={len(self.epoch)}{', ' if last else ''}{last})"

    def as_floats(self) -> None:
        """Make every value a Python ``float`` (the step's figures may be NumPy scalars of
        the network's dtype, or the int 0 of no regularization): once, after training."""
        for key, values in self.history.items():
            if key not in self._floats:
                values[:] = map(float, values)
