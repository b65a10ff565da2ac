"""The notebooks' setup cell: finds `helpers` from any working directory, or fetches the workbook (Colab)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def setup_code(path: Path) -> str:
    """The setup block of a notebook's first code cell after ``parameters``: up to its fallback import."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert "parameters" in cells[0].metadata.get("tags", []), f"{path.name}: the first code cell must be `parameters`"
    source = cells[1].source
    end = source.index("    import helpers\n", source.index("except ImportError")) + len("    import helpers\n")
    return 'workbook_source = ""\n' + source[:end]


def run_isolated(code: str, cwd: Path, env_source: str | None) -> subprocess.CompletedProcess:
    # -S: no site-packages, so the editable install of `helpers` is invisible, as on a fresh Colab runtime.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WORKBOOK_SOURCE")}
    if env_source is not None:
        env["WORKBOOK_SOURCE"] = env_source
    code += "\nprint('HELPERS_AT', pathlib.Path(helpers.__file__).resolve().parent.parent)\n"
    return subprocess.run([sys.executable, "-S", "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


def test_every_notebook_has_the_same_setup_block():
    blocks = {p.name: setup_code(p) for p in NOTEBOOKS}
    assert len(blocks) == 4 and len(set(blocks.values())) == 1, "the setup cells have drifted apart"


def test_setup_finds_the_checkout_from_a_subfolder():
    result = run_isolated(setup_code(NOTEBOOKS[0]), ROOT / "notebooks", None)
    assert result.returncode == 0, result.stderr
    assert f"HELPERS_AT {ROOT}" in result.stdout


def test_setup_uses_workbook_source_outside_a_checkout(tmp_path):
    result = run_isolated(setup_code(NOTEBOOKS[0]), tmp_path, str(ROOT))
    assert result.returncode == 0, result.stderr
    assert "used the folder" in result.stdout and f"HELPERS_AT {ROOT}" in result.stdout


def test_setup_without_a_source_says_what_to_set(tmp_path):
    result = run_isolated(setup_code(NOTEBOOKS[0]), tmp_path, None)
    assert result.returncode != 0
    assert "workbook_source" in result.stderr and "WORKBOOK_SOURCE" in result.stderr
