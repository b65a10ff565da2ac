"""The report's architectures and their families, in plain Keras 3 (no backend-specific code).

Each builder returns an uncompiled ``keras.Model``. The report's models are named defaults of each family
and keep its exact parameter counts; a student may type any other member:

* ``dense-<units>[-<units>...]``: a dense autoencoder with those hidden layers (``dense-8``, ``dense-512-8-512``);
* ``conv_autoencoder(filters)``: the report's denoiser with any number of filters per convolution;
* ``lstm-<units>x<layers>``: a stacked LSTM speed model (the report's ``report-lstm`` is ``lstm-200x3``).
"""

from __future__ import annotations

from typing import Callable

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
    "report-lstm": 807_401,
}


DENSE_GRAMMAR = (
    "dense-<units>[-<units>...], every <units> a positive whole number, e.g. dense-64 or dense-512-8-512"
)


def dense_layers(name: str) -> tuple[int, ...]:
    """The hidden layer sizes a dense model's name spells: ``"dense-128-32-128"`` -> ``(128, 32, 128)``."""
    parts = str(name).split("-")
    if parts[0] != "dense" or len(parts) < 2 or not all(p.isdigit() and int(p) > 0 for p in parts[1:]):
        raise ValueError(
            f"Unknown dense architecture {name!r}. Write it as {DENSE_GRAMMAR} "
            f"(the report's: {', '.join(DENSE_ARCHITECTURES)})."
        )
    return tuple(int(p) for p in parts[1:])


def code_size(name: str) -> int:
    """The narrowest hidden layer of a dense model: its code."""
    return min(dense_layers(name))


def dense_autoencoder(name: str, input_dim: int = 784) -> keras.Model:
    """Fully connected autoencoder: ReLU hidden layers, sigmoid output (Section I).

    ``name`` spells the hidden layers, e.g. ``"dense-128-32-128"`` (see :data:`DENSE_GRAMMAR`).
    """
    hidden = dense_layers(name)
    inputs = keras.Input(shape=(input_dim,), name="image")
    x = inputs
    for i, units in enumerate(hidden):
        x = layers.Dense(units, activation="relu", name=f"hidden_{i + 1}")(x)
    outputs = layers.Dense(input_dim, activation="sigmoid", name="reconstruction")(x)
    return keras.Model(inputs, outputs, name=name)


def check_filters(filters: int) -> int:
    """A filter count for :func:`conv_autoencoder`, or a clear error (before any training)."""
    if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
        raise ValueError(
            f"Filters per convolution must be a positive whole number, e.g. 8, 32 or 64; got {filters!r}."
        )
    return filters


CONV_GRAMMAR = (
    "conv-<filters>, <filters> a positive whole number, e.g. conv-16, conv-32 (the report's) or conv-64"
)


def conv_filters(name: str) -> int:
    """The filter count in a Section II model's name (``conv-32`` -> 32), or a clear error before training."""
    prefix, _, count = str(name).partition("-")
    if prefix != "conv" or not count.isdigit() or int(count) < 1:
        raise ValueError(f"Unknown denoising model {name!r}. Write it as {CONV_GRAMMAR}.")
    return int(count)


def conv_autoencoder(filters: int, image_shape: tuple[int, int, int] = (28, 28, 1)) -> keras.Model:
    """Denoising convolutional autoencoder of Section II (the report's: 32 or 64 filters).

    Conv 3x3 -> maxpool -> Conv 3x3 -> maxpool -> ConvT 3x3 /2 -> ConvT 3x3 /2 to one sigmoid channel.
    Any positive number of filters keeps that structure.
    """
    check_filters(filters)
    inputs = keras.Input(shape=image_shape, name="noisy_image")
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu")(x)
    outputs = layers.Conv2DTranspose(
        1, 3, strides=2, padding="same", activation="sigmoid", name="clean_image"
    )(x)
    return keras.Model(inputs, outputs, name=f"conv-{filters}")


def stacked_lstm(
    units: int = 200, depth: int = 3, window: int = 600, channels: int = 6, name: str | None = None
) -> keras.Model:
    """``depth`` stacked LSTM(``units``) layers and a linear output; the report's is 200 x 3 (807,401 parameters)."""
    if units < 1 or depth < 1:
        raise ValueError(f"An LSTM needs units >= 1 and depth >= 1, got {units} and {depth}.")
    inputs = keras.Input(shape=(window, channels), name="imu_window")
    x = inputs
    for i in range(depth):
        x = layers.LSTM(units, return_sequences=i < depth - 1)(x)
    return keras.Model(inputs, layers.Dense(1, name="speed_kmh")(x), name=name or f"lstm-{units}x{depth}")


