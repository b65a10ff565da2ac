"""Result records: one dict per trained model or baseline, written atomically, summarised as markdown.

Each notebook writes its records to ``<output_dir>/records/<notebook>.json``; the run command
gathers them, in notebook order, into ``results.json`` and ``summary.md``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Iterable

from helpers.paths import atomic_write_json, atomic_write_text
from helpers.report_numbers import report_value

REQUIRED_KEYS = ("section", "model", "params", "profile", "seconds")
# The headline metric of each section, where lower is better.
HEADLINE = {
    "I": "test_mse",
    "II": "test_mse",
    "III": "val_rmse_kmh",
    "IV": "test_rmse_kmh",
    "V": "test_neg_elbo_nats",
}


# Section V: how a VAE's latent space is compared with a plain autoencoder's (key: label, lower is better).
CONTINUITY_MEASURES = {
    "sample_frechet": ("random samples: Fréchet distance to real test images", True),
    "interp_frechet": ("interpolation frames: Fréchet distance to real test images", True),
    "interp_path_ratio": ("interpolation path ratio (1 = straight)", True),
    "interp_max_jump_share": ("largest interpolation step's share of the path (0.1 = even steps)", True),
}
# Reported beside them, not as continuity: a classifier's confidence rewards sharp (and saturated) images.
SHARPNESS_DIAGNOSTICS = {
    "sample_confident_share": ("random samples the judge labels with confidence", False),
    "interp_confident_share": ("interpolation frames the judge labels with confidence", False),
}


def make_record(section: str, model: str, params: int, profile: str, seconds: float, **metrics: Any) -> dict:
    """A result record with the required keys first, then the metrics by name."""
    record = {"section": section, "model": model, "params": int(params), "profile": profile,
              "seconds": round(float(seconds), 2)}
    for key, value in metrics.items():
        record[key] = float(value) if hasattr(value, "item") else value
    return validate(record)


def validate(record: dict) -> dict:
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        raise ValueError(f"Result record {record!r} lacks {', '.join(missing)}; build it with make_record().")
    for key, value in record.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"Result record for {record['model']} has a non-finite {key}: {value}.")
    return record


def records_path(output_dir: str | Path, notebook: str) -> Path:
    return Path(output_dir) / "records" / f"{notebook}.json"


def write_records(output_dir: str | Path, notebook: str, records: Iterable[dict]) -> Path:
    """Write one notebook's records, replacing its earlier ones, atomically."""
    return atomic_write_json(records_path(output_dir, notebook), [validate(dict(r)) for r in records])


def read_records(path: str | Path) -> list[dict]:
    path = Path(path)
    try:
        records = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON ({err}); rerun the notebook that wrote it.") from err
    if not isinstance(records, list):
        raise ValueError(f"{path} should hold a list of records, found {type(records).__name__}.")
    return [validate(r) for r in records]


def gather(output_dir: str | Path, notebooks: Iterable[str]) -> list[dict]:
    """All records of the given notebooks, in that order (notebooks without records are skipped)."""
    found: list[dict] = []
    for name in notebooks:
        path = records_path(output_dir, name)
        if path.is_file():
            found += read_records(path)
    return found


def beats_report(record: dict) -> bool | None:
    """True when the record's headline metric is at or below the report's; None without a report number."""
    reference = report_value(record)
    metric = HEADLINE.get(record["section"])
    if reference is None or metric not in record:
        return None
    return float(record[metric]) <= reference


def epochs_to_report_quality(record: dict) -> int | None:
    """The first epoch at which the record's validation curve reached the report's number (time to target).

    The validation images score a little better than the test images (about 1% in Sections I and II), so
    the target is the report's test number scaled by this model's final validation-to-test ratio. None
    without a ``val_curve``, a report number or a crossing.
    """
    target, curve = report_value(record), record.get("val_curve")
    metric = HEADLINE.get(record["section"])
    if target is None or not curve or metric not in record:
        return None
    target *= curve[-1][1] / float(record[metric])
    return next((epoch for epoch, (_, value) in enumerate(curve, 1) if value <= target), None)


def vae_vs_autoencoder(records: list[dict]) -> list[dict]:
    """For every code size with both ``vae-Nd`` and ``ae-Nd`` records: each continuity measure, side by side.

    Returns dicts with ``latent_dim``, ``measure``, ``label``, ``vae``, ``ae`` and ``vae_better``.
    """
    by_name = {r["model"]: r for r in records if r["section"] == "V"}
    rows = []
    for name, v in by_name.items():
        a = by_name.get(name.replace("vae-", "ae-", 1)) if name.startswith("vae-") else None
        if a is None:
            continue
        for key, (label, lower) in CONTINUITY_MEASURES.items():
            if key in v and key in a:
                better = v[key] < a[key] if lower else v[key] > a[key]
                rows.append({"latent_dim": v.get("latent_dim"), "measure": key, "label": label,
                             "vae": v[key], "ae": a[key], "vae_better": bool(better)})
    return rows


def fmt(value: Any) -> str:
    """A table cell: yes/**no** for verdicts, 4 significant digits, thousands separators."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def section_table(rows: list[dict], metric: str, extra: tuple[str, ...] = (),
                  report_cell: Callable[[dict], str] | None = None) -> list[str]:
    """Markdown lines of one section's table: our metric(s) beside the report's, with a computed verdict."""
    report_cell = report_cell or (lambda r: fmt(report_value(r)))
    lines = ["| model | setting | params | " + " | ".join((metric, *extra)) + " | report | beats report? | seconds |",
             "|---|---|---:|" + "---:|" * (1 + len(extra)) + "---:|:---:|---:|"]
    for r in rows:
        setting = ", ".join(f"{k}={r[k]}" for k in ("sigma", "latent_dim", "subject") if r.get(k) is not None)
        values = " | ".join(fmt(r.get(k)) for k in (metric, *extra))
        lines.append(f"| {r['model']} | {setting} | {fmt(r['params'])} | {values} | {report_cell(r)} | "
                     f"{fmt(beats_report(r))} | {fmt(r['seconds'])} |")
    return lines


def summary_markdown(records: list[dict], title: str = "Results") -> str:
    """A markdown table per section: our headline metric beside the report's, computed, not typed."""
    lines = [f"# {title}", ""]
    for section in dict.fromkeys(r["section"] for r in records):
        rows = [r for r in records if r["section"] == section]
        lines += [f"## Section {section}", "", *section_table(rows, HEADLINE.get(section, "test_mse")), ""]
    return "\n".join(lines)


def write_summary(output_dir: str | Path, records: list[dict], header: str = "") -> tuple[Path, Path]:
    """Write ``results.json`` and ``summary.md`` into ``output_dir``, each atomically."""
    output_dir = Path(output_dir)
    results = atomic_write_json(output_dir / "results.json", records)
    text = summary_markdown(records)
    summary = atomic_write_text(output_dir / "summary.md", (header + "\n\n" if header else "") + text)
    return results, summary
