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

from helpers.training import Recipe

PROFILES = ("smoke", "standard", "report")

_REPORT_ADAM = dict(batch_size=32, learning_rate=1e-3, schedule="constant")
# Section II's fast engine: the noise drawn in the compiled graph, bfloat16 compute (float32 weights).
_BF16_IN_GRAPH = {"noise_in_graph": True, "precision": "mixed_bfloat16"}

# Every standard recipe is justified below by VALIDATION figures (the 5,000 images held out of the training
# set, or Section III's validation subject), never by a test figure. "Run e10327c" is the standard run of
# that commit (results/standard/results.json, seed 42), whose records keep each model's validation curve.
_SECTIONS: dict[str, dict[str, dict[str, Any]]] = {
    "dense": {
        "smoke": {
            "train_limit": 2048,
            "recipes": {m: Recipe(2, 256, 3e-3, "cosine") for m in
                        ("dense-32", "dense-64", "dense-128-32-128", "dense-128-64-128")},
        },
        "standard": {
            "train_limit": None,
            "recipes": {
                # Run e10327c, final validation MSE: dense-32 0.01244, dense-64 0.008487, dense-128-64-128
                # 0.007965; each fell by only 0.5-0.8% over its last 5 epochs. No other schedule was tried.
                "dense-32": Recipe(25, 256, 6e-3, "cosine", warmup_epochs=1),
                "dense-64": Recipe(25, 256, 6e-3, "cosine", warmup_epochs=1),
                # Chosen on validation (benchmarks/validation_probe.py, seeds 43 and 45, 2-core CPU, 2026-11-30;
                # results/validation/dense-128-32-128.json): 40 epochs at 6e-3 ended at 0.009736 / 0.009931,
                # 40 at 3e-3 at 0.010036 / 0.009925, 60 at 6e-3 at 0.009324 / 0.009627. 60 it is.
                "dense-128-32-128": Recipe(60, 256, 6e-3, "cosine", warmup_epochs=1),
                "dense-128-64-128": Recipe(40, 256, 3e-3, "cosine", warmup_epochs=1),
            },
        },
        "report": {
            "train_limit": None,
            "recipes": {m: Recipe(50, **_REPORT_ADAM) for m in
                        ("dense-32", "dense-64", "dense-128-32-128", "dense-128-64-128")},
        },
    },
    # Section II. Warm starts across sigma: the first sigma trains from scratch, each next one starts from
    # the previous model and is fine-tuned ("finetune" recipe, or the pair's own in "warm"), except the
    # (width, sigma) pairs in "scratch", which train from scratch with their own recipe. A width in "base"
    # first trains a base model from scratch at the sigma named there, and fine-tunes every sigma from it. Fresh
    # noise is drawn every epoch; "engine" sets the noise pipeline and compute precision per (width, sigma).
    "denoise": {
        "smoke": {
            "train_limit": 1024,
            "test_limit": 1000,
            "fresh_noise": True, "noise_in_graph": False, "precision": "float32",
            "engine": {pair: dict(_BF16_IN_GRAPH) for pair in ((32, 0.3), (32, 0.2))},
            "first": {32: Recipe(1, 64, 3e-3, "cosine"), 64: Recipe(1, 64, 3e-3, "cosine")},
            "finetune": {32: Recipe(1, 64, 1e-3, "cosine"), 64: Recipe(1, 64, 1e-3, "cosine")},
            # the standard plan's shape, in seconds: conv-32 fine-tunes every sigma from a sigma 0.2 base
            "base": {32: 0.2},
            "warm": {(32, 0.3): Recipe(1, 32, 2e-3, "cosine"), (32, 0.2): Recipe(1, 16, 1e-3, "cosine")},
            "scratch": {(32, 0.2): Recipe(1, 16, 1.5e-3, "cosine")},
        },
        "standard": {
            "train_limit": None,
            "test_limit": None,
            # The section's noise pipeline and compute precision: the float32 FreshNoise PyDataset.
            "fresh_noise": True, "noise_in_graph": False, "precision": "float32",
            # Per-model exceptions, (width, sigma) -> engine settings, each chosen on validation MSE
            # (benchmarks/SECTION2_LEVERS.md). conv-32 at sigma 0.3: 40 epochs in bfloat16 with the noise drawn
            # in the graph, against 30 float32 epochs with FreshNoise: 0.008904 / 0.008982 / 0.008893 against
            # 0.009010 / 0.009019 / 0.008986 (seeds 42 / 43 / 44, better on every one, -0.9% on average).
            # conv-32 at sigma 0.2 (and its base model): see "base" below.
            "engine": {pair: dict(_BF16_IN_GRAPH) for pair in ((32, 0.3), (32, 0.2))},
            # Run e10327c, final validation MSE at sigma 0.3: conv-64 0.008127 (30 epochs). conv-32 (used without
            # warm starts; with them, its base model below): the 40-epoch row above.
            "first": {32: Recipe(40, 32, 2e-3, "cosine", warmup_epochs=1),
                      64: Recipe(30, 64, 3e-3, "cosine", warmup_epochs=1)},
            # Warm starts: the validation curves of the 20- and 12-epoch fine-tunes of commit 4519671 had
            # flattened after 1-2 epochs; with 6 epochs (run e10327c) the final validation MSE is conv-32
            # sigma 0.1 0.003529, conv-64 sigma 0.2 0.005349 and sigma 0.1 0.00302.
            "finetune": {32: Recipe(6, 32, 1e-3, "cosine"), 64: Recipe(6, 64, 1e-3, "cosine")},
            # conv-32 has a base model: sigma 0.2 from scratch (60 epochs in bfloat16, noise in the graph, the
            # "scratch" recipe), and each of its three sigmas is fine-tuned from that base. All chosen on validation
            # MSE, seeds 42 / 43 / 44 (benchmarks/SECTION2_LEVERS.md; results/validation/section2-levers-*):
            # * the base itself scored 0.005888 / 0.005973 / 0.005937 at sigma 0.2, against 0.005924 / 0.006001 /
            #   0.005959 for a 30-epoch fine-tune from the sigma 0.3 model;
            # * sigma 0.2, restarted from the base (12 epochs, batch 16, cosine from 1e-3 with one warm-up epoch):
            #   0.005876 / 0.005960 / 0.005923, better on every seed (10 epochs from 3e-4: 0.005884 / 0.005967 /
            #   0.005931). The base alone missed the report's test MSE on seed 43 (results/seeds, git ec01425);
            # * sigma 0.3 from the base (12 epochs, batch 32, cosine from 2e-3, one warm-up epoch): 0.008829 /
            #   0.008895 / 0.008873, against 0.008905 / 0.008982 / 0.008894 for the 40 epochs from scratch above,
            #   in about a third of the time (20 epochs: 0.008806 / 0.008872 / 0.008848, not worth 8 more epochs);
            # * sigma 0.1 from the base (the "finetune" recipe): 0.003495 / 0.003599 / 0.003563, against 0.003570 /
            #   0.003674 / 0.003635 after the older chain's 30-epoch sigma 0.2 fine-tune.
            "base": {32: 0.2},
            "warm": {(32, 0.3): Recipe(12, 32, 2e-3, "cosine", warmup_epochs=1),
                     (32, 0.2): Recipe(12, 16, 1e-3, "cosine", warmup_epochs=1)},
            "scratch": {(32, 0.2): Recipe(60, 16, 1.5e-3, "cosine", warmup_epochs=1)},
        },
        "report": {
            "train_limit": None,
            "test_limit": None,
            "fresh_noise": False, "noise_in_graph": False, "precision": "float32", "engine": {},
            "first": {32: Recipe(65, **_REPORT_ADAM), 64: Recipe(65, **_REPORT_ADAM)},
            "finetune": None,  # the report trained every model from scratch
            "base": {},
            "warm": {},
            "scratch": {},
        },
    },
    # Section V. The report gives no VAE training protocol; "report" uses its usual Adam at batch 32.
    # Standard: 25 epochs. The validation loss (5,000 held-out training images) of the seed study's seed-42
    # run falls by 0.2-0.3 nats over the last 5 epochs (vae-2d 264.48 -> 264.26, vae-16d 242.32 -> 242.06,
    # ae-2d 255.66 -> 255.38): the curves have flattened.
    "vae": {
        "smoke": {"train_limit": 2048, "test_limit": 1000, "hidden": 64,
                  "recipe": Recipe(1, 128, 2e-3, "cosine"), "judge": Recipe(1, 128, 2e-3, "cosine")},
        "standard": {"train_limit": None, "test_limit": None, "hidden": 256,
                     "recipe": Recipe(25, 128, 2e-3, "cosine", warmup_epochs=1),
                     "judge": Recipe(6, 128, 2e-3, "cosine")},
        "report": {"train_limit": None, "test_limit": None, "hidden": 256,
                   "recipe": Recipe(50, **_REPORT_ADAM), "judge": Recipe(10, **_REPORT_ADAM)},
    },
    # Sections III/IV. Windows are cut lazily from continuous recordings; augmentation on by default.
    # Standard: 5 epochs give Section III's validation subject (2) an RMSE of 1.08 +- 0.07 km/h (seeds 42-44,
    # git 141b2c9), against 1.73 for predicting the mean, 2.00 for the gait-feature ridge and 0.50 for the
    # untrained ZUPT estimate. No longer schedule was tried on validation: the next step for this section.
    "imu": {
        "smoke": {"windows_per_speed": 20, "model": "conv-lstm", "zupt_windows": 24, "unseen_subjects": [7],
                  "recipe": Recipe(1, 32, 3e-3, "cosine")},
        "standard": {"windows_per_speed": 1000, "model": "conv-lstm", "zupt_windows": 600,
                     "unseen_subjects": [5, 6, 7, 8, 9],
                     "recipe": Recipe(5, 64, 3e-3, "cosine", warmup_epochs=0.5)},
        # The report tested on subject 4 alone; its seed LSTM predicts ~25x slower than the conv-LSTM. One run
        # (results/report, git f62433e): 2,033 s + 3,438 s of training on 2 cores, peak memory 2.7 GB.
        "report": {"windows_per_speed": 1000, "model": "seed-lstm", "zupt_windows": 600, "unseen_subjects": [],
                   "recipe": Recipe(3, **_REPORT_ADAM)},
    },
}


