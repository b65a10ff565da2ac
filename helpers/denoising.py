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


def noise_pipeline(model: keras.Model, sigma: float, *, fresh_noise: bool = True, noise_in_graph: bool = False,
                   clip: bool = False) -> tuple[keras.Model, Callable[[np.ndarray, int, int], tuple]]:
    """How a denoiser sees its noise: ``(trainee, inputs)``, with ``inputs(clean, batch_size, seed)`` giving
    ``fit``'s ``(x, y)`` for ``trainee`` (``y`` is None where ``x`` is a ``PyDataset`` that yields both).

    * ``noise_in_graph``: ``model`` behind a ``GaussianNoise`` layer (new noise on every step, drawn in the
      compiled graph), fitted on ``(clean, clean)``;
    * else ``fresh_noise``: ``model`` on :class:`~helpers.noise.FreshNoise` batches (new noise every epoch);
    * else the report's protocol: ``model`` on one fixed noisy copy of ``clean``.

    The notebook (through :func:`train_denoiser`) and the time-to-quality benchmark both build their input
    pipeline here, so a benchmark times exactly what the notebook trains.
    """
    if noise_in_graph:
        return with_training_noise(model, sigma, clip), lambda clean, batch_size, seed: (clean, clean)
    if fresh_noise:
        return model, lambda clean, batch_size, seed: (FreshNoise(clean, sigma, batch_size, seed=seed, clip=clip), None)
    return model, lambda clean, batch_size, seed: (add_gaussian_noise(clean, sigma, seed=seed, clip=clip), clean)


def train_denoiser(build: Callable[[int], keras.Model], width: int, sigma: float, recipe: Recipe,
                   x_fit: np.ndarray, *, seed: int, validation_data=None, start_from: keras.Model | None = None,
                   fresh_noise: bool = True, noise_in_graph: bool = False, clip: bool = False,
                   precision: str = "float32", verbose: int = 2) -> tuple[keras.Model, TrainResult]:
    """Train ``build(width)`` to turn ``x_fit`` plus Gaussian noise of ``sigma`` back into ``x_fit``.

    * ``fresh_noise``, ``noise_in_graph``: the noise pipeline, as :func:`noise_pipeline` builds it.
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
        trainee, inputs = noise_pipeline(model, sigma, fresh_noise=fresh_noise, noise_in_graph=noise_in_graph,
                                         clip=clip)
        run = fit(trainee, *inputs(x_fit, recipe.batch_size, seed), recipe=recipe, validation_data=validation_data,
                  verbose=verbose)
    if precision == "float32":
        return model, run
    final = build(width)  # a float32 twin with the trained weights
    final.set_weights(model.get_weights())
    return final, run
