"""The nbval references in tests/notebooks/ must be the current notebooks, run with smoke parameters."""

import ast
import json
import re

import pytest
from IPython.core.inputtransformer2 import TransformerManager

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
def test_every_table_a_notebook_shows_comes_from_helpers(name):
    """Tables come from helpers (one builder each, shared with summary.md and REPORT.md): every Markdown a
    cell displays is built by a call into ``tables`` or ``notes``, and no cell holds a table row of its own."""
    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    shown = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(TransformerManager().transform_cell("".join(cell["source"])))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.search(r"\|\s*-{3}|^\|.*\|$", node.value, re.M), f"{name}: a table row by hand"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Markdown":
                calls = {n.func.value.id for n in ast.walk(node) if isinstance(n, ast.Call)
                         and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)}  # fmt: skip
                shown += bool(calls & {"tables", "notes"})
    assert shown, f"{name} shows no table from helpers"


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_the_lesson_reads_as_one(name):
    """A sentence of markdown before every code cell after the parameters; at most 3 bookkeeping cells,
    each labelled (`# extra code` and the ``extra-code`` tag); no outputs kept in notebooks/."""
    cells = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())["cells"]
    for before, cell in zip(cells[1:], cells[2:]):
        if cell["cell_type"] == "code":
            assert before["cell_type"] == "markdown", (
                f"{name}: no sentence before {''.join(cell['source'])[:60]!r}"
            )
    extra = [c for c in cells if "extra-code" in c.get("metadata", {}).get("tags", [])]
    assert 1 <= len(extra) <= 3 and all("# extra code" in "".join(c["source"]) for c in extra)
    assert all(
        not c.get("outputs") and not c.get("execution_count") for c in cells if c["cell_type"] == "code"
    )
