"""Interactive explorers (ipywidgets). Each also draws a static figure, which is what a headless run keeps."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from helpers import vae
from helpers.noise import add_gaussian_noise


def _widgets():
    try:
        import ipywidgets

        return ipywidgets
    except ImportError:  # the static figure still tells the story
        return None


# A denoiser for the explorers: ``fn(noisy, sigma)`` returns the denoised images, or ``(images, panel title)``
# so that the panel can say which trained model it used (e.g. "conv-32, trained at σ=0.3").
Denoiser = Callable[[np.ndarray, float], "np.ndarray | tuple[np.ndarray, str]"]


def denoise_panel(
    clean: np.ndarray,
    sigma: float,
    denoisers: Mapping[str, Denoiser],
    noise_seed: int = 0,
    title: str | None = None,
) -> plt.Figure:
    """Clean image, its noisy version at ``sigma`` and each denoiser's output ``fn(noisy, sigma)``, each panel
    titled with the denoiser's name or the title it returns."""
    noisy = add_gaussian_noise(clean[None], sigma, seed=noise_seed)
    panels = {"clean": clean, f"noisy σ={sigma:.2f}": noisy[0]}
    for name, fn in denoisers.items():
        out = fn(noisy, sigma)
        label, images = (out[1], out[0]) if isinstance(out, tuple) else (name, out)
        panels[label] = images[0]
    fig, axes = plt.subplots(1, len(panels), figsize=(1.9 * len(panels), 2.3))
    for ax, (name, image) in zip(axes, panels.items()):
        ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        ax.set_title(name, fontsize=8)
        ax.axis("off")
    if title:  # laid out with the panels, so it never overprints their titles
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def image_options(labels: Sequence[str]) -> list[tuple[str, int]]:
    """Dropdown entries for an image picker: each item's index and class, e.g. ``("#3 Trouser", 3)``."""
    return [(f"#{i} {label}", i) for i, label in enumerate(labels)]


def denoise_explorer(
    images: np.ndarray,
    denoisers: Mapping[str, Denoiser],
    sigmas: Sequence[float] = (0.0, 0.5),
    start_sigma: float = 0.2,
    start_index: int = 0,
    interactive: bool = True,
    labels: Sequence[str] | None = None,
):
    """A sigma slider and an image picker over ``images`` (by class, given ``labels``); returns the static
    figure it starts from. The picture is redrawn when a slider is released, so the settled picture always
    matches the readout.

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
        plt.close(static)
        out = w.Output()

        def redraw(sigma: float, index: int) -> None:
            with out:
                out.clear_output(wait=True)
                fig = denoise_panel(images[index], sigma, denoisers)
                item = f"#{index} {labels[index]}" if labels is not None else f"#{index}"
                print(f"shown: σ={sigma:.2f}, image {item}")  # what the picture below is of
                display(fig)
                plt.close(fig)

        index = (
            w.Dropdown(options=image_options(labels), value=start_index, description="image")
            if labels is not None
            else w.IntSlider(value=start_index, min=0, max=len(images) - 1, description="image",
                             continuous_update=False)
        )  # fmt: skip
        controls = w.interactive(
            redraw,
            sigma=w.FloatSlider(
                value=start_sigma,
                min=sigmas[0],
                max=sigmas[1],
                step=0.02,
                description="σ",
                continuous_update=False,
            ),
            index=index,
        )
        display(w.VBox([controls, out]))
    return static


def latent_explorer(
    vae_parts,
    ae_parts,
    images: np.ndarray,
    span: float = 3.0,
    interactive: bool = True,
    labels: Sequence[str] | None = None,
) -> None:
    """Sliders over a 2-D VAE latent plane, and an interpolation picker through the VAE and the plain AE:
    images A and B chosen by index and class (given ``labels``). Pictures redraw when a slider is released.

    Does nothing without ipywidgets or with ``interactive=False`` (the notebook's static figures remain).
    """
    w = _widgets()
    if not interactive or w is None:
        return

    def show_point(z1: float, z2: float) -> None:
        fig, ax = plt.subplots(figsize=(2.4, 2.4))
        ax.imshow(vae.decode(vae_parts, np.array([[z1, z2]])).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"z = ({z1:.2f}, {z2:.2f})", fontsize=8)
        ax.axis("off")
        display(fig)
        plt.close(fig)

    def show_path(first: int, second: int, t: float) -> None:
        name_of = (lambda i: f"#{i} {labels[i]}") if labels is not None else (lambda i: f"#{i}")
        panels = {f"image A ({name_of(first)})": images[first]}
        for name, parts in (("VAE", vae_parts), ("plain AE", ae_parts)):
            frames = vae.interpolate(parts, images[[first]], images[[second]], steps=21)[0]
            panels[f"{name}, t={t:.2f}"] = frames[int(round(t * 20))]
        panels[f"image B ({name_of(second)})"] = images[second]
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

    def picker(value: int, description: str):
        if labels is not None:
            return w.Dropdown(options=image_options(labels), value=value, description=description)
        return w.IntSlider(value=value, min=0, max=len(images) - 1, description=description, **release)

    release = dict(continuous_update=False)
    display(
        w.interactive(
            show_path,
            first=picker(0, "image A"),
            second=picker(1, "image B"),
            t=w.FloatSlider(value=0.5, min=0, max=1, step=0.05, description="t", **release),
        )
    )
