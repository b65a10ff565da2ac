"""Metrics against values worked out by hand."""

import math

import numpy as np
import pytest

from helpers import metrics


def test_hand_computed_values():
    x = np.array([[0.0, 0.5, 1.0, 1.0]])
    x_hat = np.array([[0.5, 0.5, 0.0, 1.0]])
    # errors 0.5, 0, 1, 0 -> MSE (0.25 + 1) / 4, MAE 1.5 / 4
    assert metrics.mse(x, x_hat) == pytest.approx(0.3125)
    assert metrics.mae(x, x_hat) == pytest.approx(0.375)
    assert metrics.rmse(x, x_hat) == pytest.approx(math.sqrt(0.3125))
    assert metrics.psnr_db(x, x_hat) == pytest.approx(10 * math.log10(1 / 0.3125))


def test_psnr_of_perfect_reconstruction_is_infinite():
    x = np.ones((2, 3))
    assert metrics.psnr_db(x, x) == float("inf")


def test_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="Shapes differ"):
        metrics.mse(np.zeros((2, 784)), np.zeros((2, 28, 28)))


def test_reconstruction_metrics_keys():
    got = metrics.reconstruction_metrics(np.zeros(4), np.full(4, 0.1))
    assert got["test_mse"] == pytest.approx(0.01) and got["test_psnr_db"] == pytest.approx(20.0)
    assert got["test_rmse"] == pytest.approx(0.1) and got["test_mae"] == pytest.approx(0.1)
