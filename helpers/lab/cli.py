"""``python -m helpers run|list|publish`` (also the ``workbook`` console script)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from helpers.lab import publish, runner
from helpers.lab.notebook import check_seeds
from helpers.lab.units import mark_interrupted
from helpers.paths import RUNS_DIR
from helpers.profiles import PROFILES


def parse_seeds(text: str) -> list[int]:
    """``"42,43,44"`` -> ``[42, 43, 44]``, or an error that shows the form."""
    try:
        return check_seeds([t.strip() for t in text.split(",") if t.strip()])
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"{err} Write them comma-separated, e.g. --seeds 42,43,44."
        ) from None


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake told in one line and a hint, not five lines of usage first."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see: {self.prog} --help)\n")


def parse_setting(text: str) -> tuple[str, object]:
    """``epochs=3`` -> ``("epochs", 3)``: the value as JSON (numbers, lists, true/false), else as text."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(f"--set takes NAME=VALUE, e.g. --set epochs=3; got {text!r}")
    try:
        return name.strip(), json.loads(value)
    except json.JSONDecodeError:
        return name.strip(), value


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m helpers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute the notebooks with papermill into runs/<profile>/")
    run.add_argument("--profile", default="standard", help=f"one of {', '.join(PROFILES)} (default standard)")
    run.add_argument("--only", default=None, help="comma-separated notebooks, by number or name, e.g. 01,02")
    run.add_argument("--force", action="store_true", help="rerun notebooks that already completed")
    run.add_argument(
        "--retrain",
        action="store_true",
        help="train every model again, even when runs/weights/ holds weights trained the same way",
    )
    run.add_argument(
        "--published",
        action="store_true",
        help="load the published weights (results/standard/weights/) for what runs/weights/ lacks, instead "
        "of training it: a first look, not a reproduction",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        type=parse_setting,
        metavar="NAME=VALUE",
        help="a notebook parameter for every notebook run, as in its first cell, e.g. --set epochs=3",
    )
    run.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")
    run.add_argument(
        "--seeds",
        default=None,
        type=parse_seeds,
        help="a seed study, e.g. 42,43,44: each notebook once per seed into runs/<profile>/seed-<n>/, "
        "resumable per seed; results.json merges them (default: one run, the notebook's own seed)",
    )
    run.add_argument(
        "--engine",
        default="local",
        choices=("local", "dask"),
        help="local: one unit after another (default); dask: units in parallel on Dask distributed",
    )
    run.add_argument(
        "--jobs", type=int, default=2, help="--engine dask without --scheduler: worker processes (default 2)"
    )
    run.add_argument(
        "--scheduler",
        default=None,
        help="--engine dask: join the cluster at this address, e.g. tcp://host:8786",
    )
    run.add_argument("--output-root", default=None, help="folder to hold <profile>/ (default runs/)")
    run.add_argument("--quiet", action="store_true", help="only one line per notebook (no notebook output)")
    run.add_argument(
        "--verbose",
        action="store_true",
        help="everything papermill logs (cell markers, object reprs, kernel messages)",
    )
    sub.add_parser("list", help="list the notebooks")
    publish = sub.add_parser(
        "publish", help="regenerate the README's tables, results/*/REPORT.md and the validation index"
    )
    publish.add_argument("--check", action="store_true", help="change nothing; exit 1 if any would change")
    publish.add_argument(
        "--reference",
        type=Path,
        default=None,
        help="first make results/standard/ the record of this run folder (e.g. runs/standard): its records, "
        "figures and executed notebooks",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "publish":
        if args.reference:
            try:
                adopted = publish.adopt_reference(args.reference)
            except (OSError, ValueError) as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
            weights = [path for path in adopted if path.parent.name in ("weights", "remembered")]
            for path in [path for path in adopted if path not in weights]:
                print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: adopted")
            size = sum(path.stat().st_size for path in weights) / 1e6
            print(f"{len(weights)} published weight and result files ({size:.1f} MB): adopted")
        return publish.main(check=args.check)
    if args.command == "list":
        for name, what in runner.NOTEBOOKS.items():
            print(f"{name}: {what}")
        return 0
    try:
        if args.quiet and args.verbose:
            raise ValueError("--quiet and --verbose contradict each other; give one.")
        names = runner.select(args.only)
        if args.published and args.engine != "local":
            raise ValueError(
                "--published works with --engine local only; a cluster run trains what it lacks."
            )
        if args.jobs < 1:
            raise ValueError(f"--jobs must be at least 1, got {args.jobs}.")
        if args.profile not in PROFILES:
            raise ValueError(f"Unknown profile {args.profile!r}. Choose one of: {', '.join(PROFILES)}.")
        known = runner.parameters(names) if args.set else set()
        unknown = sorted(name for name, _ in args.set if name not in known)
        if unknown:
            raise ValueError(
                f"--set: no notebook run here has the parameter(s) {unknown}; see their first cells."
            )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.verbose:
        logging.getLogger("papermill").setLevel(logging.INFO)  # streams papermill's whole log as it runs
    output = "quiet" if args.quiet else ("verbose" if args.verbose else "tidy")
    try:
        outcomes = runner.run(
            args.profile,
            args.only,
            force=args.force,
            kernel=args.kernel,
            log_output={"quiet": False, "verbose": True, "tidy": "tidy"}[output],
            output_root=args.output_root,
            seeds=args.seeds,
            engine=args.engine,
            jobs=args.jobs,
            scheduler=args.scheduler,
            published=args.published,
            extra_parameters=dict(args.set) | ({"retrain": True} if args.retrain else {}) or None,
        )
    except RuntimeError as err:  # e.g. no Dask scheduler at --scheduler: one line, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        root = Path(args.output_root) if args.output_root else RUNS_DIR
        # A unit stopped by the first Ctrl-C has said so; one stopped by a second has not: mark and say it here.
        marked = mark_interrupted([root / args.profile])
        if marked:
            print(
                f"interrupted: {marked} unit(s) marked interrupted; the same command resumes.",
                file=sys.stderr,
            )
        return 130
    failed = [o for o in outcomes if o.status == "failed"]
    for o in outcomes:
        seed = "" if o.seed is None else f" seed {o.seed}"
        print(f"  {o.status:7s} {o.notebook}{seed} {o.seconds:7.0f} s {o.message}")
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(o.notebook for o in failed)}", file=sys.stderr)
        return 1
    return 0
