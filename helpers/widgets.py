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


def denoise_panel(clean: np.ndarray, sigma: float, denoisers: Mapping[str, Callable[[np.ndarray, float], np.ndarray]],
                  noise_seed: int = 0) -> plt.Figure:
    """Clean image, its noisy version at ``sigma`` and each denoiser's output ``fn(noisy, sigma)``."""
    from helpers.noise import add_gaussian_noise

    noisy = add_gaussian_noise(clean[None], sigma, seed=noise_seed)
    panels = {"clean": clean, f"noisy σ={sigma:.2f}": noisy[0]}
    panels |= {name: fn(noisy, sigma)[0] for name, fn in denoisers.items()}
    fig, axes = plt.subplots(1, len(panels), figsize=(1.9 * len(panels), 2.3))
    for ax, (title, image) in zip(axes, panels.items()):
        ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    return fig


def denoise_explorer(images: np.ndarray, denoisers: Mapping[str, Callable[[np.ndarray, float], np.ndarray]],
                     sigmas: Sequence[float] = (0.0, 0.5), start_sigma: float = 0.2, start_index: int = 0,
                     interactive: bool = True):
    """A sigma slider and an image picker over ``images``; returns the static figure it starts from."""
    static = denoise_panel(images[start_index], start_sigma, denoisers)
    static.suptitle(f"Denoisers at σ={start_sigma} (static view; move the sliders in Jupyter)", fontsize=9)
    w = _widgets()
    if interactive and w is not None:
        from IPython.display import display

        out = w.Output()

        def redraw(sigma: float, index: int) -> None:
            with out:
                out.clear_output(wait=True)
                fig = denoise_panel(images[index], sigma, denoisers)
                plt.show(fig)

        controls = w.interactive(redraw,
                                 sigma=w.FloatSlider(value=start_sigma, min=sigmas[0], max=sigmas[1], step=0.02,
                                                     description="σ"),
                                 index=w.IntSlider(value=start_index, min=0, max=len(images) - 1,
                                                   description="image"))
        display(w.VBox([controls, out]))
    return static
