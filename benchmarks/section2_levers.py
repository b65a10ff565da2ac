"""Section II levers: what each costs per epoch and what it does to validation MSE (never test).

    python benchmarks/section2_levers.py timing            # seconds per 55,000-image epoch, per lever
    python benchmarks/section2_levers.py quality --model conv-32 --sigma 0.3 --lever graph-noise ...
    python benchmarks/section2_levers.py plan --model conv-64 --levers graph-noise-bf16 --seed 43

``timing`` trains each (width, batch, lever) for two epochs on a slice of the training images and times the
second (the first includes compilation), scaled to the notebook's 55,000 training images. Both sides use the
notebook's pipeline and engine settings (``helpers.training.fit``, STEPS_PER_EXECUTION); only the lever differs.
``quality`` trains the standard recipe's model with a lever and prints the final validation MSE on the
notebook's 5,000 validation images with the notebook's validation noise. Rows go to a JSON file with the
machine and git revision.

Levers: ``fresh-noise`` (the notebook's FreshNoise PyDataset, float32: the baseline), ``graph-noise``
(``noise.with_training_noise``: noise drawn in the graph), ``graph-noise-bf16`` (the same under the
``mixed_bfloat16`` policy: bfloat16 compute, float32 weights; AMX/avx512_bf16 on this CPU), ``fresh-noise-bf16``
(the FreshNoise PyDataset into a bfloat16 model). Recipe levers
go through ``quality``'s overrides, e.g. stochastic weight averaging over a constant-learning-rate tail:
``--average-epochs 8 --final-lr-fraction 0.1``. ``--warm-from 0.3`` measures a fine-tune instead: it starts
from the standard model trained at that sigma (trained first, as the notebook trains it, and kept under runs/)
with the plan's fine-tune recipe for the pair (``profiles.warm_recipe``) and the overrides. ``plan`` trains a
model's whole standard plan (base model, warm-start chain) through notebook 02's own path
(``helpers.denoising.train_plan``) and scores each model on validation only; one ``--levers`` entry sets every
step's engine, else each keeps the profile's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import profiles  # noqa: E402
from helpers.denoising import train_denoiser, train_plan  # noqa: E402
from helpers.fashion_mnist import load_fashion_mnist  # noqa: E402
from helpers.lab.provenance import git_revision, machine  # noqa: E402
from helpers.metrics import mse  # noqa: E402
from helpers.models import conv_autoencoder, conv_filters  # noqa: E402
from helpers.noise import noisy_versions  # noqa: E402
from helpers.paths import RUNS_DIR, atomic_write_json  # noqa: E402
from helpers.training import Recipe, predict  # noqa: E402

LEVERS = ("fresh-noise", "graph-noise", "graph-noise-bf16", "fresh-noise-bf16")
FIT_IMAGES = 55_000


def lever_engine(lever: str) -> dict:
    """A lever's engine settings, as ``train_denoiser`` and the profile's ``engine`` table take them."""
    return {
        "fresh_noise": True,
        "noise_in_graph": lever.startswith("graph"),
        "precision": "mixed_bfloat16" if lever.endswith("bf16") else "float32",
    }


def train(
    model: str,
    sigma: float,
    recipe: Recipe,
    lever: str,
    x_fit,
    seed: int,
    validation_data=None,
    start_from=None,
):
    """One training run with a lever, through the notebook's own training step; returns (float32 model, run)."""
    return train_denoiser(
        conv_autoencoder,
        conv_filters(model),
        sigma,
        recipe,
        x_fit,
        seed=seed,
        validation_data=validation_data,
        start_from=start_from,
        verbose=0,
        **lever_engine(lever),
    )


def timing(args, x_all) -> list[dict]:
    rows = []
    x = x_all[: args.images]
    for width, batch in args.models:
        for lever in args.levers:
            _, run = train(f"conv-{width}", 0.3, Recipe(2, batch, 1e-3, "cosine"), lever, x, args.seed)
            per_epoch = (run.epoch_seconds[1] - run.epoch_seconds[0]) * FIT_IMAGES / len(x)
            rows.append(
                {
                    "width": width,
                    "batch_size": batch,
                    "lever": lever,
                    "seconds_per_epoch": round(per_epoch, 1),
                }
            )
            print(
                f"conv-{width} batch {batch:3d} {lever:17s}: {per_epoch:5.1f} s per {FIT_IMAGES:,}-image epoch",
                flush=True,
            )
    return rows


