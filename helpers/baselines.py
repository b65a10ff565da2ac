"""References that put the networks' numbers in context: PCA, classical denoisers, and speed baselines
(predicting the mean, a ridge regression on gait features, and ZUPT's physics)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from helpers import hooks, hygiene, imu


def pca_reconstruction(x_train: np.ndarray, x_test: np.ndarray, components: int) -> np.ndarray:
    """Project ``x_test`` on the top ``components`` principal axes of ``x_train`` and back.

    PCA is the optimal *linear* autoencoder with a code of that size (under MSE), so the gap between
    it and a ReLU autoencoder of the same code size is what the non-linearity buys.
    """
    hygiene.check("pca_reconstruction (fitting the axes)", x_train)
    x_train = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    x_test = np.asarray(x_test, dtype=np.float64).reshape(len(x_test), -1)
    if not 0 < components <= x_train.shape[1]:
        raise ValueError(f"components must be in 1..{x_train.shape[1]}, got {components}.")
    mean = x_train.mean(axis=0)
    covariance = np.cov(x_train - mean, rowvar=False)
    _, vectors = np.linalg.eigh(covariance)  # ascending eigenvalues
    axes = vectors[:, ::-1][:, :components]
    return ((x_test - mean) @ axes @ axes.T + mean).astype(np.float32)


# Classical denoisers: (name, filter strength) -> images (N, 28, 28[, 1]) filtered image by image.
CLASSICAL_GRID = {
    "gaussian-filter": (0.5, 0.7, 0.9, 1.1, 1.4),  # blur standard deviation, pixels
    "median-filter": (2, 3, 5),  # window size, pixels
}


def classical_denoise(images: np.ndarray, method: str, strength: float) -> np.ndarray:
    """Filter each image with scipy's Gaussian or median filter, never across images."""
    from scipy import ndimage  # deferred: heavy, and only the classical filters need it

    images = np.asarray(images, dtype=np.float32)
    squeeze = images.ndim == 4
    x = images[..., 0] if squeeze else images
    if method == "gaussian-filter":
        out = ndimage.gaussian_filter(x, sigma=(0, strength, strength))
    elif method == "median-filter":
        out = ndimage.median_filter(x, size=(1, int(strength), int(strength)))
    else:
        raise ValueError(f"Unknown classical denoiser {method!r}; choose one of {', '.join(CLASSICAL_GRID)}.")
    out = np.clip(out, 0.0, 1.0)
    return out[..., None] if squeeze else out


class ClassicalFilter(NamedTuple):
    """A tuned classical denoiser: the filter, its strength, its validation MSE and the tuning's seconds."""

    method: str
    strength: float
    val_mse: float
    seconds: float


def tune_classical_denoiser(noisy_val: np.ndarray, clean_val: np.ndarray) -> ClassicalFilter:
    """Pick the filter and strength with the lowest validation MSE. Remembered by the weight store
    (:func:`helpers.hooks.remembered`): a rerun tunes nothing again and keeps the first tuning's seconds."""
    hygiene.check("tune_classical_denoiser", clean_val)

    def search() -> ClassicalFilter:
        start, best = time.perf_counter(), None
        for method, strengths in CLASSICAL_GRID.items():
            for strength in strengths:
                err = float(np.mean((classical_denoise(noisy_val, method, strength) - clean_val) ** 2))
                if best is None or err < best[2]:
                    best = (method, strength, err)
        return ClassicalFilter(*best, seconds=time.perf_counter() - start)

    return ClassicalFilter(*hooks.remembered("classical-denoiser", search, noisy_val, clean_val))


@dataclass
class Ridge:
    """Ridge regression on standardised features (closed form); the shallow gait-feature baseline."""

    alpha: float = 1.0
    coef: np.ndarray | None = None

    def fit(self, x: np.ndarray, y: np.ndarray) -> "Ridge":
        self.mu, self.sd = x.mean(axis=0), x.std(axis=0) + 1e-9
        z = np.hstack([(x - self.mu) / self.sd, np.ones((len(x), 1))])
        reg = self.alpha * np.eye(z.shape[1])
        reg[-1, -1] = 0
        self.coef = np.linalg.solve(z.T @ z + reg, z.T @ y)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = np.hstack([(x - self.mu) / self.sd, np.ones((len(x), 1))])
        return z @ self.coef


SPEED_BASELINES = ("predict-mean", "gait-ridge", "zupt")  # the names SpeedBaselines records, in order


class SpeedBaselines:
    """Sections III/IV's baselines, fitted on the training subjects' windows: predicting the mean speed and
    a ridge regression on gait features (``imu.features_of``). ZUPT (:mod:`helpers.zupt`) needs no training."""

    def __init__(self, train: Sequence[imu.Subject], alpha: float = 1.0):
        start = time.perf_counter()
        hygiene.check_subjects("gait-ridge fit", [s.subject_id for s in train])
        self.features, self.labels = imu.features_of(list(train))
        self.ridge = Ridge(alpha=alpha).fit(self.features, self.labels)
        self.mean_kmh = float(self.labels.mean())
        self.fit_seconds = time.perf_counter() - start

    @property
    def ridge_params(self) -> int:
        return self.features.shape[1] + 1

    def predict(self, subject: imu.Subject) -> dict[str, np.ndarray]:
        """Each baseline's speeds for every window of ``subject``. ZUPT integrates each recording once
        (:meth:`helpers.imu.Subject.zupt_speeds`); a window without a whole stride gets the mean speed."""
        features, _ = imu.features_of([subject])
        zupt_kmh = subject.zupt_speeds()
        return {
            "predict-mean": np.full(len(subject), self.mean_kmh),
            "gait-ridge": self.ridge.predict(features),
            "zupt": np.where(np.isnan(zupt_kmh), self.mean_kmh, zupt_kmh),
        }

    def score(self, subject: imu.Subject, kind: str = "test") -> list[dict]:
        """Each baseline's record fields on ``subject``: ``model``, ``params``, ``seconds`` and the RMSE as
        ``<kind>_rmse_kmh`` / ``_mps``; mean and ridge also their training RMSE."""
        predictions = self.predict(subject)
        train = {
            "predict-mean": np.full_like(self.labels, self.mean_kmh),
            "gait-ridge": self.ridge.predict(self.features),
        }
        found = []
        for name, pred in predictions.items():
            error = imu.rmse(subject.labels, pred)
            fields = {"model": name, "params": self.ridge_params if name == "gait-ridge" else 0}
            if name == "zupt":
                fields |= {"seconds": 0.0, "windows": len(pred)}
            else:
                fields |= {"seconds": self.fit_seconds, "train_rmse_kmh": imu.rmse(self.labels, train[name])}
            found.append(fields | {f"{kind}_rmse_kmh": error, f"{kind}_rmse_mps": error / 3.6})
        return found
