"""Every exercise at the end of a notebook runs: its parameter set (kept in the Exercises cell's metadata,
``exercises``), on the smoke profile, with any line of code it asks for injected where it says."""

from __future__ import annotations

import json

import nbformat
import pytest

from helpers.lab.runner import NOTEBOOKS
from helpers.paths import NOTEBOOK_DIR

QUICK = {"interactive": False}  # no widgets headless


def exercises(name: str) -> list[dict]:
    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    found = [c["metadata"]["exercises"] for c in nb["cells"] if "exercises" in c.get("metadata", {})]
    assert len(found) == 1, f"{name}: one Exercises cell with an `exercises` list in its metadata"
    return found[0]


CASES = [(name, k + 1) for name in NOTEBOOKS for k in range(len(exercises(name)))]


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_every_numbered_exercise_has_a_parameter_set_and_a_cost(name):
    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    (cell,) = [c for c in nb["cells"] if "exercises" in c.get("metadata", {})]
    numbered = [line for line in "".join(cell["source"]).splitlines() if line[:3].rstrip(". ").isdigit()]
    sets = exercises(name)
    assert len(numbered) == len(sets), (
        f"{name}: {len(numbered)} exercises in the text, {len(sets)} in metadata"
    )
    for k, exercise in enumerate(sets, 1):
        assert set(exercise) <= {"parameters", "code", "before", "cost"}, f"{name} exercise {k}: {exercise}"
        assert "about " in exercise.get("cost", ""), f"{name} exercise {k}: no measured standard cost"


@pytest.mark.parametrize("name, number", CASES)
def test_exercise_runs_on_smoke(name, number, tmp_path_factory, monkeypatch):
    import papermill as pm

    exercise = exercises(name)[number - 1]
    known = set(pm.inspect_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb")))
    unknown = set(exercise["parameters"]) - known
    assert not unknown, f"{name} exercise {number}: unknown parameter(s) {sorted(unknown)}"
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    if "code" in exercise:
        (at,) = [i for i, c in enumerate(nb.cells) if exercise["before"] in c.source]
        nb.cells.insert(at, nbformat.v4.new_code_cell(exercise["code"]))
    folder = tmp_path_factory.mktemp(f"{name}-{number}")
    nbformat.write(nb, folder / "exercise.ipynb")
    # one weight store for all exercises: a training that an earlier one already made is loaded
    monkeypatch.setenv("WORKBOOK_WEIGHTS_DIR", str(tmp_path_factory.getbasetemp() / "exercise-weights"))
    parameters = {"profile": "smoke", "output_dir": str(folder / "run"), **exercise["parameters"]}
    parameters |= {k: v for k, v in QUICK.items() if k in known}
    pm.execute_notebook(
        str(folder / "exercise.ipynb"), str(folder / "out.ipynb"), parameters=parameters, cwd=str(NOTEBOOK_DIR),
        progress_bar=False,
    )  # fmt: skip
    records = json.loads((folder / "run" / "records" / f"{name}.json").read_text())
    assert records and all(r["profile"] == "smoke" for r in records)
