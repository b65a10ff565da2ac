"""Section II's training path: a plan of denoising autoencoders, each with its noise pipeline and precision.

:func:`train_plan` is the section's one entry point: notebook 02 and the benchmarks train through it, so a
lever measured in ``benchmarks/section2_levers.py`` is exactly what the notebook runs when its parameter is
set. It trains each step of a plan (``helpers.profiles.denoise_plan``) with :func:`train_denoiser`.
"""

from __future__ import annotations

from typing import Callable, Iterator, NamedTuple

import keras
import numpy as np

from helpers.noise import FreshNoise, add_gaussian_noise, with_training_noise
from helpers.profiles import DenoiseStep
from helpers.training import Recipe, TrainResult, check_precision, dtype_policy, fit


def noise_pipeline(
    model: keras.Model,
    sigma: float,
    *,
    fresh_noise: bool = True,
    noise_in_graph: bool = False,
    clip: bool = False,
) -> tuple[keras.Model, Callable[[np.ndarray, int, int], tuple]]:
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
        return model, lambda clean, batch_size, seed: (
            FreshNoise(clean, sigma, batch_size, seed=seed, clip=clip),
            None,
        )
    return model, lambda clean, batch_size, seed: (
        add_gaussian_noise(clean, sigma, seed=seed, clip=clip),
        clean,
    )


def train_denoiser(
    build: Callable[[int], keras.Model],
    filters: int,
    sigma: float,
    recipe: Recipe,
    x_fit: np.ndarray,
    *,
    seed: int,
    validation_data=None,
    start_from: keras.Model | None = None,
    fresh_noise: bool = True,
    noise_in_graph: bool = False,
    clip: bool = False,
    precision: str = "float32",
    verbose: int = 2,
) -> tuple[keras.Model, TrainResult]:
    """Train ``build(filters)`` to turn ``x_fit`` plus Gaussian noise of ``sigma`` back into ``x_fit``.

    * ``fresh_noise``, ``noise_in_graph``: the noise pipeline, as :func:`noise_pipeline` builds it.
    * ``precision``: ``"float32"``, or ``"mixed_bfloat16"`` (bfloat16 compute, float32 weights). The model
      returned is float32 either way, so its predictions and scores are too.
    * ``start_from``: a trained model whose weights this one starts from (a warm start).

    Returns the trained model and its :class:`~helpers.training.TrainResult`.
    """
    keras.utils.set_random_seed(seed)
    with dtype_policy(check_precision(precision)):
        model = build(filters)
        if start_from is not None:
            model.set_weights(start_from.get_weights())
        trainee, inputs = noise_pipeline(
            model, sigma, fresh_noise=fresh_noise, noise_in_graph=noise_in_graph, clip=clip
        )
        run = fit(
            trainee,
            *inputs(x_fit, recipe.batch_size, seed),
            recipe=recipe,
            validation_data=validation_data,
            verbose=verbose,
            label=f"{model.name} σ={sigma}, seed {seed}",
        )
    if precision == "float32":
        return model, run
    final = build(filters)  # a float32 twin with the trained weights
    final.set_weights(model.get_weights())
    return final, run


class Trained(NamedTuple):
    """One step of a plan, trained: the float32 model, its run, and where it started."""

    step: DenoiseStep
    seed: int
    model: keras.Model
    run: TrainResult
    parent_sigma: float | None  # the sigma of the model it was fine-tuned from; None from scratch

    @property
    def val_mse(self) -> float:
        return self.run.history["val_loss"][-1]

    def record_fields(self) -> dict:
        """What a Section II record keeps beside the run's own fields (recipe, seconds, curve)."""
        return {
            "sigma": self.step.sigma,
            "warm_start_from": self.parent_sigma,
            "warm_start_from_base": self.step.start == "base",
            "seconds_including_warm_start": self.run.extra["chain_seconds"],
            **self.step.engine,
        }


def train_plan(
    plan: list[DenoiseStep],
    build: Callable[[int], keras.Model],
    x_fit: np.ndarray,
    validation: tuple[dict[float, np.ndarray], np.ndarray],
    *,
    seeds: list[int],
    clip: bool = False,
    verbose: int = 2,
) -> Iterator[Trained]:
    """Train ``plan`` for each seed in turn, yielding every step as it is trained.

    ``validation`` is ``(noisy_val, x_val)``: noisy validation images per sigma, and the clean ones. A step
    that starts from ``"previous"`` or ``"base"`` takes its weights from that model of the same name (a warm
    start); its run's ``extra["chain_seconds"]`` adds the parent's chain to its own seconds. ``verbose`` > 0
    prints a line per step and Keras' epoch lines.
    """
    noisy_val, x_val = validation
    total = len(plan) * len(seeds)
    for s, seed in enumerate(seeds):
        last: dict[str, Trained] = {}  # model name -> its last trained sigma
        base: dict[str, Trained] = {}  # model name -> its base model
        for k, step in enumerate(plan, s * len(plan) + 1):
            parent = {"scratch": None, "previous": last.get(step.model), "base": base.get(step.model)}[
                step.start
            ]
            if verbose:
                how = (
                    f"warm start from the {step.start} model at σ={parent.step.sigma}"
                    if parent
                    else "from scratch"
                )
                print(
                    f"\n== {step.model}{' base model' if step.is_base else ''} σ={step.sigma}, seed {seed}: {k} of "
                    f"{total} trainings, {how}; {step.recipe}; "
                    + ", ".join(f"{n} {v}" for n, v in step.engine.items())
                )
            model, run = train_denoiser(
                build,
                step.filters,
                step.sigma,
                step.recipe,
                x_fit,
                seed=seed,
                validation_data=(noisy_val[step.sigma], x_val),
                start_from=parent.model if parent else None,
                clip=clip,
                verbose=verbose,
                **step.engine,
            )
            run.extra["chain_seconds"] = (parent.run.extra["chain_seconds"] if parent else 0.0) + run.seconds
            trained = Trained(step, seed, model, run, parent.step.sigma if parent else None)
            (base if step.is_base else last)[step.model] = trained
            yield trained
