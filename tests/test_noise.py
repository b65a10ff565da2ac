"""Gaussian corruption: statistics, seeding, clipping and bad input."""

import numpy as np
import pytest

from helpers.noise import FreshNoise, add_gaussian_noise, check_sigma, noisy_versions


@pytest.mark.parametrize("sigma", [0.1, 0.2, 0.3])
def test_mean_and_std(sigma):
    x = np.full((200, 28, 28, 1), 0.5, dtype=np.float32)
    noise = add_gaussian_noise(x, sigma, seed=1) - x
    assert abs(noise.mean()) < 0.002
    assert noise.std() == pytest.approx(sigma, rel=0.01)


def test_seeding_is_reproducible_and_distinct():
    x = np.zeros((4, 784), dtype=np.float32)
    np.testing.assert_array_equal(add_gaussian_noise(x, 0.2, seed=3), add_gaussian_noise(x, 0.2, seed=3))
    assert not np.array_equal(add_gaussian_noise(x, 0.2, seed=3), add_gaussian_noise(x, 0.2, seed=4))
    versions = noisy_versions(x, [0.1, 0.2])
    assert set(versions) == {0.1, 0.2}


def test_clip_only_when_asked():
    x = np.zeros((10, 784), dtype=np.float32)
    assert add_gaussian_noise(x, 0.3, seed=0).min() < 0
    clipped = add_gaussian_noise(x, 0.3, seed=0, clip=True)
    assert clipped.min() == 0.0 and clipped.max() <= 1.0


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "high"])
def test_bad_sigma_is_rejected(bad):
    with pytest.raises(ValueError, match="sigma"):
        check_sigma(bad)
    with pytest.raises(ValueError, match="sigma"):
        add_gaussian_noise(np.zeros(3), bad)


def test_empty_array_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        add_gaussian_noise(np.zeros((0, 784)), 0.1)


def test_fresh_noise_changes_every_epoch_but_is_seeded():
    clean = np.random.default_rng(0).random((10, 28, 28, 1)).astype(np.float32)
    data = FreshNoise(clean, 0.2, batch_size=4, seed=7)
    assert len(data) == 3
    noisy0, target0 = data[0]
    assert noisy0.shape == target0.shape == (4, 28, 28, 1)
    data.on_epoch_end()
    noisy1, target1 = data[0]
    assert not np.array_equal(noisy0 - target0, noisy1 - target1)
    again = FreshNoise(clean, 0.2, batch_size=4, seed=7)
    np.testing.assert_array_equal(again[0][0], noisy0)
