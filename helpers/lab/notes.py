"""Each notebook's closing comments, computed from its records: what this run shows, in a few bullets.

One function per section; each returns markdown bullet lines from the run's records (pooled over seeds:
the numbers are seed means), followed by the verdicts of :mod:`helpers.lab.results` and what the committed
seed study found. The notebooks only display them.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from helpers.baselines import SPEED_BASELINES
from helpers.ele494 import LSTM_TEST_MSE_KMH2
from helpers.lab import results, tables
from helpers.models import code_size, conv_filters


def dense(records: list[dict], models: Sequence[str], pca_components: Sequence[int]) -> list[str]:
    """Section I: verdicts; each model against PCA of its code size; what depth and width buy."""
    by = {r["model"]: r for r in results.mean_records(records)}
    notes = tables.verdict_lines(records)
    for code in pca_components:
        pca = by.get(f"pca-{code}")
        for n in (m for m in models if code_size(m) == code and pca):
            gain = 100 * (1 - by[n]["test_mse"] / pca["test_mse"])
            notes.append(
                f"- `{n}` vs PCA-{code}: {gain:+.0f}% lower MSE than the best linear code of the same size."
            )
    if {"dense-32", "dense-128-32-128"} <= set(by):
        deep = 100 * (1 - by["dense-128-32-128"]["test_mse"] / by["dense-32"]["test_mse"])
        notes.append(
            f"- Depth at a 32-unit code: the 128-32-128 model's MSE is {deep:.0f}% lower than the one-layer model's."
        )
    if {"dense-32", "dense-64"} <= set(by):
        wide = 100 * (1 - by["dense-64"]["test_mse"] / by["dense-32"]["test_mse"])
        notes.append(
            f"- Width: doubling the one-layer code from 32 to 64 units lowers the MSE by {wide:.0f}%."
        )
    return notes + tables.study_lines("I")


def denoise(
    records: list[dict],
    sigmas: Sequence[float],
    models: Sequence[str],
    retention: dict,
    per_class: dict,
    class_names: Sequence[str],
) -> list[str]:
    """Section II: each model against the next wider one, detail kept, worst class, baselines beaten, verdicts.

    ``retention`` and ``per_class`` are keyed by ``(model name, sigma)``, like the notebook's trained models."""
    by = {(r["model"], r.get("sigma")): r for r in results.mean_records(records)}
    notes = []
    ordered = sorted(models, key=conv_filters)
    for narrow, wide in zip(ordered, ordered[1:]):
        for s in sigmas:
            a, b = by[(narrow, s)]["test_mse"], by[(wide, s)]["test_mse"]
            notes.append(
                f"- σ={s}: {conv_filters(wide)} filters give {100 * (1 - b / a):+.1f}% lower MSE than "
                f"{conv_filters(narrow)} ({b:.5f} vs {a:.5f})."
            )
    for (name, s), kept in retention.items():
        if s in (max(sigmas), min(sigmas)):
            worst = int(np.argmax(per_class[(name, s)]))
            notes.append(
                f"- {name} at σ={s} keeps {100 * kept:.0f}% of the clean images' fine-detail (Laplacian) "
                f"energy; its worst class is {class_names[worst]} (MSE {per_class[(name, s)][worst]:.4f})."
            )
    for s in sigmas:
        best = min(
            (r for k, r in by.items() if k[1] == s and not k[0].startswith("conv")),
            key=lambda r: r["test_mse"],
        )
        nets = [
            k[0]
            for k, r in by.items()
            if k[1] == s and k[0].startswith("conv") and r["test_mse"] < best["test_mse"]
        ]
        notes.append(
            f"- σ={s}: the best baseline is {best['model']} (test MSE {best['test_mse']:.5f}); "
            f"beaten by {', '.join(nets) or 'no network'}."
        )
    return notes + tables.verdict_lines(records) + tables.study_lines("II")


