"""Split hygiene: the test data is touched once, at the end, and never by fitting, validation or tuning.

A notebook registers its test data with :func:`protect` (Fashion-MNIST test images; IMU test subjects)
as soon as it has loaded it. From then on every place that *learns* from data checks what it is given:
``training.fit`` (training inputs, targets and validation data), the classical denoiser's tuner, the PCA
baseline's fit and the IMU normaliser. A protected row or subject there raises :class:`DataLeakError`
before anything trains, so a leak is a crash, not a quietly optimistic number.

Rows are matched by a fingerprint of their pixels rounded to 1e-4 (integer arithmetic, so the same row
always gives the same fingerprint, whatever the batch it sits in).
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

_ROWS: set[int] = set()
_SUBJECTS: set[int] = set()
_WEIGHTS: dict[int, np.ndarray] = {}


class DataLeakError(RuntimeError):
    """Test data reached a place that fits, validates or tunes."""


def _weights(width: int) -> np.ndarray:
    if width not in _WEIGHTS:
        _WEIGHTS[width] = np.random.default_rng(width).integers(1, 2**31, width, dtype=np.int64)
    return _WEIGHTS[width]


def fingerprints(x: Any, chunk: int = 4096) -> np.ndarray:
    """One int64 per row of ``x`` (any shape ``(n, ...)``); equal rows give equal fingerprints."""
    x = np.asarray(x)
    flat = x.reshape(len(x), -1)
    w = _weights(flat.shape[1])
    out = np.empty(len(flat), dtype=np.int64)
    for i in range(0, len(flat), chunk):
        q = np.round(flat[i : i + chunk].astype(np.float64) * 1e4).astype(np.int64)
        out[i : i + chunk] = q @ w  # wraps on overflow: still a deterministic fingerprint
    return out


def protect(x: Any = None, subjects: Iterable[int] = ()) -> None:
    """Register test rows (``x``) and/or test subject ids; later checks refuse them."""
    if x is not None and len(x):
        _ROWS.update(fingerprints(x).tolist())
    _SUBJECTS.update(int(s) for s in subjects)


def release() -> None:
    """Forget everything protected (a new notebook run, or a test)."""
    _ROWS.clear()
    _SUBJECTS.clear()


def check(where: str, *arrays: Any) -> None:
    """Raise :class:`DataLeakError` when any row of ``arrays`` is a protected test row.

    ``arrays`` may hold numpy arrays, ``(x, y)`` tuples (validation data), ``None``, or Keras
    ``PyDataset`` objects that expose their clean images (``.clean``) or their subjects (``.subjects``).
    """
    for item in arrays:
        if item is None:
            continue
        if isinstance(item, (tuple, list)):
            check(where, *item)
        elif hasattr(item, "subjects"):
            check_subjects(where, [s.subject_id for s in item.subjects])
        elif hasattr(item, "clean"):
            check(where, item.clean)
        elif _ROWS and hasattr(item, "shape") and len(item):
            hits = int(np.isin(fingerprints(item), np.fromiter(_ROWS, dtype=np.int64)).sum())
            if hits:
                raise DataLeakError(
                    f"{where} was given {hits} test row(s). The test set is touched once, at the end: "
                    "fit, validate and tune on the training images (or a validation split carved "
                    "from them) instead."
                )


def check_subjects(where: str, subject_ids: Iterable[int]) -> None:
    """Raise :class:`DataLeakError` when a protected test subject is among ``subject_ids``."""
    leaked = sorted(set(int(s) for s in subject_ids) & _SUBJECTS)
    if leaked:
        raise DataLeakError(
            f"{where} was given test subject(s) {leaked}. Fit, normalise and validate on the "
            "training and validation subjects only; the test subject is scored once, at the end."
        )
