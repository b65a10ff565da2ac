"""Run units on Dask distributed: one (notebook, seed, parameters) execution per task, on any cluster.

``python -m helpers run --engine dask --jobs 2`` starts a ``LocalCluster`` of ``jobs`` single-threaded
worker processes on this machine; ``--scheduler tcp://host:8786`` joins a running cluster instead
(``dask scheduler`` on one machine, ``dask worker tcp://host:8786 --nthreads 1`` on each of the others;
dask-jobqueue and dask-kubernetes start such workers on SLURM or Kubernetes). Every worker needs the same
environment with this package installed, and the runs folder on storage that all of them share.

Each task is :func:`helpers.lab.units.run_unit`, which writes its own folder and status file atomically and
never raises, so a failing notebook is reported without stopping the others, and a rerun skips every
finished unit. The merge (``results.json``, ``summary.md``, ``REPORT.md``) happens once, at the end, here.
Dask itself is optional: ``pip install -e .[dask]`` (or ``distributed`` from requirements.txt).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from helpers.lab.units import duration, ended, run_unit, unit_dir, unit_label


@dataclass(frozen=True)
class Unit:
    """One notebook execution: what :func:`helpers.lab.units.run_unit` takes."""

    notebook: str
    profile: str
    seed: int | None
    out_dir: str
    parameters: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A task key unique to this unit, so Dask never merges two units as 'the same call'."""
        digest = hashlib.sha256(
            json.dumps([self.out_dir, self.parameters], sort_keys=True).encode()
        ).hexdigest()
        return f"unit-{self.notebook}-seed{self.seed}-{digest[:12]}"


def threads_per_unit(jobs: int, cores: int | None = None) -> int:
    """CPU threads each unit may use: the machine's cores shared out among the concurrent units."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, jobs))


def workers_on_this_host() -> int:
    """Inside a Dask task: how many workers share this machine (each runs one unit at a time)."""
    try:
        from distributed import get_client, get_worker  # deferred: Dask is an optional extra

        host = get_worker().address.split("://")[-1].rsplit(":", 1)[0]
        return (
            sum(info.get("host") == host for info in get_client().scheduler_info()["workers"].values()) or 1
        )
    except Exception:  # outside a worker, or an older scheduler: assume the unit has the machine
        return 1


def run_on_worker(
    unit: dict, threads: int | None = None, kernel: str = "python3", force: bool = False
) -> dict:
    """A Dask task: set the unit's thread budget, then run the unit. Module-level, so workers can unpickle it.

    Dask workers pin OMP/MKL/OpenBLAS to one thread and the notebook's kernel would inherit that, so the
    budget is set explicitly: ``threads``, or this machine's cores shared among the workers on it.
    """
    from distributed import get_worker  # deferred: Dask is an optional extra

    # The client prints the line (distributed.print's event, without its local copy on the worker's console).
    line = f"{unit_label(unit['notebook'], unit['seed'])}: started"
    get_worker().log_event("print", {"args": (line,), "sep": " ", "end": "\n", "flush": True, "file": 1})
    threads = threads or threads_per_unit(workers_on_this_host())
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[var] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1" if threads == 1 else "2"
    result = run_unit(
        unit["notebook"],
        unit["profile"],
        unit["seed"],
        unit["parameters"],
        unit["out_dir"],
        kernel=kernel,
        force=force,
    )
    return {**result, "unit": unit}


def run_units(
    units: list[Unit],
    jobs: int = 2,
    scheduler: str | None = None,
    kernel: str = "python3",
    force: bool = False,
    progress=print,
) -> list[dict]:
    """Run ``units`` on Dask (a new LocalCluster, or the cluster at ``scheduler``); results in unit order."""
    # Dask's own INFO lines (workers starting and closing, comms) would bury the units' progress lines; its
    # workers read this from the environment they inherit.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    try:
        import dask

        dask.config.set({"logging.distributed": os.environ["DASK_LOGGING__DISTRIBUTED"]})
        logging.getLogger("distributed").setLevel(os.environ["DASK_LOGGING__DISTRIBUTED"].upper())
        from distributed import Client, LocalCluster, as_completed  # deferred: an optional extra
    except ImportError as err:
        raise RuntimeError(
            "--engine dask needs Dask distributed: pip install -e '.[dask]' (or pip install "
            "distributed), or use --engine local."
        ) from err
    if scheduler:
        try:
            client, cluster = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S), None
        except (OSError, TimeoutError):
            raise RuntimeError(
                f"No Dask scheduler answered at {scheduler} within {SCHEDULER_TIMEOUT_S} s: start one there "
                "(`dask scheduler`), or leave out --scheduler to run a local cluster."
            ) from None
    else:
        # One thread per worker process: papermill's cwd= changes the whole process's directory.
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    threads = threads_per_unit(jobs) if cluster is not None else None  # None: each worker works it out
    t0 = time.perf_counter()
    try:
        futures = {
            client.submit(run_on_worker, asdict(u), threads, kernel, force, key=u.key, pure=False): i
            for i, u in enumerate(units)
        }
        results: list[dict | None] = [None] * len(units)
        failed = 0
        for done, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as err:  # a worker died: report it like a failed notebook
                results[i] = {
                    "status": "failed",
                    "seconds": 0.0,
                    "records": 0,
                    "unit": asdict(units[i]),
                    "message": f"worker error: {type(err).__name__}: {err}",
                }
            failed += results[i]["status"] == "failed"
            u = units[i]
            elapsed = duration(time.perf_counter() - t0)
            progress(f"[{done}/{len(units)} units, {failed} failed, {elapsed}] {unit_label(u.notebook, u.seed)}: "
                     + ended(results[i]))  # fmt: skip
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


SCHEDULER_TIMEOUT_S = 5  # Dask retries within it: the error comes in under 10 s


def unit_from_path(out: Path, notebook: str, profile: str, seed: int | None, parameters: dict | None) -> Unit:
    return Unit(notebook, profile, seed, str(unit_dir(out, seed)), dict(parameters or {}))