def report_lstm(window: int = 600, channels: int = 6) -> keras.Model:
    """The report's speed model: three stacked LSTM(200) layers and a linear output (807,401 parameters)."""
    return stacked_lstm(200, 3, window, channels, name="report-lstm")


def conv_lstm(window: int = 600, channels: int = 6, mean_speed_kmh: float = 6.75) -> keras.Model:
    """The efficient default: a strided Conv1D front end (8x shorter sequence) and one small LSTM.

    The convolutions pick up per-stride shapes (impacts, swing) at 100 Hz; the LSTM then reads 75
    steps instead of 600, which is what makes it ~50x cheaper than the report's LSTM on a CPU.
    """
    inputs = keras.Input(shape=(window, channels), name="imu_window")
    x = layers.Conv1D(32, 7, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv1D(48, 5, strides=2, padding="same", activation="relu")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.LSTM(48)(x)
    outputs = layers.Dense(1, bias_initializer=keras.initializers.Constant(mean_speed_kmh), name="speed_kmh")(
        x
    )
    return keras.Model(inputs, outputs, name="conv-lstm")


def zupt_residual(
    window: int = 600, channels: int = 6, body: Callable[..., keras.Model] = conv_lstm
) -> keras.Model:
    """Physics first, learning second: ZUPT's speed plus a learned correction of ZUPT's error.

    The input is the normalised window with ZUPT's speed of that window (km/h) as a 7th channel
    (``helpers.imu.Normaliser.fit(..., zupt_channel=True)``). conv-lstm's body reads the IMU channels; a
    linear head on its features and on ZUPT's speed gives the correction, and starts at zero, so the
    untrained model *is* ZUPT: training can only move it where the training subjects say ZUPT is wrong.
    """
    inputs = keras.Input(shape=(window, channels + 1), name="imu_window_and_zupt")
    zupt_kmh = inputs[:, 0, channels:]  # (batch, 1): the same at every step
    trunk = body(window, channels)  # conv-lstm up to its LSTM's features
    x = keras.Model(trunk.inputs, trunk.layers[-2].output, name="conv_lstm_body")(inputs[:, :, :channels])
    x = layers.Concatenate()([x, layers.Rescaling(0.1)(zupt_kmh)])
    correction = layers.Dense(1, kernel_initializer="zeros", name="zupt_correction")(x)
    outputs = layers.Add(name="speed_kmh")([zupt_kmh, correction])
    return keras.Model(inputs, outputs, name="zupt-residual")


SPEED_MODELS = {"report-lstm": report_lstm, "conv-lstm": conv_lstm, "zupt-residual": zupt_residual}
# Models that read ZUPT's speed as a 7th input channel (helpers.imu.Normaliser).
ZUPT_INPUT_MODELS = ("zupt-residual",)
# Older names still accepted: records made before the rename call the report's LSTM "seed-lstm".
SPEED_ALIASES = {"seed-lstm": "report-lstm"}

SPEED_GRAMMAR = (
    "conv-lstm, zupt-residual (ZUPT plus a learned correction), report-lstm (the report's 3x200 LSTM), "
    "or lstm-<units>x<layers>, e.g. lstm-64x2"
)


def check_speed_model(name: str) -> str:
    """The name (an old alias gives its new name), or an error that shows the grammar (before any data)."""
    name = SPEED_ALIASES.get(name, name)
    parts = str(name).removeprefix("lstm-").split("x")
    if name in SPEED_MODELS or (
        str(name).startswith("lstm-") and len(parts) == 2 and all(p.isdigit() and int(p) > 0 for p in parts)
    ):
        return name
    raise ValueError(f"Unknown speed model {name!r}. Choose {SPEED_GRAMMAR}.")


def speed_model(name: str, body: Callable[..., keras.Model] = conv_lstm) -> keras.Model:
    """A speed regressor by name: ``"conv-lstm"`` (default), ``"zupt-residual"``, the report's
    ``"report-lstm"``, or ``"lstm-64x2"``. ``body`` builds conv-lstm, alone or inside zupt-residual (a
    notebook passes the ``conv_lstm`` it shows)."""
    name = check_speed_model(name)
    if name == "conv-lstm":
        return body()
    if name == "zupt-residual":
        return zupt_residual(body=body)
    if name in SPEED_MODELS:
        return SPEED_MODELS[name]()
    units, depth = (int(p) for p in name.removeprefix("lstm-").split("x"))
    return stacked_lstm(units, depth)
