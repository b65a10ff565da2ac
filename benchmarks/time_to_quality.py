"""Time-to-quality benchmark: the report's protocol against the standard recipes, on this machine.

For every section's models it times a slice of an epoch under

* the report's protocol: its epochs, batch 32, constant Adam 1e-3 (profile ``report``), and
* the ``standard`` profile's recipe (profile ``standard``),

with the same engine settings on both sides (``STEPS_PER_EXECUTION`` steps per graph call) and each through
the input pipeline and precision its notebook uses (Section II: fixed noisy arrays, ``FreshNoise`` batches
or noise drawn in the graph, float32 or bfloat16 per model as the profile says; Sections III/IV:
``WindowSequence`` with augmentation). Only the recipes differ.

and multiplies out to the whole training. Two totals per profile:

* *full recipe*: every epoch of every model;
* *to report quality* (time to target, as MLPerf counts it): for a standard model whose recorded validation
  curve reached the report's number and stayed there, only the epochs up to the first of that final stretch (read from ``--records``, the
  standard run's ``results.json``); a model that seeds a warm start, or has no curve or report number,
  counts in full. The report's protocol reached its numbers at its last epoch, so it always counts in full.

It prints a table with the ratios and the peak memory and writes a JSON record. Where the standard profile
computes a Section II model in bfloat16, it also times the report's protocol for that model in bfloat16 and
prints Section II's ratio with the report's side at the same precision: the ratio a sceptic would ask for. It reads only this
project's code and data. A benchmark, not a test: nothing here asserts a time.

    python benchmarks/time_to_quality.py [--fraction 0.05] [--records results/standard/results.json]
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from helpers import imu, profiles  # noqa: E402
from helpers.denoising import noise_pipeline  # noqa: E402
from helpers.fashion_mnist import load_fashion_mnist  # noqa: E402
from helpers.lab import roofline  # noqa: E402
from helpers.lab.provenance import git_revision, machine  # noqa: E402
from helpers.lab.results import epochs_to_report_quality, read_records  # noqa: E402
from helpers.models import (  # noqa: E402
    ZUPT_INPUT_MODELS,
    conv_autoencoder,
    conv_filters,
    dense_autoencoder,
    speed_model,
)
from helpers.paths import RESULTS_DIR, RUNS_DIR, atomic_write_json  # noqa: E402
from helpers.training import STEPS_PER_EXECUTION, Recipe, dtype_policy, fit  # noqa: E402
from helpers.vae import build_autoencoder, build_vae, compile_autoencoder  # noqa: E402


class CallClock(keras.callbacks.Callback):
    """The step index and wall-clock time at the end of every call into the training graph."""

    def on_train_begin(self, logs=None):
        self.marks: list[tuple[int, float]] = []

    def on_train_batch_end(self, batch, logs=None):
        self.marks.append((batch, time.perf_counter()))


def seconds_per_epoch(
    model, data, batch: int, n_train: int, fraction: float, loss="mse", repeats: int = 2, compile=None
) -> float:
    """Seconds for one full epoch of ``n_train`` samples, at the engine's ``STEPS_PER_EXECUTION``.

    ``data(rows)`` returns what the notebook would give ``fit`` for ``rows`` samples: ``(x, y)`` arrays,
    or a ``PyDataset`` (``FreshNoise``, ``WindowSequence``) with ``y`` None. Trains on about ``fraction`` of
    an epoch through the notebooks' own ``helpers.training.fit`` and clocks every call into the graph; the
    time from the end of the first call to the end of the last, over the steps in between, leaves out the
    start of ``fit`` and the first call's tracing. Keeps the fastest of ``repeats`` tries (a shared CPU only
    adds time). ``compile(model, optimizer)`` compiles a model with its own loss (the VAE's). Both protocols
    run with the same engine settings: only recipes differ.
    """
    calls = max(4, math.ceil(math.ceil(n_train / batch) * fraction / STEPS_PER_EXECUTION))
    rows = calls * STEPS_PER_EXECUTION * batch  # whole calls only, so every interval holds the same steps
    x, y = data(rows)
    per_step = math.inf
    for _ in range(repeats):
        clock = CallClock()
        fit(
            model,
            x,
            y,
            Recipe(1, batch),
            loss=loss,
            metrics=(),
            verbose=0,
            callbacks=[clock],
            compile=compile,
        )
        (first_step, first_t), (last_step, last_t) = clock.marks[0], clock.marks[-1]
        per_step = min(per_step, (last_t - first_t) / (last_step - first_step))
    return per_step * math.ceil(n_train / batch)


def sliced(x: np.ndarray, y: np.ndarray | None = None):
    """Array input for ``rows`` samples, or an error when fewer were prepared."""

    def data(rows: int):
        if rows > len(x):
            raise ValueError(
                f"The timing needs {rows} samples but only {len(x)} were prepared; use a smaller --fraction."
            )
        return x[:rows], (x if y is None else y)[:rows]

    return data


def row_name(model: str, sigma: float | None = None) -> str:
    """A benchmark row's model name; records and timings are matched by it."""
    return model if sigma is None else f"{model} σ={sigma}"


def quality_epochs(records: list[dict]) -> dict[tuple, int | None]:
    """Epochs to report quality per standard model, keyed like the benchmark's rows; None: count in full."""
    # Models another one was fine-tuned from (a base model has no record: its row counts in full anyway).
    seeds = {
        (r["model"], r.get("warm_start_from"))
        for r in records
        if r.get("warm_start_from") is not None and not r.get("warm_start_from_base")
    }
    found = {}
    for r in records:
        if r.get("profile") != "standard" or "epochs" not in r:
            continue
        seeds_another = "sigma" in r and (r["model"], r["sigma"]) in seeds
        key = (r["section"], row_name(r["model"], r.get("sigma")), r["epochs"])
        found[key] = None if seeds_another else epochs_to_report_quality(r)
    return found


SECTIONS = ("I", "II", "III", "IV", "V")
REPORT_DENOISERS = ["conv-32", "conv-64"]


def time_rows(
    profile_names=("report", "standard"),
    sections=SECTIONS,
    denoise_models=REPORT_DENOISERS,
    fraction: float = 0.05,
    to_quality: dict | None = None,
) -> tuple[list[dict], float]:
    """Time every model of ``sections`` under each profile in ``profile_names``, as its notebook trains it.

    Section II times the notebook's plan for ``denoise_models`` (any ``conv-<filters>`` names). Returns the
    rows and Section II's report protocol timed in the standard profile's precision per model (0 unless both
    profiles are timed)."""
    to_quality = to_quality or {}
    data = load_fashion_mnist()
    x_flat, _ = data.flat()
    x_img, _ = data.images()
    rows = []

    def add(section, model_name, profile, recipe_epochs, per_epoch, model, images, precision="float32"):
        """One row; ``model`` (as built) gives the FLOPs per training example for the roofline."""
        # A model whose records came from other epochs than the recipe's (a stale run) counts in full.
        epochs_q = to_quality.get((section, model_name, recipe_epochs)) if profile == "standard" else None
        epochs_q = epochs_q or recipe_epochs
        flops = roofline.training_flops(model)
        rows.append(
            {
                "section": section,
                "model": model_name,
                "profile": profile,
                "epochs": recipe_epochs,
                "epochs_to_quality": epochs_q,
                "seconds_per_epoch": round(per_epoch, 2),
                "seconds_total": round(per_epoch * recipe_epochs, 1),
                "seconds_to_quality": round(per_epoch * epochs_q, 1),
                "precision": precision,
                "train_flops_per_example": flops,
                "examples_per_epoch": images,
                "achieved_gflops": round(flops * images / per_epoch / 1e9, 1),
            }
        )

    # Inputs shared by both profiles, prepared once. Each recipe is timed through the input pipeline its
    # notebook uses: Section II's from helpers.denoising.noise_pipeline (fixed noisy copies for the report,
    # FreshNoise batches or noise in the graph as the standard profile says per model); Sections III/IV's
    # WindowSequence with augmentation, cut lazily from simulated recordings, for both.
    clean = x_img[:20000]
    subjects = (
        [imu.simulate_subject(i, windows_per_speed=400) for i in (1, 2)]
        if {"III", "IV"} & set(sections)
        else []
    )

    def windows(batch: int, zupt_channel: bool):
        """The training windows of a speed model: a 7th channel of ZUPT's speed for those that read it."""
        normaliser = imu.Normaliser.fit(subjects, zupt_channel=zupt_channel)

        def data(rows: int):
            if rows > sum(len(s) for s in subjects):
                raise ValueError(f"The timing needs {rows} windows; use a smaller --fraction.")
            return imu.WindowSequence(subjects, normaliser, batch, seed=0, limit=rows, augment=True), None

        return data

    conv_epochs: dict[tuple, float] = {}  # seconds per epoch depend on filters, batch and engine, not sigma

    def conv_epoch(filters: int, sigma: float, batch: int, engine: dict) -> float:
        """Seconds per 55,000-image epoch of conv-``filters``, through the engine's noise pipeline and precision."""
        key = (filters, batch, engine["noise_in_graph"], engine["fresh_noise"], engine["precision"])
        if key not in conv_epochs:
            with dtype_policy(engine["precision"]):
                # The notebook's own pipeline for this engine (helpers.denoising.noise_pipeline).
                trainee, inputs = noise_pipeline(
                    conv_autoencoder(filters),
                    sigma,
                    fresh_noise=engine["fresh_noise"],
                    noise_in_graph=engine["noise_in_graph"],
                )

                def data(rows: int):
                    rows_of_clean, _ = sliced(clean)(rows)  # an error, as for the other timings, if too few
                    return inputs(rows_of_clean, batch, 0)

                conv_epochs[key] = seconds_per_epoch(trainee, data, batch, 55000, fraction)
        return conv_epochs[key]

    standard_denoise = profiles.settings("denoise", "standard")
    report_in_standard_precision = 0.0  # Section II's report protocol, in the standard profile's precisions
    for profile in profile_names:
        if "I" in sections:
            for name, recipe in profiles.settings("dense", profile)["recipes"].items():
                model = dense_autoencoder(name)
                per = seconds_per_epoch(model, sliced(x_flat), recipe.batch_size, 55000, fraction)
                add("I", name, profile, recipe.epochs, per, model, 55000)
        if "II" in sections:
            cfg = profiles.settings("denoise", profile)
            # The notebook's plan (base models, then their fine-tunes, or chains from sigma 0.3, as the profile
            # says). Each model is timed with its own engine (noise pipeline, compute precision), as it trains.
            for step in profiles.denoise_plan(
                cfg, denoise_models, [0.3, 0.2, 0.1], cfg["finetune"] is not None
            ):
                sigma, recipe, engine = step.sigma, step.recipe, step.engine
                name = row_name(
                    step.model + (" base" if step.is_base else ""), sigma
                )  # a base counts in full
                per = conv_epoch(step.filters, sigma, recipe.batch_size, engine)
                add("II", name, profile, recipe.epochs, per, conv_autoencoder(step.filters), 55000,
                    engine["precision"])  # fmt: skip
                if profile == "report" and "standard" in profile_names:  # the report's protocol, in the
                    standard = profiles.denoise_engine(standard_denoise, step.model, sigma)  # precision that
                    precision = standard["precision"]  # the standard profile computes this model in
                    report_in_standard_precision += recipe.epochs * conv_epoch(
                        step.filters, sigma, recipe.batch_size, engine | {"precision": precision}
                    )
        if {"III", "IV"} & set(sections):
            cfg = profiles.settings("imu", profile)
            recipe = cfg["recipe"]
            # Every model the profile trains. One timing serves both sections: an epoch is 12,000 windows in III
            # and 24,000 in IV. LSTM steps are long and steady, so one try suffices.
            for name in cfg["models"]:
                model, data = speed_model(name), windows(recipe.batch_size, name in ZUPT_INPUT_MODELS)
                per = seconds_per_epoch(model, data, recipe.batch_size, 24000, fraction, repeats=1)
                add("III", name, profile, recipe.epochs, per / 2, model, 12000)
                add("IV", name, profile, recipe.epochs, per, model, 24000)
        if "V" in sections:
            cfg = profiles.settings("vae", profile)
            # notebook 04's default plan: a VAE at each code size, a plain autoencoder at 2
            for d, build in ((2, build_vae), (16, build_vae), (2, build_autoencoder)):
                parts = build(d, hidden=cfg["hidden"])
                per = seconds_per_epoch(
                    parts.model,
                    sliced(x_flat),
                    cfg["recipe"].batch_size,
                    55000,
                    fraction,
                    compile=lambda _, optimizer, parts=parts: compile_autoencoder(parts, optimizer),
                )
                # The report gives no VAE protocol: its row is the usual Adam protocol, assumed.
                name = parts.model.name + (" (assumed: 50 epochs, batch 32)" if profile == "report" else "")
                add("V", name, profile, cfg["recipe"].epochs, per, parts.model, 55000)
    return rows, report_in_standard_precision


def recorded_fit_seconds(records_path: str) -> dict[tuple[str, str], float]:
    """Whole-fit seconds of each standard model in a run's records (``seconds``: fit start to its last
    epoch's end, validation and epoch ends included), keyed like the benchmark's rows (seed means)."""
    if not Path(records_path).is_file():
        return {}
    found: dict[tuple[str, str], list[float]] = {}
    for r in read_records(records_path):
        if r.get("profile") == "standard" and r.get("epochs") and r.get("params"):
            found.setdefault((r["section"], row_name(r["model"], r.get("sigma"))), []).append(r["seconds"])
    return {k: sum(v) / len(v) for k, v in found.items()}


def roofline_table(rows: list[dict], records_path: str) -> dict:
    """Print and return the roofline: each standard model's FLOPs per training example, achieved GFLOP/s and
    share of this machine's measured matmul peak (bfloat16's for bfloat16 models); the standard plan's lower
    bound at those peaks; and each model's recorded whole-fit seconds beside the slice estimate."""
    peaks = {
        "float32": roofline.matmul_peak_gflops("float32"),
        "mixed_bfloat16": roofline.matmul_peak_gflops("bfloat16"),
    }
    recorded = recorded_fit_seconds(records_path)
    print(
        f"\nmatmul peak: float32 {peaks['float32']:.0f} GFLOP/s, bfloat16 {peaks['mixed_bfloat16']:.0f} GFLOP/s"
    )
    print(
        f"{'section':8s} {'model':18s} {'MFLOP/ex.':>9s} {'GFLOP/s':>8s} {'of peak':>7s} {'slice s':>8s} {'recorded s':>10s}"
    )
    models, bound_s = [], 0.0
    for r in (r for r in rows if r["profile"] == "standard"):
        peak = peaks.get(r["precision"], peaks["float32"])
        work = r["train_flops_per_example"] * r["examples_per_epoch"] * r["epochs"]
        bound_s += work / (peak * 1e9)
        fit = recorded.get((r["section"], r["model"]))
        models.append(r | {"peak_gflops": round(peak), "share_of_peak": round(r["achieved_gflops"] / peak, 3),
                           "recorded_fit_s": fit})  # fmt: skip
        print(f"{r['section']:8s} {r['model']:18s} {r['train_flops_per_example'] / 1e6:9.1f} {r['achieved_gflops']:8.1f} "
              f"{r['achieved_gflops'] / peak:7.1%} {r['seconds_total']:8.0f} {'' if fit is None else round(fit):>10}")  # fmt: skip
    print(f"standard plan at the measured peaks: {bound_s / 60:.1f} min (lower bound)")
    slice_s = sum(m["seconds_total"] for m in models if m["recorded_fit_s"])
    fit_s = sum(m["recorded_fit_s"] for m in models if m["recorded_fit_s"])
    if fit_s:
        print(f"recorded whole fits {fit_s:.0f} s against {slice_s:.0f} s estimated from slices, same models")
    return {"peak_gflops": {k: round(v) for k, v in peaks.items()}, "plan_lower_bound_min": round(bound_s / 60, 1),
            "models": [{k: m[k] for k in ("section", "model", "precision", "train_flops_per_example",
                                           "achieved_gflops", "share_of_peak", "seconds_total", "recorded_fit_s")}
                       for m in models],
            "recorded_fit_s": round(fit_s), "slice_estimate_of_recorded_s": round(slice_s)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--fraction",
        type=float,
        default=0.05,
        help="share of an epoch timed (default 0.05; the README's figures used 0.1 on an idle machine)",
    )
    parser.add_argument(
        "--records",
        default=str(RESULTS_DIR / "standard" / "results.json"),
        help="the standard run's results.json, for epochs to report quality",
    )
    parser.add_argument(
        "--denoise-models",
        default=",".join(REPORT_DENOISERS),
        help="Section II models, comma-separated conv-<filters> names (default: the report's)",
    )
    parser.add_argument("--out", default=str(RUNS_DIR / "benchmark.json"), help="JSON record to write")
    args = parser.parse_args()
    denoise_models = [m for m in args.denoise_models.split(",") if m]
    try:
        [conv_filters(m) for m in denoise_models]
    except ValueError as err:
        parser.error(str(err))

    to_quality = quality_epochs(read_records(args.records)) if Path(args.records).is_file() else {}
    if not to_quality:
        print(f"No standard records at {args.records}: 'to report quality' counts every epoch.")
    rows, report_in_standard_precision = time_rows(
        denoise_models=denoise_models, fraction=args.fraction, to_quality=to_quality
    )

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'section':8s} {'model':18s} {'profile':9s} {'epochs':>6s} {'to q.':>5s} {'s/epoch':>8s} "
        f"{'total s':>8s} {'to q. s':>8s}"
    )
    for r in rows:
        print(
            f"{r['section']:8s} {r['model']:18s} {r['profile']:9s} {r['epochs']:6d} {r['epochs_to_quality']:5d} "
            f"{r['seconds_per_epoch']:8.1f} {r['seconds_total']:8.0f} {r['seconds_to_quality']:8.0f}"
        )
    summary = {}
    for key in ("seconds_total", "seconds_to_quality"):
        by_section = {}
        for r in rows:
            by_section.setdefault(r["section"], {"report": 0.0, "standard": 0.0})[r["profile"]] += r[key]
        totals = {p: sum(t[p] for t in by_section.values()) for p in ("report", "standard")}
        core = {p: sum(t[p] for sec, t in by_section.items() if sec not in ("III", "IV")) for p in totals}
        summary[key] = {
            "by_section_s": by_section,
            "totals_s": totals,
            "ratio": totals["report"] / totals["standard"],
            "ratio_without_III_IV": core["report"] / core["standard"],
        }
    print(
        f"\n{'section':8s} {'report s':>9s} {'standard s':>11s} {'ratio':>6s} {'to quality s':>13s} {'ratio':>6s}"
    )
    for section, full in summary["seconds_total"]["by_section_s"].items():
        q = summary["seconds_to_quality"]["by_section_s"][section]
        print(
            f"{section:8s} {full['report']:9.0f} {full['standard']:11.0f} {full['report'] / full['standard']:5.1f}x "
            f"{q['standard']:13.0f} {q['report'] / q['standard']:5.1f}x"
        )
    for key, label in (("seconds_total", "full recipes"), ("seconds_to_quality", "to report quality")):
        t = summary[key]["totals_s"]
        print(
            f"{label:18s}: report protocol {t['report'] / 60:6.1f} min, standard {t['standard'] / 60:6.1f} min, "
            f"ratio {summary[key]['ratio']:.1f}x; without Sections III/IV "
            f"{summary[key]['ratio_without_III_IV']:.1f}x (Section V's report side is assumed, and included)"
        )
    standard_ii = summary["seconds_total"]["by_section_s"]["II"]["standard"]
    print(
        f"Section II with the report's protocol in the standard profile's precision per model (bfloat16 where "
        f"standard computes in bfloat16): {report_in_standard_precision:.0f} s, ratio "
        f"{report_in_standard_precision / standard_ii:.1f}x to the standard recipe's {standard_ii:.0f} s"
    )
    table = roofline_table(rows, args.records)
    print(f"peak memory {peak_mb:.0f} MB; machine: {machine()}")
    atomic_write_json(
        args.out,
        {
            "machine": machine(),
            "git": git_revision(),
            "fraction": args.fraction,
            "records": args.records,
            "steps_per_execution": STEPS_PER_EXECUTION,
            "rows": rows,
            "full_recipes": summary["seconds_total"],
            "to_report_quality": summary["seconds_to_quality"],
            "section_ii_report_in_standard_precision_s": report_in_standard_precision,
            "peak_rss_mb": peak_mb,
            "roofline": table,
        },
    )
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
