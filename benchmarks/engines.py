"""Wall time of a seed study on the local engine against Dask distributed, on this machine.

Runs the same smoke study (notebooks 01 and 03 by default, two seeds) twice into fresh temporary folders:
``--engine local`` (one unit after another) and ``--engine dask --jobs N`` (a LocalCluster of N
single-threaded workers). Prints both wall times and their ratio; asserts nothing.

    python benchmarks/engines.py [--only 01,03] [--seeds 1,2] [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.lab import runner  # noqa: E402
from helpers.lab.provenance import git_revision, machine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="01,03")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profile", default="smoke")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    walls = {}
    for engine in ("local", "dask"):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            outcomes = runner.run(
                args.profile,
                args.only,
                output_root=Path(tmp),
                log_output=False,
                seeds=seeds,
                engine=engine,
                jobs=args.jobs,
            )
            walls[engine] = time.perf_counter() - t0
            failed = [o for o in outcomes if o.status != "ok"]
            print(
                f"{engine:5s}: {len(outcomes)} units in {walls[engine]:.1f} s wall"
                + (f" ({len(failed)} not ok)" if failed else ""),
                flush=True,
            )
    print(
        f"dask --jobs {args.jobs} vs local: {walls['local'] / walls['dask']:.2f}x "
        f"({args.profile}, notebooks {args.only}, seeds {args.seeds}; {machine()}; git {git_revision()})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
