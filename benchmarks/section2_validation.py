"""Choose how Section II trains a (width, sigma) model on validation data: warm start or from scratch.

Trains the standard profile's chain for one width: the first sigma from scratch with its ``first`` recipe,
then the target sigma fine-tuned from it with the ``finetune`` recipe, and prints each model's final
validation MSE on the notebook's 5,000 validation images (same split, same validation noise, same seed).
The from-scratch alternative's validation MSE comes from a standard run's records (``--records``), which
keep each model's validation curve. The test images are not loaded for scoring.

    python benchmarks/section2_validation.py --width 32 --first 0.3 --target 0.2 --seed 42
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402

from helpers import profiles  # noqa: E402
from helpers.fashion_mnist import load_fashion_mnist  # noqa: E402
from helpers.models import conv_autoencoder  # noqa: E402
from helpers.noise import FreshNoise, noisy_versions  # noqa: E402
from helpers.paths import RESULTS_DIR, RUNS_DIR, atomic_write_json  # noqa: E402
from helpers.provenance import git_revision, machine  # noqa: E402
from helpers.results import read_records  # noqa: E402
from helpers.training import fit  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--first", type=float, default=0.3, help="sigma trained from scratch first")
    parser.add_argument("--target", type=float, default=0.2, help="sigma fine-tuned from the first")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--noise-seed", type=int, default=42, help="the notebook's noise_seed")
    parser.add_argument("--validation-size", type=int, default=5000)
    parser.add_argument("--records", default=str(RESULTS_DIR / "standard" / "results.json"))
    parser.add_argument("--out", default=str(RUNS_DIR / "section2_validation.json"))
    args = parser.parse_args()
    cfg = profiles.settings("denoise", "standard")
    x_all, _ = load_fashion_mnist().images()  # training images only
    x_fit, x_val = x_all[:-args.validation_size], x_all[-args.validation_size:]
    sigmas = [args.first, args.target]
    noisy_val = noisy_versions(x_val, [0.1, 0.2, 0.3], seed=args.noise_seed + 100)  # the notebook's streams
    rows = []
    model = None
    for k, sigma in enumerate(sigmas):
        recipe = cfg["first"][args.width] if k == 0 else cfg["finetune"][args.width]
        keras.utils.set_random_seed(args.seed)
        fresh = conv_autoencoder(args.width)
        if model is not None:
            fresh.set_weights(model.get_weights())
        model = fresh
        run = fit(model, FreshNoise(x_fit, sigma, recipe.batch_size, seed=args.seed), recipe=recipe,
                  validation_data=(noisy_val[sigma], x_val), verbose=0)
        rows.append({"model": f"conv-{args.width}", "sigma": sigma, "how": "from scratch" if k == 0 else
                     f"warm start from sigma={args.first}", "recipe": recipe.as_dict(), "seed": args.seed,
                     "val_mse": run.history["val_loss"][-1], "val_curve": run.curve(), "seconds": round(run.seconds, 1)})
        print(f"conv-{args.width} sigma={sigma} ({rows[-1]['how']}, {recipe}): validation MSE "
              f"{rows[-1]['val_mse']:.6f} in {run.seconds:.0f} s", flush=True)
    if Path(args.records).is_file():
        for r in read_records(args.records):
            if r["model"] == f"conv-{args.width}" and r.get("sigma") == args.target and r.get("val_curve"):
                how = f"warm start from sigma={r['warm_start_from']}" if r.get("warm_start_from") else "from scratch"
                print(f"recorded in {args.records}: conv-{args.width} sigma={args.target} ({how}, {r['epochs']} epochs, "
                      f"batch {r['batch_size']}): validation MSE {r['val_curve'][-1][1]:.6f}")
                rows.append({"model": r["model"], "sigma": args.target, "how": how, "source": args.records,
                             "epochs": r["epochs"], "batch_size": r["batch_size"], "val_mse": r["val_curve"][-1][1]})
    atomic_write_json(args.out, {"machine": machine(), "git": git_revision(), "rows": rows})
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
