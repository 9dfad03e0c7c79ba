"""Model.train's output: the book's lines or a progress bar."""

import sys
import time


class Progress:
    """Model.train's output: the book's lines (``epoch: N``, ``step: ...`` every
    ``print_every`` steps and at an epoch's last, ``training, ...``), or, when stdout is a
    terminal, one progress bar redrawn in place (at most ten times a second) followed by the
    last epoch's ``training, ...`` line. Nothing when ``verbose`` is false."""

    def __init__(self, verbose, epochs, steps):
        self.mode = "bar" if verbose and sys.stdout.isatty() else ("lines" if verbose else None)
        self.epochs, self.steps = epochs, steps
        self.current, self.last_draw = 0, 0.0

    def epoch(self, epoch):
        self.current = epoch
        if self.mode == "lines":
            print(f'epoch: {epoch}')

    def step(self, step, accuracy, loss, data_loss, reg_loss, lr, print_every):
        if self.mode == "lines":
            if not step % print_every or step == self.steps - 1:
                print(f'step: {step}, acc: {accuracy:.3f}, loss: {loss:.3f} ('
                      f'data_loss: {data_loss:.3f}, reg_loss: {reg_loss:.3f}), lr: {lr}')
        elif self.mode == "bar":
            now = time.perf_counter()
            last = self.current == self.epochs and step == self.steps - 1
            if now - self.last_draw >= 0.1 or last:
                self.last_draw = now
                done = ((self.current - 1) * self.steps + step + 1) / (self.epochs * self.steps)
                sys.stdout.write(f'\repoch {self.current}/{self.epochs} [{"#" * int(30 * done):<30}]'
                                 f' acc: {accuracy:.3f}, loss: {loss:.3f}, lr: {lr:.6g}  ')
                sys.stdout.flush()

    def summary(self, accuracy, loss, data_loss, reg_loss, lr):
        line = (f'training, acc: {accuracy:.3f}, loss: {loss:.3f} (data_loss: {data_loss:.3f}, '
                f'reg_loss: {reg_loss:.3f}), lr: {lr}')
        if self.mode == "lines":
            print(line)
        elif self.mode == "bar" and self.current == self.epochs:
            print("\n" + line)
