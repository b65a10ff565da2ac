"""One unit of work: one notebook, one seed, one folder, executed headless with papermill, resumably.

:mod:`helpers.lab.runner` runs units one after another; :mod:`helpers.lab.cluster` runs them on Dask. Both import
this module, and neither imports the other's internals here.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.lab.results import read_records, records_path
from helpers.paths import NOTEBOOK_DIR, RUNS_DIR, atomic_write_json

# Notebook file stem -> what it covers, in the order the workbook is read.
NOTEBOOKS = {
    "01_dense_autoencoders": "Section I: dense autoencoders",
    "02_denoising_autoencoders": "Section II: denoising convolutional autoencoders",
    "03_lstm_speed_estimation": "Sections III/IV: treadmill speed from a shoe IMU",
    "04_variational_autoencoder": "Section V: variational autoencoders",
}


def unit_label(notebook: str, seed: int | None) -> str:
    """How progress lines name a unit: ``02_denoising_autoencoders, seed 42``."""
    return notebook + ("" if seed is None else f", seed {seed}")


def duration(seconds: float) -> str:
    """``41 s`` or ``41 min``, as a person reads a run's progress."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def ended(result: dict) -> str:
    """The end of a unit's progress line: ``ok in 41 min, 12 records``, ``skipped: ...``, ``failed ...``."""
    if result["status"] == "ok":
        return f"ok in {duration(result['seconds'])}, {result['records']} records"
    if result["status"] == "skipped":
        return f"skipped: {result['message']}"
    return f"{result['status']} after {duration(result['seconds'])}: {result['message']}"


def select(only: str | None) -> list[str]:
    """Notebook stems from ``--only`` (comma-separated, by number ``01`` or name); all when empty."""
    if not only:
        return list(NOTEBOOKS)
    chosen = []
    for token in (t.strip() for t in only.split(",") if t.strip()):
        matches = [n for n in NOTEBOOKS if n == token or n.split("_", 1)[0] == token.zfill(2) or token in n]
        if len(matches) != 1:
            known = ", ".join(NOTEBOOKS)
            raise ValueError(
                f"Unknown notebook {token!r} for --only. Choose from: {known} (or their numbers)."
            )
        chosen.append(matches[0])
    return [n for n in NOTEBOOKS if n in chosen]


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        files = sorted(path.rglob("*.py")) + sorted(path.rglob("*.sha256")) if path.is_dir() else [path]
        for f in files:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Outcome:
    notebook: str
    status: str  # "ok", "failed" or "skipped"
    seconds: float
    message: str = ""
    seed: int | None = None
    records: int = 0


# Each (notebook, seed) unit keeps its own status file, written atomically: several runs, or several workers,
# never read-modify-write one shared file.
def status_path(unit_dir: Path, name: str) -> Path:
    return Path(unit_dir) / "status" / f"{name}.json"


_QUIET_KERNEL = "helpers.lab.units.QuietKernelManager"


_KERNELS: list = []  # the kernels this process's units run in: the first Ctrl-C interrupts them


@functools.cache
def _quiet_kernel_manager():
    from jupyter_client.manager import KernelManager  # deferred: heavy, and only a notebook run needs it

    class QuietKernelManager(KernelManager):
        """A kernel whose own stderr goes nowhere: cell output and errors are in the executed notebook, and
        the kernel's chatter when its run is interrupted (Ctrl-C) would bury the one line that says so."""

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stderr", subprocess.DEVNULL)
            found = await super()._async_launch_kernel(kernel_cmd, **kw)
            _KERNELS.append(self)
            return found

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            if self in _KERNELS:
                _KERNELS.remove(self)
            await super()._async_cleanup_resources(restart)

    return QuietKernelManager


