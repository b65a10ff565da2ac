"""Where a number came from: the machine, the date, the package versions and the git revision."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

from helpers.paths import IN_CHECKOUT, PROJECT_ROOT

PACKAGES = ("tensorflow", "tensorflow-cpu", "keras", "numpy", "scipy", "matplotlib", "papermill", "nbval")


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        import psutil

        return round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        return None


def machine() -> str:
    """e.g. '2-core Intel(R) Xeon(R) ... , 23.4 GiB RAM, Linux x86_64, no GPU'."""
    m = machine_fields()
    gpu = "no GPU" if m["gpu"] == "none" else m["gpu"]
    return f"{m['cores']}-core {m['cpu']}, {m['ram_gib']} GiB RAM, {m['os']}, {gpu}"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10
    ).stdout.strip()


# `git archive` writes the commit into this file (.gitattributes: export-subst), so a workbook installed from
# a zip of the repository (Colab's workbook_source) still knows which commit it is.
ARCHIVED_COMMIT = Path(__file__).with_name("commit.txt")


def git_state() -> tuple[str, bool | None]:
    """``(short revision, tree clean?)`` of the checkout, or of the archive the workbook was installed from;
    ``("unknown", None)`` when neither says."""
    if not IN_CHECKOUT:
        archived = ARCHIVED_COMMIT.read_text().strip() if ARCHIVED_COMMIT.is_file() else ""
        return (archived, True) if re.fullmatch(r"[0-9a-f]{7,40}", archived) else ("unknown", None)
    try:
        rev = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return (rev, not dirty) if rev else ("unknown", None)
    except (OSError, subprocess.SubprocessError):
        return "unknown", None


def git_revision() -> str:
    """The short revision, with "+local changes" when tracked files differ from it."""
    rev, clean = git_state()
    return rev + ("+local changes" if clean is False else "")


def machine_fields() -> dict:
    """The machine as a record keeps it: CPU model, cores, RAM and GPUs."""
    gpu = "none"
    try:
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            gpu = f"{len(gpus)} GPU(s)" if gpus else "none"
    except Exception:  # provenance must never break a run
        pass
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": memory_gib(),
        "gpu": gpu,
        "os": f"{platform.system()} {platform.machine()}",
    }


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_provenance() -> dict:
    """Where every record of this process comes from: git revision and cleanliness, machine, key versions.

    A record adds its own profile, seed and UTC start and end (``helpers.lab.notebook.Session``)."""
    rev, clean = git_state()
    return {
        "git": rev,
        "git_clean": clean,
        "machine": machine_fields(),
        "packages": {"python": platform.python_version(), **package_versions()},
    }


def package_versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def header(records: list[dict], profile: str) -> str:
    """A markdown paragraph, computed from ``records``' own provenance fields, stating when, where and with
    what they were made: the UTC span, each git revision (and whether its tree was clean) with its record
    count, the machines and the package versions. Records marked ``backfilled`` are counted as such."""
    if not records:
        return f"Profile `{profile}`: no records."
    starts = sorted(r["started_utc"] for r in records if r.get("started_utc"))
    ends = sorted(r["ended_utc"] for r in records if r.get("ended_utc"))
    span = f"{starts[0]} to {ends[-1]}" if starts and ends else "unknown times"
    revisions: dict[str, int] = {}
    for r in records:
        clean = {True: "", False: " with local changes", None: ""}[r.get("git_clean")]
        key = f"{r.get('git', 'unknown')}{clean}"
        revisions[key] = revisions.get(key, 0) + 1
    machines = sorted({_machine_text(r.get("machine")) for r in records})
    versions = sorted(
        {", ".join(f"{k} {v}" for k, v in (r.get("packages") or {}).items()) for r in records} - {""}
    )
    backfilled = sum(bool(r.get("backfilled")) for r in records)
    seeds = sorted({r["seed"] for r in records if r.get("seed") is not None})
    lines = [
        f"Profile `{profile}`, {len(records)} records, seeds {', '.join(map(str, seeds)) or 'none'}, "
        f"made {span}.",
        "git: " + "; ".join(f"{rev} ({n} records)" for rev, n in revisions.items()) + ".",
        "Machine: " + "; ".join(machines) + ".",
        "Versions: " + " | ".join(versions) + "." if versions else "Versions: unknown.",
    ]
    if backfilled:
        lines.append(
            f"{backfilled} records carry provenance backfilled from what is known of their runs "
            "(`backfilled: true`; scripts/backfill_provenance.py)."
        )
    return "  \n".join(lines)


def _machine_text(fields: dict | None) -> str:
    if not fields:
        return "unknown"
    ram = f", {fields['ram_gib']} GiB RAM" if fields.get("ram_gib") else ""
    return f"{fields.get('cores', '?')}-core {fields.get('cpu', '?')}{ram}, GPU: {fields.get('gpu', '?')}"
