"""Markdown made from result records: section tables, verdict bullets, summaries and the regression lines.

Every table the notebooks, ``summary.md``, ``REPORT.md`` and the README show is built here, from records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from helpers import gait, zupt
from helpers.ele494 import report_value
from helpers.lab.results import (
    CONTINUITY_MEASURES,
    HEADLINE,
    NOT_COMPARABLE,
    SHARPNESS_DIAGNOSTICS,
    VERDICT_RULE,
    mean_records,
    read_records,
    row_key,
    seed_rows,
    setting_text,
)
from helpers.paths import RESULTS_DIR, atomic_write_json, atomic_write_text


def verdict_lines(records: list[dict]) -> list[str]:
    """Markdown bullets, model by model: mean ± sd, range and seeds beside the report, and the verdict.

    Rows on simulated data get no verdict against a real-data number, so they share one line instead of
    one each (their numbers are in the section's table).
    """
    lines, simulated = [], []
    for row in seed_rows(records):
        if row["report"] is None:
            continue
        if row["verdict"] == NOT_COMPARABLE:
            simulated.append(row)
            continue
        where = f" ({row['setting']})" if row["setting"] else ""
        spread = (
            f"{row['mean']:.4g} ± {row['sd']:.2g} (min {row['min']:.4g}, max {row['max']:.4g}; "
            f"{row['n']} seeds)"
            if row["n"] > 1
            else f"{row['mean']:.4g} (1 seed)"
        )
        lines.append(
            f"- `{row['model']}`{where}: {row['metric']} {spread}; report {row['report']:.4g}: "
            f"**{row['verdict']}**."
        )
    if simulated:
        models = ", ".join(f"`{m}`" for m in dict.fromkeys(r["model"] for r in simulated))
        seeds = max(r["n"] for r in simulated)
        lines.append(
            f"- {len(simulated)} rows on simulated subjects ({models}; up to {seeds} seed(s) each): "
            f"**{NOT_COMPARABLE}** with the report's {simulated[0]['report']:.4g}, measured on real data."
        )
    return lines


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


def spread_cell(row: dict) -> str:
    """``mean ± sd`` over seeds, or the one value."""
    return f"{fmt(row['mean'])} ± {row['sd']:.2g}" if row["n"] > 1 else fmt(row["mean"])


def section_table(
    records: list[dict],
    metric: str,
    extra: tuple[str, ...] = (),
    report_cell: Callable[[dict], str] | None = None,
) -> list[str]:
    """Markdown lines of one section's table, one row per model and setting, pooled over seeds.

    Our metric as mean ± sd with min, max and the number of seeds, beside the report's number and the
    verdict of :func:`verdict`. ``extra`` columns show seed means.
    """
    report_cell = report_cell or (lambda r: fmt(report_value(r)))
    lines = [
        "| model | setting | params | "
        + " | ".join((f"{metric} (mean ± sd)", "min", "max", "seeds", *extra))
        + " | report | beats report? | seconds |",
        "|---|---|---:|" + "---:|" * (4 + len(extra)) + "---:|:---:|---:|",
    ]
    means = {row_key(r): r for r in mean_records(records)}
    for row in seed_rows(records, metric):
        mean_rec = means[row_key(row["first"])]
        values = " | ".join(
            [
                spread_cell(row),
                fmt(row["min"]) if row["n"] > 1 else "",
                fmt(row["max"]) if row["n"] > 1 else "",
                str(row["n"]),
                *(fmt(mean_rec.get(k)) for k in extra),
            ]
        )
        lines.append(
            f"| {row['model']} | {row['setting']} | {fmt(row['params'])} | {values} | "
            f"{report_cell(row['first'])} | {row['verdict'] or ''} | {fmt(round(row['seconds']))} |"
        )
    return lines


def section_markdown(
    records: list[dict], section: str, metric: str | None = None, extra: tuple[str, ...] = ()
) -> str:
    """One section's table (for a notebook's results cell), with the verdict rule under it."""
    rows = [r for r in records if r["section"] == section]
    table = section_table(rows, metric or HEADLINE.get(section, "test_mse"), extra)
    return "\n".join([*table, "", VERDICT_RULE])


def summary_markdown(records: list[dict], title: str = "Results") -> str:
    """A markdown table per section: our headline metric beside the report's, computed, not typed."""
    lines = [f"# {title}", ""]
    for section in dict.fromkeys(r["section"] for r in records):
        rows = [r for r in records if r["section"] == section]
        lines += [f"## Section {section}", "", *section_table(rows, HEADLINE.get(section, "test_mse")), ""]
    return "\n".join(lines + [VERDICT_RULE, ""])


def write_summary(output_dir: str | Path, records: list[dict], header: str = "") -> tuple[Path, Path]:
    """Write ``results.json`` and ``summary.md`` into ``output_dir``, each atomically."""
    output_dir = Path(output_dir)
    results = atomic_write_json(output_dir / "results.json", records)
    text = summary_markdown(records)
    summary = atomic_write_text(output_dir / "summary.md", (header + "\n\n" if header else "") + text)
    return results, summary


