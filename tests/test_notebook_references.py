"""The nbval references in tests/notebooks/ must be the current notebooks, run with smoke parameters."""

import json

import pytest

from helpers.lab.runner import NOTEBOOKS
from helpers.paths import NOTEBOOK_DIR
from tests.refresh_notebook_references import HERE


def _cells(path):
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if "injected-parameters" not in c.get("metadata", {}).get("tags", [])], nb


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_reference_matches_notebook(name):
    reference = HERE / f"{name}.ipynb"
    assert reference.is_file(), f"missing {reference}: run `make nbval-refs`"
    ref_cells, ref_nb = _cells(reference)
    src_cells, _ = _cells(NOTEBOOK_DIR / f"{name}.ipynb")
    assert ["".join(c["source"]) for c in ref_cells] == ["".join(c["source"]) for c in src_cells], (
        f"{reference.name} is stale: run `make nbval-refs`"
    )
    injected = [c for c in ref_nb["cells"] if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert injected and 'profile = "smoke"' in "".join(injected[0]["source"])


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_parameters_cell_comes_first_and_before_keras(name):
    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert "import keras" not in "".join(code[0]["source"])
    for line in "".join(code[0]["source"]).splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            assert "#" in line, f"parameter without a comment: {line!r}"


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_papermill_understands_every_parameter(name):
    """papermill infers each parameter's name from its line; an '=' in a comment hides it ('unknown parameter')."""
    import papermill as pm

    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    assigned = {
        line.split("=")[0].strip()
        for line in "".join(nb["cells"][1]["source"]).splitlines()
        if "=" in line.split("#")[0]
    }
    assert set(pm.inspect_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb"))) == assigned


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_no_cell_builds_a_table_by_hand(name):
    """Tables come from helpers (one builder each, shared with summary.md and REPORT.md), not cell code."""
    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            assert "|---" not in source and '"| ' not in source, f"{name}: a cell builds a markdown table"
