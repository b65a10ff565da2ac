"""Time-to-quality benchmark: the report's protocol against the standard recipes, on this machine.

For every section's models it times a slice of one epoch (after a warm-up) under

* the report's protocol: its epochs, batch 32, constant Adam 1e-3 (profile ``report``), and
* the ``standard`` profile's recipe (profile ``standard``),

multiplies out to the whole training, and prints a table with the ratio and the peak memory. It reads
only this project's code and data. A benchmark, not a test: nothing here asserts a time.

    python benchmarks/time_to_quality.py [--fraction 0.05] [--out runs/benchmark.json]
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
from helpers.fashion_mnist import load_fashion_mnist  # noqa: E402
from helpers.models import conv_autoencoder, dense_autoencoder, speed_model  # noqa: E402
from helpers.noise import FreshNoise, add_gaussian_noise  # noqa: E402
from helpers.paths import RUNS_DIR, atomic_write_json  # noqa: E402
from helpers.provenance import machine  # noqa: E402
from helpers.vae import build_vae, compile_autoencoder  # noqa: E402


def seconds_per_epoch(model, x, y, batch: int, n_train: int, fraction: float, loss="mse",
                      fresh_noise_sigma: float | None = None, repeats: int = 2) -> float:
    """Seconds for one full epoch of ``n_train`` samples.

    Times ``fit`` over k and 2k steps (k = ``fraction`` of an epoch) after a warm-up, keeps the fastest
    of ``repeats`` tries of each (a shared CPU only ever adds time), and takes the difference, so the
    fixed cost of starting ``fit`` does not inflate small, fast models. With ``fresh_noise_sigma`` the
    batches come from :class:`FreshNoise` over ``y``, as in the standard Section II recipe.
    """
    if loss is not None:
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)

    def run(rows: int) -> float:
        if rows > len(x):
            raise ValueError(f"--fraction {fraction} needs {rows} samples but only {len(x)} were prepared; "
                             "use a smaller --fraction.")
        if fresh_noise_sigma is None:
            inputs = (x[:rows], None if y is None else y[:rows])
            kwargs = {"batch_size": batch}
        else:
            inputs, kwargs = (FreshNoise(y[:rows], fresh_noise_sigma, batch), None), {}
        t0 = time.perf_counter()
        model.fit(*inputs, epochs=1, verbose=0, **kwargs)
        return time.perf_counter() - t0

    steps = max(4, int(math.ceil(n_train / batch) * fraction))
    run(2 * batch)
    short, long = (min(run(k * batch) for _ in range(repeats)) for k in (steps, 2 * steps))
    per_step = max(long - short, 1e-9) / steps
    return per_step * math.ceil(n_train / batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fraction", type=float, default=0.05,
                        help="share of an epoch timed (default 0.05; the README's figures used 0.1 on an idle machine)")
    parser.add_argument("--out", default=str(RUNS_DIR / "benchmark.json"), help="JSON record to write")
    args = parser.parse_args()

    data = load_fashion_mnist()
    x_flat, _ = data.flat()
    x_img, _ = data.images()
    rows = []

    def add(section, model_name, profile, recipe_epochs, per_epoch):
        rows.append({"section": section, "model": model_name, "profile": profile, "epochs": recipe_epochs,
                     "seconds_per_epoch": round(per_epoch, 2), "seconds_total": round(per_epoch * recipe_epochs, 1)})

    # Inputs shared by both profiles, prepared once.
    noisy = add_gaussian_noise(x_img[:20000], 0.2, seed=0)
    subject = imu.simulate_subject(1, windows_per_speed=400)
    windows, labels = subject.batch(np.arange(len(subject))), subject.labels

    for profile in ("report", "standard"):
        recipes = profiles.settings("dense", profile)["recipes"]
        for name, recipe in recipes.items():
            add("I", name, profile, recipe.epochs,
                seconds_per_epoch(dense_autoencoder(name), x_flat, x_flat, recipe.batch_size, 55000, args.fraction))
        cfg = profiles.settings("denoise", profile)
        for f in (32, 64):
            per = {}  # seconds per epoch depend on the batch size, not on sigma
            for k, sigma in enumerate((0.3, 0.2, 0.1)):  # the standard profile's warm-start order
                own = cfg["scratch"].get((f, sigma))
                recipe = own or (cfg["finetune"][f] if cfg["finetune"] is not None and k > 0 else cfg["first"][f])
                if recipe.batch_size not in per:
                    per[recipe.batch_size] = seconds_per_epoch(
                        conv_autoencoder(f), noisy, x_img[:20000], recipe.batch_size, 55000, args.fraction,
                        fresh_noise_sigma=sigma if cfg["fresh_noise"] else None)
                add("II", f"conv-{f} σ={sigma}", profile, recipe.epochs, per[recipe.batch_size])
        cfg = profiles.settings("imu", profile)
        recipe = cfg["recipe"]
        # One timing serves both sections: an epoch is 12,000 windows in III and 24,000 in IV. LSTM steps
        # are long and steady, so one try suffices.
        per = seconds_per_epoch(speed_model(cfg["model"]), windows, labels, recipe.batch_size, 24000,
                                args.fraction, repeats=1)
        add("III", cfg["model"], profile, recipe.epochs, per / 2)
        add("IV", cfg["model"], profile, recipe.epochs, per)
        cfg = profiles.settings("vae", profile)
        for d in (2, 16):
            parts = build_vae(d, hidden=cfg["hidden"])
            compile_autoencoder(parts, keras.optimizers.Adam(1e-3))
            per = seconds_per_epoch(parts.model, x_flat, x_flat, cfg["recipe"].batch_size, 60000, args.fraction, loss=None)
            add("V", f"vae-{d}d", profile, cfg["recipe"].epochs, per)

    totals = {p: sum(r["seconds_total"] for r in rows if r["profile"] == p) for p in ("report", "standard")}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'section':8s} {'model':18s} {'profile':9s} {'epochs':>6s} {'s/epoch':>8s} {'total s':>9s}")
    for r in rows:
        print(f"{r['section']:8s} {r['model']:18s} {r['profile']:9s} {r['epochs']:6d} {r['seconds_per_epoch']:8.1f} "
              f"{r['seconds_total']:9.0f}")
    by_section = {}
    for r in rows:
        by_section.setdefault(r["section"], {"report": 0.0, "standard": 0.0})[r["profile"]] += r["seconds_total"]
    print(f"\n{'section':8s} {'report s':>9s} {'standard s':>11s} {'ratio':>6s}")
    for section, t in by_section.items():
        print(f"{section:8s} {t['report']:9.0f} {t['standard']:11.0f} {t['report'] / t['standard']:5.1f}x")
    ratio = totals["report"] / totals["standard"]
    print(f"\nreport protocol: {totals['report'] / 60:.1f} min; standard: {totals['standard'] / 60:.1f} min; "
          f"ratio {ratio:.1f}x; peak memory {peak_mb:.0f} MB; machine: {machine()}")
    atomic_write_json(args.out, {"machine": machine(), "fraction": args.fraction, "rows": rows, "totals_s": totals,
                                 "by_section_s": by_section,
                                 "ratio": ratio, "peak_rss_mb": peak_mb})
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
