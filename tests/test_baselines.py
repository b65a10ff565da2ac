"""PCA and the classical denoisers."""

import numpy as np
import pytest

from helpers import baselines


def test_pca_with_all_components_is_exact_and_fewer_is_worse():
    rng = np.random.default_rng(0)
    x = rng.random((300, 16)).astype(np.float32)
    full = baselines.pca_reconstruction(x, x, 16)
    np.testing.assert_allclose(full, x, atol=1e-5)
    err4 = np.mean((baselines.pca_reconstruction(x, x, 4) - x) ** 2)
    err8 = np.mean((baselines.pca_reconstruction(x, x, 8) - x) ** 2)
    assert err8 < err4
    with pytest.raises(ValueError, match="components"):
        baselines.pca_reconstruction(x, x, 0)


def test_classical_denoiser_is_tuned_and_helps():
    rng = np.random.default_rng(1)
    clean = np.zeros((20, 28, 28, 1), dtype=np.float32)
    clean[:, 8:20, 8:20] = 0.8
    noisy = clean + rng.normal(0, 0.3, clean.shape).astype(np.float32)
    method, strength, val_mse, seconds = baselines.tune_classical_denoiser(noisy, clean)
    grid = {
        (m, s): float(np.mean((baselines.classical_denoise(noisy, m, s) - clean) ** 2))
        for m, strengths in baselines.CLASSICAL_GRID.items()
        for s in strengths
    }
    assert (method, strength) == min(grid, key=grid.get) and val_mse == grid[(method, strength)]  # the best
    assert method in baselines.CLASSICAL_GRID and strength in baselines.CLASSICAL_GRID[method]
    assert val_mse < np.mean((noisy - clean) ** 2)
    assert baselines.classical_denoise(noisy, method, strength).shape == noisy.shape
    with pytest.raises(ValueError, match="Unknown classical denoiser"):
        baselines.classical_denoise(noisy, "wiener", 1)