def warm_start_parent(args, cfg, x_fit, x_val, noisy_val):
    """The standard model ``--model`` trained from scratch at ``--warm-from``, with its plan's recipe and
    engine, as the notebook trains it; kept under runs/ so that several warm-start levers share one parent.

    Returns ``(parent, facts)``: ``facts`` (its recipe, final validation MSE and seconds, and whether it came
    from the cache) is stored beside the cached weights, so a row that reuses a parent still says what it was.
    """
    step = profiles.denoise_plan(cfg, [args.model], [args.warm_from], False)[0]
    name, sigma, recipe, engine = step.model, step.sigma, step.recipe, step.engine
    tag = hashlib.sha1(repr((recipe, sorted(engine.items()), args.seed)).encode()).hexdigest()[:10]
    cache = RUNS_DIR / "section2_levers_parents" / f"{name}-sigma-{sigma}-seed-{args.seed}-{tag}.weights.h5"
    facts_path = cache.with_name(cache.name.removesuffix(".weights.h5") + ".json")
    parent = conv_autoencoder(step.filters)
    if cache.is_file():
        parent.load_weights(cache)
        print(f"warm-start parent {name} sigma={sigma} ({recipe}) <- {cache}", flush=True)
        known = json.loads(facts_path.read_text()) if facts_path.is_file() else {}  # older caches have none
        return parent, {
            "parent_seconds": known.get("parent_seconds"),
            "parent_recipe": known.get("parent_recipe"),
            "parent_val_mse": known.get("parent_val_mse"),
            "parent_cached": True,
        }
    parent, run = train_denoiser(
        conv_autoencoder,
        step.filters,
        sigma,
        recipe,
        x_fit,
        seed=args.seed,
        validation_data=(noisy_val[sigma], x_val),
        verbose=0,
        **engine,
    )
    facts = {
        "parent_seconds": round(run.seconds, 1),
        "parent_recipe": run.recipe.as_dict(),
        "parent_val_mse": run.history["val_loss"][-1],
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    parent.save_weights(cache)
    atomic_write_json(facts_path, facts)
    print(
        f"warm-start parent {name} sigma={sigma} ({recipe}): validation MSE {facts['parent_val_mse']:.6f} "
        f"in {run.seconds:.0f} s -> {cache}",
        flush=True,
    )
    return parent, facts | {"parent_cached": False}


def quality(args, x_all) -> list[dict]:
    x_fit, x_val = x_all[:-5000], x_all[-5000:]
    noisy_val = noisy_versions(x_val, [0.1, 0.2, 0.3], seed=args.noise_seed + 100)  # the notebook's streams
    cfg = profiles.settings("denoise", "standard")
    parent, parent_facts = (
        None,
        dict.fromkeys(("parent_seconds", "parent_recipe", "parent_val_mse", "parent_cached")),
    )
    if args.warm_from is not None:  # a fine-tune: the plan's recipe for the pair, with the overrides below
        parent, parent_facts = warm_start_parent(args, cfg, x_fit, x_val, noisy_val)
        recipe = profiles.warm_recipe(cfg, args.model, args.sigma)
    else:
        recipe = profiles.scratch_recipe(cfg, args.model, args.sigma)
    recipe = recipe.override(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        warmup_epochs=args.warmup_epochs,
        average_epochs=args.average_epochs,
        final_lr_fraction=args.final_lr_fraction,
    )
    rows = []
    for lever in args.levers:
        model, run = train(
            args.model,
            args.sigma,
            recipe,
            lever,
            x_fit,
            args.seed,
            (noisy_val[args.sigma], x_val),
            start_from=parent,
        )
        val = float(
            mse(x_val, predict(model, noisy_val[args.sigma]))
        )  # the float32 twin, as the notebook scores it
        rows.append(
            {
                "model": args.model,
                "sigma": args.sigma,
                "lever": lever,
                "recipe": recipe.as_dict(),
                "seed": args.seed,
                "warm_from": args.warm_from,
                **parent_facts,
                "val_mse": val,
                "last_epoch_val_loss": run.history["val_loss"][-1],
                "val_curve": run.curve(),
                "seconds": round(run.seconds, 1),
            }
        )
        how = f", warm start from sigma={args.warm_from}" if parent is not None else ""
        print(
            f"{args.model} sigma={args.sigma} {lever} ({recipe}{how}): validation MSE {val:.6f} in {run.seconds:.0f} s",
            flush=True,
        )
    return rows


def plan_rows(
    cfg: dict,
    model: str,
    x_fit,
    x_val,
    noisy_val: dict,
    seed: int,
    engine: dict | None = None,
    epochs: int | None = None,
    keep_models: list | None = None,
) -> list[dict]:
    """``cfg``'s plan for ``model`` in the notebook's order (σ 0.3, 0.2, 0.1) with its warm starts (base,
    previous), trained through the notebook's own ``train_plan`` and scored on validation only. ``engine``
    (fresh_noise, noise_in_graph, precision) overrides every step's, and ``epochs`` the from-scratch recipes',
    as the notebook's parameters do. ``keep_models``, a list, receives each trained model."""
    rows = []
    plan = profiles.denoise_plan(cfg, [model], [0.3, 0.2, 0.1], True, engine=engine, epochs=epochs)
    for t in train_plan(plan, conv_autoencoder, x_fit, (noisy_val, x_val), seeds=[seed], verbose=0):
        step = t.step
        val = float(
            mse(x_val, predict(t.model, noisy_val[step.sigma]))
        )  # the float32 twin, as the notebook scores it
        rows.append(
            {
                "model": step.model,
                "sigma": step.sigma,
                "start": step.start,
                "is_base": step.is_base,
                "engine": step.engine,
                "recipe": step.recipe.as_dict(),
                "seed": seed,
                "val_mse": val,
                "val_curve": t.run.curve(),
                "seconds": round(t.run.seconds, 1),
            }
        )
        if keep_models is not None:
            keep_models.append(t.model)
        print(
            f"{step.model}{' base' if step.is_base else ''} sigma={step.sigma} from {step.start} "
            f"({step.recipe}; {step.engine}): validation MSE {val:.6f} in {t.run.seconds:.0f} s",
            flush=True,
        )
    return rows


def plan(args, x_all) -> list[dict]:
    """``plan``: the standard profile's whole plan for ``--model``, on the notebook's validation images."""
    x_fit, x_val = x_all[:-5000], x_all[-5000:]
    noisy_val = noisy_versions(x_val, [0.1, 0.2, 0.3], seed=args.noise_seed + 100)  # the notebook's streams
    cfg = profiles.settings("denoise", "standard")
    engine = lever_engine(args.levers[0]) if len(args.levers) == 1 else None  # one lever: every step's engine
    if (
        args.lever_sigmas
    ):  # ... or only these σ's steps, through the profile's engine table, as adopting it would
        cfg = cfg | {"engine": cfg["engine"] | {(args.model, s): engine for s in args.lever_sigmas}}
        engine = None
    return plan_rows(
        cfg,
        args.model,
        x_fit,
        x_val,
        noisy_val,
        args.seed,
        engine,
        args.epochs,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("part", choices=("timing", "quality", "plan"))
    parser.add_argument(
        "--levers", default=",".join(LEVERS), help="comma-separated, from: " + ", ".join(LEVERS)
    )
    parser.add_argument(
        "--models",
        default="32:16,32:32,64:64",
        help="timing: comma-separated width:batch pairs (default 32:16,32:32,64:64)",
    )
    parser.add_argument("--images", type=int, default=16_000, help="timing: training images per timed epoch")
    parser.add_argument("--model", default="conv-32", help="a Section II model, conv-<filters>")
    parser.add_argument("--sigma", type=float, default=0.3)
    parser.add_argument(
        "--epochs", type=int, help="quality: the recipe's epochs; plan: those of the from-scratch recipes"
    )
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--warmup-epochs", type=float)
    parser.add_argument(
        "--warm-from",
        type=float,
        help="quality: fine-tune from the standard model --model "
        "trained at this sigma (its plan's recipe and engine), instead of training from scratch",
    )
    parser.add_argument(
        "--average-epochs", type=int, help="quality: SWA over this many final epochs (Recipe.average_epochs)"
    )
    parser.add_argument(
        "--final-lr-fraction", type=float, help="quality: the cosine's floor, and SWA's tail learning rate"
    )
    parser.add_argument(
        "--lever-sigmas",
        default="",
        help="plan: apply the one --levers entry only to these σ's steps, e.g. 0.3,0.2 (the rest keep the profile's)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--noise-seed", type=int, default=42, help="the notebook's noise_seed")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    args.levers = [lever for lever in args.levers.split(",") if lever]
    try:
        args.lever_sigmas = [float(s) for s in args.lever_sigmas.split(",") if s]
    except ValueError:
        parser.error(f"--lever-sigmas takes sigmas such as 0.3,0.2, got {args.lever_sigmas!r}")
    if args.lever_sigmas and len(args.levers) != 1:
        parser.error("--lever-sigmas needs exactly one --levers entry")
    try:
        models = [tuple(int(v) for v in pair.split(":")) for pair in args.models.split(",") if pair]
        assert models and all(len(pair) == 2 and min(pair) > 0 for pair in models)
    except (ValueError, AssertionError):
        parser.error(f"--models takes width:batch pairs such as 32:16,64:64, got {args.models!r}")
    args.models = models
    try:
        conv_filters(args.model)
    except ValueError as err:
        parser.error(str(err))
    unknown = set(args.levers) - set(LEVERS)
    if unknown:
        parser.error(f"unknown lever(s) {sorted(unknown)}; choose from {', '.join(LEVERS)}")
    x_all, _ = load_fashion_mnist().images()  # training images only
    rows = {"timing": timing, "quality": quality, "plan": plan}[args.part](args, x_all)
    out = Path(args.out or RUNS_DIR / f"section2_levers_{args.part}.json")
    atomic_write_json(out, {"machine": machine(), "git": git_revision(), "part": args.part, "rows": rows})
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