def dense_recipe(config: dict[str, Any], name: str) -> Recipe:
    """The profile's recipe for a Section I model. One the profile does not name (``dense-8``,
    ``dense-512-8-512``) gets the recipe of the report's model of the same kind: one hidden layer like
    ``dense-64``, several like ``dense-128-64-128``."""
    from helpers.models import dense_layers

    recipes = config["recipes"]
    if name in recipes:
        return recipes[name]
    return recipes["dense-64" if len(dense_layers(name)) == 1 else "dense-128-64-128"]


def denoise_recipe(table: dict[int, Recipe], width: int) -> Recipe:
    """A Section II recipe from a table keyed by filter count; another width gets the nearest one's."""
    return table.get(width) or table[min(table, key=lambda w: abs(math.log(w / width)))]


ENGINE_KEYS = ("fresh_noise", "noise_in_graph", "precision")


def denoise_engine(config: dict[str, Any], width: int, sigma: float, **overrides: Any) -> dict[str, Any]:
    """How one Section II model is fed and computed: ``fresh_noise``, ``noise_in_graph`` and ``precision``,
    as :func:`helpers.denoising.train_denoiser` takes them. The section's settings, then the profile's
    per-model ``engine`` entry for ``(width, sigma)``, then ``overrides`` (a notebook's parameters; ``None``
    keeps the profile's). A precision that is not one of ``PRECISIONS`` is refused here, before training."""
    from helpers.denoising import check_precision

    unknown = set(overrides) - set(ENGINE_KEYS)
    if unknown:
        raise TypeError(f"Unknown engine setting(s) {sorted(unknown)}; choose from {ENGINE_KEYS}.")
    engine = {key: config[key] for key in ENGINE_KEYS}
    engine |= config.get("engine", {}).get((width, sigma), {})
    engine |= {key: value for key, value in overrides.items() if value is not None}
    check_precision(engine["precision"])
    return engine


