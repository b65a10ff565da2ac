"""Each notebook shows the model it teaches, and trains that very cell: edit it, and what trains changes.

The helpers package keeps the same code (benchmarks and tests build models from it), so a second test keeps
the notebook's cell and the package's function equal, character for character.
"""

import inspect
import json

import nbformat
import pytest

from helpers import models, profiles, vae
from helpers.paths import NOTEBOOK_DIR

SHOWN = {
    "01_dense_autoencoders": [models.dense_autoencoder],
    "02_denoising_autoencoders": [models.conv_autoencoder],
    "03_lstm_speed_estimation": [models.conv_lstm],
    "04_variational_autoencoder": [vae.Sampling, vae.build_vae],
}


def _code_cells(name):
    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("name, obj", [(n, o) for n, objs in SHOWN.items() for o in objs])
def test_notebook_cell_is_the_helpers_code(name, obj):
    source = inspect.getsource(obj).rstrip("\n")
    shown = [c for c in _code_cells(name) if source.splitlines()[0] in c]
    assert len(shown) == 1, f"{name} should show {obj.__name__} once"
    assert shown[0].endswith(source), (
        f"{name}: the cell showing {obj.__name__} differs from helpers; copy it again"
    )


def _smoke(section):
    return profiles.settings(section, "smoke")


# notebook: (text in the shown cell, its edit, parameters for a short smoke run, model, its unedited count)
MUTATIONS = {
    "01_dense_autoencoders": (
        'layers.Dense(units, activation="relu"', 'layers.Dense(units + 3, activation="relu"',
        {"models": ["dense-32"], "pca_components": [2]}, "dense-32",
        lambda: models.dense_autoencoder("dense-32").count_params(),
    ),
    "02_denoising_autoencoders": (
        'layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)',
        'layers.Conv2D(filters + 3, 3, padding="same", activation="relu")(inputs)',
        {"models": ["conv-32"], "sigmas": [0.3], "interactive": False}, "conv-32",
        lambda: models.conv_autoencoder(32).count_params(),
    ),
    "03_lstm_speed_estimation": (
        "layers.LSTM(48)", "layers.LSTM(40)", {"models": ["conv-lstm"]}, "conv-lstm",
        lambda: models.conv_lstm().count_params(),
    ),
    "04_variational_autoencoder": (
        'h = layers.Dense(hidden, activation="relu")(x)\n    z_mean',
        'h = layers.Dense(hidden + 3, activation="relu")(x)\n    z_mean',
        {"latent_dims": [2], "compare_dims": [2], "interactive": False, "n_pairs": 20, "n_samples": 200}, "vae-2d",
        lambda: vae.build_vae(2, hidden=_smoke("vae")["hidden"]).model.count_params(),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_editing_the_shown_model_changes_what_trains(name, tmp_path, monkeypatch):
    """The shown cell, edited (another unit count), run on smoke: the trained model's parameter count moves."""
    import papermill as pm

    original, edited, parameters, model, unedited = MUTATIONS[name]
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and original in c.source]
    assert len(cells) == 1, f"{name}: the text to edit is not in exactly one code cell"
    cells[0].source = cells[0].source.replace(original, edited)
    nbformat.write(nb, tmp_path / "edited.ipynb")
    monkeypatch.setenv("WORKBOOK_WEIGHTS_DIR", str(tmp_path / "weights"))
    pm.execute_notebook(
        str(tmp_path / "edited.ipynb"), str(tmp_path / "out.ipynb"), cwd=str(NOTEBOOK_DIR), progress_bar=False,
        parameters={"profile": "smoke", "output_dir": str(tmp_path / "run"), **parameters},
    )  # fmt: skip
    records = json.loads((tmp_path / "run" / "records" / f"{name}.json").read_text())
    trained = {r["params"] for r in records if r["model"] == model}
    assert trained and unedited() not in trained, f"{name}: the edited cell did not change what trained"