def headline_lines(records: list[dict], digits: int = 3) -> str:
    """Every record's headline metric to ``digits`` significant digits, one line each, in a stable order.

    Printed by each notebook's last check cell (``# NBVAL_CHECK_OUTPUT``): the smoke runs are deterministic on
    the project's CPU, so a changed recipe, model or data pipeline changes these lines and fails nbval.
    """
    lines = []
    for r in records:
        # The section's headline metric; a row without it (a plain AE has no ELBO) shows its first metric there is.
        candidates = (
            HEADLINE.get(r["section"], "test_mse"),
            "test_mse",
            "val_rmse_kmh",
            "test_rmse_kmh",
            "test_recon_nats",
        )
        metric = next((k for k in candidates if k in r), None)
        if metric is None:
            continue
        lines.append(
            f"{r['section']:>3} {r['model']:<18} {setting_text(r, ' '):<12} seed={r.get('seed')} "
            f"{metric}={float(r[metric]):.{digits}g}"
        )
    return "\n".join(lines)


SEED_STUDY = RESULTS_DIR / "seeds" / "results.json"


def study_lines(section: str, path: str | Path = SEED_STUDY) -> list[str]:
    """What the committed seed study (``results/seeds/results.json``) found for ``section``, model by model.

    A notebook run has its own seeds; these lines put it beside the study that the README's verdicts use.
    """
    path = Path(path)
    if not path.is_file():
        return [f"- No committed seed study at {path.name} for Section {section}."]
    records = [r for r in read_records(path) if r["section"] == section]
    if not records:
        return [f"- The committed seed study has no Section {section} records yet."]
    seeds = sorted({r.get("seed") for r in records if r.get("seed") is not None})
    head = f"- **Committed seed study** (`results/seeds/`, seeds {', '.join(map(str, seeds))}, same recipes):"
    return [head, *("  " + line for line in verdict_lines(records))]


def markdown_table(rows: list[dict], columns: dict[str, str], percent: Iterable[str] = ()) -> str:
    """A markdown table of ``rows`` (dicts): ``columns`` maps each key to its header; keys in ``percent``
    show as percentages, numbers otherwise through :func:`fmt`; a missing value is an empty cell."""
    percent = set(percent)

    def cell(row: dict, key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        return f"{value:.1%}" if key in percent else fmt(value)

    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(r, k) for k in columns) + " |" for r in rows]
    return "\n".join(lines)


def realism_markdown(
    sims: list[tuple[np.ndarray, np.ndarray]], ref: np.ndarray, ref_hs: np.ndarray, fs: float
) -> str:
    """The realism table: a simulated population against one real walker.

    Three stride scalars (population mean and range, with the tolerance the tests enforce on the mean),
    then the three waveform correlations (mean and lowest over the population). One real person is one
    draw from a population, so a single simulated subject need not match them; the population's centre must.
    The correlations compare mean stride curves between still (mid-stance) instants found the same way in
    both recordings (:func:`helpers.zupt.still_instants`), since the real file's stride borders are not
    heel strikes.
    """
    real = gait.stride_statistics(ref, ref_hs, fs)
    found = [gait.stride_statistics(sig, hs, fs) for sig, hs in sims]
    rows = [
        f"| figure | real | simulated, mean of {len(sims)} subjects (range) | difference of the mean | tolerance or target |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, tol in gait.REALISM_TOLERANCE.items():
        values = [f[key] for f in found]
        mean = float(np.mean(values))
        rows.append(
            f"| {key} | {real[key]:.3f} | {mean:.3f} ({min(values):.3f}-{max(values):.3f}) | "
            f"{mean / real[key] - 1:+.1%} | ±{tol:.0%} |"
        )
    ref_still = zupt.still_instants(ref, fs)
    shapes = [
        gait.waveform_correlations(sig, zupt.still_instants(sig, fs), ref, ref_still) for sig, _ in sims
    ]
    for name in gait.WAVEFORM_CHANNELS:
        values = [c[name] for c in shapes]
        target = f"mean ≥ {gait.SHAPE_TARGET[name]}" if name in gait.SHAPE_TARGET else ""
        rows.append(
            f"| mean stride curve of {name}: correlation | 1 | {np.mean(values):.3f} (lowest {min(values):.3f}) | | {target} |"
        )
    return "\n".join(rows)


def elbo_markdown(elbo: dict, parts: dict, runs: dict) -> str:
    """Section V's test negative ELBO table: one row per ``(seed, model)`` of ``elbo``, with the model's code
    size, parameter count and training seconds from ``parts`` and ``runs`` (keyed alike)."""
    rows = [
        {"model": n, "seed": s, "latent_dim": parts[(s, n)].latent_dim,
         "params": parts[(s, n)].model.count_params(), **e, "seconds": runs[(s, n)].seconds}
        for (s, n), e in elbo.items()
    ]  # fmt: skip
    columns = {"model": "model", "seed": "seed", "latent_dim": "latent dim", "params": "params",
               "test_neg_elbo_nats": "−ELBO (nats)", "test_recon_nats": "reconstruction (nats)",
               "test_kl_nats": "KL (nats)", "seconds": "train seconds"}  # fmt: skip
    return markdown_table(rows, columns)


def continuity_markdown(records: list[dict]) -> str:
    """Section V's measures of continuity and sharpness, one row per model and seed."""
    measures = {**CONTINUITY_MEASURES, **SHARPNESS_DIAGNOSTICS}
    columns = {"model": "model", "seed": "seed", **{k: label for k, (label, _) in measures.items()}}
    return markdown_table(records, columns, percent=SHARPNESS_DIAGNOSTICS)