def scratch_recipe(config: dict[str, Any], width: int, sigma: float) -> Recipe:
    """The recipe that trains Section II's ``(width, sigma)`` model from scratch: the pair's own in
    ``scratch``, else the width's ``first``."""
    return config.get("scratch", {}).get((width, sigma)) or denoise_recipe(config["first"], width)


def warm_recipe(config: dict[str, Any], width: int, sigma: float) -> Recipe:
    """The recipe that fine-tunes Section II's ``(width, sigma)`` model from a warm start: the pair's own in
    ``warm``, else the width's ``finetune``."""
    own = config.get("warm", {}).get((width, sigma))
    if own is None and config.get("finetune") is None:
        raise ValueError("This profile has no fine-tune recipe (the report trained every model from scratch): "
                         "set warm_start to False, or choose the standard profile.")
    return own or denoise_recipe(config["finetune"], width)


class DenoiseStep(NamedTuple):
    """One training in Section II's plan."""

    width: int
    sigma: float
    recipe: Recipe
    start: str  # "scratch", "previous" (the width's last model) or "base" (the width's base model)
    engine: dict[str, Any]  # fresh_noise, noise_in_graph, precision
    is_base: bool = False  # a base model: the width's other models start from it; it is not a result itself


def denoise_plan(config: dict[str, Any], widths: list[int], sigma_order: list[float], warm_start: bool,
                 engine: dict[str, Any] | None = None, **overrides: Any) -> list[DenoiseStep]:
    """Section II's training plan, in training order, width by width.

    With ``warm_start``, a width whose ``base`` sigma is among ``sigma_order`` first trains a base model from
    scratch at that sigma, and every sigma is fine-tuned from the base. Otherwise each width's first sigma
    trains from scratch with the ``first`` recipe, and each next one starts from the previous sigma's model,
    except the (width, sigma) pairs in ``scratch``, which train from scratch with their own recipe. A
    fine-tune uses the pair's own recipe in ``warm``, else the width's ``finetune``. ``overrides`` (``epochs``,
    ``batch_size``, ``learning_rate``; ``None`` keeps the profile's) apply to from-scratch recipes; ``engine``
    (``fresh_noise``, ``noise_in_graph``, ``precision``; ``None`` keeps the profile's) to every model, over
    :func:`denoise_engine`'s per-model settings.
    """
    def step(width: int, sigma: float, start: str, is_base: bool = False) -> DenoiseStep:
        recipe = (scratch_recipe(config, width, sigma).override(**overrides) if start == "scratch"
                  else warm_recipe(config, width, sigma))
        return DenoiseStep(width, sigma, recipe, start, denoise_engine(config, width, sigma, **(engine or {})), is_base)

    plan = []
    for width in widths:
        base = config.get("base", {}).get(width) if warm_start else None
        if base in sigma_order:
            plan += [step(width, base, "scratch", is_base=True)] + [step(width, s, "base") for s in sigma_order]
            continue
        for k, sigma in enumerate(sigma_order):
            chained = warm_start and k > 0 and (width, sigma) not in config.get("scratch", {})
            plan.append(step(width, sigma, "previous" if chained else "scratch"))
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
