"""Section I's training path: one dense autoencoder, seeded, built and trained to reconstruct its input.

Notebook 01 and ``benchmarks/validation_probe.py`` both train through :func:`train_dense`.
"""

from __future__ import annotations

from typing import Callable

import keras
import numpy as np

from helpers.models import dense_autoencoder
from helpers.training import Recipe, TrainResult, fit


def train_dense(
    name: str,
    recipe: Recipe,
    x_fit: np.ndarray,
    x_val: np.ndarray,
    *,
    seed: int,
    build: Callable[[str], keras.Model] = dense_autoencoder,
    verbose: int = 2,
) -> tuple[keras.Model, TrainResult]:
    """Seed every generator with ``seed``, build ``name`` (``dense-64``, ``dense-128-32-128``, ...) with ``build``
    and train it under ``recipe`` to reconstruct ``x_fit``, scored on ``x_val`` after every epoch."""
    keras.utils.set_random_seed(seed)
    model = build(name)
    if verbose:
        print(f"\n== {name}, seed {seed}: {model.count_params():,} parameters; {recipe}")
    run = fit(
        model,
        x_fit,
        x_fit,
        recipe,
        validation_data=(x_val, x_val),
        verbose=verbose,
        label=f"{name}, seed {seed}",
    )
    return model, run
