"""Documents generated from ``results/``: no number in them is typed by hand.

* the README's results and benchmark blocks (between ``<!-- generated: NAME -->`` markers);
* each results folder's ``summary.md`` and ``REPORT.md``, headed by the records' own provenance;
* ``results/validation/INDEX.md``: every validation record, what it measured and the decision it supported.

    python -m helpers publish           # rewrite them all
    python -m helpers publish --check   # exit 1 and name each file that differs (tests/test_publish.py)
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np

from helpers import gait
from helpers.ele494 import report_value
from helpers.lab import gait_reference, store, tables
from helpers.lab.provenance import header
from helpers.lab.report import FIGURES, report_markdown
from helpers.lab.results import (
    HEADLINE,
    NOT_COMPARABLE,
    SETTING_KEYS,
    continuity_by_seed,
    is_simulated,
    physics_claims,
    read_records,
    row_key,
    seed_rows,
    verdict,
)
from helpers.lab.tables import fmt, summary_markdown
from helpers.lab.units import NOTEBOOKS
from helpers.paths import PROJECT_ROOT, RESULTS_DIR, atomic_write_bytes, atomic_write_text

README = PROJECT_ROOT / "README.md"
FOLDERS = ("seeds", "standard", "report")  # results/<folder>/results.json, each with its summary and report
VALIDATION = RESULTS_DIR / "validation"
BENCHMARK = RESULTS_DIR / "standard" / "benchmark.json"
CONFIRM = RESULTS_DIR / "confirm"  # the pre-registered confirmation study: PLAN.md, then results.json


def _seed_tables(plans: Path) -> list[dict[str, list[int]]]:
    """Each ``PLAN*.md``'s seeds table (rows like ``| I (dense autoencoders) | `01_dense_autoencoders` |
    100, 101, 102 |``) as section -> seeds, for every plan in ``plans`` (a folder) or that one file."""
    files = sorted(plans.glob("PLAN*.md")) if plans.is_dir() else [plans] if plans.is_file() else []
    tables = []
    for f in files:
        table = {}
        for line in f.read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 3 and re.fullmatch(r"\d+(, \d+)*", cells[2]):
                table[cells[0].split()[0]] = [int(seed) for seed in cells[2].split(", ")]
        tables.append(table)
    return tables


def planned_seeds(plans: Path = CONFIRM) -> dict[str, list[int]]:
    """Section (``"I"``, ``"II"``, ...) -> the seeds of the confirmation plan in force for it.

    A change of recipe or simulator after a confirmation means a new plan with new seeds, above every seed
    used before; so where several plans register a section, the one with the highest seeds is in force, and
    the earlier plan's records stay in ``results.json``, on record but no longer the section's verdict."""
    found: dict[str, list[int]] = {}
    for table in _seed_tables(plans):
        for section, seeds in table.items():
            if max(seeds) > max(found.get(section, [-1])):
                found[section] = seeds
    return found


def superseded_seeds(plans: Path = CONFIRM) -> set[int]:
    """Seeds of plans no longer in force (each plan's seeds are new, so a seed names its plan; Section III's
    records share Section IV's notebook and seeds, and go with them)."""
    planned = {seed for seeds in planned_seeds(plans).values() for seed in seeds}
    return {seed for seeds in registered_seeds(plans).values() for seed in seeds} - planned


def registered_seeds(plans: Path = CONFIRM) -> dict[str, list[int]]:
    """Section -> every seed any confirmation plan ever registered for it (in force or superseded)."""
    found: dict[str, set[int]] = {}
    for table in _seed_tables(plans):
        for section, seeds in table.items():
            found.setdefault(section, set()).update(seeds)
    return {section: sorted(seeds) for section, seeds in found.items()}


def gather_confirmation(roots: list[Path]) -> list[dict]:
    """Every finished unit's records under the confirmation runs' output roots
    (``<root>/standard/seed-<n>/records/<notebook>.json``), notebook by notebook, then seed by seed. Only
    confirmation seeds (100 and up) are taken: a development seed never enters ``results/confirm/``."""
    found: dict[str, list[Path]] = {}
    for root in roots:
        for path in Path(root).glob("standard/seed-*/records/*.json"):
            found.setdefault(path.stem, []).append(path)
    records = []
    for notebook in sorted(found):  # numbered: 01_..., 02_...
        for path in sorted(found[notebook], key=lambda p: int(p.parent.parent.name.removeprefix("seed-"))):
            records += [r for r in read_records(path) if r.get("seed") is not None and r["seed"] >= 100]
    return records


def confirmation_complete(records: list[dict], plan: dict[str, list[int]]) -> bool:
    """Whether every planned (section, seed) has records."""
    done = {(r["section"], r.get("seed")) for r in records}
    return bool(plan) and all((section, seed) in done for section, seeds in plan.items() for seed in seeds)


def _marker(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- generated: {name} .*?-->\n)(.*?)(<!-- end generated: {name} -->)", re.DOTALL)


def replace_block(text: str, name: str, content: str) -> str:
    """``text`` with the block between the ``name`` markers replaced by ``content``."""
    pattern = _marker(name)
    if not pattern.search(text):
        raise ValueError(
            f"No generated block {name!r}: add '<!-- generated: {name} (python -m helpers publish) -->' "
            f"and '<!-- end generated: {name} -->' lines where it belongs."
        )
    return pattern.sub(lambda m: m.group(1) + content.rstrip("\n") + "\n" + m.group(3), text, count=1)


def _spread(values: list[float], digits: int = 4) -> str:
    """``mean ± sd (min to max)`` over seeds, or the one value."""
    arr = np.asarray(values, dtype=float)
    if len(arr) == 1:
        return f"{arr[0]:.{digits}g}"
    if np.ptp(arr) <= 1e-9 * max(1.0, abs(arr.mean())):  # an untrained baseline: the same on every seed
        return f"{arr[0]:.{digits}g} (every seed)"
    return (
        f"{arr.mean():.{digits}g} ± {arr.std(ddof=1):.2g} ({arr.min():.{digits}g} to {arr.max():.{digits}g})"
    )


def _setting(record: dict) -> str:
    names = {"sigma": "σ", "latent_dim": "latent", "subject": "subject"}
    return ", ".join(f"{names[k]} {record[k]}" for k in SETTING_KEYS if record.get(k) is not None)


def results_block(
    records: list[dict], confirm: list[dict] | None = None, plan: dict[str, list[int]] | None = None
) -> str:
    """The README's results table: every model with a report number (Sections I and II), Section IV's
    learned models and ZUPT on simulated subjects and on the real walk, and the VAEs (Section V).

    ``records`` are the development seeds'. ``confirm`` and ``plan`` are the pre-registered confirmation
    study's records and seeds per section: where a section is planned, its verdict comes from the
    confirmation seeds once all of them are in ("pending" until then), the development figures beside it."""
    seeds = sorted({r["seed"] for r in records if r.get("seed") is not None})
    plan, confirm = plan or {}, confirm or []
    confirmed = {}  # row key -> that row's confirmation values, planned seeds only
    for r in confirm:
        metric = HEADLINE.get(r["section"], "test_mse")
        if r.get("seed") in plan.get(r["section"], ()) and metric in r:
            confirmed.setdefault(row_key(r), []).append(float(r[metric]))
    lines = [
        "**Confirmation**: the seeds pre-registered in `results/confirm/PLAN*.md` (recipes fixed before they "
        "ran; where a section has several plans, the newest is in force); the verdicts come from them. "
        "**Development** seeds "
        f"{', '.join(map(str, seeds))} (`results/seeds/`): the recipes were chosen on their validation data. "
        "Figures: mean ± sd (min to max) over seeds; profile `standard`.",
        "",
        "| section | model | setting | metric | report | confirmation | beats report? | development "
        "| seeds | beats report? (development) |",
        "|---|---|---|---|---:|---|:---|---|---:|:---|",
    ]

    def confirmation_cells(row: dict) -> str:
        planned = plan.get(row["section"])
        if not planned:
            return " | "
        values = confirmed.get(row_key(row["first"]), [])
        ours = _spread(values) + f" ({len(values)} seed{'s' if len(values) > 1 else ''})" if values else ""
        if len(values) < len(planned):
            return f"{ours} | pending ({len(values)} of {len(planned)} seeds run)"
        return f"{ours} | {verdict(values, row['report']) or ''}"

    def table_rows(sections: tuple[str, ...]) -> list[str]:
        rows = seed_rows([r for r in records if r["section"] in sections])
        return [
            f"| {row['section']} | {row['model']} | {_setting(row['first'])} | {row['metric']} | "
            f"{fmt(row['report'])} | {confirmation_cells(row)} | {_spread(row['values'])} | {row['n']} | "
            f"{row['verdict'] or ''} |"
            for row in rows
            if row["report"] is not None or row["section"] == "V"
        ]

    lines += table_rows(("I", "II"))
    simulated = [r for r in records if r["section"] == "IV" and is_simulated(r) and "test_rmse_kmh" in r]
    test_subject = min((r["subject"] for r in simulated), default=None)
    for model in ("conv-lstm", "zupt-residual", "zupt"):
        for label, keep in (
            (f"simulated subject {test_subject}", lambda r: r["subject"] == test_subject),
            ("simulated unseen subjects", lambda r: r["subject"] != test_subject),
        ):
            rows = [r for r in simulated if r["model"] == model and keep(r)]
            if rows:
                subjects = sorted({r["subject"] for r in rows})
                where = label + ("" if len(subjects) == 1 else f" {subjects[0]}–{subjects[-1]}")
                lines.append(
                    f"| IV | {model} | {where} | test_rmse_kmh | {fmt(report_value(rows[0]))} (real data) | | | "
                    f"{_spread([r['test_rmse_kmh'] for r in rows], 3)} | {len({r['seed'] for r in rows})} | "
                    f"{NOT_COMPARABLE} |"
                )
    lines += table_rows(("V",))
    real = [r for r in records if r.get("real") is True and "pred_mean_kmh" in r]
    if real:
        feet = sorted({r["subject"] for r in real})
        lines += [
            "",
            f"The real walk (Section IV's sim-to-real test, motion-capture speed {real[0]['true_speed_kmh']:.2f} "
            "km/h): error of the mean prediction, km/h.",
            "",
            "| model | " + " | ".join(str(f).rsplit("-", 1)[-1] + " foot" for f in feet) + " | seeds |",
            "|---|" + "---|" * len(feet) + "---:|",
        ]
        for model in dict.fromkeys(r["model"] for r in real):
            cells = [
                _spread(
                    [
                        r["pred_mean_kmh"] - r["true_speed_kmh"]
                        for r in real
                        if (r["model"], r["subject"]) == (model, f)
                    ],
                    2,
                )
                for f in feet
            ]
            n = len({r["seed"] for r in real if r["model"] == model})
            lines.append(f"| {model} | " + " | ".join(cells) + f" | {n} |")
    lines += physics_block(records, confirm, plan)
    lines += continuity_block(records, confirm, plan)
    return "\n".join(lines)


def _section_study(
    confirm: list[dict], plan: dict[str, list[int]], section: str
) -> tuple[list[dict], str | None]:
    """One section's confirmation: its records on planned seeds, complete or not, and what its column says
    until every planned seed is in (``None`` once complete; ``""`` where the section is not planned)."""
    planned = plan.get(section, [])
    mine = [r for r in confirm if r["section"] == section and r.get("seed") in planned]
    done = {r["seed"] for r in mine}
    if not planned:
        return [], ""
    if done != set(planned):
        return [], f"pending ({len(done)} of {len(planned)} seeds run)"
    return mine, None


def continuity_block(records: list[dict], confirm: list[dict], plan: dict[str, list[int]]) -> list[str]:
    """Section V's claim, measure by measure: on how many seeds the VAE's latent space did better than the plain
    autoencoder's (:func:`helpers.lab.results.continuity_by_seed`); the claim holds only on every seed. The
    confirmation's column waits for every planned seed."""
    rows = continuity_by_seed([r for r in records if r["section"] == "V"])
    if not rows:
        return []
    mine, pending = _section_study(confirm, plan, "V")
    confirmed = {(c["latent_dim"], c["measure"]): c["wins"] for c in continuity_by_seed(mine)}

    def better_on(wins: list[bool]) -> str:
        text = f"{sum(wins)} of {len(wins)} seeds"
        return f"**{text}**" if wins and all(wins) else text

    lines = [
        "",
        "Section V, the VAE's latent space against a plain autoencoder's (the claim holds for a measure only "
        "when the VAE is better on every seed):",
        "",
        "| code size | measure | confirmation: VAE better on | development: VAE better on |",
        "|---:|---|:---|:---|",
    ]
    for c in rows:
        key = (c["latent_dim"], c["measure"])
        conf = pending if pending is not None else better_on(confirmed.get(key, []))
        lines.append(f"| {c['latent_dim']} | {c['label']} | {conf} | {better_on(c['wins'])} |")
    return lines


def physics_block(records: list[dict], confirm: list[dict], plan: dict[str, list[int]]) -> list[str]:
    """Section IV's claims for the combined model against ZUPT (:func:`helpers.lab.results.physics_claims`): the
    development seeds', and the confirmation's where Section IV is planned ("pending" until every seed is in).
    """
    claims = physics_claims(records)
    if not claims:
        return []
    mine, pending = _section_study(confirm, plan, "IV")
    confirmed = {c["claim"]: c for c in physics_claims(mine)}
    lines = [
        "",
        "Learning with physics against physics alone (Section IV, `zupt-residual` against ZUPT):",
        "",
        "| claim | confirmation | development | development verdict |",
        "|---|---|---|:---|",
    ]
    for c in claims:
        if pending is not None:
            conf = pending
        else:
            conf = f"{confirmed[c['claim']]['figures']}: **{confirmed[c['claim']]['verdict']}**"
        lines.append(f"| {c['claim']} | {conf} | {c['figures']} | {c['verdict']} |")
    return lines


def benchmark_block(bench: dict, per_model: bool = True) -> str:
    """The benchmark's tables from ``results/standard/benchmark.json``: the ratios, and the roofline (its
    per-model table only with ``per_model``; the README keeps the summary line)."""
    full, quality = bench["full_recipes"], bench["to_report_quality"]
    lines = [
        f"`benchmarks/time_to_quality.py --fraction {bench['fraction']}`, git {bench['git'].split()[0]}, "
        f"{bench['machine']}.",
        "",
        "| section | report protocol, s | standard, s | ratio | standard to report quality, s | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for section, sides in full["by_section_s"].items():
        q = quality["by_section_s"][section]
        lines.append(
            f"| {section} | {sides['report']:,.0f} | {sides['standard']:,.0f} | "
            f"{sides['report'] / sides['standard']:.1f}× | {q['standard']:,.0f} | "
            f"{q['report'] / q['standard']:.1f}× |"
        )
    t, tq = full["totals_s"], quality["totals_s"]
    lines.append(
        f"| all | {t['report']:,.0f} | {t['standard']:,.0f} | {full['ratio']:.1f}× | "
        f"{tq['standard']:,.0f} | {quality['ratio']:.1f}× |"
    )
    roof = bench.get("roofline")
    if roof:
        lines += [
            "",
            f"Roofline: matmul peaks {roof['peak_gflops']['float32']:,} GFLOP/s (float32) and "
            f"{roof['peak_gflops']['mixed_bfloat16']:,} GFLOP/s (bfloat16); the standard plan's lower bound at "
            f"those peaks is {roof['plan_lower_bound_min']} min. Whole fits recorded in `results/standard/` took "
            f"{roof['recorded_fit_s']:,} s where the slices estimate {roof['slice_estimate_of_recorded_s']:,} s "
            "for the same models." + ("" if per_model else " Per model: `docs/benchmark.md`."),
        ]
    if roof and per_model:
        lines += [
            "",
            "| section | model | precision | MFLOP per example | GFLOP/s | share of peak |",
            "|---|---|---|---:|---:|---:|",
            *(
                f"| {m['section']} | {m['model']} | {m['precision']} | {m['train_flops_per_example'] / 1e6:.1f} | "
                f"{m['achieved_gflops']:.1f} | {m['share_of_peak']:.1%} |"
                for m in roof["models"]
            ),
        ]
    same = bench.get("section_ii_report_in_standard_precision_s")
    if same:
        standard_ii = full["by_section_s"]["II"]["standard"]
        lines += [
            "",
            f"Section II with both sides in the same precision per model: {same:,.0f} s against "
            f"{standard_ii:,.0f} s, **{same / standard_ii:.1f}×**.",
        ]
    return "\n".join(lines)


def validation_index() -> str:
    """``results/validation/INDEX.md``: one row per validation record, with the decision it supported."""
    decisions = json.loads((VALIDATION / "decisions.json").read_text())
    lines = [
        "# Validation records",
        "",
        "Every record here scored candidates on **validation** data only (the 5,000 images held out of the "
        "training set, or Section III's validation subject); none touched a test image. Generated by "
        "`python -m helpers publish` from the records and `decisions.json`; how each recipe was chosen is "
        "told in `docs/recipes.md`.",
        "",
        "| record | what was trained | seeds | git | validation figure | decision it supported |",
        "|---|---|---|---|---|---|",
    ]
    for path in sorted(VALIDATION.glob("*.json")):
        if path.name == "decisions.json":
            continue
        data = json.loads(path.read_text())
        rows = data.get("rows", [])
        seeds = sorted({r["seed"] for r in rows if "seed" in r})
        vals = [r["val_mse"] for r in rows if "val_mse" in r]
        figure = ", ".join(f"{v:.6f}" for v in vals[:6]) + (" …" if len(vals) > 6 else "")
        if not vals and rows and "seconds_per_epoch" in rows[0]:
            figure = "seconds per epoch: " + ", ".join(f"{r['seconds_per_epoch']}" for r in rows)
        what = decisions.get(path.name, {})
        lines.append(
            f"| [{path.name}]({path.name}) | {what.get('trained', data.get('part', ''))} | "
            f"{', '.join(map(str, seeds))} | {str(data.get('git', '')).split('+')[0].split()[0]} | {figure} | "
            f"{what.get('decision', '**not yet described**')} |"
        )
    return "\n".join(lines) + "\n"


def _validation_records() -> list[tuple[Path, dict, dict]]:
    """Each validation record with its description from ``decisions.json``, in name order."""
    decisions = json.loads((VALIDATION / "decisions.json").read_text())
    return [
        (path, json.loads(path.read_text()), decisions.get(path.name, {}))
        for path in sorted(VALIDATION.glob("*.json"))
        if path.name != "decisions.json"
    ]


def evidence_block() -> str:
    """``docs/recipes.md``'s evidence: validation figures grouped by the decision they supported."""
    by_decision: dict[str, list[str]] = {}
    for path, data, what in _validation_records():
        figures = [
            f"{r['val_mse']:.6f}" + (f" (seed {r['seed']})" if "seed" in r else "")
            for r in data.get("rows", [])
            if "val_mse" in r
        ]
        if not figures:
            continue
        entry = f"[{path.stem}](../results/validation/{path.name}): {what.get('trained', '')}: " + ", ".join(
            figures
        )
        by_decision.setdefault(what.get("decision", "not yet described"), []).append(entry)
    lines = []
    for decision, entries in by_decision.items():
        lines += [f"**{decision}.** Validation MSE:", "", *(f"- {e}" for e in entries), ""]
    return "\n".join(lines)


def realism_block() -> str | None:
    """Notebook 03's realism table, the simulator's population against the real walk, from the code at this
    commit (:func:`helpers.gait.reference_population`); ``None`` where the real walk is not on disk."""
    folder = gait_reference.find_reference()
    if folder is None:
        return None
    signal, heel_strikes = gait_reference.load_reference(folder)
    return tables.realism_markdown(gait.reference_population(), signal, heel_strikes, fs=gait_reference.FS)


def outputs() -> dict[Path, str]:
    """Every generated file's path and the text it should hold now."""
    found: dict[Path, str] = {}
    plan = planned_seeds()
    confirm = read_records(CONFIRM / "results.json") if (CONFIRM / "results.json").is_file() else []
    # The confirmation's own summary and report once every planned seed is in (partial: the README says so).
    complete = confirmation_complete(confirm, plan)
    for folder in FOLDERS + (("confirm",) if complete else ()):
        path = RESULTS_DIR / folder / "results.json"
        records = read_records(path)
        if folder == "confirm":  # the plans in force; a superseded plan's records stay in results.json
            superseded = superseded_seeds()
            records = [r for r in records if r.get("seed") not in superseded]
        profile = records[0]["profile"]
        context = path.parent / "CONTEXT.md"  # prose about the run's conditions, if any
        if (path.parent / "runs.json").is_file():  # a reference run: its conditions, from what it recorded
            found[context] = reference_context(path.parent)
        text = found.get(context) or (context.read_text() if context.is_file() else "")
        head = header(records, profile) + ("\n\n" + text.strip() if text else "")
        found[path.parent / "summary.md"] = head + "\n\n" + summary_markdown(records)
        found[path.parent / "REPORT.md"] = report_markdown(records, head, path.parent)
    readme = README.read_text()
    readme = replace_block(
        readme, "results", results_block(read_records(RESULTS_DIR / "seeds" / "results.json"), confirm, plan)
    )
    readme = replace_block(
        readme, "benchmark", benchmark_block(json.loads(BENCHMARK.read_text()), per_model=False)
    )
    readme = replace_block(readme, "reference", reference_block(RESULTS_DIR / "standard"))
    found[README] = readme
    recipes = PROJECT_ROOT / "docs" / "recipes.md"
    found[recipes] = replace_block(recipes.read_text(), "evidence", evidence_block())
    bench = PROJECT_ROOT / "docs" / "benchmark.md"
    found[bench] = replace_block(
        bench.read_text(), "benchmark", benchmark_block(json.loads(BENCHMARK.read_text()))
    )
    found[VALIDATION / "INDEX.md"] = validation_index()
    realism = realism_block()
    if realism is not None:  # needs the real walk (scripts/setup.sh fetches it); without it, left as it is
        simulator = PROJECT_ROOT / "docs" / "simulator.md"
        found[simulator] = replace_block(simulator.read_text(), "realism", realism)
    return found


def main(check: bool = False) -> int:
    stale = []
    for path, text in outputs().items():
        current = path.read_text() if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            atomic_write_text(path, text)
    verb = "differ from what `python -m helpers publish` writes" if check else "rewritten"
    for path in stale:
        shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
        print(f"{shown}: {verb}")
    if not stale:
        print("generated documents are up to date")
    return 1 if check and stale else 0


# What a reference run leaves in results/standard/: its records, the figures its report shows, and each
# notebook executed, so that GitHub renders the lesson with its outputs.
EXECUTED_LIMIT_BYTES = 1_500_000


def adopt_reference(run: Path, folder: Path = RESULTS_DIR / "standard") -> list[Path]:
    """Copy the reference run in ``run`` (a ``make run``'s ``runs/standard/``) into ``folder``: ``results.json``,
    the report's figures, and each executed notebook, cleaned (:func:`clean_executed`); returns what it wrote.
    ``python -m helpers publish`` then regenerates the folder's summary and report.

    The run's trained weights (its store, ``runs/weights/`` beside ``run``) become the published weights,
    ``<folder>/weights/`` (:func:`helpers.lab.store.publish`). A run that loaded published weights is no
    reference: it measured nothing."""
    if any(r.get("published") for r in json.loads((run / "results.json").read_text())):
        raise ValueError(f"{run} loaded published weights (--published): a reference run trains everything.")
    written = [atomic_write_text(folder / "results.json", (run / "results.json").read_text())]
    for name in sorted({f for figures in FIGURES.values() for f in figures}):
        if (run / name).is_file():
            written.append(atomic_write_bytes(folder / name, (run / name).read_bytes()))
    if (run / "runs.json").is_file():  # how the run was made: reference_context reads it
        written.append(atomic_write_text(folder / "runs.json", (run / "runs.json").read_text()))
    for notebook in NOTEBOOKS:
        executed = json.loads((run / f"{notebook}.ipynb").read_text())
        written.append(
            atomic_write_text(folder / f"{notebook}.ipynb", json.dumps(clean_executed(executed), indent=1))
        )
    weights = store.WeightStore(run.parent / "weights", folder.name)
    return written + store.publish(weights, folder / "weights")


def reference_context(folder: Path) -> str:
    """The conditions of the reference run in ``folder``, written from what it recorded: each run of its
    folder (``runs.json``: when, where, which commit, how it was asked for), its records, and its published
    weights (``weights/``, each training's facts)."""
    runs = json.loads((folder / "runs.json").read_text())
    records, lines = read_records(folder / "results.json"), []
    for run in runs:
        asked = " --force" * bool(run.get("force")) + " --published" * bool(run.get("published"))
        ok = sum(u["status"] == "ok" for u in run["units"])
        lines.append(
            f"- `python -m helpers run{asked}` at git {run['git']}{'' if run.get('git_clean') else ' (uncommitted changes)'} "
            f"on {run['machine']}: {run['started_utc']} to {run['ended_utc']}, {run['seconds'] / 60:.1f} min, "
            f"{ok} of {len(run['units'])} notebooks ok."
        )
    facts = [json.loads(p.read_text()) for p in sorted((folder / "weights").glob("*.json"))]
    size = sum(p.stat().st_size for p in (folder / "weights").rglob("*") if p.is_file()) / 1e6
    first = runs[0]
    during = sum(first["started_utc"] <= f["trained_utc"] <= first["ended_utc"] for f in facts)
    reused = sum(bool(r.get("reused")) for r in records)
    return "\n".join([
        "The reference run of this profile (`make reference` in a fresh clone), in the order its folder's runs "
        "were made (`runs.json`):", "",
        *lines, "",
        f"`results.json` holds the last run's {len(records)} records ({reused} of them of models it loaded, "
        "each with its original training time); the executed notebooks here are that run's, cleaned by "
        "`python -m helpers publish --reference` (no widget state, no stderr, palette PNGs).", "",
        f"`weights/` publishes its {len(facts)} trainings, {during} of them trained during the first run, and "
        f"its remembered results: {size:.1f} MB. A notebook opened without a trained store loads them.",
        *(["", "`benchmark.json` is the time-to-quality benchmark's own run (`docs/benchmark.md` names its "
            "commit), not part of this one."] if (folder / "benchmark.json").is_file() else []),
    ]) + "\n"  # fmt: skip


def reference_block(folder: Path) -> str:
    """What a reference run adds to the repository's history: its published weights, and its executed
    notebooks and figures (the records are a few hundred kB more)."""
    weights = sum(p.stat().st_size for p in (folder / "weights").rglob("*") if p.is_file()) / 1e6
    lesson = sum(p.stat().st_size for p in folder.iterdir() if p.suffix in (".ipynb", ".png")) / 1e6
    return (
        f"Each reference run adds about {weights + lesson:.1f} MB to the repository's history (before git's "
        f"compression): {weights:.1f} MB of published weights, {lesson:.1f} MB of executed notebooks and figures."
    )


def clean_executed(nb: dict) -> dict:
    """An executed notebook as readers see it: no widget state or widget views (static figures stand in for
    them), no stderr (TensorFlow's log), no run-specific cell metadata, figures as palette PNGs."""
    nb["metadata"].pop("widgets", None)
    nb["metadata"].pop("papermill", None)
    for cell in nb["cells"]:
        for key in ("papermill", "execution"):
            cell["metadata"].pop(key, None)
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue
            data = out.get("data", {})
            data.pop("application/vnd.jupyter.widget-view+json", None)
            if "image/png" in data:
                data["image/png"] = _smaller_png(data["image/png"])
            if out.get("output_type") in ("display_data", "execute_result") and not data:
                continue
            outputs.append(out)
        if "outputs" in cell:
            cell["outputs"] = outputs
    return nb


def _smaller_png(encoded: str | list[str]) -> str:
    """A figure as a 256-colour palette PNG, when that is smaller (plots use few colours: no visible loss)."""
    from PIL import Image  # deferred: only publishing needs it (matplotlib brings Pillow)

    raw = base64.b64decode("".join(encoded) if isinstance(encoded, list) else encoded)
    image = Image.open(io.BytesIO(raw)).convert("RGB").quantize(colors=256)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    smaller = buffer.getvalue() if len(buffer.getvalue()) < len(raw) else raw
    return base64.b64encode(smaller).decode("ascii")
