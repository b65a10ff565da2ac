"""Section II's training step: one denoising autoencoder, with its noise pipeline and compute precision.

The notebook and the lever benchmark train through :func:`train_denoiser`, so a lever measured in
``benchmarks/section2_levers.py`` is exactly what the notebook runs when its parameter is set.
"""

from __future__ import annotations

from typing import Callable

import keras
import numpy as np

from helpers.noise import FreshNoise, add_gaussian_noise, with_training_noise
from helpers.training import Recipe, TrainResult, dtype_policy, fit

PRECISIONS = ("float32", "mixed_bfloat16")


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}.")
    return precision


def train_denoiser(build: Callable[[int], keras.Model], width: int, sigma: float, recipe: Recipe,
                   x_fit: np.ndarray, *, seed: int, validation_data=None, start_from: keras.Model | None = None,
                   fresh_noise: bool = True, noise_in_graph: bool = False, clip: bool = False,
                   precision: str = "float32", verbose: int = 2) -> tuple[keras.Model, TrainResult]:
    """Train ``build(width)`` to turn ``x_fit`` plus Gaussian noise of ``sigma`` back into ``x_fit``.

    * ``fresh_noise``: new noise every epoch (:class:`~helpers.noise.FreshNoise`), or one noisy copy for
      all epochs (the report's protocol). ``noise_in_graph`` draws the fresh noise inside the compiled
      graph instead, new on every step (:func:`~helpers.noise.with_training_noise`).
    * ``precision``: ``"float32"``, or ``"mixed_bfloat16"`` (bfloat16 compute, float32 weights). The model
      returned is float32 either way, so its predictions and scores are too.
    * ``start_from``: a trained model whose weights this one starts from (a warm start).

    Returns the trained model and its :class:`~helpers.training.TrainResult`.
    """
    keras.utils.set_random_seed(seed)
    with dtype_policy(check_precision(precision)):
        model = build(width)
        if start_from is not None:
            model.set_weights(start_from.get_weights())
        trainee = model
        if noise_in_graph:
            trainee, data = with_training_noise(model, sigma, clip), (x_fit, x_fit)
        elif fresh_noise:
            data = (FreshNoise(x_fit, sigma, recipe.batch_size, seed=seed, clip=clip),)
        else:
            data = (add_gaussian_noise(x_fit, sigma, seed=seed, clip=clip), x_fit)
        run = fit(trainee, *data, recipe=recipe, validation_data=validation_data, verbose=verbose)
    if precision == "float32":
        return model, run
    final = build(width)  # a float32 twin with the trained weights
    final.set_weights(model.get_weights())
    return final, run
