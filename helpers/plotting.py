"""Figures shared by the notebooks: learning curves and image grids, titled and labelled."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

if matplotlib.get_backend().lower() == "agg" or not matplotlib.get_backend():
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from helpers.ele494 import CONV_TEST_MSE
from helpers.gait import POPULATION, RUN_STRIDE_RATE, STRIKES, TRANSITION_MPS, G
from helpers.paths import atomic_write_bytes


def save_figure(fig: plt.Figure, path: str | Path, dpi: int = 110) -> Path:
    """Save ``fig`` as a PNG atomically (the file is whole or absent)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return atomic_write_bytes(Path(path).with_suffix(".png"), buffer.getvalue())


def learning_curves(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    metrics: Sequence[str] = ("loss",),
    labels: Mapping[str, str] | None = None,
    title: str = "Learning curves",
    log_y: bool = True,
) -> plt.Figure:
    """One panel per metric; a solid line (train) and a dashed one (validation) per model."""
    labels = labels or {}
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 3.8), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (name, history) in enumerate(histories.items()):
            color = f"C{i}"
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], color=color, label=f"{name} train")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], "--", color=color, label=f"{name} validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(labels.get(metric, metric))
        ax.set_title(labels.get(metric, metric))
        if log_y:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7, ncol=1 + len(histories) // 4)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_rows(
    rows: Mapping[str, np.ndarray],
    n: int = 8,
    title: str = "",
    column_titles: Sequence[str] | None = None,
) -> plt.Figure:
    """A grid with one labelled row per image set (e.g. original, noisy, reconstructed).

    Each array holds images of 784 pixels, flat or shaped (28, 28[, 1]); values are shown on [0, 1].
    """
    fig, axes = plt.subplots(len(rows), n, figsize=(1.25 * n, 1.35 * len(rows) + 0.5), squeeze=False)
    for r, (label, images) in enumerate(rows.items()):
        for c in range(n):
            ax = axes[r][c]
            ax.imshow(np.asarray(images[c]).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
            if r == 0 and column_titles is not None:
                ax.set_title(column_titles[c], fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def realism_figure(recordings: dict, fs: float):
    """Three strides of each recording: sagittal gyro (top) and |acc| (bottom), side by side.

    ``recordings`` maps a title to ``(signal, heel_strikes)``.
    """
    fig, axes = plt.subplots(2, len(recordings), figsize=(6 * len(recordings), 5), sharex=True, squeeze=False)
    for col, (name, (sig, hs)) in enumerate(recordings.items()):
        seg = slice(hs[2], hs[5])
        t = np.arange(seg.stop - seg.start) / fs
        axes[0, col].plot(t, sig[seg, 4])
        axes[0, col].set(title=f"{name}: sagittal gyro", ylabel="gyr_y (deg/s)")
        axes[1, col].plot(t, np.linalg.norm(sig[seg, :3], axis=1) / G)
        axes[1, col].set(ylabel="|acc| (g)", xlabel="time from a stride border (s)")
    fig.suptitle("Three strides of walking at ~1.27 m/s: real foot IMU vs simulator")
    fig.tight_layout()
    return fig


def gait_speed_figure(by_speed: Mapping[str, np.ndarray], walk_ratio_cm: tuple = POPULATION["walk_ratio_cm"]):
    """The simulated population's gait against treadmill speed (median, 10-90 % band) beside published
    figures at several speeds: the stride rate the walk ratio implies (Bogen et al.'s mean +-1 sd, converted
    at each speed), running stride rates (Cavanagh & Kram) and the walk-run transition (Hreljac)."""
    v = by_speed["speeds_kmh"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    running = by_speed["running"]
    for ax, key, label in (
        (axes[0], "stride_per_min", "stride rate (strides/min)"),
        (axes[1], "stance_pct", "stance (% of the stride on the ground)"),
    ):
        for gait_kind, mask, colour in (("walking", ~running, "tab:blue"), ("running", running, "tab:green")):
            values = np.where(mask, by_speed[key], np.nan)
            seen = mask.any(axis=0)
            lo, mid, hi = (np.nanpercentile(values[:, seen], q, axis=0) for q in (10, 50, 90))
            ax.fill_between(v[seen], lo, hi, color=colour, alpha=0.25)
            ax.plot(v[seen], mid, "-o", color=colour, ms=3, label=f"simulated {gait_kind}: median, 10-90 %")
        ax.set(
            xlabel="treadmill speed (km/h)",
            ylabel=label,
            title=label.split(" (")[0].capitalize() + " against speed",
        )
    mean, sd, source = walk_ratio_cm
    walk_v = v[v / 3.6 < TRANSITION_MPS[1]]
    for wr, style in ((mean, "-"), (mean - sd, ":"), (mean + sd, ":")):
        # steps/min = sqrt(60 v / walk ratio); a stride is two steps
        axes[0].plot(walk_v, np.sqrt(60 * walk_v / 3.6 / (wr / 100)) / 2, style, color="tab:orange", lw=1.5)
    axes[0].plot([], [], "-", color="tab:orange", label=f"{source}: walk ratio {mean:g} ± {sd:g} cm")
    (v0, r0), (v1, r1) = RUN_STRIDE_RATE[0]
    axes[0].plot([3.6 * v0, 3.6 * v1], [r0, r1], "s", color="tab:red", ms=7, label=RUN_STRIDE_RATE[1])
    axes[2].plot(
        v, 100 * running.mean(axis=0), "-o", color="tab:green", ms=3, label="simulated: share running"
    )
    for ax in axes:
        ax.axvspan(3.6 * TRANSITION_MPS[0], 3.6 * TRANSITION_MPS[1], color="grey", alpha=0.15)
    axes[2].plot([], [], "s", color="grey", alpha=0.3, label=TRANSITION_MPS[2] + " (grey band)")
    axes[2].set(
        xlabel="treadmill speed (km/h)",
        ylabel="% of subjects running",
        ylim=(0, 100),
        title="Walking or running",
    )
    for ax in axes:
        ax.legend(fontsize=7, loc="best", framealpha=0.6)
    fig.suptitle(
        f"Gait against speed: the simulated population ({len(running)} subjects) and published figures"
    )
    fig.tight_layout()
    return fig


def population_figure(spread: Mapping[str, np.ndarray], walk_kmh: float = 4.5, run_kmh: float = 9.0):
    """The simulated population's spread (histograms, bars) beside the published figures it is grounded in
    (:data:`helpers.gait.POPULATION`: mean as a line, +-1 sd as a band, shares as markers)."""
    fig, axes = plt.subplots(1, 4, figsize=(17, 3.8))
    panels = [
        ("walk_ratio_cm", "walk ratio (cm per step/min)", f"Walking at {walk_kmh} km/h"),
        ("run_stride_hz", "stride frequency (Hz)", f"Running at {run_kmh} km/h"),
        ("run_duty_pct", "duty factor (% of the stride on the ground)", f"Running at {run_kmh} km/h"),
    ]
    for ax, (key, label, title) in zip(axes, panels):
        values = spread[key]
        ax.hist(
            values,
            bins=25,
            color="tab:blue",
            alpha=0.7,
            label=f"simulated, {values.mean():.3g} ± {values.std(ddof=1):.2g}",
        )
        mean, sd, source = POPULATION[key]
        ax.axvspan(mean - sd, mean + sd, color="tab:orange", alpha=0.25)
        ax.axvline(mean, color="tab:orange", lw=2, label=f"{source}: {mean:g} ± {sd:g}")
        ax.set(title=title, xlabel=label, ylabel="subjects")
        ax.legend(fontsize=7, loc="best", framealpha=0.6)
    strikes = list(STRIKES)
    shares = [100 * np.mean(spread["strike"] == s) for s in strikes]
    axes[3].bar(strikes, shares, color="tab:blue", alpha=0.7, label="simulated runners")
    for key, marker in (("rearfoot_pct", "o"), ("rearfoot_treadmill_pct", "s")):
        value, _, source = POPULATION[key]
        axes[3].plot(["rearfoot"], [value], marker, color="tab:orange", ms=9, label=source)
    axes[3].set(title="Foot-strike pattern", ylabel="% of runners", ylim=(0, 100))
    axes[3].legend(fontsize=7)
    fig.suptitle(f"The simulated population ({len(spread['strike'])} subjects) against published figures")
    fig.tight_layout()
    return fig


def time_to_quality_figure(runs: dict, base_runs: dict, sigmas: list[float], models: list[str]) -> plt.Figure:
    """Section II: validation MSE against cumulative training seconds, one panel per σ.

    ``runs`` maps ``(model, σ)`` to a run whose ``extra["chain_seconds"]`` includes its warm-start parents';
    ``base_runs`` maps a model to ``(σ, run)`` of its base model (drawn dashed, open markers, at its own σ).
    The report's test MSE is a dotted line for reference.
    """
    fig, axes = plt.subplots(1, len(sigmas), figsize=(5 * len(sigmas), 3.6), squeeze=False)
    for ax, s in zip(axes[0], sigmas):
        for name in models:
            r = runs[(name, s)]
            offset = r.extra["chain_seconds"] - r.seconds
            (line,) = ax.plot(
                np.array(r.epoch_seconds) + offset, r.history["val_loss"], "o-", ms=3, label=name
            )
            if name in base_runs and base_runs[name][0] == s:
                b = base_runs[name][1]
                ax.plot(b.epoch_seconds, b.history["val_loss"], "o--", ms=3, mfc="none", color=line.get_color(),
                        label=f"{name} base")  # fmt: skip
            if CONV_TEST_MSE.get((name, s)):
                ax.axhline(CONV_TEST_MSE[(name, s)], ls=":", color=line.get_color(), label=f"report {name}")
        ax.set(title=f"σ={s}", xlabel="training time, s (this machine)", ylabel="validation MSE (pixel²)")
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    fig.suptitle("Time to quality")
    fig.tight_layout()
    return fig


def cross_noise_figure(scores: dict, models: list[str], sigmas: list[float]) -> tuple[plt.Figure, dict]:
    """Section II: the test MSE of every model (trained at one σ) at every test σ, as a heat map.

    ``scores[(model, σ)][str(test σ)]["test_mse"]`` are the figures; returns the figure and, per
    ``(model, σ)``, its row as ``{str(test σ): MSE}``.
    """
    keys = [(name, s) for name in models for s in sigmas]
    matrix = np.array([[scores[key][str(t)]["test_mse"] for t in sigmas] for key in keys])
    fig, ax = plt.subplots(figsize=(1.6 * len(sigmas) + 2, 0.5 * len(keys) + 1.5))
    im = ax.imshow(np.log10(matrix), cmap="viridis_r")
    for i in range(len(keys)):
        for j in range(len(sigmas)):
            ax.text(j, i, f"{matrix[i, j]:.4f}", ha="center", va="center", fontsize=8, color="w")
    ax.set_xticks(range(len(sigmas)), [f"{t}" for t in sigmas])
    ax.set_xlabel("test σ (pixels, [0,1] scale)")
    ax.set_yticks(range(len(keys)), [f"{name}, trained σ={s}" for name, s in keys])
    ax.set_title("Test MSE of every model at every noise level")
    fig.colorbar(im, ax=ax, label="log10 test MSE (pixel²)")
    rows = {key: {str(t): float(v) for t, v in zip(sigmas, row)} for key, row in zip(keys, matrix)}
    return fig, rows
