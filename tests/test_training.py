"""Recipes: validation and the learning-rate schedule."""

import contextlib

import keras
import numpy as np
import pytest

from helpers.models import conv_autoencoder
from helpers.noise import FreshNoise
from helpers.training import STEPS_PER_EXECUTION, Recipe, fit, learning_rate, set_seed, tf_data_autotune_off


def test_recipe_rejects_bad_values():
    with pytest.raises(ValueError, match="Unknown schedule"):
        Recipe(3, schedule="step")
    with pytest.raises(ValueError, match="epochs >= 1"):
        Recipe(0)
    with pytest.raises(ValueError, match="fewer than epochs"):
        Recipe(3, average_epochs=3)
    with pytest.raises(ValueError, match="final_lr_fraction > 0"):
        Recipe(3, schedule="cosine", average_epochs=1)


def test_override_ignores_none():
    r = Recipe(10, 256, 3e-3, "cosine")
    assert r.override(epochs=None, batch_size=64) == Recipe(10, 64, 3e-3, "cosine")


def test_cosine_warms_up_then_decays_to_floor():
    schedule = learning_rate(Recipe(4, 32, 1e-2, "cosine", warmup_epochs=1), steps_per_epoch=10)
    lrs = [float(schedule(step)) for step in (0, 10, 25, 40)]
    assert lrs[0] == pytest.approx(0.0)
    assert lrs[1] == pytest.approx(1e-2)
    assert lrs[1] > lrs[2] > lrs[3] == pytest.approx(0.0, abs=1e-6)


def test_weight_averaging_holds_the_tail_learning_rate():
    recipe = Recipe(4, 32, 1e-2, "cosine", final_lr_fraction=0.1, average_epochs=2)
    schedule = learning_rate(recipe, steps_per_epoch=10)
    lrs = [float(schedule(step)) for step in (0, 10, 20, 35)]
    assert lrs[0] == pytest.approx(1e-2)
    assert 1e-2 > lrs[1] > 1e-3
    assert lrs[2] == pytest.approx(1e-3) and lrs[3] == pytest.approx(1e-3)  # the averaging tail
    assert "averaged over the last 2" in str(recipe)


class _Snapshots(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def test_fit_ends_with_the_mean_of_the_tail_weights():
    x = np.random.default_rng(0).random((64, 20), dtype=np.float32)
    set_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(20, activation="sigmoid")])
    snapshots = _Snapshots()
    recipe = Recipe(4, 16, 1e-2, "cosine", final_lr_fraction=0.5, average_epochs=3)
    run = fit(model, x, x, recipe, validation_data=(x, x), verbose=0, callbacks=[snapshots])
    tail = snapshots.weights[1:]
    assert not np.allclose(tail[0][0], tail[-1][0])  # the weights moved during the tail
    for got, *seen in zip(model.get_weights(), *tail):
        np.testing.assert_allclose(got, np.mean(seen, axis=0), rtol=1e-6, atol=1e-7)
    assert run.extra["averaged_val_loss"] == pytest.approx(
        float(np.mean((model.predict(x, verbose=0) - x) ** 2)), rel=1e-5
    )


def test_steps_per_execution_changes_speed_not_arithmetic():
    # 13 steps: not a multiple of the steps per call, so the last call is a short one.
    clean = np.random.default_rng(0).random((13 * 8, 28, 28, 1), dtype=np.float32)
    weights = []
    for steps_per_call in (1, STEPS_PER_EXECUTION):
        set_seed(0)
        model = conv_autoencoder(32)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", steps_per_execution=steps_per_call)
        model.fit(FreshNoise(clean, 0.2, batch_size=8), epochs=2, verbose=0)
        weights.append(model.get_weights())
    assert STEPS_PER_EXECUTION > 1
    assert all(np.array_equal(a, b) for a, b in zip(*weights))


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="a tf.data setting")
def test_tf_data_autotune_is_off_inside_the_block_only():
    from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    x = np.zeros((16, 28, 28, 1), dtype=np.float32)

    def autotune(make):
        return make().get_tf_dataset().options().autotune.enabled

    pipelines = (
        lambda: ArrayDataAdapter(x, x, batch_size=4, shuffle=True),
        lambda: PyDatasetAdapter(FreshNoise(x, 0.2, batch_size=4), shuffle=False),
    )
    with tf_data_autotune_off():
        assert [autotune(make) for make in pipelines] == [False, False]
    assert [autotune(make) for make in pipelines] == [None, None]  # Keras' default again: the autotuner on


def test_autotune_off_changes_speed_not_arithmetic():
    # Array input with a validation set (two pipelines a fit builds), FreshNoise (a PyDataset) for the second.
    clean = np.random.default_rng(1).random((40, 28, 28, 1), dtype=np.float32)
    histories, weights = [], []
    for block in (contextlib.nullcontext, tf_data_autotune_off):
        set_seed(0)
        model = conv_autoencoder(8)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        with block():
            h = model.fit(
                clean,
                clean,
                batch_size=8,
                epochs=2,
                shuffle=True,
                validation_data=(clean[:16], clean[:16]),
                verbose=0,
            )
            model.fit(FreshNoise(clean, 0.2, batch_size=8), epochs=1, verbose=0)
        histories.append(h.history)
        weights.append(model.get_weights())
    assert histories[0] == histories[1]
    assert all(np.array_equal(a, b) for a, b in zip(*weights))


def test_fit_keeps_a_time_to_quality_curve():
    x = np.random.default_rng(0).random((64, 784), dtype=np.float32)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(784, activation="sigmoid")])
    run = fit(model, x, x, Recipe(2, 32), validation_data=(x, x), verbose=0)
    curve = run.curve()
    assert len(curve) == 2 and curve[0][0] <= curve[1][0]
    assert [v for _, v in curve] == [round(v, 6) for v in run.history["val_loss"]]
