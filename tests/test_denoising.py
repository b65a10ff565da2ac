"""Section II's training step: its noise pipelines and compute precisions."""

import keras
import numpy as np
import pytest

from helpers import noise
from helpers.denoising import noise_pipeline, train_denoiser
from helpers.models import conv_autoencoder
from helpers.training import Recipe, check_precision


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).uniform(0, 1, (128, 28, 28, 1)).astype(np.float32)


def test_noise_in_the_graph_is_drawn_in_training_only(images):
    model = conv_autoencoder(4)
    wrapped = noise.with_training_noise(model, 0.3)
    x = images[:8]
    np.testing.assert_allclose(
        wrapped(x, training=False), model(x, training=False), atol=1e-6
    )  # no noise at inference
    first = wrapped.layers[0](x, training=True)
    second = wrapped.layers[0](x, training=True)
    assert 0.2 < float(np.std(first - x)) < 0.4  # sigma 0.3
    assert not np.allclose(first, second)  # new noise on every call
    clipped = noise.with_training_noise(model, 0.5, clip=True)
    y = clipped.layers[1](clipped.layers[0](x, training=True))
    assert float(np.min(y)) >= 0.0 and float(np.max(y)) <= 1.0
    assert wrapped.layers[-1] is model  # shared, so training the wrapper trains the model


def test_each_engine_gets_its_own_noise_pipeline(images):
    model = conv_autoencoder(4)
    graph, inputs = noise_pipeline(model, 0.3, noise_in_graph=True)
    x, y = inputs(images, 32, 0)
    assert (
        graph is not model and graph.layers[-1] is model and x is images and y is images
    )  # noise drawn in the graph
    fresh, inputs = noise_pipeline(model, 0.3, fresh_noise=True)
    batches, no_targets = inputs(images, 32, 5)
    assert no_targets is None  # FreshNoise yields (noisy, clean) batches itself
    assert (
        fresh is model and isinstance(batches, noise.FreshNoise) and len(batches) == 4 and batches.seed == 5
    )
    fixed, inputs = noise_pipeline(model, 0.3, fresh_noise=False)
    x, y = inputs(images, 32, 5)
    assert fixed is model and y is images
    np.testing.assert_array_equal(
        x, noise.add_gaussian_noise(images, 0.3, seed=5)
    )  # the report's one noisy copy


def test_train_denoiser_pipelines_and_precisions(images):
    recipe = Recipe(1, 32, 1e-3)
    val = (noise.add_gaussian_noise(images[:32], 0.2, seed=1), images[:32])
    a, _ = train_denoiser(conv_autoencoder, 4, 0.2, recipe, images, seed=3, validation_data=val, verbose=0)
    b, _ = train_denoiser(conv_autoencoder, 4, 0.2, recipe, images, seed=3, validation_data=val, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)  # reproducible from the seed
    fixed, _ = train_denoiser(conv_autoencoder, 4, 0.2, recipe, images, seed=3, fresh_noise=False, verbose=0)
    graph, run = train_denoiser(
        conv_autoencoder, 4, 0.2, recipe, images, seed=3, noise_in_graph=True, validation_data=val, verbose=0
    )
    assert not np.array_equal(fixed.get_weights()[0], a.get_weights()[0])
    assert np.isfinite(run.history["val_loss"][-1])
    bf16, run = train_denoiser(
        conv_autoencoder,
        4,
        0.2,
        recipe,
        images,
        seed=3,
        noise_in_graph=True,
        precision="mixed_bfloat16",
        validation_data=val,
        verbose=0,
    )
    assert bf16.dtype_policy.name == "float32" and bf16.output.dtype == "float32"  # scored in float32
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    warm, _ = train_denoiser(
        conv_autoencoder, 4, 0.1, Recipe(1, 32, 1e-9), images, seed=4, start_from=bf16, verbose=0
    )
    np.testing.assert_allclose(
        warm.get_weights()[0], bf16.get_weights()[0], atol=1e-6
    )  # a warm start at lr ~0


