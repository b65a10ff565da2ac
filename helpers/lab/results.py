"""Result records and the verdict rule: one dict per trained model or baseline, written atomically.

Each notebook writes its records to ``<output_dir>/records/<notebook>.json``; the run command
gathers them, in notebook order, into ``results.json``. Markdown made of them is in :mod:`helpers.lab.tables`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from helpers.ele494 import report_value
from helpers.paths import atomic_write_json

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
    record = {
        "section": section,
        "model": model,
        "params": int(params),
        "profile": profile,
        "seconds": round(float(seconds), 2),
    }
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


# --- The verdict rule, stated once ------------------------------------------------------------------------
# A model "beats the report" only when a study of at least MIN_SEEDS seeds has EVERY seed at or below the
# report's number. Fewer seeds, all below: "N seed(s), not robust". Any seed above: "no". A row measured on
# simulated data is never set against the report's number, which was measured on real recordings.
MIN_SEEDS = 3
SETTING_KEYS = ("sigma", "latent_dim", "subject")
NOT_COMPARABLE = "not comparable (simulated)"


def is_simulated(record: dict) -> bool:
    """Sections III/IV rows are on simulated subjects unless the record says the data was real."""
    if record.get("section") not in ("III", "IV"):
        return bool(record.get("simulated", False))
    return not (record.get("real") is True or record.get("simulated") is False)


VERDICT_RULE = (
    f"*Verdict rule:* a model beats the report only when every seed of a study with at least {MIN_SEEDS} "
    "seeds is at or below the report's number; rows on simulated data are not set against the report's "
    "real-data number."
)  # the rule in words, printed under every table; verdict() applies it


def verdict(values: list[float], reference: float | None, simulated: bool = False) -> str | None:
    """The workbook's one verdict rule, :data:`VERDICT_RULE`; None when there is no report number."""
    if reference is None or not values:
        return None
    if simulated:
        return NOT_COMPARABLE
    n, below = len(values), sum(float(v) <= reference for v in values)
    if below < n:
        return f"no ({below} of {n} seeds at or below)"
    if n < MIN_SEEDS:
        return f"{n} seed{'s' if n > 1 else ''}, not robust"
    return f"yes ({n} of {n} seeds)"


def row_key(record: dict) -> tuple:
    """What makes two records the same table row: section, model and setting (not the seed)."""
    return (record["section"], record["model"], *(record.get(k) for k in SETTING_KEYS))


def setting_text(record: dict, sep: str = ", ") -> str:
    """A record's setting as ``sigma=0.2`` / ``latent_dim=2`` / ``subject=4`` (empty for none)."""
    return sep.join(f"{k}={record[k]}" for k in SETTING_KEYS if record.get(k) is not None)


