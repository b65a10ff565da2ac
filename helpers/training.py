"""Training recipes: seeding, the optimiser schedule, and a timed ``fit``.

A :class:`Recipe` is the whole training protocol in one value, so a notebook, a profile and the
benchmark all describe runs the same way.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable

import keras
import numpy as np

from helpers import hooks

SCHEDULES = ("constant", "cosine")
# Optimiser steps per call into the compiled graph. The arithmetic is unchanged (bit-identical weights,
# see tests/test_training.py); only Python's per-step overhead goes, which matters at small batches:
# conv-32 epochs at batch 16 ran ~1.2-1.4x faster on the 2-core CPU.
STEPS_PER_EXECUTION = 32
# Batch for scoring validation arrays: it changes no training step, only how fast the score is computed.
VALIDATION_BATCH = 1024


@dataclass(frozen=True)
class Recipe:
    """How one model is trained.

    ``schedule="cosine"`` warms up linearly for ``warmup_epochs`` and then decays the learning rate
    along a half cosine to ``final_lr_fraction`` of its peak by the last epoch.

    ``average_epochs`` > 0 turns on stochastic weight averaging (SWA, Izmailov et al. 2018): the cosine
    reaches ``final_lr_fraction`` that many epochs early, the learning rate stays there, and the model
    ends with the mean of the weights at the end of each of those epochs. Averaging needs weights that
    still move, hence a tail learning rate above zero (an EMA at the end of a decay to zero changed
    nothing in Section II).
    """

    epochs: int
    batch_size: int = 32
    learning_rate: float = 1e-3
    schedule: str = "constant"
    warmup_epochs: float = 0.0
    final_lr_fraction: float = 0.0
    average_epochs: int = 0

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(f"Unknown schedule {self.schedule!r}; choose one of {SCHEDULES}.")
        if self.epochs < 1 or self.batch_size < 1 or not self.learning_rate > 0:
            raise ValueError(f"Recipe needs epochs >= 1, batch_size >= 1 and learning_rate > 0, got {self}.")
        if not 0 <= self.average_epochs < self.epochs:
            raise ValueError(
                f"average_epochs must be 0 (no averaging) or fewer than epochs ({self.epochs}), "
                f"got {self.average_epochs}."
            )
        if self.average_epochs and self.schedule == "cosine" and not self.final_lr_fraction > 0:
            raise ValueError(
                "Weight averaging over a tail at learning rate 0 averages identical weights: "
                "give final_lr_fraction > 0 (e.g. 0.1) with average_epochs."
            )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def override(self, **changes: Any) -> "Recipe":
        """A copy with the given fields changed; ``None`` values leave a field as it is."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def __str__(self) -> str:
        lr = f"{self.schedule} lr {self.learning_rate:g}"
        swa = f", weights averaged over the last {self.average_epochs}" if self.average_epochs else ""
        return f"{self.epochs} epochs, batch {self.batch_size}, Adam {lr}{swa}"


def set_seed(seed: int) -> None:
    """Seed Python, numpy and the Keras backend in one call."""
    keras.utils.set_random_seed(int(seed))


@contextmanager
def tf_data_autotune_off():
    """Turn off tf.data's autotuner in the pipelines Keras builds inside this block (TensorFlow backend only).

    Why: destroying each epoch's iterator waits for the autotuner's thread to wake from its back-off sleep,
    which left both cores idle for up to 20 s at many epoch ends. The batches and the arithmetic are
    unchanged (bit-identical losses, tests/test_training.py)."""
    adapters = []
    if keras.backend.backend() == "tensorflow":
        try:  # Keras' own adapter classes: private, so a Keras that moves them just keeps the autotuner
            from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
            from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

            adapters = [ArrayDataAdapter, PyDatasetAdapter]
        except ImportError:
            pass
    originals = {cls: cls.__dict__["get_tf_dataset"] for cls in adapters if "get_tf_dataset" in cls.__dict__}
    for cls, original in originals.items():
        cls.get_tf_dataset = _without_autotune(original)
    try:
        yield
    finally:
        for cls, original in originals.items():
            cls.get_tf_dataset = original


def _without_autotune(get_tf_dataset):
    import tensorflow as tf

    def wrapped(self):
        options = tf.data.Options()
        options.autotune.enabled = False
        return get_tf_dataset(self).with_options(options)

    return wrapped


PRECISIONS = ("float32", "mixed_bfloat16")  # Keras dtype policies a model may be trained under


def check_precision(precision: str) -> str:
    """``precision`` when it is one of :data:`PRECISIONS`; a clear error before training otherwise."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}.")
    return precision


@contextmanager
def dtype_policy(name: str):
    """Build models under another Keras dtype policy, e.g. ``"mixed_bfloat16"`` (bfloat16 compute, float32
    weights), then restore the previous one. Weights transfer to a float32 twin with ``set_weights``."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def learning_rate(recipe: Recipe, steps_per_epoch: int):
    """The recipe's learning rate: a float, or a Keras schedule over optimizer steps."""
    if recipe.schedule == "constant":
        return recipe.learning_rate
    # With weight averaging the decay ends ``average_epochs`` early; CosineDecay then holds its floor.
    total = (recipe.epochs - recipe.average_epochs) * steps_per_epoch
    warmup = int(recipe.warmup_epochs * steps_per_epoch)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=recipe.learning_rate if warmup == 0 else 0.0,
        decay_steps=max(total - warmup, 1),
        alpha=recipe.final_lr_fraction,
        warmup_target=recipe.learning_rate if warmup else None,
        warmup_steps=warmup,
    )


