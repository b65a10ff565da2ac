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

from helpers.gait import G
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
