"""A user's own IMU recordings (``data/imu/``): found, read safely and checked before anything trains.

The course's recordings are not public, so Sections III/IV run on simulated subjects
(:func:`helpers.imu.simulate_subject`) unless a user puts real ones here. The format (data/README.md):
``subject<N>.npz`` with ``X`` (windows, 600, 6) and ``y`` (windows,) or (windows, 1); optional string arrays
``acc_unit`` ("m/s2" or "g"), ``gyro_unit`` ("deg/s" or "rad/s") and ``label_unit`` ("km/h" or "m/s"). Also
accepted: ``subject<N>_X.npy`` + ``subject<N>_y.npy``, or ``subject<N>.mat`` with variables ``X`` and ``y``.

**Speed units by plausibility.** The protocol's speeds are 4.0-9.5 km/h. A file's labels, read in the unit it
declares, must lie (95% of them) within that range widened by :data:`SPEED_MARGIN` either side; when they do
not, the error says whether they would fit as m/s (the ``label_unit`` fix) or fit neither. All files are
judged together before any is used, so one error names every file that needs a fix.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from helpers import gait, imu
from helpers.paths import DATA_DIR

IMU_DIR = DATA_DIR / "imu"
LABEL_UNITS = {"km/h": 1.0, "m/s": 3.6}  # label unit -> factor to km/h
PROTOCOL_KMH = (min(gait.SPEEDS_KMH), max(gait.SPEEDS_KMH))  # 4.0-9.5 km/h
SPEED_MARGIN = 0.15  # a label counts as plausible within 15% of the protocol's range: 3.4-10.9 km/h
PLAUSIBLE_SHARE = 0.95  # ... and a file's labels fit a unit when at least this share of them does
MAGIC = {".npz": (b"PK\x03\x04",), ".npy": (b"\x93NUMPY",), ".mat": (b"MATLAB", b"\x89HDF")}


class IMUDataError(ValueError):
    """A real IMU file is malformed; the message names the file and the fix."""


def plausible_share(labels_kmh: np.ndarray) -> float:
    """The share of ``labels_kmh`` inside the protocol's speed range, widened by :data:`SPEED_MARGIN`."""
    lo, hi = PROTOCOL_KMH[0] * (1 - SPEED_MARGIN), PROTOCOL_KMH[1] * (1 + SPEED_MARGIN)
    return float(np.mean((labels_kmh >= lo) & (labels_kmh <= hi))) if len(labels_kmh) else 0.0


def label_verdict(labels: np.ndarray, declared: str) -> str | None:
    """None when ``labels`` in their ``declared`` unit fit the protocol; else what is wrong, in words."""
    y = np.asarray(labels, dtype=np.float64) * LABEL_UNITS[declared]
    if plausible_share(y) >= PLAUSIBLE_SHARE:
        return None
    other = "m/s" if declared == "km/h" else "km/h"
    as_other = np.asarray(labels, dtype=np.float64) * LABEL_UNITS[other]
    spread = f"labels {np.min(labels):.2f}..{np.max(labels):.2f} (median {np.median(labels):.2f})"
    if plausible_share(as_other) >= PLAUSIBLE_SHARE:
        return (f"{spread} fit the protocol's {PROTOCOL_KMH[0]}-{PROTOCOL_KMH[1]} km/h as {other}, not as the "
                f"declared {declared}: save label_unit='{other}' in the file (it is converted)")  # fmt: skip
    return (f"{spread} fit the protocol's {PROTOCOL_KMH[0]}-{PROTOCOL_KMH[1]} km/h neither as {declared} nor "
            f"as {other}: check the labels, and save label_unit ('km/h' or 'm/s') in the file")  # fmt: skip


def subject_file(subject_id: int, folder: Path | None = None) -> Path | None:
    """The first real file found for ``subject_id`` (npz, npy pair or mat), or None."""
    folder = Path(folder or IMU_DIR)
    for name in (f"subject{subject_id}.npz", f"subject{subject_id}_X.npy", f"subject{subject_id}.mat"):
        if (folder / name).is_file():
            return folder / name
    return None


