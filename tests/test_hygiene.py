"""Split hygiene: test images and test subjects never reach fitting, validation, a normaliser or a tuner."""

import json

import numpy as np
import pytest

from helpers import baselines, hygiene, imu
from helpers.lab import store
from helpers.lab.runner import NOTEBOOKS
from helpers.models import dense_autoencoder
from helpers.paths import NOTEBOOK_DIR
from helpers.training import Recipe, fit


@pytest.fixture(autouse=True)
def clean_guard():
    hygiene.release()
    store.install(None)  # the guard reaches fit through the hook a notebook's session installs
    yield
    store.uninstall()
    hygiene.release()


@pytest.fixture
def split():
    rng = np.random.default_rng(0)
    images = rng.random((300, 784)).astype(np.float32)
    return images[:200], images[200:250], images[250:]  # fit, validation, test


def test_fit_refuses_test_rows_in_training_or_validation_data(split):
    x_fit, x_val, x_test = split
    hygiene.protect(x_test)
    model = dense_autoencoder("dense-32")
    fit(model, x_fit, x_fit, Recipe(1, 64), validation_data=(x_val, x_val), verbose=0)  # clean split: trains
    leaky = np.concatenate([x_fit, x_test[:1]])
    with pytest.raises(hygiene.DataLeakError, match="fit was given 1 test row"):
        fit(model, leaky, leaky, Recipe(1, 64), verbose=0)
    with pytest.raises(hygiene.DataLeakError, match="test row"):
        fit(model, x_fit, x_fit, Recipe(1, 64), validation_data=(x_test, x_test), verbose=0)


def test_a_shuffled_copy_of_a_test_row_is_still_found(split):
    x_fit, _, x_test = split
    hygiene.protect(x_test)
    mixed = np.concatenate([x_test[17:18], x_fit])[::-1].copy()
    with pytest.raises(hygiene.DataLeakError):
        hygiene.check("anything", mixed)
    hygiene.check("anything", x_fit + 1e-3)  # a different image is not a test image


def test_tuners_and_baselines_refuse_test_data(split):
    x_fit, x_val, x_test = split
    hygiene.protect(x_test)
    images = x_test[:20].reshape(-1, 28, 28, 1)
    with pytest.raises(hygiene.DataLeakError, match="tune_classical_denoiser"):
        baselines.tune_classical_denoiser(images + 0.1, images)
    with pytest.raises(hygiene.DataLeakError, match="pca_reconstruction"):
        baselines.pca_reconstruction(x_test, x_val, 4)
    baselines.pca_reconstruction(x_fit, x_test, 4)  # projecting the test images at the end is allowed


def test_fresh_noise_batches_and_imu_subjects_are_checked(split):
    from helpers.noise import FreshNoise

    x_fit, _, x_test = split
    hygiene.protect(x_test, subjects=[4])
    with pytest.raises(hygiene.DataLeakError):
        hygiene.check("fit", FreshNoise(x_test.reshape(-1, 28, 28, 1), 0.2, 16))
    s1, s4 = (imu.simulate_subject(i, windows_per_speed=2) for i in (1, 4))
    imu.Normaliser.fit([s1])
    with pytest.raises(hygiene.DataLeakError, match=r"Normaliser.fit was given test subject\(s\) \[4\]"):
        imu.Normaliser.fit([s1, s4])
    norm = imu.Normaliser.fit([s1])
    with pytest.raises(hygiene.DataLeakError, match="test subject"):
        hygiene.check("fit", None, imu.WindowSequence([s4], norm, 8))


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_every_notebook_protects_its_test_data_before_training(name):
    """The guard only works once a notebook has registered its test data: before any cell that trains."""
    cells = [
        "".join(c["source"])
        for c in json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())["cells"]
        if c["cell_type"] == "code"
    ]
    protect = next(i for i, c in enumerate(cells) if "hygiene.protect(" in c)
    # each section's training entry point (helpers.dense, denoising, speed, vae), or a direct fit
    calls = ("fit(", "train_dense(", "train_plan(", "train_speed(", "vae.train(")
    trains = [
        i for i, c in enumerate(cells) for call in calls if call in c and "def " not in c.split(call)[0][-40:]
    ]
    assert trains and protect < min(trains)
