"""Rebuild tests/notebooks/: each notebook executed with smoke parameters, as nbval's reference.

nbval (in lax mode) re-executes these copies and compares only the cells marked
``# NBVAL_CHECK_OUTPUT`` with the outputs stored here. Run after changing a notebook:
``make nbval-refs`` (tests/test_notebook_references.py fails until you do).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from helpers.lab import runner
from helpers.paths import RUNS_DIR

HERE = Path(__file__).resolve().parent / "notebooks"
CHECK = "# NBVAL_CHECK_OUTPUT"


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep outputs only where nbval compares them, and drop run-specific metadata."""
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and CHECK not in cell.source:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("papermill", None)
    return nb


def main(only: str | None = None) -> int:
    outcomes = runner.run("smoke", only=only, force=True, log_output=False)
    HERE.mkdir(exist_ok=True)
    for outcome in outcomes:
        if outcome.status != "ok":
            print(f"{outcome.notebook}: {outcome.status} {outcome.message}", file=sys.stderr)
            return 1
        nb = nbformat.read(RUNS_DIR / "smoke" / f"{outcome.notebook}.ipynb", as_version=4)
        nbformat.write(strip(nb), HERE / f"{outcome.notebook}.ipynb")
        print(f"reference -> {HERE / outcome.notebook}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
