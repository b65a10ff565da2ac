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

from helpers.gait import POPULATION, STRIKES, G
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
