"""The explorers in a real browser: Voila serves a smoke-run notebook, headless Chromium moves a slider.

Debian's `chromium` drives the page through Playwright's Python package (`executable_path`; no browser
is ever downloaded). The server listens on 127.0.0.1 only and is stopped by its process group at the end.
Skips, saying why, only where Chromium, Playwright or Voila is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from helpers.paths import NOTEBOOK_DIR, RESULTS_DIR
from helpers.paths import PROJECT_ROOT as ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is not installed"
)
pytest.importorskip("voila", reason="Voila is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """Serve one notebook, prepared with ``profile``'s parameters, with Voila on 127.0.0.1, its weight store
    an empty folder (a fresh clone's); yields its URL. The standard profile then loads the published weights."""
    import papermill as pm

    procs = []

    def serve(name: str, profile: str = "smoke") -> str:
        target = tmp_path / f"{name}.ipynb"
        parameters = {"profile": profile, "output_dir": str(tmp_path / "out")}
        pm.execute_notebook(
            str(NOTEBOOK_DIR / f"{name}.ipynb"),
            str(target),
            prepare_only=True,
            parameters=parameters,
        )
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "WORKBOOK_PUBLISHED"}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                str(target),
                "--no-browser",
                f"--port={port}",
                "--Voila.ip=127.0.0.1",
                "--Voila.tornado_settings={'xsrf_cookies': False}",
            ],
            cwd=tmp_path,
            env=env | {"WORKBOOK_WEIGHTS_DIR": str(tmp_path / "own-store")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        procs.append(proc)
        for _ in range(120):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return f"http://127.0.0.1:{port}/"
            time.sleep(0.5)
        pytest.fail("Voila did not start listening within 60 s")

    yield serve
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _drag(page, handle, dx: float) -> None:
    """Press the slider's handle with the mouse and drag it ``dx`` pixels."""
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()


def _image(widget) -> str:
    return widget.locator("img").first.get_attribute("src")


def _wait_for_new_image(page, widget, old: str, seconds: float = 30) -> str:
    """The widget's picture once it differs from ``old`` (the kernel redraws it after the slider moved)."""
    for _ in range(int(seconds * 4)):
        if widget.locator("img").count() == 1 and _image(widget) != old:
            return _image(widget)
        page.wait_for_timeout(250)
    return _image(widget)


def _explorers(url: str, container: str, expect: int):
    pw = playwright_api.sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url, timeout=240_000)
    page.locator(f"{container} img").nth(expect - 1).wait_for(timeout=240_000)  # the notebook has run
    return pw, browser, page


def _caption(widget) -> str:
    return widget.locator(".widget-output pre, .widget-output .jp-RenderedText").first.inner_text()


def _settled(page, widget, readout, seconds: float = 30) -> tuple[str, str]:
    """The readout and the picture's caption once the caption names the readout's σ (after a release)."""
    for _ in range(int(seconds * 4)):
        value = readout.inner_text()
        if f"σ={float(value):.2f}" in _caption(widget):
            return value, _caption(widget)
        page.wait_for_timeout(250)
    return readout.inner_text(), _caption(widget)


def test_a_first_look_at_the_denoising_explorer_loads_the_published_weights(served, capsys):
    """A fresh clone's first look (no trained models of its own): Voila shows notebook 02's standard profile
    on the published weights, one "published" line per model and no epoch, no path and no records line,
    and its explorer follows the mouse."""
    published = [json.loads(p.read_text()) for p in (RESULTS_DIR / "standard" / "weights").glob("*.json")]
    models = sorted(f["label"] for f in published if "σ=" in f["label"])  # the denoisers
    url = served("02_denoising_autoencoders", profile="standard")
    start_clock = time.perf_counter()
    pw, browser, page = _explorers(url, ".widget-vbox", 1)
    interactive_after = time.perf_counter() - start_clock
    text = page.inner_text("body")
    lines = [line.strip() for line in text.splitlines()]
    shown = sorted(line.split(" (trained in")[0].removeprefix("published ") for line in lines
                   if line.startswith("published "))  # fmt: skip
    with capsys.disabled():  # the first-look figure, in the suite's output
        print(
            f"\nVoila: notebook 02 (standard, published weights, empty store) interactive after "
            f"{interactive_after:.1f} s; {len(shown)} published lines, "
            f"{sum('Epoch ' in line for line in lines)} epoch lines"
        )
    try:
        assert shown == models, (shown, models)
        assert all("reproduced)" in line for line in lines if line.startswith("published "))
        assert not any("Epoch " in line or "does not match" in line for line in lines)
        assert str(ROOT) not in text and "/tmp/" not in text and "records ->" not in text
        assert "Benchmark" not in text and "took" not in text  # no training time measured on this page
        explorers = page.locator(".widget-vbox").filter(has=page.locator(".widget-interact"))  # the outer box
        assert explorers.count() == 1
        explorer = explorers.first
        assert explorer.locator("img").count() == 1  # one live figure, no frozen copy
        before, readout = _image(explorer), explorer.locator(".widget-readout").first
        start = readout.inner_text()
        handle = explorer.locator(".noUi-handle").first
        _drag(page, handle, 30)
        after = _wait_for_new_image(page, explorer, before)
        assert readout.inner_text() != start
        assert float(readout.inner_text()) == pytest.approx(
            float(handle.get_attribute("aria-valuenow")), abs=0.051
        )  # aria rounds
        assert explorer.locator("img").count() == 1
        assert after != before  # the picture followed the slider
        for dx in (-60, 45, 25):  # after each move, the settled picture is of the σ the readout shows
            _drag(page, handle, dx)
            value, caption = _settled(page, explorer, readout)
            assert f"σ={float(value):.2f}" in caption, (value, caption)
        assert "#0 " in _caption(explorer)  # the image picker names the item's class
        frozen = [
            i
            for i in range(page.locator("img").count())
            if page.locator("img").nth(i).get_attribute("src") == before
        ]
        assert not frozen, "a copy of the starting figure is still shown"
    finally:
        browser.close()
        pw.stop()


def test_latent_explorers_respond_and_show_both_end_images(served):
    url = served("04_variational_autoencoder")
    pw, browser, page = _explorers(url, ".widget-interact", 2)
    try:
        explorers = page.locator(".widget-interact")
        assert explorers.count() == 2
        for i in range(2):
            assert explorers.nth(i).locator("img").count() == 1
        point = explorers.nth(0)
        before, readout = _image(point), point.locator(".widget-readout").first
        start = readout.inner_text()
        handle = point.locator(".noUi-handle").first
        _drag(page, handle, 40)
        after = _wait_for_new_image(page, point, before)
        assert float(readout.inner_text()) > float(start)
        assert float(readout.inner_text()) == pytest.approx(
            float(handle.get_attribute("aria-valuenow")), abs=0.051
        )  # aria rounds
        assert after != before
        path = explorers.nth(1)
        box = path.locator("img").first.bounding_box()
        assert box["width"] > 3 * box["height"]  # image A, the VAE's frame, the plain AE's frame, image B
    finally:
        browser.close()
        pw.stop()
