"""Where the project keeps things, and how files are written without ever being half written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent
# In a checkout, everything lives in it. Installed elsewhere (pip install of a .zip or git URL, e.g. on
# Colab), data caches and runs go under $WORKBOOK_HOME or the working directory: never into site-packages,
# where a file browser cannot see them and `pip uninstall` would leave them behind.
IN_CHECKOUT = (_PACKAGE_PARENT / "pyproject.toml").is_file() and (_PACKAGE_PARENT / "notebooks").is_dir()
PROJECT_ROOT = (
    _PACKAGE_PARENT if IN_CHECKOUT else Path(os.environ.get("WORKBOOK_HOME") or Path.cwd()).resolve()
)
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
RUNS_DIR = PROJECT_ROOT / "runs"
RESULTS_DIR = PROJECT_ROOT / "results"


def atomic_write_bytes(path: str | os.PathLike, payload: bytes) -> Path:
    """Write ``payload`` to a temporary file beside ``path``, then rename it into place.

    A reader sees the old file or the new one, never a partial one, even if the process is killed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_jsonable) + "\n")


def _jsonable(value: Any) -> Any:
    """numpy scalars and paths, as JSON understands them."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
