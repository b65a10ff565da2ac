"""Sections III/IV's training path: a speed model trained on IMU windows of some subjects.

Notebook 03 trains through :func:`train_speed`; its baselines are :class:`helpers.baselines.SpeedBaselines`.
"""

from __future__ import annotations

from typing import Callable, Sequence

import keras

from helpers import imu
from helpers.models import ZUPT_INPUT_MODELS, check_speed_model, speed_model
from helpers.training import Recipe, TrainResult, fit


def train_speed(
    name: str,
    train_subjects: Sequence[imu.Subject],
    recipe: Recipe,
    *,
    seed: int,
    augment: bool = True,
    validation_subject: imu.Subject | None = None,
    build: Callable[[str], keras.Model] = speed_model,
    verbose: int = 2,
) -> tuple[keras.Model, TrainResult, imu.Normaliser]:
    """Seed everything, fit a normaliser on ``train_subjects`` only, and train ``build(name)`` on their
    windows (cut lazily, augmented when ``augment``), scored on ``validation_subject`` after each epoch when
    given. Returns the model, its run and the normaliser (apply it to every subject the model predicts)."""
    keras.utils.set_random_seed(seed)
    zupt_channel = check_speed_model(name) in ZUPT_INPUT_MODELS  # e.g. zupt-residual reads ZUPT's speed too
    normaliser = imu.Normaliser.fit(list(train_subjects), seed=seed, zupt_channel=zupt_channel)
    data = imu.WindowSequence(list(train_subjects), normaliser, recipe.batch_size, seed=seed, augment=augment)
    validation = (
        None
        if validation_subject is None
        else imu.WindowSequence([validation_subject], normaliser, 256, shuffle=False)
    )
    model = build(name)
    ids = [s.subject_id for s in train_subjects]
    if verbose:
        print(f"\n== {name} ({model.count_params():,} parameters), seed {seed}, on subjects {ids}; {recipe}")
    run = fit(
        model, data, recipe=recipe, metrics=(), validation_data=validation, verbose=verbose,
        label=f"{name}, seed {seed}, trained on subjects {ids}",
    )  # fmt: skip
    return model, run, normaliser
