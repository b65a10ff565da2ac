"""Choose a Section I recipe on validation data: train candidate recipes over seeds, print validation MSE.

The test images are never loaded for scoring here: a recipe is chosen on the 5,000 validation images
carved from the training set, exactly as notebook 01 carves them, and the test set is touched once, by the
notebook, after the choice. Writes a JSON record of every (candidate, seed).

    python benchmarks/validation_probe.py dense-128-32-128 --seeds 43,45 \
        --candidate 40,256,6e-3 --candidate 60,256,6e-3 --candidate 40,256,3e-3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from helpers.dense import train_dense  # noqa: E402
from helpers.fashion_mnist import load_fashion_mnist  # noqa: E402
from helpers.lab.provenance import git_revision, machine  # noqa: E402
from helpers.paths import RUNS_DIR, atomic_write_json  # noqa: E402
from helpers.training import Recipe  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="a Section I model, e.g. dense-128-32-128")
    parser.add_argument("--seeds", default="42,43,44", help="comma-separated training seeds")
    parser.add_argument(
        "--candidate",
        action="append",
        required=True,
        help="epochs,batch,peak_lr (cosine with one warm-up epoch, as the standard profile)",
    )
    parser.add_argument("--validation-size", type=int, default=5000)
    parser.add_argument("--out", default=str(RUNS_DIR / "validation_probe.json"))
    args = parser.parse_args()
    x_all, _ = load_fashion_mnist().flat()  # training images only; the test half is not used
    x_fit, x_val = x_all[: -args.validation_size], x_all[-args.validation_size :]
    rows = []
    for text in args.candidate:
        epochs, batch, lr = text.split(",")
        recipe = Recipe(int(epochs), int(batch), float(lr), "cosine", warmup_epochs=1)
        for seed in (int(s) for s in args.seeds.split(",")):
            _, run = train_dense(args.model, recipe, x_fit, x_val, seed=seed, verbose=0)  # notebook 01's path
            rows.append(
                {
                    "model": args.model,
                    "recipe": recipe.as_dict(),
                    "seed": seed,
                    "val_mse": run.history["val_loss"][-1],
                    "seconds": round(run.seconds, 1),
                }
            )
            print(
                f"{args.model} {recipe}: seed {seed} validation MSE {rows[-1]['val_mse']:.6f} ({run.seconds:.0f} s)",
                flush=True,
            )
            atomic_write_json(args.out, {"machine": machine(), "git": git_revision(), "rows": rows})
    for text in args.candidate:
        epochs, batch, lr = text.split(",")
        vals = [
            r["val_mse"]
            for r in rows
            if (r["recipe"]["epochs"], r["recipe"]["batch_size"], r["recipe"]["learning_rate"])
            == (int(epochs), int(batch), float(lr))
        ]
        print(f"candidate {text}: validation MSE mean {np.mean(vals):.6f}, max {np.max(vals):.6f}")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
