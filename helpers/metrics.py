"""Reconstruction metrics, computed in numpy so they mean the same on every backend."""

from __future__ import annotations

import numpy as np


def _pair(x: np.ndarray, x_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    x_hat = np.asarray(x_hat, dtype=np.float64)
    if x.shape != x_hat.shape:
        raise ValueError(
            f"Shapes differ: {x.shape} vs {x_hat.shape}; compare an image set with its reconstruction."
        )
    return x, x_hat


def mse(x: np.ndarray, x_hat: np.ndarray) -> float:
    """Mean squared error over every pixel of every image."""
    x, x_hat = _pair(x, x_hat)
    return float(np.mean((x - x_hat) ** 2))


def mae(x: np.ndarray, x_hat: np.ndarray) -> float:
    """The report's "average reconstruction error" (its eq. 1): mean |x - x_hat|."""
    x, x_hat = _pair(x, x_hat)
    return float(np.mean(np.abs(x - x_hat)))


def rmse(x: np.ndarray, x_hat: np.ndarray) -> float:
    """Root mean squared error, in the data's units."""
    return float(np.sqrt(mse(x, x_hat)))


def psnr_db(x: np.ndarray, x_hat: np.ndarray, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, from the MSE over the whole set."""
    err = mse(x, x_hat)
    return float("inf") if err == 0 else float(10 * np.log10(data_range**2 / err))


def reconstruction_metrics(x: np.ndarray, x_hat: np.ndarray) -> dict[str, float]:
    """The test metrics every reconstruction record carries."""
    return {
        "test_mse": mse(x, x_hat),
        "test_rmse": rmse(x, x_hat),
        "test_psnr_db": psnr_db(x, x_hat),
        "test_mae": mae(x, x_hat),
    }


def detail_energy(images: np.ndarray) -> float:
    """Mean energy of the Laplacian: the fine detail (print, seams, shading edges) in ``images`` (N, 28, 28, 1).
    A denoiser's output over the clean images' value is the share of detail it keeps."""
    from scipy import ndimage  # deferred: heavy, and only this measure needs it

    return float(np.mean(ndimage.laplace(np.asarray(images)[..., 0], mode="constant") ** 2))
