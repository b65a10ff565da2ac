"""Colab, played: one notebook alone in an empty folder, a bare Python whose only packages are those Colab
preinstalls, and the workbook installed from a zip of it (``workbook_source``) by the notebook itself.

The bare Python is a new virtual environment that sees this environment's third-party packages (TensorFlow,
Keras, numpy, ...: what Colab has) through a path file, but not its editable install of ``helpers``. A
kernel spec for it lives in a temporary Jupyter path. The test asserts that the notebook runs, that every
output (runs, weights, data caches) lands under the folder and its records carry the zip's commit; for
notebook 02 (standard profile) that every model came from the published weights the zip carries, without
an epoch; for notebook 03 that the real walk was fetched and scored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """A bare Python with a Jupyter kernel spec, and a zip of the workbook; yields (kernel name, zip)."""
    home = tmp_path_factory.mktemp("colab")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # A plain path line: the packages are seen, this environment's .pth files (the editable helpers) are not.
    (Path(site) / "colab_preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    kernels = home / "jupyter" / "kernels" / "colab-play"
    kernels.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (kernels / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "colab", "language": "python"})
    )
    archive = home / "workbook.zip"
    subprocess.run(["git", "archive", "--format=zip", "-o", str(archive), "HEAD"], cwd=ROOT, check=True)
    return home, archive


# Notebook 02 with the standard profile, a reader's first look: it loads the published weights the zip
# carries; notebook 03 with the smoke profile trains, and fetches and scores the real walk.
@pytest.mark.parametrize(
    ("name", "profile"), [("02_denoising_autoencoders", "standard"), ("03_lstm_speed_estimation", "smoke")]
)
def test_a_notebook_alone_in_a_bare_runtime(colab, name, profile, tmp_path, monkeypatch, capsys):
    import papermill as pm

    home, archive = colab
    monkeypatch.setenv("JUPYTER_PATH", str(home / "jupyter"))
    monkeypatch.delenv("WORKBOOK_WEIGHTS_DIR", raising=False)  # the runtime's own default, under the folder
    monkeypatch.setenv("PIP_NO_BUILD_ISOLATION", "1")  # build the zip with the setuptools already there
    monkeypatch.setenv("PIP_NO_DEPS", "1")  # Colab has the dependencies; nothing else is downloaded
    folder = tmp_path / "content"
    folder.mkdir()
    notebook = folder / f"{name}.ipynb"
    notebook.write_bytes((ROOT / "notebooks" / f"{name}.ipynb").read_bytes())
    monkeypatch.delenv("WORKBOOK_PUBLISHED", raising=False)
    started = time.perf_counter()
    pm.execute_notebook(
        str(notebook), str(folder / "executed.ipynb"), kernel_name="colab-play", cwd=str(folder),
        parameters={"profile": profile, "workbook_source": str(archive), "interactive": False},
        progress_bar=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    cells = json.loads((folder / "executed.ipynb").read_text())["cells"]
    out = json.dumps(cells)
    assert str(ROOT) not in out  # nothing came from the checkout: the notebook used the installed copy
    records = json.loads((folder / "runs" / profile / "records" / f"{name}.json").read_text())
    assert records and all(r["profile"] == profile for r in records)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    assert {r["git"] for r in records} == {head.stdout.strip()}  # the commit the zip was made from
    stored = list((folder / "runs" / "weights").glob("*.weights.npz"))  # your own store, under the folder
    text = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    lines = text.splitlines()
    epochs, published = (
        sum("Epoch " in line for line in lines),
        [x for x in lines if x.startswith("published ")],
    )
    if name == "02_denoising_autoencoders":  # every model published: nothing trained, nothing stored
        assert (folder / "data" / "fashion-mnist").is_dir()  # the decoded-array cache
        trained = [r for r in records if r.get("epochs")]
        assert trained and all(r["published"] is True for r in trained) and not stored and epochs == 0
        assert len(published) == len({f"{r['model']} {r.get('sigma')}" for r in trained}) + 1  # + the base
        assert all(line.endswith("reproduced)") for line in published)
    else:
        assert stored  # trained here, and stored under the folder
    installed = subprocess.run(
        [home / "venv" / "bin" / "python", "-c", "import helpers, pathlib; print(pathlib.Path(helpers.__file__))"],
        capture_output=True, text=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert not any(Path(installed.strip()).parent.glob("runs")) and not any(
        Path(installed.strip()).parent.parent.glob("runs")
    )  # nothing written into site-packages
    if name == "03_lstm_speed_estimation":
        walks = [r for r in records if r.get("real") is True]
        assert {r["subject"] for r in walks} == {"gaitmap-walk-left", "gaitmap-walk-right"}
        assert (folder / "data" / "reference" / "gaitmap" / "mocap_sample.csv").is_file()
    with capsys.disabled():
        print(f"\nColab-play {name} ({profile}): {seconds:.0f} s, {epochs} epoch lines, "
              f"{len(published)} published lines, {len(records)} records")  # fmt: skip
    os.sync()
