"""Interactive explorers (ipywidgets). Each also draws a static figure, which is what a headless run keeps."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def _widgets():
    try:
        import ipywidgets

        return ipywidgets
    except ImportError:  # the static figure still tells the story
        return None


def denoise_panel(
    clean: np.ndarray,
    sigma: float,
    denoisers: Mapping[str, Callable[[np.ndarray, float], np.ndarray]],
    noise_seed: int = 0,
    title: str | None = None,
) -> plt.Figure:
    """Clean image, its noisy version at ``sigma`` and each denoiser's output ``fn(noisy, sigma)``."""
    from helpers.noise import add_gaussian_noise

    noisy = add_gaussian_noise(clean[None], sigma, seed=noise_seed)
    panels = {"clean": clean, f"noisy σ={sigma:.2f}": noisy[0]}
    panels |= {name: fn(noisy, sigma)[0] for name, fn in denoisers.items()}
    fig, axes = plt.subplots(1, len(panels), figsize=(1.9 * len(panels), 2.3))
    for ax, (name, image) in zip(axes, panels.items()):
        ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        ax.set_title(name, fontsize=8)
        ax.axis("off")
    if title:  # laid out with the panels, so it never overprints their titles
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def denoise_explorer(
    images: np.ndarray,
    denoisers: Mapping[str, Callable[[np.ndarray, float], np.ndarray]],
    sigmas: Sequence[float] = (0.0, 0.5),
    start_sigma: float = 0.2,
    start_index: int = 0,
    interactive: bool = True,
):
    """A sigma slider and an image picker over ``images``; returns the static figure it starts from.

    With widgets, the static figure is closed before the live one is shown (saving it still works), so the
    cell shows one figure, not a frozen copy above the sliders.
    """
    static = denoise_panel(
        images[start_index],
        start_sigma,
        denoisers,
        title=f"Denoisers at σ={start_sigma} (static view; move the sliders in Jupyter)",
    )
    w = _widgets()
    if interactive and w is not None:
        from IPython.display import display

        plt.close(static)
        out = w.Output()

        def redraw(sigma: float, index: int) -> None:
            with out:
                out.clear_output(wait=True)
                fig = denoise_panel(images[index], sigma, denoisers)
                display(fig)
                plt.close(fig)

        controls = w.interactive(
            redraw,
            sigma=w.FloatSlider(value=start_sigma, min=sigmas[0], max=sigmas[1], step=0.02, description="σ"),
            index=w.IntSlider(value=start_index, min=0, max=len(images) - 1, description="image"),
        )
        display(w.VBox([controls, out]))
    return static


def latent_explorer(
    vae_parts, ae_parts, images: np.ndarray, span: float = 3.0, interactive: bool = True
) -> None:
    """Sliders over a 2-D VAE latent plane, and an interpolation picker through the VAE and the plain AE.

    Does nothing without ipywidgets or with ``interactive=False`` (the notebook's static figures remain).
    """
    from helpers import vae

    w = _widgets()
    if not interactive or w is None:
        return
    from IPython.display import display

    def show_point(z1: float, z2: float) -> None:
        fig, ax = plt.subplots(figsize=(2.4, 2.4))
        ax.imshow(vae.decode(vae_parts, np.array([[z1, z2]])).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"z = ({z1:.2f}, {z2:.2f})", fontsize=8)
        ax.axis("off")
        display(fig)
        plt.close(fig)

    def show_path(first: int, second: int, t: float) -> None:
        panels = {f"image A (#{first})": images[first]}
        for name, parts in (("VAE", vae_parts), ("plain AE", ae_parts)):
            frames = vae.interpolate(parts, images[[first]], images[[second]], steps=21)[0]
            panels[f"{name}, t={t:.2f}"] = frames[int(round(t * 20))]
        panels[f"image B (#{second})"] = images[second]
        fig, axes = plt.subplots(1, len(panels), figsize=(2.2 * len(panels), 2.4))
        for ax, (name, image) in zip(axes, panels.items()):
            ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            ax.set_title(name, fontsize=8)
            ax.axis("off")
        display(fig)
        plt.close(fig)

    slider = dict(min=-span, max=span, step=0.05, continuous_update=False)
    display(
        w.interactive(
            show_point,
            z1=w.FloatSlider(value=0.0, description="z₁", **slider),
            z2=w.FloatSlider(value=0.0, description="z₂", **slider),
        )
    )
    pick = dict(min=0, max=len(images) - 1)
    display(
        w.interactive(
            show_path,
            first=w.IntSlider(value=0, description="image A", **pick),
            second=w.IntSlider(value=1, description="image B", **pick),
            t=w.FloatSlider(value=0.5, min=0, max=1, step=0.05, description="t"),
        )
    )