def speed(
    records: list[dict],
    models: Sequence[str],
    test_subject: int,
    unseen: Sequence[int],
    walks: Sequence[str],
    simulated: bool,
    per_speed: dict[float, float],
) -> list[str]:
    """Sections III/IV: each learned model in ``models`` on the test subject against the baselines
    (``helpers.baselines.SPEED_BASELINES``), per speed (``per_speed``: the last model's RMSE by speed),
    on unseen subjects and on the real walk."""
    by = {(r["section"], r["model"], r["subject"]): r for r in results.mean_records(records)}
    mean, ridge = (by[("IV", m, test_subject)]["test_rmse_kmh"] for m in ("predict-mean", "gait-ridge"))
    report_rmse = LSTM_TEST_MSE_KMH2**0.5
    worst, best = max(per_speed, key=per_speed.get), min(per_speed, key=per_speed.get)
    notes = [f"- Data: {'simulated by helpers.gait' if simulated else 'real recordings'}."]
    for model in models:
        net = by[("IV", model, test_subject)]["test_rmse_kmh"]
        notes.append(
            f"- Subject {test_subject}: {model} RMSE {net:.3f} km/h = {net / mean:.0%} of predicting the mean "
            f"({mean:.3f} km/h); the gait-feature ridge gets {ridge:.3f} km/h."
        )
    notes += [
        f"- The report's LSTM got {report_rmse:.2f} km/h (MSE {LSTM_TEST_MSE_KMH2}) on a real subject"
        + (
            ": a number on simulated subjects is not comparable with it, so no verdict is given."
            if simulated
            else "."
        ),
        f"- Worst speed for subject {test_subject} ({models[-1]}): {worst} km/h (RMSE {per_speed[worst]:.3f}); "
        f"best: {best} km/h ({per_speed[best]:.3f}).",
    ]
    compared = [*models, *SPEED_BASELINES]
    if unseen:

        def spread(model: str) -> str:
            rmse = np.array([by[("IV", model, i)]["test_rmse_kmh"] for i in unseen])
            sd = f" ± {rmse.std(ddof=1):.3f}" if len(rmse) > 1 else ""
            return f"{rmse.mean():.3f}{sd} km/h ({rmse.min():.3f}–{rmse.max():.3f})"

        notes.append(
            f"- {len(unseen)} unseen subject(s) ({', '.join(map(str, unseen))}), RMSE mean ± sd (min–max): "
            + "; ".join(f"{m} {spread(m)}" for m in compared)
            + "."
        )
    for name in walks:
        walked = {m: by[("IV", m, name)] for m in compared}
        err = {m: r["pred_mean_kmh"] - r["true_speed_kmh"] for m, r in walked.items()}
        notes.append(
            f"- Real walk, {name.split('-')[-1]} foot (true {walked[models[0]]['true_speed_kmh']:.2f} km/h), "
            "mean error: "
            + ", ".join(f"{m} {err[m]:+.2f} km/h" for m in compared)
            + ". The learned models' gap "
            "between this and their simulated RMSE is how far the simulator's models transfer."
        )
    return (
        notes
        + physics_or_learning(records, models, unseen, walks)
        + tables.verdict_lines(records)
        + (tables.study_lines("IV"))
    )


