"""The notebooks' setup cell: finds `helpers` in the checkout, or pip-installs the workbook (Colab)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def setup_code(path: Path) -> str:
    """The setup cell: the first code cell after ``parameters``."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert "parameters" in cells[0].metadata.get("tags", []), (
        f"{path.name}: the first code cell must be `parameters`"
    )
    return cells[1].source


# IPython's %pip, played outside IPython: the same pip of the running Python, the cell's variables expanded.
PIP_MAGIC = """
import subprocess as _subprocess
class _Shell:
    def run_line_magic(self, name, line):
        args = line.format(**globals()).split()
        _subprocess.run([sys.executable, "-m", "pip", *args], check=True)
get_ipython = _Shell
"""


def python_of(cell: str) -> str:
    """The cell as IPython runs it: its magics turned into calls (``get_ipython().run_line_magic(...)``)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell)


def run_isolated(
    cwd: Path, env: dict[str, str] | None = None, keras: bool = True, source: str = ""
) -> subprocess.CompletedProcess:
    # -S: no site-packages, so the editable install of `helpers` is invisible, as on a fresh Colab runtime.
    # Colab has Keras: a stand-in package on the path plays it (the setup cell only checks it is there).
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WORKBOOK_SOURCE")}
    stub = Path(tempfile.mkdtemp())
    if keras:
        (stub / "keras").mkdir(parents=True, exist_ok=True)
        (stub / "keras" / "__init__.py").write_text("")
    code = f"import sys; sys.path.append({str(stub)!r})\n" + PIP_MAGIC + f"workbook_source = {source!r}\n"
    code += python_of(setup_code(NOTEBOOKS[0]))
    code += "\nprint('helpers:', pathlib.Path(helpers.__file__).parent)\n"  # which copy the cell found
    return subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_notebook_has_the_same_short_setup_cell():
    blocks = {p.name: setup_code(p) for p in NOTEBOOKS}
    assert len(blocks) == 4 and len(set(blocks.values())) == 1, "the setup cells have drifted apart"
    lines = blocks[NOTEBOOKS[0].name].splitlines()
    assert len(lines) <= 8 and max(map(len, lines)) <= 110, "keep the setup cell short and readable"


def test_setup_finds_the_checkout_from_a_subfolder():
    result = run_isolated(ROOT / "notebooks")
    assert result.returncode == 0, result.stderr
    assert f"helpers: {ROOT / 'helpers'}" in result.stdout


def test_setup_pip_installs_workbook_source_outside_a_checkout(tmp_path):
    site = (
        tmp_path / "site"
    )  # pip installs here (no deps: the runtime has them), and the cell imports from here
    site.mkdir()  # as a runtime's site-packages is: there before the install
    env = {
        "PIP_TARGET": str(site),
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "1",
        "PYTHONPATH": str(site),
    }
    result = run_isolated(tmp_path, env, source=str(ROOT))
    assert result.returncode == 0, result.stderr
    assert f"helpers: {site / 'helpers'}" in result.stdout


def test_setup_without_a_source_says_what_to_set(tmp_path):
    result = run_isolated(tmp_path)
    assert result.returncode != 0
    assert "AssertionError: Outside the workbook's folder, set workbook_source" in result.stderr


def test_a_kernel_without_the_packages_is_told_which_kernel_to_pick():
    """A system-wide Jupyter opened in the checkout: `helpers` is found, Keras is not."""
    result = run_isolated(ROOT / "notebooks", keras=False)
    assert result.returncode != 0
    (last,) = [line for line in result.stderr.splitlines() if line.startswith("ImportError")]
    assert "Python (ae-lstm-workbook)" in last