def test_a_mistyped_precision_is_refused():
    with pytest.raises(ValueError, match="precision must be one of"):
        check_precision("bf16")


def test_the_standard_plan_warm_starts_where_validation_chose_to():
    from helpers import profiles

    cfg = profiles.settings("denoise", "standard")
    plan = profiles.denoise_plan(cfg, ["conv-32", "conv-64"], [0.3, 0.2, 0.1], True, epochs=None)
    # conv-32: a sigma 0.2 base model from scratch, then every sigma fine-tuned from it; conv-64: a chain
    assert [(st.model, st.sigma, st.start, st.is_base) for st in plan] == [
        ("conv-32", 0.2, "scratch", True),
        ("conv-32", 0.3, "base", False),
        ("conv-32", 0.2, "base", False),
        ("conv-32", 0.1, "base", False),
        ("conv-64", 0.3, "scratch", False),
        ("conv-64", 0.2, "previous", False),
        ("conv-64", 0.1, "previous", False),
    ]
    recipes = [st.recipe for st in plan[:4]]
    assert recipes == [
        cfg["scratch"][("conv-32", 0.2)],
        cfg["warm"][("conv-32", 0.3)],
        cfg["warm"][("conv-32", 0.2)],
        cfg["finetune"]["conv-32"],
    ]
    assert (recipes[0].epochs, recipes[0].batch_size) == (60, 16) and [r.epochs for r in recipes[1:]] == [
        12,
        12,
        6,
    ]
    # overrides reach from-scratch recipes only (the base is one); no warm starts when asked, or in the report
    assert [
        st.recipe.epochs for st in profiles.denoise_plan(cfg, ["conv-32"], [0.3, 0.2], True, epochs=2)
    ] == [2, 12, 12]
    plan = profiles.denoise_plan(cfg, ["conv-48"], [0.3, 0.1], False, epochs=2)
    assert [(st.recipe.epochs, st.start) for st in plan] == [(2, "scratch"), (2, "scratch")]
    assert [st.start for st in profiles.denoise_plan(cfg, ["conv-32"], [0.3, 0.2], False)] == [
        "scratch",
        "scratch",
    ]
    report = profiles.settings("denoise", "report")
    assert {
        st.start
        for st in profiles.denoise_plan(report, ["conv-32"], [0.3, 0.2], report["finetune"] is not None)
    } == {"scratch"}


def test_a_base_model_needs_its_sigma_in_the_run():
    from helpers import profiles

    cfg = profiles.settings("denoise", "standard")
    # sigma 0.2 is not trained (nor validated) in this run: conv-32 chains from its first sigma instead
    plan = profiles.denoise_plan(cfg, ["conv-32"], [0.3, 0.1], True)
    assert [(st.sigma, st.start, st.is_base) for st in plan] == [
        (0.3, "scratch", False),
        (0.1, "previous", False),
    ]
    assert plan[0].recipe == cfg["first"]["conv-32"] and plan[1].recipe == cfg["finetune"]["conv-32"]


def test_a_scratch_pair_breaks_the_chain_with_its_own_recipe():
    from helpers import profiles
    from helpers.training import Recipe

    cfg = profiles.settings("denoise", "standard")
    own = Recipe(3, 16, 1e-3, "cosine")
    cfg["scratch"] = {("conv-32", 0.2): own}
    cfg["base"] = {}
    plan = profiles.denoise_plan(cfg, ["conv-32"], [0.3, 0.2, 0.1], True, epochs=5)
    assert [(st.recipe, st.start) for st in plan] == [
        (cfg["first"]["conv-32"].override(epochs=5), "scratch"),
        (own.override(epochs=5), "scratch"),
        (cfg["finetune"]["conv-32"], "previous"),
    ]


