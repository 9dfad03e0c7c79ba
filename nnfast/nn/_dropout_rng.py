"""Which generator draws ``Layer_Dropout``'s masks, program-wide.

``"book"`` (the default): ``np.random.binomial(1, 1 - rate, size=inputs.shape)`` from NumPy's
global generator, the book's stream, so a seeded run gives the book's numbers.

``"fast"``: Philox4x32-10 in C (``nnfast.dropout_philox``). A layer draws one 64-bit seed from
NumPy's global generator at its first training forward with the fast masks,
``np.random.randint(0, 2**64, dtype=np.uint64)``, and nothing more from NumPy afterwards; its
n-th fast training forward (n = 0, 1, ...) uses the stream (seed, n). So ``np.random.seed(k)``
makes a run repeat, two layers draw different seeds, and each step draws a new mask.

The environment variable ``NNFAST_DROPOUT_RNG`` (``book`` or ``fast``), read once when nnfast
is imported, sets the program-wide choice, so an unedited script takes it;
``set_dropout_rng`` changes it later, and ``Layer_Dropout(rate, rng=...)`` overrides it for one
layer.
"""

from __future__ import annotations

import os
from typing import Literal, cast

import numpy as np

DropoutRng = Literal["book", "fast"]
ENV_VAR = "NNFAST_DROPOUT_RNG"
_CHOICES = ("book", "fast")


def check_dropout_rng(where: str, rng: object) -> DropoutRng:
    """``rng`` if it is ``"book"`` or ``"fast"``; else TypeError (not a string) or ValueError
    naming ``where``."""
    if not isinstance(rng, str):
        raise TypeError(f"{where}: rng must be 'book' or 'fast', got {type(rng).__name__} "
                        f"{rng!r}")
    if rng not in _CHOICES:
        raise ValueError(f"{where}: rng must be 'book' (np.random.binomial, the book's masks) "
                         f"or 'fast' (Philox in C), got {rng!r}")
    return cast(DropoutRng, rng)


def set_dropout_rng(rng: DropoutRng) -> None:
    """Draw every ``Layer_Dropout``'s masks (those made without ``rng=``) with ``"fast"``
    (Philox4x32-10 in C, seeded from NumPy's global generator) or ``"book"`` (NumPy's
    ``np.random.binomial``, the default). Raises TypeError / ValueError for anything else."""
    global _program_rng
    _program_rng = check_dropout_rng("set_dropout_rng", rng)


def get_dropout_rng() -> DropoutRng:
    """The program-wide dropout mask generator: ``"book"`` or ``"fast"``."""
    return _program_rng


def draw_seed() -> int:
    """A fast-mask layer's seed: one 64-bit draw from NumPy's global generator."""
    return int(np.random.randint(0, 2**64, dtype=np.uint64))


_program_rng: DropoutRng = check_dropout_rng(f"environment variable {ENV_VAR}",
                                             os.environ.get(ENV_VAR, "book"))
