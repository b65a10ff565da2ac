"""Each notebook shows the model it teaches, and that cell is the helpers package's code, character for character."""

import inspect
import json

import pytest

from helpers import models, vae
from helpers.paths import NOTEBOOK_DIR

SHOWN = {
    "01_dense_autoencoders": models.dense_autoencoder,
    "02_denoising_autoencoders": models.conv_autoencoder,
    "03_lstm_speed_estimation": models.conv_lstm,
    "04_variational_autoencoder": vae.Sampling,
}


@pytest.mark.parametrize("name, obj", SHOWN.items())
def test_notebook_cell_is_the_helpers_code(name, obj):
    cells = [
        "".join(c["source"])
        for c in json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())["cells"]
        if c["cell_type"] == "code"
    ]
    source = inspect.getsource(obj).rstrip("\n")
    shown = [c for c in cells if source.splitlines()[0] in c]
    assert len(shown) == 1, f"{name} should show {obj.__name__} once"
    assert shown[0].endswith(source), (
        f"{name}: the cell showing {obj.__name__} differs from helpers; copy it again"
    )
