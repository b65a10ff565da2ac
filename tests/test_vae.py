"""The VAE: builds, its loss parts are finite, KL is non-negative, nothing backend-specific."""

from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import vae


@pytest.fixture(scope="module")
def trained_pair():
    rng = np.random.default_rng(0)
    x = (rng.random((256, 784)) > 0.7).astype("float32")
    keras.utils.set_random_seed(0)
    parts = {"vae": vae.build_vae(2, hidden=32, seed=0), "ae": vae.build_autoencoder(2, hidden=32)}
    for p in parts.values():
        vae.compile_autoencoder(p, keras.optimizers.Adam(1e-3))
        p.model.fit(x, x, batch_size=64, epochs=1, verbose=0, callbacks=[vae.KLFromLogs()])
    return parts, x


def test_loss_parts_are_finite_and_kl_non_negative(trained_pair):
    parts, x = trained_pair
    e = vae.negative_elbo(parts["vae"], x)
    assert all(np.isfinite(v) for v in e.values())
    assert e["test_kl_nats"] >= 0
    assert e["test_neg_elbo_nats"] == pytest.approx(e["test_recon_nats"] + e["test_kl_nats"])
    assert set(vae.negative_elbo(parts["ae"], x)) == {"test_recon_nats"}


def test_reconstruction_is_summed_over_pixels():
    x = np.full((2, 784), 1.0, dtype="float32")
    p = np.full((2, 784), 0.5, dtype="float32")
    np.testing.assert_allclose(np.asarray(vae.bernoulli_nll(x, p)), 784 * np.log(2), rtol=1e-5)


def test_kl_logged_separately(trained_pair):
    parts, x = trained_pair
    logs = {"loss": 10.0, "recon": 7.0}
    vae.KLFromLogs(beta=1.0).on_epoch_end(0, logs)
    assert logs["kl"] == pytest.approx(3.0)
    assert np.asarray(parts["vae"].model(x[:4])).shape == (4, 784)
    assert len(parts["vae"].model.losses) == 1  # the KL added by the Sampling layer


def test_smoothness_and_sampling_shapes(trained_pair):
    parts, x = trained_pair
    frames = vae.interpolate(parts["vae"], x[:3], x[3:6], steps=5)
    assert frames.shape == (3, 5, 784)
    s = vae.path_smoothness(frames)
    assert s["interp_path_ratio"] >= 1 - 1e-6 and 0.25 - 1e-6 <= s["interp_max_jump_share"] <= 1
    codes = vae.encode(parts["ae"], x)
    assert vae.sample_prior(parts["ae"], 7, codes=codes).shape == (7, 784)


def test_model_code_is_backend_agnostic():
    for module in ("vae.py", "models.py"):
        text = (Path(vae.__file__).parent / module).read_text()
        assert "tensorflow" not in text and "tf." not in text and "torch" not in text


def test_bad_arguments():
    with pytest.raises(ValueError, match="latent_dim"):
        vae.build_vae(0)
    with pytest.raises(ValueError, match="beta"):
        vae.build_vae(2, beta=-1)


def test_frechet_distance_is_zero_for_same_set_and_grows_with_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 4))
    assert vae.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert vae.frechet_distance(a, a + 1.0) == pytest.approx(4.0, rel=0.05)
    assert vae.frechet_distance(a, a * 3) > vae.frechet_distance(a, a * 1.5)