class WeightAverage(keras.callbacks.Callback):
    """Averages the weights at the end of the last ``epochs`` epochs and leaves the model with the mean."""

    def __init__(self, epochs: int):
        super().__init__()
        self.epochs = epochs

    def on_train_begin(self, logs=None):
        self.sum: list[np.ndarray] | None = None
        self.count = 0
        self.first = self.params["epochs"] - self.epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.first:
            return
        weights = [w.astype(np.float64) for w in self.model.get_weights()]
        self.sum = weights if self.sum is None else [s + w for s, w in zip(self.sum, weights)]
        self.count += 1

    def on_train_end(self, logs=None):
        if self.count:  # sums are float64; each weight goes back in its own dtype
            current = self.model.get_weights()
            self.model.set_weights([(s / self.count).astype(c.dtype) for s, c in zip(self.sum, current)])


class EpochClock(keras.callbacks.Callback):
    """Records the wall-clock seconds at the end of each epoch (for time-to-quality curves)."""

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.seconds: list[float] = []

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


@dataclass
class TrainResult:
    """What one ``fit`` produced: per-epoch history, the clock, and the recipe used."""

    history: dict[str, list[float]]
    seconds: float
    epoch_seconds: list[float]
    recipe: Recipe
    extra: dict[str, Any] = field(default_factory=dict)

    def final(self, metric: str = "val_loss") -> float:
        """The last epoch's ``metric``."""
        return self.history[metric][-1]

    def curve(self, metric: str = "val_loss") -> list[list[float]]:
        """``[[seconds, value], ...]`` per epoch: the time-to-quality curve a record keeps."""
        return [[round(t, 1), round(v, 6)] for t, v in zip(self.epoch_seconds, self.history[metric])]


@dataclass
class FitCall:
    """One call of :func:`fit`, as the hook around it sees it (the weight store keys on all of it)."""

    model: keras.Model
    x: Any
    y: Any
    recipe: Recipe
    validation_data: Any
    loss: Any
    metrics: tuple[Any, ...]
    callbacks: list[keras.callbacks.Callback] | tuple
    compile: Callable | None
    validation_batch_size: int | None
    label: str
    verbose: int
    compile_model: Callable[
        [], None
    ]  # compiles ``model`` as ``fit`` would, e.g. before loading stored weights


# The lesson's training loop, kept as compact as a keras.io example.
# fmt: off
def fit(model, x, y=None, recipe: Recipe | None = None, *, validation_data=None, loss="mse", metrics=("mae",),
        verbose=2, callbacks=(), compile=None, validation_batch_size=VALIDATION_BATCH, label=None) -> TrainResult:
    """Compile ``model`` with Adam under ``recipe`` and train it on ``x`` (and targets ``y``), timing each epoch.

    ``x`` is an array (``y`` its target) or a ``keras.utils.PyDataset``. ``compile(model, optimizer)`` compiles
    a model that brings its own loss (the VAE's). With weight averaging the model ends with the mean weights.
    A notebook's session puts :data:`helpers.hooks.around_fit` around it (guard, weight store, provenance).
    """
    recipe = recipe or Recipe(epochs=1)
    steps = len(x) if y is None else math.ceil(len(x) / recipe.batch_size)

    def compile_model() -> None:  # a fresh optimizer each time: its auto-numbered name is in the model's config
        optimizer = keras.optimizers.Adam(learning_rate(recipe, steps))
        if compile is None:
            model.compile(optimizer, loss=loss, metrics=list(metrics), steps_per_execution=STEPS_PER_EXECUTION)
        else:
            compile(model, optimizer)

    def train() -> TrainResult:
        compile_model()
        clock, more = EpochClock(), [WeightAverage(recipe.average_epochs)] if recipe.average_epochs else []
        kwargs = {} if y is None else {"batch_size": recipe.batch_size, "shuffle": True}
        if isinstance(validation_data, tuple) and validation_batch_size:  # scored in big batches: faster
            kwargs["validation_batch_size"] = validation_batch_size
        with tf_data_autotune_off():
            history = model.fit(x, y, epochs=recipe.epochs, validation_data=validation_data, verbose=verbose,
                                callbacks=[clock, *more, *callbacks], **kwargs)
            averaged = more and validation_data is not None
            extra = {"averaged_val_loss": evaluate(model, validation_data)} if averaged else {}
        curves = {k: [float(v) for v in values] for k, values in history.history.items()}
        return TrainResult(curves, clock.seconds[-1] if clock.seconds else 0.0, clock.seconds, recipe, extra)

    call = FitCall(model, x, y, recipe, validation_data, loss, metrics, callbacks, compile,
                   validation_batch_size, label or model.name, verbose, compile_model)
    return train() if hooks.around_fit is None else hooks.around_fit(call, train)
# fmt: on


def evaluate(model: keras.Model, data) -> float:
    """``model``'s loss on ``data``, an ``(x, y)`` tuple or a ``PyDataset``, scored in big batches."""
    data = data if isinstance(data, tuple) else (data,)
    with tf_data_autotune_off():
        return float(model.evaluate(*data, batch_size=VALIDATION_BATCH, verbose=0, return_dict=True)["loss"])


def predict(model: keras.Model, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Batched inference without a progress bar."""
    with tf_data_autotune_off():
        return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
