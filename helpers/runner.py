"""The run command: execute the notebooks headless with papermill, resumably, one profile at a time.

Outputs go to ``runs/<profile>/``: executed notebooks, PNG figures, ``records/``, ``results.json``,
``summary.md`` and ``manifest.json`` (which notebooks finished, from which inputs).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import NOTEBOOK_DIR, PROJECT_ROOT, RUNS_DIR, atomic_write_json
from helpers.profiles import check_profile
from helpers.results import gather, records_path, write_summary

# Notebook file stem -> what it covers, in the order the workbook is read.
NOTEBOOKS = {
    "01_dense_autoencoders": "Section I: dense autoencoders",
    "02_denoising_autoencoders": "Section II: denoising convolutional autoencoders",
    "03_lstm_speed_estimation": "Sections III/IV: treadmill speed from a shoe IMU",
    "04_variational_autoencoder": "Section V: variational autoencoders",
}


def select(only: str | None) -> list[str]:
    """Notebook stems from ``--only`` (comma-separated, by number ``01`` or name); all when empty."""
    if not only:
        return list(NOTEBOOKS)
    chosen = []
    for token in (t.strip() for t in only.split(",") if t.strip()):
        matches = [n for n in NOTEBOOKS if n == token or n.split("_", 1)[0] == token.zfill(2) or token in n]
        if len(matches) != 1:
            known = ", ".join(NOTEBOOKS)
            raise ValueError(f"Unknown notebook {token!r} for --only. Choose from: {known} (or their numbers).")
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


def _manifest_path(out: Path) -> Path:
    return out / "manifest.json"


def _load_manifest(out: Path) -> dict:
    try:
        return json.loads(_manifest_path(out).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _update_manifest(out: Path, name: str, entry: dict) -> None:
    """Re-read, update one notebook's entry, write atomically: runs in parallel keep each other's entries."""
    manifest = _load_manifest(out)
    manifest[name] = entry
    atomic_write_json(_manifest_path(out), manifest)


def is_complete(out: Path, name: str, inputs: str, manifest: dict) -> bool:
    """Finished earlier from the same inputs, with its executed notebook and records on disk."""
    entry = manifest.get(name, {})
    return (entry.get("status") == "ok" and entry.get("inputs") == inputs
            and (out / f"{name}.ipynb").is_file() and records_path(out, name).is_file())


def run(profile: str = "standard", only: str | None = None, force: bool = False, kernel: str = "python3",
        output_root: Path | None = None, log_output: bool = True, extra_parameters: dict | None = None
        ) -> list[Outcome]:
    """Execute the selected notebooks under ``profile``; a failing notebook does not stop the others."""
    import papermill as pm

    check_profile(profile)
    names = select(only)
    out = (Path(output_root) if output_root else RUNS_DIR) / profile
    out.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(out)
    helpers_digest = _digest(PROJECT_ROOT / "helpers")
    outcomes: list[Outcome] = []
    t_all = time.perf_counter()
    for i, name in enumerate(names, 1):
        source = NOTEBOOK_DIR / f"{name}.ipynb"
        inputs = f"{_digest(source)}-{helpers_digest}-{json.dumps(extra_parameters or {}, sort_keys=True)}"
        if not force and is_complete(out, name, inputs, manifest):
            print(f"[{i}/{len(names)}] {name}: already complete in {out} (use --force to rerun)", flush=True)
            outcomes.append(Outcome(name, "skipped", 0.0))
            continue
        print(f"[{i}/{len(names)}] {name} ({NOTEBOOKS[name]}), profile {profile} ... "
              f"[{time.perf_counter() - t_all:.0f} s elapsed]", flush=True)
        partial = out / f"{name}.partial.ipynb"
        t0 = time.perf_counter()
        _update_manifest(out, name, {"status": "running", "inputs": inputs})
        try:
            pm.execute_notebook(
                str(source), str(partial),
                parameters={"profile": profile, **({"output_dir": str(out)} if output_root else {}),
                            **(extra_parameters or {})},
                kernel_name=kernel, cwd=str(NOTEBOOK_DIR), progress_bar=False, log_output=log_output,
            )
        except Exception as err:  # papermill raises its own error types; any failure is reported the same way
            seconds = time.perf_counter() - t0
            failed = out / f"{name}.failed.ipynb"
            if partial.exists():
                partial.replace(failed)
            first_line = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
            message = f"{type(err).__name__}: {first_line} (executed notebook kept at {failed})"
            print(f"[{i}/{len(names)}] {name} FAILED after {seconds:.0f} s: {message}", flush=True)
            entry = {"status": "failed", "inputs": inputs, "seconds": round(seconds, 1), "error": message}
            outcomes.append(Outcome(name, "failed", seconds, message))
        else:
            seconds = time.perf_counter() - t0
            partial.replace(out / f"{name}.ipynb")
            entry = {"status": "ok", "inputs": inputs, "seconds": round(seconds, 1)}
            print(f"[{i}/{len(names)}] {name} done in {seconds:.0f} s", flush=True)
            outcomes.append(Outcome(name, "ok", seconds))
        _update_manifest(out, name, entry)
    summarise(out, profile)
    return outcomes


def summarise(out: Path, profile: str) -> None:
    """Gather every notebook's records into ``results.json``, ``summary.md`` and ``REPORT.md``."""
    from helpers.provenance import header
    from helpers.report import write_report

    manifest = _load_manifest(out)
    finished = [n for n in NOTEBOOKS if manifest.get(n, {}).get("status") == "ok"]  # never a half-run notebook
    records = gather(out, finished)
    text = header(profile)
    results, summary = write_summary(out, records, header=text)
    report = write_report(out, records, text)
    print(f"{len(records)} records -> {results}; table -> {summary}; report -> {report}", flush=True)
