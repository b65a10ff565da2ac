"""The report's architectures, in plain Keras 3 (no backend-specific code).

Each builder returns an uncompiled ``keras.Model`` whose parameter count matches the report.
"""

from __future__ import annotations

import keras
from keras import layers

# Report architectures and their exact parameter counts, used by tests and the notebooks.
DENSE_ARCHITECTURES: dict[str, tuple[int, ...]] = {
    "dense-32": (32,),
    "dense-64": (64,),
    "dense-128-32-128": (128, 32, 128),
    "dense-128-64-128": (128, 64, 128),
}
PARAM_COUNTS = {
    "dense-32": 50_992,
    "dense-64": 101_200,
    "dense-128-32-128": 209_968,
    "dense-128-64-128": 218_192,
    "conv-32": 19_105,
    "conv-64": 75_073,
    "seed-lstm": 807_401,
}


def _unknown(kind: str, name: object, known) -> ValueError:
    return ValueError(f"Unknown {kind} {name!r}. Choose one of: {', '.join(map(str, known))}.")


def dense_autoencoder(name: str, input_dim: int = 784) -> keras.Model:
    """Fully connected autoencoder: ReLU hidden layers, sigmoid output (Section I).

    ``name`` is one of :data:`DENSE_ARCHITECTURES`, e.g. ``"dense-128-32-128"``.
    """
    if name not in DENSE_ARCHITECTURES:
        raise _unknown("dense architecture", name, DENSE_ARCHITECTURES)
    inputs = keras.Input(shape=(input_dim,), name="image")
    x = inputs
    for i, units in enumerate(DENSE_ARCHITECTURES[name]):
        x = layers.Dense(units, activation="relu", name=f"hidden_{i + 1}")(x)
    outputs = layers.Dense(input_dim, activation="sigmoid", name="reconstruction")(x)
    return keras.Model(inputs, outputs, name=name)


def conv_autoencoder(filters: int, image_shape: tuple[int, int, int] = (28, 28, 1)) -> keras.Model:
    """Denoising convolutional autoencoder of Section II (32 or 64 filters).

    Conv 3x3 -> maxpool -> Conv 3x3 -> maxpool -> ConvT 3x3 /2 -> ConvT 3x3 /2 to one sigmoid channel.
    """
    if filters not in (32, 64):
        raise _unknown("filter width", filters, (32, 64))
    inputs = keras.Input(shape=image_shape, name="noisy_image")
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu")(x)
    outputs = layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid", name="clean_image")(x)
    return keras.Model(inputs, outputs, name=f"conv-{filters}")


def seed_lstm(window: int = 600, channels: int = 6) -> keras.Model:
    """The report's speed model: three stacked LSTM(200) layers and a linear output (807,401 parameters)."""
    inputs = keras.Input(shape=(window, channels), name="imu_window")
    x = layers.LSTM(200, return_sequences=True)(inputs)
    x = layers.LSTM(200, return_sequences=True)(x)
    x = layers.LSTM(200)(x)
    return keras.Model(inputs, layers.Dense(1, name="speed_kmh")(x), name="seed-lstm")


def conv_lstm(window: int = 600, channels: int = 6, mean_speed_kmh: float = 6.75) -> keras.Model:
    """The efficient default: a strided Conv1D front end (8x shorter sequence) and one small LSTM.

    The convolutions pick up per-stride shapes (impacts, swing) at 100 Hz; the LSTM then reads 75
    steps instead of 600, which is what makes it ~50x cheaper than the seed LSTM on a CPU.
    """
    inputs = keras.Input(shape=(window, channels), name="imu_window")
    x = layers.Conv1D(32, 7, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv1D(48, 5, strides=2, padding="same", activation="relu")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.LSTM(48)(x)
    outputs = layers.Dense(1, bias_initializer=keras.initializers.Constant(mean_speed_kmh), name="speed_kmh")(x)
    return keras.Model(inputs, outputs, name="conv-lstm")


SPEED_MODELS = {"seed-lstm": seed_lstm, "conv-lstm": conv_lstm}


def speed_model(name: str) -> keras.Model:
    """A speed regressor by name: ``"conv-lstm"`` (default) or the report's ``"seed-lstm"``."""
    if name not in SPEED_MODELS:
        raise _unknown("speed model", name, SPEED_MODELS)
    return SPEED_MODELS[name]()
