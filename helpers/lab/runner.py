"""The run command: execute the notebooks headless with papermill, resumably, one profile at a time.

Outputs go to ``runs/<profile>/`` (a seed study: one ``seed-<n>/`` folder per seed): executed notebooks,
PNG figures, ``records/`` and ``status/`` (which notebooks finished, from which inputs), then the merged
``results.json``, ``summary.md`` and ``REPORT.md``. The unit of work is :func:`run_unit`: one notebook, one
seed, one folder.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from helpers.lab.cluster import run_units, unit_from_path
from helpers.lab.provenance import git_revision, git_state, header, machine, utc_now
from helpers.lab.report import write_report
from helpers.lab.results import gather
from helpers.lab.tables import write_summary
from helpers.lab.units import (  # noqa: F401  (the run command's unit of work; tests reach them here too)
    NOTEBOOKS,
    Outcome,
    TidyConsole,
    ended,
    inputs_digest,
    is_complete,
    read_status,
    run_unit,
    select,
    status_path,
    unit_dir,
    unit_label,
)
from helpers.paths import NOTEBOOK_DIR, RUNS_DIR, atomic_write_json
from helpers.profiles import check_profile

ENGINES = ("local", "dask")


def run(
    profile: str = "standard",
    only: str | None = None,
    force: bool = False,
    kernel: str = "python3",
    output_root: Path | None = None,
    log_output: bool | str = "tidy",
    extra_parameters: dict | None = None,
    seeds: list[int] | None = None,
    engine: str = "local",
    jobs: int = 2,
    scheduler: str | None = None,
    published: bool = False,
) -> list[Outcome]:
    """Execute the selected notebooks under ``profile``, once per seed; a failing unit does not stop the others.

    Without ``seeds`` each notebook runs once with its own default seed, into ``runs/<profile>/``. With
    ``seeds`` (a seed study) each (notebook, seed) is one unit in ``runs/<profile>/seed-<n>/``, resumable on
    its own; the merged ``results.json``, ``summary.md`` and ``REPORT.md`` go to ``runs/<profile>/``.
    ``engine="dask"`` runs the units on Dask distributed (:mod:`helpers.lab.cluster`), ``jobs`` at a time on
    this machine or on the cluster at ``scheduler``. ``published``: trainings your store lacks load the
    published weights (standard profile) instead of training; a reproduction leaves it off.
    """
    check_profile(profile)
    started, started_utc = time.perf_counter(), utc_now()
    settings = {"engine": engine, "force": force, "published": published, "parameters": extra_parameters}
    if engine not in ENGINES:
        raise ValueError(f"Unknown engine {engine!r}. Choose one of: {', '.join(ENGINES)}.")
    names = select(only)
    out = (Path(output_root) if output_root else RUNS_DIR) / profile
    units = [(name, seed) for name in names for seed in (seeds or [None])]
    if engine == "dask":
        if published:
            raise ValueError(
                "--published works with --engine local only; a cluster run trains what it lacks."
            )
        found = run_units(
            [unit_from_path(out, n, profile, s, extra_parameters) for n, s in units],
            jobs=jobs,
            scheduler=scheduler,
            kernel=kernel,
            force=force,
        )
        outcomes = [
            Outcome(n, r["status"], r["seconds"], r["message"], s, r["records"])
            for (n, s), r in zip(units, found)
        ]
        summarise(out, profile)
        log_run(out, outcomes, started_utc, time.perf_counter() - started, **settings)
        return outcomes
    outcomes: list[Outcome] = []
    for i, (name, seed) in enumerate(units, 1):
        tag = f"[{i}/{len(units)}] {unit_label(name, seed)}"
        print(f"{tag}: started ({NOTEBOOKS[name]}, profile {profile})", flush=True)
        result = run_unit(
            name,
            profile,
            seed,
            extra_parameters,
            unit_dir(out, seed),
            kernel=kernel,
            log_output=log_output,
            force=force,
            published=published,
        )
        print(f"{tag}: {ended(result)}", flush=True)
        outcomes.append(
            Outcome(name, result["status"], result["seconds"], result["message"], seed, result["records"])
        )
    summarise(out, profile)
    log_run(out, outcomes, started_utc, time.perf_counter() - started, **settings)
    return outcomes


def log_run(out: Path, outcomes: list[Outcome], started_utc: str, seconds: float, **settings) -> None:
    """Add this run to ``<out>/runs.json``, the folder's own history: when, where, at which commit, how it was
    asked for, and how each unit ended. A reference run's conditions are read from it, not typed."""
    path = Path(out) / "runs.json"
    history = json.loads(path.read_text()) if path.is_file() else []
    units = [{"notebook": o.notebook, "seed": o.seed, "status": o.status, "seconds": round(o.seconds, 1)}
             for o in outcomes]  # fmt: skip
    history.append({
        "started_utc": started_utc, "ended_utc": utc_now(), "seconds": round(seconds, 1),
        "git": git_revision(), "git_clean": git_state()[1], "machine": machine(), **settings, "units": units,
    })  # fmt: skip
    atomic_write_json(path, history)


def parameters(names: list[str]) -> set[str]:
    """Every parameter the notebooks ``names`` take (their first cells, as papermill reads them)."""
    import papermill as pm  # deferred: heavy, and only a run needs it

    return {p for name in names for p in pm.inspect_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb"))}


def unit_dirs(out: Path) -> list[Path]:
    """The folders holding units under ``out``: ``out`` itself and its ``seed-<n>/`` folders, by seed."""
    seeded = sorted(
        (p for p in Path(out).glob("seed-*") if p.is_dir() and p.name[5:].isdigit()),
        key=lambda p: int(p.name[5:]),
    )
    return [Path(out), *seeded]


def gather_units(out: Path) -> tuple[list[dict], Path | None]:
    """Records of every finished unit under ``out`` (never a half-run one), and the folder of the first."""
    records, first = [], None
    for folder in unit_dirs(out):
        finished = [n for n in NOTEBOOKS if read_status(folder, n).get("status") == "ok"]
        found = gather(folder, finished)
        if found and first is None:
            first = folder
        records += found
    return records, first


def summarise(out: Path, profile: str) -> None:
    """Merge every finished unit's records into ``results.json``, ``summary.md`` and ``REPORT.md``."""

    records, figures = gather_units(out)
    if not records:  # nothing finished: leave no empty results behind
        print("no unit finished: no results written", flush=True)
        return
    text = header(records, profile)
    results, summary = write_summary(out, records, header=text)
    report = write_report(out, records, text, figure_dir=figures)
    print(f"{len(records)} records -> {results}; table -> {summary}; report -> {report}", flush=True)
