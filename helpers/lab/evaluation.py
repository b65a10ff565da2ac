"""What trained models score on held-out data, computed once: the weight store remembers it.

Scoring is not training, so this module is outside :data:`helpers.lab.store.TRAINING_MODULES`: changing how
a model is scored computes the scores again (:data:`helpers.lab.store.REMEMBERED_MODULES`), never retrains it.
"""

from __future__ import annotations

import keras
import numpy as np

from helpers import imu
from helpers.lab import store
from helpers.metrics import detail_energy, mse, reconstruction_metrics
from helpers.training import predict


def test_scores(
    model: keras.Model,
    x_clean: np.ndarray,
    noisy: dict[float, np.ndarray],
    labels: np.ndarray,
    detail_n: int = 2000,
) -> dict[str, dict]:
    """A final denoiser's test figures at every noise level in ``noisy`` (σ -> noisy test images), keyed by
    ``str(σ)``: the reconstruction metrics (``test_mse``, ...), the MSE per class of ``labels``
    (``per_class_mse``, Fashion-MNIST's 10) and the share of the clean images' fine detail it keeps on the
    first ``detail_n`` (``detail_retention``). Each σ is denoised once; the weight store remembers the figures, so a rerun
    that loads the model scores nothing again."""

    def score() -> dict[str, dict]:
        clean_detail = detail_energy(x_clean[:detail_n])
        found = {}
        for s, x_noisy in noisy.items():
            x_hat = predict(model, x_noisy)
            found[str(s)] = reconstruction_metrics(x_clean, x_hat) | {
                "per_class_mse": [mse(x_clean[labels == k], x_hat[labels == k]) for k in range(10)],
                "detail_retention": detail_energy(x_hat[:detail_n]) / clean_detail,
            }
        return found

    return store.remembered("denoiser-test-scores", score, model, x_clean, noisy, labels, detail_n)


def predict_speeds(model: keras.Model, windows: imu.WindowSequence) -> np.ndarray:
    """``model``'s speed (km/h) for every window of ``windows`` (unshuffled), in order. The weight store
    remembers them, so a rerun that loaded the model predicts nothing again."""
    return store.remembered(
        "speed-predictions", lambda: model.predict(windows, verbose=0).ravel(), model, windows
    )
