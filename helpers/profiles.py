"""Run profiles: how much each notebook trains.

* ``smoke``    - seconds per notebook, on a small slice; for the tests, never for numbers.
* ``standard`` - the default main job: report quality or better, fast on a 2-core CPU.
* ``report``   - the assignment report's protocol (its epochs, batch 32, plain Adam at 1e-3).

A notebook asks for its section's settings with :func:`settings`; its ``parameters`` cell may
override any of them.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from helpers.models import conv_filters, dense_layers
from helpers.training import Recipe, check_precision

PROFILES = ("smoke", "standard", "report")

_REPORT_ADAM = dict(batch_size=32, learning_rate=1e-3, schedule="constant")
# Section II's fast engine: the noise drawn in the compiled graph, bfloat16 compute (float32 weights).
_BF16_IN_GRAPH = {"noise_in_graph": True, "precision": "mixed_bfloat16"}

# Every standard recipe was chosen on VALIDATION data (the 5,000 images held out of the training set, or
# Section III's validation subject), never on a test figure: docs/recipes.md tells how, with the records.
_SECTIONS: dict[str, dict[str, dict[str, Any]]] = {
    "dense": {
        "smoke": {
            "train_limit": 2048,
            "recipes": {
                m: Recipe(2, 256, 3e-3, "cosine")
                for m in ("dense-32", "dense-64", "dense-128-32-128", "dense-128-64-128")
            },
        },
        "standard": {
            "train_limit": None,
            "recipes": {
                # Validation curves flat over the last 5 epochs (docs/recipes.md#section-i-dense-autoencoders).
                "dense-32": Recipe(25, 256, 6e-3, "cosine", warmup_epochs=1),
                "dense-64": Recipe(25, 256, 6e-3, "cosine", warmup_epochs=1),
                # The best of three candidates on validation (results/validation/dense-128-32-128.json).
                "dense-128-32-128": Recipe(60, 256, 6e-3, "cosine", warmup_epochs=1),
                "dense-128-64-128": Recipe(40, 256, 3e-3, "cosine", warmup_epochs=1),
            },
        },
        "report": {
            "train_limit": None,
            "recipes": {
                m: Recipe(50, **_REPORT_ADAM)
                for m in ("dense-32", "dense-64", "dense-128-32-128", "dense-128-64-128")
            },
        },
    },
    # Section II, keyed by model name (conv-<filters>); a model a table does not name gets the recipe of the
    # nearest filter count (denoise_recipe). Warm starts across sigma: the first sigma trains from scratch, each
    # next one starts from the previous model and is fine-tuned ("finetune" recipe, or the pair's own in "warm"),
    # except the (model, sigma) pairs in "scratch", which train from scratch with their own recipe. A model in
    # "base" first trains a base model from scratch at the sigma named there, and fine-tunes every sigma from it.
    # "engine" sets the noise pipeline and compute precision per (model, sigma).
    # Evidence for each standard choice (validation only): docs/recipes.md#section-ii.
    "denoise": {
        "smoke": {
            "train_limit": 1024,
            "test_limit": 1000,
            "fresh_noise": True,
            "noise_in_graph": False,
            "precision": "float32",
            "engine": {pair: dict(_BF16_IN_GRAPH) for pair in (("conv-32", 0.3), ("conv-32", 0.2))},
            "first": {"conv-32": Recipe(1, 64, 3e-3, "cosine"), "conv-64": Recipe(1, 64, 3e-3, "cosine")},
            "finetune": {"conv-32": Recipe(1, 64, 1e-3, "cosine"), "conv-64": Recipe(1, 64, 1e-3, "cosine")},
            # the standard plan's shape, in seconds: conv-32 fine-tunes every sigma from a sigma 0.2 base
            "base": {"conv-32": 0.2},
            "warm": {
                ("conv-32", 0.3): Recipe(1, 32, 2e-3, "cosine"),
                ("conv-32", 0.2): Recipe(1, 16, 1e-3, "cosine"),
            },
            "scratch": {("conv-32", 0.2): Recipe(1, 16, 1.5e-3, "cosine")},
        },
        "standard": {
            "train_limit": None,
            "test_limit": None,
            # The section's noise pipeline and compute precision: the float32 FreshNoise PyDataset.
            "fresh_noise": True,
            "noise_in_graph": False,
            "precision": "float32",
            # conv-32 at sigma 0.3 and 0.2 (and its base): bfloat16, noise drawn in the graph (docs/recipes.md).
            "engine": {pair: dict(_BF16_IN_GRAPH) for pair in (("conv-32", 0.3), ("conv-32", 0.2))},
            "first": {
                "conv-32": Recipe(40, 32, 2e-3, "cosine", warmup_epochs=1),
                "conv-64": Recipe(30, 64, 3e-3, "cosine", warmup_epochs=1),
            },
            # Fine-tunes: the validation curves flatten after 1-2 epochs; 6 epochs (docs/recipes.md).
            "finetune": {"conv-32": Recipe(6, 32, 1e-3, "cosine"), "conv-64": Recipe(6, 64, 1e-3, "cosine")},
            # conv-32: a sigma 0.2 base model (60 epochs from scratch), every sigma fine-tuned from it; each
            # step chosen on validation MSE, seeds 42-44 (docs/recipes.md).
            "base": {"conv-32": 0.2},
            "warm": {
                ("conv-32", 0.3): Recipe(12, 32, 2e-3, "cosine", warmup_epochs=1),
                ("conv-32", 0.2): Recipe(12, 16, 1e-3, "cosine", warmup_epochs=1),
            },
            "scratch": {("conv-32", 0.2): Recipe(60, 16, 1.5e-3, "cosine", warmup_epochs=1)},
        },
        "report": {
            "train_limit": None,
            "test_limit": None,
            "fresh_noise": False,
            "noise_in_graph": False,
            "precision": "float32",
            "engine": {},
            "first": {"conv-32": Recipe(65, **_REPORT_ADAM), "conv-64": Recipe(65, **_REPORT_ADAM)},
            "finetune": None,  # the report trained every model from scratch
            "base": {},
            "warm": {},
            "scratch": {},
        },
    },
    # Section V. The report gives no VAE training protocol; "report" uses its usual Adam at batch 32.
    # Standard: 25 epochs, where the validation curves have flattened (docs/recipes.md).
    "vae": {
        "smoke": {
            "train_limit": 2048,
            "test_limit": 1000,
            "hidden": 64,
            "recipe": Recipe(1, 128, 2e-3, "cosine"),
            "judge": Recipe(1, 128, 2e-3, "cosine"),
        },
        "standard": {
            "train_limit": None,
            "test_limit": None,
            "hidden": 256,
            "recipe": Recipe(25, 128, 2e-3, "cosine", warmup_epochs=1),
            "judge": Recipe(6, 128, 2e-3, "cosine"),
        },
        "report": {
            "train_limit": None,
            "test_limit": None,
            "hidden": 256,
            "recipe": Recipe(50, **_REPORT_ADAM),
            "judge": Recipe(10, **_REPORT_ADAM),
        },
    },
    # Sections III/IV. Windows are cut lazily from continuous recordings; augmentation on by default.
    # Standard: 5 epochs, scored on Section III's validation subject (results/seeds); no longer schedule has
    # been tried on validation yet (docs/recipes.md).
    "imu": {
        "smoke": {
            "windows_per_speed": 20,
            "models": ["conv-lstm", "zupt-residual"],
            "unseen_subjects": [7],
            "recipe": Recipe(1, 32, 3e-3, "cosine"),
        },
        "standard": {
            "windows_per_speed": 1000,
            # zupt-residual (ZUPT plus a learned correction) chosen on Section III's validation subject
            # over ZUPT and conv-lstm, seeds 42-44 (docs/recipes.md)
            "models": ["conv-lstm", "zupt-residual"],
            "unseen_subjects": [5, 6, 7, 8, 9],
            "recipe": Recipe(5, 64, 3e-3, "cosine", warmup_epochs=0.5),
        },
        # The report tested on subject 4 alone; its 3x200 LSTM is far slower than the conv-LSTM (results/report).
        "report": {
            "windows_per_speed": 1000,
            "models": ["report-lstm"],
            "unseen_subjects": [],
            "recipe": Recipe(3, **_REPORT_ADAM),
        },
    },
}


def dense_recipe(config: dict[str, Any], name: str) -> Recipe:
    """The profile's recipe for a Section I model. One the profile does not name (``dense-8``,
    ``dense-512-8-512``) gets the recipe of the report's model of the same kind: one hidden layer like
    ``dense-64``, several like ``dense-128-64-128``."""
    recipes = config["recipes"]
    if name in recipes:
        return recipes[name]
    return recipes["dense-64" if len(dense_layers(name)) == 1 else "dense-128-64-128"]


def denoise_recipe(table: dict[str, Recipe], model: str) -> Recipe:
    """A Section II recipe from a table keyed by model name; a model it does not name (``conv-16``) gets the
    recipe of the one nearest in filter count."""
    filters = conv_filters(model)
    return table.get(model) or table[min(table, key=lambda m: abs(math.log(conv_filters(m) / filters)))]


ENGINE_KEYS = ("fresh_noise", "noise_in_graph", "precision")


def denoise_engine(config: dict[str, Any], model: str, sigma: float, **overrides: Any) -> dict[str, Any]:
    """How one Section II model is fed and computed: ``fresh_noise``, ``noise_in_graph`` and ``precision``,
    as :func:`helpers.denoising.train_denoiser` takes them. The section's settings, then the profile's
    per-model ``engine`` entry for ``(model, sigma)``, then ``overrides`` (a notebook's parameters; ``None``
    keeps the profile's). A precision that is not one of ``PRECISIONS`` is refused here, before training."""
    unknown = set(overrides) - set(ENGINE_KEYS)
    if unknown:
        raise TypeError(f"Unknown engine setting(s) {sorted(unknown)}; choose from {ENGINE_KEYS}.")
    engine = {key: config[key] for key in ENGINE_KEYS}
    engine |= config.get("engine", {}).get((model, sigma), {})
    engine |= {key: value for key, value in overrides.items() if value is not None}
    check_precision(engine["precision"])
    return engine


def scratch_recipe(config: dict[str, Any], model: str, sigma: float) -> Recipe:
    """The recipe that trains Section II's ``(model, sigma)`` from scratch: the pair's own in ``scratch``, else
    the model's ``first``."""
    return config.get("scratch", {}).get((model, sigma)) or denoise_recipe(config["first"], model)


def warm_recipe(config: dict[str, Any], model: str, sigma: float) -> Recipe:
    """The recipe that fine-tunes Section II's ``(model, sigma)`` from a warm start: the pair's own in ``warm``,
    else the model's ``finetune``."""
    own = config.get("warm", {}).get((model, sigma))
    if own is None and config.get("finetune") is None:
        raise ValueError(
            "This profile has no fine-tune recipe (the report trained every model from scratch): "
            "set warm_start to False, or choose the standard profile."
        )
    return own or denoise_recipe(config["finetune"], model)


class DenoiseStep(NamedTuple):
    """One training in Section II's plan."""

    model: str  # conv-<filters>
    sigma: float
    recipe: Recipe
    start: str  # "scratch", "previous" (the model's last one) or "base" (the model's base model)
    engine: dict[str, Any]  # fresh_noise, noise_in_graph, precision
    is_base: bool = False  # a base model: the model's other sigmas start from it; it is not a result itself

    @property
    def filters(self) -> int:
        return conv_filters(self.model)


def denoise_plan(
    config: dict[str, Any],
    models: list[str],
    sigma_order: list[float],
    warm_start: bool,
    engine: dict[str, Any] | None = None,
    **overrides: Any,
) -> list[DenoiseStep]:
    """Section II's training plan, in training order, model by model (``conv-<filters>`` names).

    With ``warm_start``, a model whose ``base`` sigma is among ``sigma_order`` first trains a base model from
    scratch at that sigma, and every sigma is fine-tuned from the base. Otherwise each model's first sigma
    trains from scratch with the ``first`` recipe, and each next one starts from the previous sigma's model,
    except the (model, sigma) pairs in ``scratch``, which train from scratch with their own recipe. A
    fine-tune uses the pair's own recipe in ``warm``, else the model's ``finetune``. ``overrides`` (``epochs``,
    ``batch_size``, ``learning_rate``; ``None`` keeps the profile's) apply to from-scratch recipes; ``engine``
    (``fresh_noise``, ``noise_in_graph``, ``precision``; ``None`` keeps the profile's) to every model, over
    :func:`denoise_engine`'s per-model settings. A mistyped name stops here, before training.
    """
    for model in models:
        conv_filters(model)

    def step(model: str, sigma: float, start: str, is_base: bool = False) -> DenoiseStep:
        recipe = (
            scratch_recipe(config, model, sigma).override(**overrides)
            if start == "scratch"
            else warm_recipe(config, model, sigma)
        )
        return DenoiseStep(
            model, sigma, recipe, start, denoise_engine(config, model, sigma, **(engine or {})), is_base
        )

    plan = []
    for model in models:
        base = config.get("base", {}).get(model) if warm_start else None
        if base in sigma_order:
            plan += [step(model, base, "scratch", is_base=True)] + [
                step(model, s, "base") for s in sigma_order
            ]
            continue
        for k, sigma in enumerate(sigma_order):
            chained = warm_start and k > 0 and (model, sigma) not in config.get("scratch", {})
            plan.append(step(model, sigma, "previous" if chained else "scratch"))
    return plan


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}. Choose one of: {', '.join(PROFILES)}.")
    return profile


def settings(section: str, profile: str) -> dict[str, Any]:
    """A fresh copy of ``section``'s settings under ``profile`` (``smoke``, ``standard`` or ``report``)."""
    check_profile(profile)
    if section not in _SECTIONS:
        raise ValueError(f"Unknown section {section!r}. Choose one of: {', '.join(_SECTIONS)}.")
    found = _SECTIONS[section][profile]
    return {key: (dict(value) if isinstance(value, dict) else value) for key, value in found.items()}
