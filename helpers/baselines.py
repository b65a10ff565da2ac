"""Non-learned references that put the networks' numbers in context."""

from __future__ import annotations

import numpy as np

from helpers import hygiene


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
    from scipy import ndimage

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


def tune_classical_denoiser(noisy_val: np.ndarray, clean_val: np.ndarray) -> tuple[str, float, float]:
    """Pick the filter and strength with the lowest validation MSE: (method, strength, val_mse)."""
    hygiene.check("tune_classical_denoiser", clean_val)
    best = None
    for method, strengths in CLASSICAL_GRID.items():
        for strength in strengths:
            err = float(np.mean((classical_denoise(noisy_val, method, strength) - clean_val) ** 2))
            if best is None or err < best[2]:
                best = (method, strength, err)
    return best