def _rows(records: list[dict]) -> list[list[dict]]:
    """Records grouped by :func:`row_key` (one group per table row, seeds pooled), in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(row_key(r), []).append(r)
    return list(groups.values())


def _sd(values: np.ndarray) -> float:
    """Sample sd over seeds (n - 1); 0 for one seed, and for identical values (no float dust)."""
    if len(values) < 2 or np.ptp(values) == 0:
        return 0.0
    return float(values.std(ddof=1))


def seed_rows(records: list[dict], metric: str | None = None) -> list[dict]:
    """Records grouped by row (section, model, setting) across seeds, in first-seen order.

    Each row: ``section``, ``model``, ``setting``, ``params``, ``metric``, ``values`` (one per seed), ``seeds``,
    ``n``, ``mean``, ``sd`` (sample sd; 0 for one seed), ``min``, ``max``, ``seconds`` (mean), ``report``,
    ``simulated`` and ``verdict`` (from :func:`verdict`), and ``first`` (the first record, for other columns).
    """
    rows = []
    for group in _rows(records):
        m = metric or HEADLINE.get(group[0]["section"], "test_mse")
        values = [float(r[m]) for r in group if m in r]
        if not values:
            continue
        arr = np.asarray(values)
        simulated = any(is_simulated(r) for r in group)
        reference = report_value(group[0])
        rows.append(
            {
                "section": group[0]["section"],
                "model": group[0]["model"],
                "setting": setting_text(group[0]),
                "params": group[0]["params"],
                "metric": m,
                "values": values,
                "seeds": [r.get("seed") for r in group if m in r],
                "n": len(values),
                "mean": float(arr.mean()),
                "sd": _sd(arr),
                "min": float(arr.min()),
                "max": float(arr.max()),
                "seconds": float(np.mean([r["seconds"] for r in group])),
                "report": reference,
                "simulated": simulated,
                "verdict": verdict(values, reference, simulated),
                "first": group[0],
            }
        )
    return rows


def mean_records(records: list[dict]) -> list[dict]:
    """One record per row (section, model, setting), its numeric metrics averaged over seeds, first-seen order.

    For notes that compare models; ``n_seeds`` says how many records each mean pools.
    """
    out = []
    for group in _rows(records):
        merged = dict(group[0])
        for k, v in merged.items():
            # A setting (sigma 0.1) names the row and is never averaged: the mean of three 0.1s is
            # 0.10000000000000002, another row. Nor is any value every seed shares.
            if k in SETTING_KEYS or not isinstance(v, float):
                continue
            values = [r.get(k) for r in group]
            if all(isinstance(x, (int, float)) for x in values) and len(set(values)) > 1:
                merged[k] = float(np.mean(values))
        merged["n_seeds"] = len(group)
        out.append(merged)
    return out


def epochs_to_report_quality(record: dict) -> int | None:
    """The first epoch from which the record's validation curve *stays* at or below the report's number.

    A curve that dips below the target and comes back above it has not reached it: the epoch counted is the
    first of the final run of epochs at or below the target. The validation images score a little better
    than the test images (about 1% in Sections I and II), so the target is the report's test number scaled
    by this model's final validation-to-test ratio. None without a ``val_curve``, a report number or a
    final stretch at the target.
    """
    target, curve = report_value(record), record.get("val_curve")
    metric = HEADLINE.get(record["section"])
    if target is None or not curve or metric not in record:
        return None
    target *= curve[-1][1] / float(record[metric])
    first = None
    for epoch, (_, value) in enumerate(curve, 1):
        if value <= target:
            first = first or epoch
        else:
            first = None
    return first


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
                rows.append(
                    {
                        "latent_dim": v.get("latent_dim"),
                        "measure": key,
                        "label": label,
                        "vae": v[key],
                        "ae": a[key],
                        "vae_better": bool(better),
                    }
                )
    return rows


def continuity_by_seed(records: list[dict]) -> list[dict]:
    """:func:`vae_vs_autoencoder` on the seed means, each row with ``wins``: whether the VAE was better on
    each seed (a claim holds only when it is on every seed)."""
    per_seed = [
        vae_vs_autoencoder([r for r in records if r.get("seed") == seed])
        for seed in sorted({r.get("seed") for r in records}, key=str)
    ]
    return [
        dict(
            c,
            wins=[
                x["vae_better"]
                for found in per_seed
                for x in found
                if (x["latent_dim"], x["measure"]) == (c["latent_dim"], c["measure"])
            ],
        )
        for c in vae_vs_autoencoder(mean_records(records))
    ]


# Section IV: how far the recommended model's mean prediction on the real walk may move between seeds (km/h).
REAL_WALK_SPREAD_KMH = 0.1


def _seed_count(held: list[bool]) -> str:
    """The verdict wording of :func:`verdict` for a claim checked seed by seed."""
    n, k = len(held), sum(held)
    if k < n:
        return f"no ({k} of {n} seeds)"
    return f"yes ({n} of {n} seeds)" if n >= MIN_SEEDS else f"{n} seed{'s' if n > 1 else ''}, not robust"


def _over_seeds(holds: bool, n: int) -> str:
    """The verdict wording for a claim about a figure pooled over ``n`` seeds."""
    if n < MIN_SEEDS:
        return f"{n} seed{'s' if n > 1 else ''}, not robust"
    return ("yes" if holds else "no") + f" ({n} seeds)"


def physics_claims(records: list[dict], model: str = "zupt-residual") -> list[dict]:
    """Section IV's claims about a model that combines learning with ZUPT, each with its figures and verdict
    (``claim``, ``figures``, ``verdict``), from one study's records:

    1. on the real walk, its absolute mean error is at most ZUPT's on every foot, on every seed;
    2. on the unseen simulated subjects (all but the lowest-numbered test subject), its RMSE averaged over
       subjects and seeds is at or below ZUPT's;
    3. on the real walk, its mean prediction moves by at most ``REAL_WALK_SPREAD_KMH`` over seeds (max - min),
       on every foot.
    """
    iv = [r for r in records if r["section"] == "IV" and r["model"] in (model, "zupt")]
    real = [r for r in iv if r.get("real") is True and "pred_mean_kmh" in r]
    sim = [r for r in iv if is_simulated(r) and "test_rmse_kmh" in r]
    claims = []
    feet = sorted({r["subject"] for r in real})
    seeds = sorted({r["seed"] for r in real if r["model"] == model})
    if feet and seeds:
        error = {
            (r["model"], r["subject"], r["seed"]): abs(r["pred_mean_kmh"] - r["true_speed_kmh"]) for r in real
        }
        held = [all(error[(model, f, s)] <= error[("zupt", f, s)] for f in feet) for s in seeds]
        claims.append(
            {
                "claim": f"real walk: {model}'s absolute mean error at most ZUPT's on both feet",
                "figures": "; ".join(
                    f"{str(f).rsplit('-', 1)[-1]} foot {np.mean([error[(model, f, s)] for s in seeds]):.3f} "
                    f"against {np.mean([error[('zupt', f, s)] for s in seeds]):.3f} km/h"
                    for f in feet
                ),
                "verdict": _seed_count(held),
            }
        )
        spread = {
            f: float(np.ptp([r["pred_mean_kmh"] for r in real if (r["model"], r["subject"]) == (model, f)]))
            for f in feet
        }
        claims.append(
            {
                "claim": f"real walk: {model}'s mean prediction within {REAL_WALK_SPREAD_KMH} km/h over seeds",
                "figures": "; ".join(
                    f"{str(f).rsplit('-', 1)[-1]} foot {v:.3f} km/h apart" for f, v in spread.items()
                ),
                "verdict": _over_seeds(all(v <= REAL_WALK_SPREAD_KMH for v in spread.values()), len(seeds)),
            }
        )
    if sim:
        test_subject = min(r["subject"] for r in sim)
        mean = {
            m: float(
                np.mean([r["test_rmse_kmh"] for r in sim if r["model"] == m and r["subject"] != test_subject])
            )
            for m in (model, "zupt")
        }
        n = len({r["seed"] for r in sim if r["model"] == model})
        claims.append(
            {
                "claim": f"unseen simulated subjects: {model}'s RMSE at or below ZUPT's (mean over subjects and seeds)",
                "figures": f"{mean[model]:.3f} against {mean['zupt']:.3f} km/h",
                "verdict": _over_seeds(mean[model] <= mean["zupt"], n),
            }
        )
    return claims