def test_a_warm_pair_is_fine_tuned_with_its_own_recipe():
    from helpers import profiles
    from helpers.training import Recipe

    cfg = profiles.settings("denoise", "standard")
    own = Recipe(4, 16, 1.5e-3, "cosine")
    cfg["warm"], cfg["scratch"], cfg["base"] = {("conv-32", 0.2): own}, {}, {}
    plan = profiles.denoise_plan(
        cfg, ["conv-32"], [0.3, 0.2, 0.1], True, epochs=5
    )  # overrides leave warm recipes alone
    assert [(st.recipe, st.start) for st in plan] == [
        (cfg["first"]["conv-32"].override(epochs=5), "scratch"),
        (own, "previous"),
        (cfg["finetune"]["conv-32"], "previous"),
    ]
    assert profiles.warm_recipe(cfg, "conv-32", 0.2) == own


def test_engine_settings_are_per_model_and_a_notebook_parameter_overrides_them():
    from helpers import profiles

    cfg = profiles.settings("denoise", "standard")
    engines = {
        (st.model, st.sigma): st.engine
        for st in profiles.denoise_plan(cfg, ["conv-32", "conv-64"], [0.3, 0.2, 0.1], True)
    }
    # only conv-32 at sigma 0.3 and 0.2 (chosen on validation) leave the section's float32 FreshNoise pipeline
    for pair in (("conv-32", 0.3), ("conv-32", 0.2)):
        assert engines.pop(pair) == {
            "fresh_noise": True,
            "noise_in_graph": True,
            "precision": "mixed_bfloat16",
        }
    assert all(
        e == {"fresh_noise": True, "noise_in_graph": False, "precision": "float32"} for e in engines.values()
    )
    forced = profiles.denoise_plan(
        cfg, ["conv-32"], [0.3, 0.2], True, engine={"precision": "float32", "noise_in_graph": None}
    )
    assert [st.engine["precision"] for st in forced] == ["float32"] * 3  # the base, sigma 0.3 and 0.2
    assert [st.engine["noise_in_graph"] for st in forced] == [True] * 3  # None keeps the per-model setting
    assert profiles.denoise_engine(cfg, "conv-64", 0.3)["noise_in_graph"] is False
    with pytest.raises(ValueError, match="precision must be one of"):
        profiles.denoise_plan(cfg, ["conv-32"], [0.3], True, engine={"precision": "bfloat16"})
    with pytest.raises(TypeError, match="Unknown engine setting"):
        profiles.denoise_engine(cfg, "conv-32", 0.3, precison="float32")


def test_the_plan_and_the_lever_benchmark_share_each_pairs_recipes():
    from helpers import profiles

    cfg = profiles.settings("denoise", "standard")
    plan = {
        (st.model, st.sigma, st.is_base): st.recipe
        for st in profiles.denoise_plan(cfg, ["conv-32", "conv-64"], [0.3, 0.2, 0.1], True)
    }
    # the lever benchmark's warm-start parent is the plan's base model; its fine-tunes are the plan's too
    assert (
        plan[("conv-32", 0.2, True)]
        == profiles.scratch_recipe(cfg, "conv-32", 0.2)
        == cfg["scratch"][("conv-32", 0.2)]
    )
    assert (
        plan[("conv-32", 0.3, False)]
        == profiles.warm_recipe(cfg, "conv-32", 0.3)
        == cfg["warm"][("conv-32", 0.3)]
    )
    assert (
        plan[("conv-32", 0.2, False)]
        == profiles.warm_recipe(cfg, "conv-32", 0.2)
        == cfg["warm"][("conv-32", 0.2)]
    )
    assert (
        plan[("conv-32", 0.1, False)]
        == profiles.warm_recipe(cfg, "conv-32", 0.1)
        == cfg["finetune"]["conv-32"]
    )
    assert (
        plan[("conv-64", 0.1, False)]
        == profiles.warm_recipe(cfg, "conv-64", 0.1)
        == cfg["finetune"]["conv-64"]
    )
    assert (
        plan[("conv-64", 0.3, False)]
        == profiles.scratch_recipe(cfg, "conv-64", 0.3)
        == cfg["first"]["conv-64"]
    )
    report = profiles.settings("denoise", "report")
    with pytest.raises(ValueError, match="set warm_start to False"):  # before any training
        profiles.denoise_plan(report, ["conv-32"], [0.3, 0.2], True)
