"""Variational and plain autoencoders for Section V, in backend-agnostic Keras 3.

The loss per image is, in nats,

    reconstruction = sum over the 784 pixels of the binary cross-entropy  -log p(x | z)  (Bernoulli decoder)
    KL             = KL( N(mu, sigma^2) || N(0, I) ) = -1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)

and training minimises their batch mean, reconstruction + beta * KL (beta = 1: the negative ELBO).
Summing (not averaging) over pixels matters: averaging would weight the KL 784 times too much.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from helpers.training import STEPS_PER_EXECUTION, Recipe, TrainResult, fit

PIXELS = 784


def bernoulli_nll(y_true, y_pred):
    """Reconstruction loss per image: binary cross-entropy summed over pixels (nats)."""
    y_pred = ops.clip(y_pred, 1e-7, 1 - 1e-7)
    bce = -(y_true * ops.log(y_pred) + (1 - y_true) * ops.log(1 - y_pred))
    return ops.sum(ops.reshape(bce, (ops.shape(bce)[0], -1)), axis=-1)


class Sampling(layers.Layer):
    """z = mu + sigma * eps, eps ~ N(0, I) (the reparameterisation trick); adds beta * KL as a loss."""

    def __init__(self, beta: float = 1.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.beta = float(beta)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
        self.add_loss(self.beta * ops.mean(kl))
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}


@dataclass
class VAEParts:
    """The trainable model and its halves (the encoder returns (mean, log-variance) for a VAE)."""

    model: keras.Model
    encoder: keras.Model
    decoder: keras.Model
    latent_dim: int
    variational: bool


def build_decoder(latent_dim: int, hidden: int) -> keras.Model:
    """code -> hidden (ReLU) -> 784 pixel probabilities (sigmoid): the VAE and the plain AE share it."""
    z = keras.Input(shape=(latent_dim,), name="z")
    h = layers.Dense(hidden, activation="relu")(z)
    out = layers.Dense(PIXELS, activation="sigmoid", name="pixel_probabilities")(h)
    return keras.Model(z, out, name="decoder")


def build_vae(latent_dim: int = 2, hidden: int = 256, beta: float = 1.0, seed: int | None = None) -> VAEParts:
    """784 -> hidden -> (mu, log sigma^2) -> z -> hidden -> 784 sigmoid. Compile with :func:`compile_autoencoder`."""
    if latent_dim < 1 or hidden < 1:
        raise ValueError(f"latent_dim and hidden must be >= 1, got {latent_dim} and {hidden}.")
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta}.")
    x = keras.Input(shape=(PIXELS,), name="image")
    h = layers.Dense(hidden, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    encoder = keras.Model(x, [z_mean, z_log_var], name="encoder")
    decoder = build_decoder(latent_dim, hidden)
    z = Sampling(beta=beta, seed=seed, name="sampling")([z_mean, z_log_var])
    model = keras.Model(x, decoder(z), name=f"vae-{latent_dim}d")
    return VAEParts(model, encoder, decoder, latent_dim, variational=True)


def build_autoencoder(latent_dim: int = 2, hidden: int = 256) -> VAEParts:
    """The plain autoencoder with the same encoder trunk and decoder: 784 -> hidden -> z -> hidden -> 784."""
    x = keras.Input(shape=(PIXELS,), name="image")
    h = layers.Dense(hidden, activation="relu")(x)
    z = layers.Dense(latent_dim, name="z")(h)
    encoder = keras.Model(x, z, name="encoder")
    decoder = build_decoder(latent_dim, hidden)
    model = keras.Model(x, decoder(z), name=f"ae-{latent_dim}d")
    return VAEParts(model, encoder, decoder, latent_dim, variational=False)


def compile_autoencoder(parts: VAEParts, optimizer, steps_per_execution: int = STEPS_PER_EXECUTION) -> None:
    """Bernoulli reconstruction (summed over pixels) as the loss; the VAE adds its KL via ``add_loss``."""
    parts.model.compile(
        optimizer=optimizer,
        loss=bernoulli_nll,
        metrics=[ReconstructionNats()],
        steps_per_execution=steps_per_execution,
    )


def train(
    parts: VAEParts,
    x_train: np.ndarray,
    x_val: np.ndarray,
    recipe: Recipe,
    beta: float = 1.0,
    verbose: int = 2,
) -> TrainResult:
    """Section V's training step: ``parts`` (a VAE or a plain autoencoder) learns to reconstruct ``x_train``
    through :func:`helpers.training.fit`, compiled by :func:`compile_autoencoder`, with ``kl`` logged.

    Validation arrays are scored at the training batch: the VAE draws its noise while validating too, so
    another batch would change the random stream of every later training step.
    """
    return fit(
        parts.model,
        x_train,
        x_train,
        recipe,
        validation_data=(x_val, x_val),
        verbose=verbose,
        callbacks=[KLFromLogs(beta)],
        compile=lambda _, optimizer: compile_autoencoder(parts, optimizer),
        validation_batch_size=None,
        label=parts.model.name,
    )


class ReconstructionNats(keras.metrics.Mean):
    """Tracks the reconstruction term alone, so KL = loss - reconstruction can be logged beside it."""

    def __init__(self, name: str = "recon", **kwargs):
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(bernoulli_nll(y_true, y_pred), sample_weight=sample_weight)


class KLFromLogs(keras.callbacks.Callback):
    """Adds ``kl`` (and ``val_kl``) to the epoch logs: (total - reconstruction) / beta."""

    def __init__(self, beta: float = 1.0):
        super().__init__()
        self.beta = beta or 1.0

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for prefix in ("", "val_"):
            if f"{prefix}loss" in logs and f"{prefix}recon" in logs:
                logs[f"{prefix}kl"] = (logs[f"{prefix}loss"] - logs[f"{prefix}recon"]) / self.beta


def encode(parts: VAEParts, x: np.ndarray) -> np.ndarray:
    """Latent codes: the posterior mean for a VAE, the code itself for a plain autoencoder."""
    out = parts.encoder.predict(x, batch_size=1024, verbose=0)
    return np.asarray(out[0] if parts.variational else out)


def check_latent_dims(latent_dims, compare_dims=()) -> tuple[list[int], list[int]]:
    """``latent_dims`` and ``compare_dims`` as lists of code sizes >= 1, or a clear error before training."""

    def sizes(name, values):
        values = [values] if isinstance(values, int) else list(values)
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in values):
            raise ValueError(
                f"{name} must list code sizes, whole numbers >= 1, e.g. [2, 16]; got {values!r}."
            )
        return values

    latent, compare = sizes("latent_dims", latent_dims), sizes("compare_dims", compare_dims)
    if not latent:
        raise ValueError("latent_dims needs at least one code size, e.g. [2].")
    if set(compare) - set(latent):
        raise ValueError(
            f"compare_dims {compare} must be among latent_dims {latent}: a plain AE is trained beside "
            "the VAE of the same code size."
        )
    return latent, compare


def latent_plane(codes: np.ndarray) -> tuple[np.ndarray, tuple[str, str]]:
    """Two coordinates per code for a latent map, and their axis labels.

    A 2-D code is shown as it is; a wider one by its first two principal components (of these codes); a
    1-D code against a random jitter that carries no meaning.
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.shape[1] == 2:
        return codes, ("z₁", "z₂")
    if codes.shape[1] == 1:
        jitter = np.random.default_rng(0).uniform(-1, 1, len(codes))
        return np.c_[codes[:, 0], jitter], ("z₁", "random jitter (no meaning)")
    centred = codes - codes.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    return centred @ axes[:2].T, ("principal component 1 of the codes", "principal component 2 of the codes")


