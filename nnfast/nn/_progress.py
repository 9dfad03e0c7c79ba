"""Model.train's output: the book's lines (chapter 18's or 19's), or a tqdm progress bar
where a person watches."""

from __future__ import annotations

import sys
from time import perf_counter
from typing import Union

from .history import History

# Seconds between two redraws of the bar: about ten a second, however short the epochs.
REDRAW = 0.1
# tqdm's default without the rate, leaving room for the figures in an 80-column terminal
BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"


def watched() -> bool:
    """Whether a person watches stdout: a terminal, or a Jupyter kernel's output stream."""
    out = sys.stdout
    if type(out).__module__.startswith("ipykernel"):
        return True
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def output_mode(where: str, verbose: bool | str) -> str | None:
    """``verbose`` as the output mode: ``"bar"``, ``"lines"`` or None (silence). True is the
    bar when a person watches (``watched()``), else the lines."""
    if verbose is True:
        return "bar" if watched() else "lines"
    if verbose is False:
        return None
    if verbose in ("bar", "lines"):
        return str(verbose)
    raise ValueError(f"{where}: verbose must be True, False, 'lines' or 'bar', got {verbose!r}")


def _training_line(history: History) -> str:
    h = history.history
    return (f"acc: {h['accuracy'][-1]:.3f}, loss: {h['loss'][-1]:.3f} ("
            f"data_loss: {h['data_loss'][-1]:.3f}, reg_loss: {h['regularization_loss'][-1]:.3f}"
            f"), lr: {h['learning_rate'][-1]}")


def _validation_line(history: History) -> str:
    h = history.history
    return f"validation, acc: {h['val_accuracy'][-1]:.3f}, loss: {h['val_loss'][-1]:.3f}"


class Lines:
    """The book's lines. With batches (chapter 19): ``epoch: N``, ``step: ...`` every
    ``print_every`` steps and at an epoch's last, ``training, ...`` and, with validation
    data, ``validation, ...`` every epoch. Without (chapter 18, one step per epoch):
    ``epoch: N, acc: ...`` every ``print_every`` epochs and one ``validation, ...`` line
    after training. The figures are read from ``history``."""

    def __init__(self, history: History, *, epochs: int, steps: int, print_every: int,
                 batched: bool) -> None:
        self.history, self.steps, self.print_every = history, steps, print_every
        self.batched = batched

    def epoch_start(self, epoch: int) -> None:
        print(f"epoch: {epoch}")

    def step(self, epoch: int, step: int, accuracy: float, loss: float, data_loss: float,
             regularization_loss: float, learning_rate: float) -> None:
        if not step % self.print_every or step == self.steps - 1:
            print(f"step: {step}, acc: {accuracy:.3f}, loss: {loss:.3f} (data_loss: "
                  f"{data_loss:.3f}, reg_loss: {regularization_loss:.3f}), lr: {learning_rate}")

    def epoch_end(self, epoch: int) -> None:
        if self.batched:
            print("training, " + _training_line(self.history))
        elif not epoch % self.print_every:
            print(f"epoch: {epoch}, " + _training_line(self.history))

    def validation(self) -> None:
        print(_validation_line(self.history))

    def close(self) -> None:
        pass


class Bar:
    """One tqdm bar (``tqdm.auto``: a widget in Jupyter, text in a terminal) over every step
    of the run, redrawn at most every ``REDRAW`` seconds, with the latest figures (and the
    last validation's) after it; nothing else is printed until it closes, then one line:
    the last epoch's figures and the last validation's."""

    def __init__(self, history: History, *, epochs: int, steps: int, print_every: int,
                 batched: bool) -> None:
        self.history, self.epochs, self.steps, self.batched = history, epochs, steps, batched
        # imported here: tqdm.auto looks for Jupyter's widgets, a cost (and, without them, a
        # warning) that only a bar needs
        from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]

        # tqdm's own throttling off: this class redraws, every REDRAW seconds
        self.bar = tqdm(total=epochs * steps, unit="step" if batched else "epoch",
                        file=sys.stdout, mininterval=0, miniters=1, dynamic_ncols=True,
                        bar_format=BAR_FORMAT)
        self.next_draw = perf_counter() + REDRAW

    def epoch_start(self, epoch: int) -> None:
        pass

    def step(self, epoch: int, step: int, accuracy: float, loss: float, data_loss: float,
             regularization_loss: float, learning_rate: float) -> None:
        now = perf_counter()
        if now >= self.next_draw:
            self.next_draw = now + REDRAW
            self.bar.set_description_str(f"epoch {epoch}/{self.epochs}", refresh=False)
            self._draw((epoch - 1) * self.steps + step + 1, self._figures(accuracy, loss))

    def epoch_end(self, epoch: int) -> None:
        if self.batched:
            return
        now = perf_counter()
        if now >= self.next_draw:
            self.next_draw = now + REDRAW
            self._draw(epoch, self._last_figures())

    def validation(self) -> None:
        pass

    def close(self) -> None:
        h = self.history.history
        if h["loss"]:
            if self.batched:
                self.bar.set_description_str(f"epoch {self.epochs}/{self.epochs}", refresh=False)
            self._draw(self.epochs * self.steps, self._last_figures())
        self.bar.close()
        if h["loss"]:
            line = "training, " + _training_line(self.history)
            if h.get("val_loss"):
                line += "; " + _validation_line(self.history)
            print(line)

    def _last_figures(self) -> str:
        h = self.history.history
        return self._figures(h["accuracy"][-1], h["loss"][-1])

    def _figures(self, accuracy: float, loss: float) -> str:
        """The metrics for the bar (the learning rate is in the line after it)."""
        h = self.history.history
        text = f"acc={accuracy:.3f}, loss={loss:.3f}"
        if h.get("val_loss"):
            text += f", val_acc={h['val_accuracy'][-1]:.3f}, val_loss={h['val_loss'][-1]:.3f}"
        return text

    def _draw(self, count: int, postfix: str) -> None:
        self.bar.set_postfix_str(postfix, refresh=False)
        self.bar.update(count - self.bar.n)


Output = Union[Lines, Bar]


def output_for(mode: str | None, history: History, *, epochs: int, steps: int,
               print_every: int, batched: bool) -> Output | None:
    """The output of ``mode`` (``output_mode``), or None for silence."""
    if mode is None:
        return None
    kind = Bar if mode == "bar" else Lines
    return kind(history, epochs=epochs, steps=steps, print_every=print_every, batched=batched)
