"""The explorers' static figures: one figure per explorer, titles that never overprint the panels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from helpers import widgets  # noqa: E402


def _identity(noisy, sigma):
    return np.clip(noisy, 0, 1)


def test_static_title_sits_above_the_panel_titles():
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    fig = widgets.denoise_explorer(images, {"identity": _identity}, interactive=False)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    top = fig._suptitle.get_window_extent(renderer)
    for ax in fig.axes:
        assert ax.title.get_window_extent(renderer).y1 <= top.y0 + 1, "the suptitle overprints a panel title"
    plt.close(fig)


def test_interactive_explorer_closes_its_static_copy():
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    fig = widgets.denoise_explorer(images, {"identity": _identity}, interactive=True)
    open_figures = [plt.figure(n) for n in plt.get_fignums()]
    assert all(f is not fig for f in open_figures)  # no frozen duplicate above the live figure
    assert not open_figures  # and the live figure, once displayed, is closed too
    assert fig.savefig is not None and len(fig.axes) == 3  # still saveable for the headless record
