"""Recipes: validation and the learning-rate schedule."""

import pytest

from helpers.training import Recipe, learning_rate


def test_recipe_rejects_bad_values():
    with pytest.raises(ValueError, match="Unknown schedule"):
        Recipe(3, schedule="step")
    with pytest.raises(ValueError, match="epochs >= 1"):
        Recipe(0)


def test_override_ignores_none():
    r = Recipe(10, 256, 3e-3, "cosine")
    assert r.override(epochs=None, batch_size=64) == Recipe(10, 64, 3e-3, "cosine")


def test_cosine_warms_up_then_decays_to_floor():
    schedule = learning_rate(Recipe(4, 32, 1e-2, "cosine", warmup_epochs=1), steps_per_epoch=10)
    lrs = [float(schedule(step)) for step in (0, 10, 25, 40)]
    assert lrs[0] == pytest.approx(0.0)
    assert lrs[1] == pytest.approx(1e-2)
    assert lrs[1] > lrs[2] > lrs[3] == pytest.approx(0.0, abs=1e-6)
