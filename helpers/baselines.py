"""Non-learned references that put the networks' numbers in context."""

from __future__ import annotations

import numpy as np


def pca_reconstruction(x_train: np.ndarray, x_test: np.ndarray, components: int) -> np.ndarray:
    """Project ``x_test`` on the top ``components`` principal axes of ``x_train`` and back.

    PCA is the optimal *linear* autoencoder with a code of that size (under MSE), so the gap between
    it and a ReLU autoencoder of the same code size is what the non-linearity buys.
    """
    x_train = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    x_test = np.asarray(x_test, dtype=np.float64).reshape(len(x_test), -1)
    if not 0 < components <= x_train.shape[1]:
        raise ValueError(f"components must be in 1..{x_train.shape[1]}, got {components}.")
    mean = x_train.mean(axis=0)
    covariance = np.cov(x_train - mean, rowvar=False)
    _, vectors = np.linalg.eigh(covariance)  # ascending eigenvalues
    axes = vectors[:, ::-1][:, :components]
    return ((x_test - mean) @ axes @ axes.T + mean).astype(np.float32)