def physics_or_learning(
    records: list[dict], models: Sequence[str], unseen: Sequence[int], walks: Sequence[str]
) -> list[str]:
    """Where the learned models beat ZUPT and where physics wins, in plain words, from the records: the
    unseen simulated subjects' mean RMSE, and on the real walk each model's mean error (feet averaged) with
    its spread over seeds (max - min of the per-seed mean prediction)."""
    compared = [*models, "zupt"]
    iv = [r for r in records if r["section"] == "IV"]
    lines = []
    if unseen:
        sim = {
            m: np.mean([r["test_rmse_kmh"] for r in iv if r["model"] == m and r["subject"] in unseen])
            for m in compared
        }
        best = min(sim, key=sim.get)
        best = "ZUPT (no training)" if best == "zupt" else best
        lines.append(
            f"- **Physics or learning, simulated people:** {best} is best on the unseen subjects "
            f"({sim[min(sim, key=sim.get)]:.3f} km/h RMSE; ZUPT {sim['zupt']:.3f})."
        )
    if walks:
        error, spread = {}, {}
        for m in compared:
            rows = [r for r in iv if r["model"] == m and r["subject"] in walks]
            error[m] = float(np.mean([abs(r["pred_mean_kmh"] - r["true_speed_kmh"]) for r in rows]))
            per_seed = [
                np.mean([r["pred_mean_kmh"] for r in rows if r["seed"] == s])
                for s in {r["seed"] for r in rows}
            ]
            spread[m] = float(np.ptp(per_seed)) if len(per_seed) > 1 else None
        best = min(error, key=error.get)
        seeds = "" if spread[best] is None else f", {spread[best]:.2f} km/h apart over seeds"
        lines.append(
            f"- **Physics or learning, a real walk:** {best} is closest (mean |error| {error[best]:.2f} km/h{seeds}); "
            + ", ".join(f"{m} {error[m]:.2f}" for m in compared if m != best)
            + ". ZUPT needs no training, only a still foot once per stride (mid-stance), which walking gives"
            + "; a model trained on simulated people alone inherits whatever the simulator gets wrong"
            + (
                "; zupt-residual starts from ZUPT and learns only its error, so a simulator flaw moves it by no "
                "more than that correction."
                if "zupt-residual" in models
                else "."
            )
        )
    return lines


def vae(records: list[dict], seeds: Sequence[int]) -> list[str]:
    """Section V: VAE against plain AE per code size, the sharpness diagnostic, and the ELBO across sizes."""
    means = results.mean_records(records)
    by = {r["model"]: r for r in means}
    notes = [
        f"- Seeds: {', '.join(map(str, seeds))}; the figures show seed {seeds[0]}, the numbers are seed means."
    ]
    compared = results.vae_vs_autoencoder(means)
    for d in dict.fromkeys(c["latent_dim"] for c in compared):
        here = [c for c in compared if c["latent_dim"] == d]
        notes.append(
            f"- **{d}-d codes, VAE vs plain AE:** the VAE is better on {sum(c['vae_better'] for c in here)} "
            f"of {len(here)} continuity and sample-quality measures."
        )
        notes += [
            f"  - {c['label']}: VAE {c['vae']:.3g} vs plain AE {c['ae']:.3g} — "
            f"{'the VAE is better' if c['vae_better'] else '**the plain AE is better here**'}."
            for c in here
        ]
        v, a = by[f"vae-{d}d"], by[f"ae-{d}d"]
        sharper = "plain AE" if a["sample_confident_share"] > v["sample_confident_share"] else "VAE"
        notes.append(
            f"  - Diagnostic: the judge is sure about {v['sample_confident_share']:.0%} of the VAE's samples "
            f"and {a['sample_confident_share']:.0%} of the plain AE's ({sharper} higher) — sharpness, not "
            "continuity; compare the samples figure."
        )
    vaes = sorted((r for r in means if r["model"].startswith("vae")), key=lambda r: r["latent_dim"])
    if len(vaes) > 1:
        lo, hi = vaes[0], vaes[-1]
        notes.append(
            f"- Negative ELBO: {hi['latent_dim']}-d {hi['test_neg_elbo_nats']:.1f} nats vs {lo['latent_dim']}-d "
            f"{lo['test_neg_elbo_nats']:.1f} nats; the larger code reconstructs better "
            f"({hi['test_recon_nats']:.1f} vs {lo['test_recon_nats']:.1f}) and pays more KL "
            f"({hi['test_kl_nats']:.1f} vs {lo['test_kl_nats']:.1f})."
        )
    return notes


def markdown(profile: str, lines: Sequence[str]) -> str:
    """The closing comments under a results table: a heading that names the profile, then one line each."""
    return f"\n\n**Profile `{profile}` — what this run shows:**\n\n" + "\n".join(lines)