@contextlib.contextmanager
def _ctrl_c_interrupts_the_kernel():
    """Inside this block, the first Ctrl-C (SIGINT) interrupts the running notebook's kernel, which a terminal's
    Ctrl-C never reaches (Jupyter starts kernels in their own session): Keras stops at the end of its current
    step, and the cell fails with ``KeyboardInterrupt``. A second Ctrl-C stops this process at once. Yields a
    dict whose ``"interrupted"`` says whether it happened."""
    state = {"interrupted": False}
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield state
        return

    def interrupt(signum, frame):
        if state["interrupted"] or not _KERNELS:
            raise KeyboardInterrupt
        state["interrupted"] = True
        for kernel in list(_KERNELS):
            if kernel.provisioner and kernel.provisioner.pid:
                os.kill(kernel.provisioner.pid, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


def __getattr__(name: str):  # the class is built on first use, so importing this module needs no Jupyter
    if name == "QuietKernelManager":
        return _quiet_kernel_manager()
    raise AttributeError(name)


def mark_interrupted(folders) -> int:
    """Rewrite every status file under ``folders`` still saying "running" as "interrupted" (after Ctrl-C or
    a stopped cluster), so that none claims a unit is running; returns how many it marked."""
    marked = 0
    for folder in folders:
        for path in sorted(Path(folder).glob("**/status/*.json")):
            entry = json.loads(path.read_text())
            if entry.get("status") == "running":
                atomic_write_json(path, entry | {"status": "interrupted"})
                marked += 1
    return marked


def read_status(unit_dir: Path, name: str) -> dict:
    try:
        return json.loads(status_path(unit_dir, name).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def is_complete(unit_dir: Path, name: str, inputs: str) -> bool:
    """Finished earlier from the same inputs, with its executed notebook and records on disk."""
    entry = read_status(unit_dir, name)
    return (
        entry.get("status") == "ok"
        and entry.get("inputs") == inputs
        and (Path(unit_dir) / f"{name}.ipynb").is_file()
        and records_path(unit_dir, name).is_file()
    )


def unit_dir(out: Path, seed: int | None) -> Path:
    """A seed study puts each seed in ``seed-<n>/``; a plain run (the notebook's default seed) in ``out``."""
    return Path(out) if seed is None else Path(out) / f"seed-{seed}"


def inputs_digest(name: str, parameters: dict) -> str:
    """What a unit's result depends on: the notebook, the helpers package and the parameters."""
    return (
        f"{_digest(NOTEBOOK_DIR / f'{name}.ipynb')}-{_digest(Path(__file__).resolve().parents[1])}-"
        f"{json.dumps(parameters, sort_keys=True)}"
    )


def run_unit(
    notebook: str,
    profile: str,
    seed: int | None,
    parameters: dict | None,
    out_dir: str | Path,
    kernel: str = "python3",
    log_output: bool | str = False,
    force: bool = False,
    published: bool = False,
) -> dict:
    """Execute one notebook for one seed with papermill into ``out_dir``; raises only on Ctrl-C
    (``KeyboardInterrupt``, after marking the unit interrupted).

    Writes the executed notebook, its figures, ``records/<notebook>.json`` and ``status/<notebook>.json``
    (atomically) into ``out_dir``. A unit already complete from the same inputs is skipped. Returns
    ``{"status": "ok"|"failed"|"skipped", "seconds", "records", "message"}``. ``log_output``: False (quiet),
    ``"tidy"`` (the notebook's own lines with progress, see :class:`TidyConsole`) or True (papermill's full log).
    ``published``: a training this machine's store lacks loads the published weights instead of training
    (a reproduction trains it: the default).
    """
    import papermill as pm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    params = {"profile": profile, **(parameters or {})}
    if out_dir.resolve() != (RUNS_DIR / profile).resolve():  # the notebooks' own default needs no parameter
        params["output_dir"] = str(out_dir)
    if seed is not None:
        params["seeds"] = [int(seed)]
    inputs = inputs_digest(notebook, {k: v for k, v in params.items() if k != "output_dir"})
    if not force and is_complete(out_dir, notebook, inputs):
        return {
            "status": "skipped",
            "seconds": 0.0,
            "records": len(read_records(records_path(out_dir, notebook))),
            "message": f"already complete in {out_dir} (use --force to rerun)",
        }
    partial = out_dir / f"{notebook}.partial.ipynb"
    atomic_write_json(status_path(out_dir, notebook), {"status": "running", "inputs": inputs})
    t0 = time.perf_counter()
    mode = "tidy" if log_output == "tidy" else ("verbose" if log_output else "quiet")
    handler = _console(notebook.split("_", 1)[0] + ("" if seed is None else f" seed {seed}"), notebook, mode)
    pm_logger = logging.getLogger("papermill")
    saved = (pm_logger.level, pm_logger.propagate)
    if handler:
        pm_logger.addHandler(handler)
        pm_logger.setLevel(logging.INFO)
        pm_logger.propagate = False
    os.environ["WORKBOOK_PUBLISHED"] = "1" if published else "0"  # the kernel inherits it
    quiet_kernel = [] if mode == "verbose" else ["--IPKernelApp.log_level=ERROR"]  # no transport warnings
    stack = contextlib.ExitStack()
    interrupt = stack.enter_context(_ctrl_c_interrupts_the_kernel())
    try:
        for attempt in range(1, KERNEL_START_TRIES + 1):
            try:
                pm.execute_notebook(
                    str(NOTEBOOK_DIR / f"{notebook}.ipynb"),
                    str(partial),
                    parameters=params,
                    kernel_name=kernel,
                    cwd=str(NOTEBOOK_DIR),
                    progress_bar=False,
                    log_output=mode != "quiet",
                    extra_arguments=quiet_kernel,
                    kernel_manager_class=_QUIET_KERNEL,
                )
                break
            except Exception:
                # A kernel that never started (a port taken by a parallel start) is retried; a notebook
                # that ran cells and failed is not.
                if attempt == KERNEL_START_TRIES or _cells_started(partial):
                    raise
                print(f"{notebook}: the kernel did not start (try {attempt}); starting it again", flush=True)
    except Exception as err:  # papermill raises its own error types; any failure is reported the same way
        seconds = time.perf_counter() - t0
        if interrupt["interrupted"]:  # Ctrl-C: say where it stopped, keep nothing half-written, stop the run
            partial.unlink(missing_ok=True)
            atomic_write_json(status_path(out_dir, notebook), {"status": "interrupted", "inputs": inputs})
            cell = getattr(err, "cell_index", None)  # papermill's index, from 0; the console counts from 1
            where = "" if cell is None else f" at cell {cell + 1}"
            print(f"interrupted: {unit_label(notebook, seed)}{where} after {duration(seconds)}; weights already "
                  "stored stay, and the same command resumes", flush=True)  # fmt: skip
            raise KeyboardInterrupt from None
        failed = out_dir / f"{notebook}.failed.ipynb"
        if partial.exists():
            partial.replace(failed)
        last = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        message = f"{type(err).__name__}: {last} (executed notebook kept at {failed})"
        atomic_write_json(
            status_path(out_dir, notebook),
            {"status": "failed", "inputs": inputs, "seconds": round(seconds, 1), "error": message},
        )
        return {"status": "failed", "seconds": seconds, "records": 0, "message": message}
    finally:
        stack.close()
        if handler:
            pm_logger.removeHandler(handler)
            pm_logger.setLevel(saved[0])
            pm_logger.propagate = saved[1]
    seconds = time.perf_counter() - t0
    partial.replace(out_dir / f"{notebook}.ipynb")
    n = len(read_records(records_path(out_dir, notebook))) if records_path(out_dir, notebook).is_file() else 0
    atomic_write_json(
        status_path(out_dir, notebook),
        {"status": "ok", "inputs": inputs, "seconds": round(seconds, 1), "seed": seed, "records": n},
    )
    return {"status": "ok", "seconds": seconds, "records": n, "message": ""}


KERNEL_START_TRIES = 3

# Papermill's own chatter and the reprs of objects a cell returns: kept out of the tidy console.
_NOISE = re.compile(
    r"^(Executing|Ending) Cell \d+-*$|^Executing notebook with kernel|^(Input|Output) Notebook:|"
    r"^Working directory:|^<Figure size [^>]*>$|^<IPython\.core\.display\.\w+ object>$|"
    r"^<[\w.]+ object at 0x[0-9a-f]+>$|^\[IPKernelApp\]|^Unable to parse line \d+ |"
    r"triggered tf\.function retracing|"  # TensorFlow's advice on its own internals
    r"\x1b\[|[┏┃┡│├└┗]"
)  # the last two: Keras's model summary tables (the notebook shows them)


class TidyConsole(logging.Handler):
    """Papermill's log, tidied for people: each line a notebook prints, with its cell and elapsed time.

    ``Executing Cell`` / ``Ending Cell`` pairs, object reprs and kernel transport warnings are dropped;
    the notebook's own lines (which model, epoch summaries, metrics) stay, prefixed with progress.
    """

    def __init__(self, tag: str, cells: int, write=print):
        super().__init__(level=logging.INFO)
        self.tag, self.cells, self.cell, self.write, self.t0 = tag, cells, 0, write, time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        started = re.match(r"^Executing Cell (\d+)", text)
        if started:
            self.cell = int(started.group(1))
            return
        for line in text.splitlines():
            if line.strip() and not _NOISE.search(line.strip()):
                self.write(
                    f"  {self.tag} | cell {self.cell:>2}/{self.cells} | {time.perf_counter() - self.t0:5.0f} s | "
                    f"{line.rstrip()}"
                )


def _console(tag: str, notebook: str, mode: str):
    """A logging handler for papermill in ``mode`` "tidy" (None for "quiet" and "verbose")."""
    if mode != "tidy":
        return None
    cells = (
        len(json.loads((NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())["cells"]) + 1
    )  # + injected parameters
    return TidyConsole(tag, cells)


def _cells_started(partial: Path) -> bool:
    """Did papermill run any cell of this (partial) notebook? False when the kernel never started."""
    try:
        cells = json.loads(Path(partial).read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return False
    return any(
        c.get("metadata", {}).get("papermill", {}).get("status") in ("running", "completed", "failed")
        for c in cells
    )
