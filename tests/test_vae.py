"""The VAE: builds, its loss parts are finite, KL is non-negative, nothing backend-specific."""

import ast
import inspect

import keras
import numpy as np
import pytest

from helpers import models, vae


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


def _numpy_elbo_parts(parts, x, seed):
    """The ELBO's parts from the layers' weights alone, in float64 numpy: an independent computation."""
    (w1, b1), (wm, bm), (wv, bv) = (parts.encoder.get_layer(index=i).get_weights() for i in (1, 2, 3))
    (d1, c1), (d2, c2) = (parts.decoder.get_layer(index=i).get_weights() for i in (1, 2))
    x = x.astype(np.float64)
    h = np.maximum(x @ w1 + b1, 0)
    mu, log_var = h @ wm + bm, h @ wv + bv
    z = mu + np.exp(0.5 * log_var) * np.random.default_rng(seed).standard_normal(mu.shape)
    p = 1 / (1 + np.exp(-(np.maximum(z @ d1 + c1, 0) @ d2 + c2)))
    p = np.clip(p, 1e-7, 1 - 1e-7)
    recon = -(x * np.log(p) + (1 - x) * np.log(1 - p)).sum(axis=1)
    kl = 0.5 * (mu**2 + np.exp(log_var) - log_var - 1).sum(axis=1)
    return recon, kl


def test_elbo_parts_match_an_independent_numpy_computation(trained_pair):
    parts, x = trained_pair
    batch = x[:16]
    recon, kl = _numpy_elbo_parts(parts["vae"], batch, seed=3)
    e = vae.negative_elbo(parts["vae"], batch, seed=3)
    assert e["test_recon_nats"] == pytest.approx(recon.mean(), rel=1e-4)
    assert e["test_kl_nats"] == pytest.approx(kl.mean(), rel=1e-4)
    assert e["test_neg_elbo_nats"] == pytest.approx((recon + kl).mean(), rel=1e-4)
    assert kl.min() >= 0
    # The training loss sees the same KL: the Sampling layer's add_loss is beta * batch-mean KL (beta = 1).
    parts["vae"].model(batch)
    assert float(np.asarray(parts["vae"].model.losses[0])) == pytest.approx(kl.mean(), rel=1e-4)
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
    """The models and the VAE use Keras 3 alone (keras.ops, keras.random): no backend is imported, so they
    run on TensorFlow, JAX or PyTorch."""
    backends = {"tensorflow", "jax", "torch"}
    for module in (vae, models):
        tree = ast.parse(inspect.getsource(module))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not imported & backends, f"{module.__name__} imports {imported & backends}"
        assert "keras" in imported


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