def _read(path: Path) -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    """``X``, ``y`` and the declared units of one file, never unpickling anything."""
    parts = [path] + (
        [path.with_name(path.name.replace("_X.npy", "_y.npy"))] if path.suffix == ".npy" else []
    )
    for part in parts:
        head = part.read_bytes()[:8] if part.is_file() else b""
        if not head.startswith(MAGIC[path.suffix]):
            raise IMUDataError(
                f"{part}: not a readable {path.suffix} file ({part.stat().st_size if part.is_file() else 0} "
                f"bytes; a damaged or partial copy?). Expected {_FORMATS[path.suffix]}; see data/README.md."
            )
    units = {"acc_unit": "m/s2", "gyro_unit": "deg/s", "label_unit": "km/h"}
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as f:
                x, y = f["X"], f["y"]
                units |= {k: str(f[k]) for k in units if k in f}
        elif path.suffix == ".npy":
            x, y = np.load(path, allow_pickle=False), np.load(parts[1], allow_pickle=False)
        else:
            from scipy.io import loadmat  # deferred: scipy.io is only needed for .mat files

            mat = loadmat(path)
            x, y = mat["X"], mat["y"]
            units |= {k: str(np.squeeze(mat[k])) for k in units if k in mat}
    except (KeyError, OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise IMUDataError(
            f"{path}: cannot read X and y ({type(err).__name__}: {err}). Expected {_FORMATS[path.suffix]}; "
            "see data/README.md."
        ) from err
    return np.asarray(x), np.asarray(y, dtype=np.float32).reshape(-1), units


_FORMATS = {
    ".npz": "a NumPy .npz archive with arrays X (windows, 600, 6) and y (one speed per window)",
    ".npy": "subject<N>_X.npy (windows, 600, 6) and subject<N>_y.npy (one speed per window), saved by np.save",
    ".mat": "a MATLAB .mat file with variables X (windows, 600, 6) and y",
}


def _check(path: Path, x: np.ndarray, y: np.ndarray, units: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """The windows in m/s^2 and deg/s and the labels in km/h, or an :class:`IMUDataError` with the fix."""
    if x.ndim != 3 or x.shape[1:] != (imu.WINDOW, imu.N_CHANNELS):
        raise IMUDataError(
            f"{path}: X has shape {x.shape}; expected (windows, {imu.WINDOW}, {imu.N_CHANNELS}) with channels "
            "acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z (see data/README.md)."
        )
    if len(y) != len(x):
        raise IMUDataError(f"{path}: {len(x)} windows but {len(y)} labels; y must hold one speed per window.")
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        raise IMUDataError(
            f"{path}: contains NaN or infinite values; drop or interpolate those windows first."
        )
    if units["label_unit"] not in LABEL_UNITS:
        raise IMUDataError(f"{path}: unknown label_unit {units['label_unit']!r}; use 'km/h' or 'm/s'.")
    problem = label_verdict(y, units["label_unit"])
    if problem:
        raise IMUDataError(f"{path}: {problem}.")
    acc_unit, gyro_unit = units["acc_unit"], units["gyro_unit"]
    if acc_unit not in ("m/s2", "g") or gyro_unit not in ("deg/s", "rad/s"):
        raise IMUDataError(
            f"{path}: unknown units acc_unit={acc_unit!r}, gyro_unit={gyro_unit!r}; use 'm/s2' or 'g', "
            "and 'deg/s' or 'rad/s'."
        )
    magnitude = float(np.median(np.linalg.norm(x[:, :, :3], axis=2)))
    if (acc_unit == "m/s2") == (magnitude < 3):  # gravity is ~9.81 m/s^2, or ~1 g
        looks, fix = ("g", "g") if magnitude < 3 else ("m/s^2", "m/s2")
        raise IMUDataError(
            f"{path}: declared acc_unit {acc_unit!r} but the median |acc| is {magnitude:.2f}, which looks like "
            f"{looks}. Save acc_unit='{fix}' in the file, or convert the data."
        )
    x = x.astype(np.float32, copy=True)
    if acc_unit == "g":
        x[:, :, :3] *= gait.G
    if gyro_unit == "rad/s":
        x[:, :, 3:] = np.rad2deg(x[:, :, 3:])
    return x, y * np.float32(LABEL_UNITS[units["label_unit"]])


def check_label_units(labels: dict[Path, tuple[np.ndarray, str]]) -> None:
    """Judge every real file's speed labels (``path -> (labels, declared unit)``) before any is used: one error
    names each file that needs a fix, and says which files are fine, so a set that mixes units is fixed in
    one go."""
    fine, problems = [], []
    for path, (y, unit) in labels.items():
        problem = label_verdict(y, unit) if unit in LABEL_UNITS else None  # an unknown unit: _check says so
        (problems.append(f"  {path}: {problem}") if problem else fine.append(path.name))
    if problems:
        mixed = f" The recordings mix units: {', '.join(fine)} fit km/h." if fine else ""
        raise IMUDataError(
            f"{len(problems)} recording(s) have speed labels that do not fit the protocol:{mixed}\n"
            + "\n".join(problems)
        )


def load_real_subject(subject_id: int, folder: Path | None = None) -> imu.Subject:
    """Load and check a real subject's windows; raises :class:`IMUDataError` with the fix."""
    path = subject_file(subject_id, folder)
    if path is None:
        raise IMUDataError(
            f"No real IMU file for subject {subject_id} in {folder or IMU_DIR} "
            f"(expected subject{subject_id}.npz, subject{subject_id}_X.npy + _y.npy, or .mat)."
        )
    x, y = _check(path, *_read(path))
    return subject_from_windows(subject_id, x, y, str(path))


def subject_from_windows(subject_id: int, x: np.ndarray, y, source: str) -> imu.Subject:
    """A real subject given as windows (each its own "recording" from 0); ``y`` per window, or one speed."""
    y = np.broadcast_to(np.asarray(y, dtype=np.float32), (len(x),)).copy()
    starts = np.stack([np.arange(len(x)), np.zeros(len(x), int)], axis=1)
    return imu.Subject(subject_id, list(x), y, starts, simulated=False, source=source)


def load_subjects(
    subject_ids: Sequence[int],
    source: str = "auto",
    windows_per_speed: int = 1000,
    seed: int = 0,
    folder: Path | None = None,
    window_stride: int | None = None,
) -> dict[int, imu.Subject]:
    """Each subject, real or simulated. ``source``: "real" (files required), "simulated", or "auto" (real
    files where present). Each real file is read once, and every file's labels are judged before any is
    used (:func:`check_label_units`)."""
    if source not in ("auto", "real", "simulated"):
        raise ValueError(f"Unknown data source {source!r}; choose 'auto', 'real' or 'simulated'.")
    files = {} if source == "simulated" else {sid: subject_file(sid, folder) for sid in subject_ids}
    found = {sid: (path, *_read(path)) for sid, path in files.items() if path is not None}
    check_label_units({path: (y, units["label_unit"]) for path, _, y, units in found.values()})
    subjects = {}
    for sid in subject_ids:
        if sid in found:
            path, x, y, units = found[sid]
            subjects[sid] = subject_from_windows(sid, *_check(path, x, y, units), str(path))
        elif source == "real":
            subjects[sid] = load_real_subject(sid, folder)  # no file: the error names what was expected
        else:
            subjects[sid] = imu.simulate_subject(sid, windows_per_speed, seed, window_stride=window_stride)
    return subjects
