"""Seeded Gaussian corruption for the denoising autoencoders (Section II)."""

from __future__ import annotations

import math
from typing import Iterable

import keras
import numpy as np


def check_sigma(sigma: float) -> float:
    """Return ``sigma`` as a float, or raise a ValueError that says what a valid one is."""
    try:
        value = float(sigma)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Noise sigma must be a number, got {sigma!r}.") from err
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Noise sigma must be finite and >= 0 (e.g. 0.1, 0.2, 0.3), got {sigma!r}.")
    return value


def add_gaussian_noise(
    images: np.ndarray, sigma: float, seed: int | None = 0, clip: bool = False
) -> np.ndarray:
    """``images + N(0, sigma^2)``, elementwise, as float32.

    The report did not clip, so ``clip=False`` is the default; ``clip=True`` keeps pixels in [0, 1].
    """
    sigma = check_sigma(sigma)
    images = np.asarray(images, dtype=np.float32)
    if images.size == 0:
        raise ValueError("Cannot add noise to an empty array; pass at least one image.")
    rng = np.random.default_rng(seed)
    noisy = images + rng.standard_normal(images.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(noisy, 0.0, 1.0) if clip else noisy


def noisy_versions(
    images: np.ndarray, sigmas: Iterable[float], seed: int = 0, clip: bool = False
) -> dict[float, np.ndarray]:
    """One noisy copy of ``images`` per sigma, each with its own seeded stream."""
    return {
        check_sigma(s): add_gaussian_noise(images, s, seed=seed + i, clip=clip) for i, s in enumerate(sigmas)
    }


class FreshNoise(keras.utils.PyDataset):
    """(noisy, clean) batches with new noise every epoch: the model never sees the same corruption twice.

    Reproducible: batch ``i`` of epoch ``e`` always draws from seed ``(seed, e, i)``.
    """

    def __init__(
        self, clean: np.ndarray, sigma: float, batch_size: int = 64, seed: int = 0, clip: bool = False
    ):
        super().__init__()
        if len(clean) == 0:
            raise ValueError("FreshNoise needs at least one clean image.")
        self.clean = np.asarray(clean, dtype=np.float32)
        self.sigma = check_sigma(sigma)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.clip = clip
        self.epoch = 0
        self.order = np.random.default_rng(seed).permutation(len(self.clean))

    def __len__(self) -> int:
        return math.ceil(len(self.clean) / self.batch_size)

    def __getitem__(self, index: int):
        rows = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
        clean = self.clean[rows]
        noisy = add_gaussian_noise(clean, self.sigma, seed=(self.seed, self.epoch, index), clip=self.clip)
        return noisy, clean

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self.order = np.random.default_rng((self.seed, self.epoch)).permutation(len(self.clean))


def with_training_noise(model: keras.Model, sigma: float, clip: bool = False) -> keras.Model:
    """``model`` behind a ``GaussianNoise`` layer: new noise on every training step, drawn inside the compiled
    graph, and none at inference, so validation images that are already noisy pass straight to ``model``.

    The same corruption as :class:`FreshNoise` (new Gaussian noise per batch and epoch, from the Keras seed)
    without a Python call per batch; train it on ``(clean, clean)``. ``clip`` clips the noisy pixels to
    [0, 1] with ``ReLU(max_value=1)``. ``model`` is shared, not copied: training the wrapper trains it.
    """
    noisy = [keras.layers.GaussianNoise(check_sigma(sigma), name="training_noise")]
    if clip:
        noisy.append(keras.layers.ReLU(max_value=1.0, name="clip_to_unit"))
    return keras.Sequential(
        [keras.Input(model.input_shape[1:]), *noisy, model], name=f"{model.name}-with-noise"
    )