def decode(parts: VAEParts, z: np.ndarray) -> np.ndarray:
    return np.asarray(parts.decoder.predict(np.asarray(z, dtype=np.float32), batch_size=1024, verbose=0))


def negative_elbo(parts: VAEParts, x: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Test negative ELBO in nats per image, with its parts (one posterior sample per image).

    For a plain autoencoder only the reconstruction term is defined.
    """
    x = np.asarray(x, dtype=np.float32).reshape(len(x), PIXELS)
    if parts.variational:
        mu, log_var = (
            np.asarray(a, dtype=np.float64) for a in parts.encoder.predict(x, batch_size=1024, verbose=0)
        )
        eps = np.random.default_rng(seed).standard_normal(mu.shape)
        z = mu + np.exp(0.5 * log_var) * eps
        kl = -0.5 * np.sum(1 + log_var - mu**2 - np.exp(log_var), axis=1)
    else:
        z, kl = encode(parts, x), None
    p = np.clip(decode(parts, z).astype(np.float64), 1e-7, 1 - 1e-7)
    recon = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)
    result = {"test_recon_nats": float(recon.mean())}
    if kl is not None:
        result |= {"test_kl_nats": float(kl.mean()), "test_neg_elbo_nats": float((recon + kl).mean())}
    return result


def interpolate(parts: VAEParts, x_a: np.ndarray, x_b: np.ndarray, steps: int = 11) -> np.ndarray:
    """Decode ``steps`` points on the straight line between the codes of ``x_a`` and ``x_b``: (pairs, steps, 784)."""
    z_a, z_b = encode(parts, x_a), encode(parts, x_b)
    t = np.linspace(0, 1, steps)[None, :, None]
    z = (1 - t) * z_a[:, None, :] + t * z_b[:, None, :]
    return decode(parts, z.reshape(-1, parts.latent_dim)).reshape(len(x_a), steps, PIXELS)


def path_smoothness(frames: np.ndarray) -> dict[str, float]:
    """How evenly a decoded interpolation moves, from frames shaped (pairs, steps, 784).

    * ``path_ratio``: total pixel distance travelled / straight distance between the end frames
      (1 = moves straight; larger = detours through other images).
    * ``max_jump_share``: the largest step's share of the distance travelled
      (1/(steps-1) = even steps; near 1 = one abrupt switch).
    """
    jumps = np.linalg.norm(np.diff(frames, axis=1), axis=2)
    travelled = jumps.sum(axis=1)
    straight = np.linalg.norm(frames[:, -1] - frames[:, 0], axis=1)
    keep = straight > 1e-6
    return {
        "interp_path_ratio": float(np.mean(travelled[keep] / straight[keep])),
        "interp_max_jump_share": float(np.mean(jumps.max(axis=1)[keep] / travelled[keep])),
    }


def sample_prior(parts: VAEParts, n: int, seed: int = 0, codes: np.ndarray | None = None) -> np.ndarray:
    """Decode ``n`` random codes: from N(0, I) for a VAE, or from a Gaussian fitted to ``codes`` for an AE."""
    rng = np.random.default_rng(seed)
    if codes is None:
        z = rng.standard_normal((n, parts.latent_dim))
    else:
        z = rng.multivariate_normal(
            codes.mean(axis=0), np.cov(codes, rowvar=False).reshape(parts.latent_dim, -1), n
        )
    return decode(parts, z)


def build_classifier(hidden: int = 256) -> keras.Model:
    """A small MLP that labels Fashion-MNIST images; used to ask whether decoded images look like items."""
    x = keras.Input(shape=(PIXELS,))
    h = layers.Dense(hidden, activation="relu")(x)
    return keras.Model(x, layers.Dense(10, activation="softmax")(h), name="judge")


def confident_share(classifier: keras.Model, images: np.ndarray, threshold: float = 0.9) -> float:
    """Share of ``images`` that ``classifier`` labels with probability >= ``threshold``."""
    p = np.asarray(
        classifier.predict(np.asarray(images).reshape(len(images), PIXELS), batch_size=1024, verbose=0)
    )
    return float(np.mean(p.max(axis=1) >= threshold))


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (the idea behind FID).

    Lower means the two sets are distributed more alike; it penalises blur and garbage alike, which a
    classifier's confidence does not (a saturated blob can be labelled confidently).
    """
    import warnings

    from scipy import linalg  # deferred: heavy, and only the Fréchet distance needs it

    mu_a, mu_b = features_a.mean(axis=0), features_b.mean(axis=0)
    cov_a, cov_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
    with warnings.catch_warnings():  # ReLU features have dead units, so the covariances are singular
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm(cov_a @ cov_b)
    root = np.real(root) if np.iscomplexobj(root) else root
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def judge_features(classifier: keras.Model, images: np.ndarray) -> np.ndarray:
    """The judge's hidden-layer activations: a feature space in which Fashion-MNIST items are compared."""
    hidden = keras.Model(classifier.inputs, classifier.layers[-2].output)
    return np.asarray(
        hidden.predict(np.asarray(images).reshape(len(images), PIXELS), batch_size=1024, verbose=0),
        dtype=np.float64,
    )
