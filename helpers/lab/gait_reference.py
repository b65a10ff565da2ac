"""Real foot-IMU recordings with motion capture: gaitmap's example data, fetched from the package registry.

gaitmap (MaD Lab, FAU Erlangen-Nürnberg; MIT licence for everything outside its AGPL ``gaitmap_mad`` part,
which this project never uses) ships ``example_data/`` in its *source* distribution on PyPI, not in the
wheel. :func:`fetch` downloads that sdist with pip, extracts the few files used here into
``data/reference/gaitmap/`` (git-ignored) and checks each one's SHA-256. ``../shared/reference/`` beside
the project is only a fallback.

The files used:

* ``imu_sample.csv``: both feet, 204.8 Hz, acc in m/s² and gyro in deg/s, gaitmap's foot sensor frame;
* ``stride_borders_sample.csv``: segmented strides per foot (sample indices);
* ``mocap_sample.csv``: heel (FCC), toe and fifth-metatarsal markers in mm at 100 Hz, in sync with the IMU.

The true walking speed comes from the motion capture (:func:`straight_passes`, :func:`true_speed_kmh`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from helpers.lab import recordings
from helpers.paths import DATA_DIR, PROJECT_ROOT, atomic_write_bytes

FS = 204.8
MOCAP_FS = 100.0
GAITMAP = ("gaitmap", "2.6.0")
REFERENCE_DIR = DATA_DIR / "reference" / "gaitmap"
SHARED_DIR = PROJECT_ROOT.parent / "shared" / "reference" / "gait-walking-sample"
SHA256 = {
    "imu_sample.csv": "fdb91f0a1e58b1ac518a324d38c9177de6c4388137c1b1683e4a72460873bfd7",
    "stride_borders_sample.csv": "6b93f875b7369bc9f6edd5842771dba79aef4e5922f7542786900852029ca914",
    "mocap_sample.csv": "e27e89a75b38cb53520385eb252786c951a74a8f4a3d252322330ab672f6c00e",
}
_LEFT_COLUMNS = [1, 3, 5, 7, 9, 11]  # acc_x, acc_y, acc_z (m/s^2), gyr_x, gyr_y, gyr_z (deg/s), left foot
# gaitmap's right-foot sensor frame is the left one mirrored in the sagittal plane: y flips for the
# accelerometer, x and z for the gyroscope (angular rate is a pseudovector). The simulator's frame is the
# left foot's, so a right foot is mirrored back before a model sees it.
_MIRROR = np.array([1, -1, 1, -1, 1, -1], dtype=np.float32)
_HEELS = {"left": [7, 8], "right": [10, 11]}  # mocap columns: x, y of L_FCC and R_FCC (mm)
MISSING = (
    "The real walking recording (gaitmap's example data) is not here and could not be fetched: it needs "
    "access to the Python package registry (PyPI). The rest of the notebook runs without the sim-to-real part."
)


class ReferenceUnavailable(RuntimeError):
    """The recording could not be fetched or failed its checksum."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verified(folder: Path, names=tuple(SHA256)) -> bool:
    """All ``names`` are in ``folder`` with their pinned SHA-256."""
    return all((Path(folder) / n).is_file() and _sha256(Path(folder) / n) == SHA256[n] for n in names)


def find_reference(folder: str | Path | None = None, need_mocap: bool = False) -> Path | None:
    """The first folder holding the verified recording: ``folder``, ``data/reference/gaitmap/``, ../shared."""
    names = tuple(SHA256) if need_mocap else ("imu_sample.csv", "stride_borders_sample.csv")
    for candidate in ([Path(folder)] if folder else []) + [REFERENCE_DIR, SHARED_DIR]:
        if verified(candidate, names):
            return candidate
    return None


def find_or_fetch(folder: str | Path | None = None) -> Path | None:
    """The verified recording, fetched from the package registry (the same source distribution and digests as
    ``make setup``) when no copy is found; None, after saying why in one line, when it cannot be had."""
    found = find_reference(folder, need_mocap=True)
    if found is not None:
        return found
    try:
        return fetch()
    except (ReferenceUnavailable, OSError, subprocess.SubprocessError) as err:
        print(f"The real walk could not be fetched: {err}")
        return None


def fetch(target: Path = REFERENCE_DIR, quiet: bool = False) -> Path:
    """Download gaitmap's sdist through pip, extract the example files into ``target``, check their digests."""
    if verified(target):
        return target
    name, version = GAITMAP
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--quiet",
            f"{name}=={version}",
            "-d",
            tmp,
        ]
        # pip prepares the sdist's metadata in an isolated build environment of its own, whatever the caller's
        # pip settings say (PIP_NO_BUILD_ISOLATION would make it look for the build backend here).
        env = {k: v for k, v in os.environ.items() if k not in ("PIP_NO_BUILD_ISOLATION", "PIP_NO_DEPS")}
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
        archives = list(Path(tmp).glob(f"{name}-{version}.tar.gz"))
        if done.returncode != 0 or not archives:
            raise ReferenceUnavailable(
                f"pip could not download the {name}=={version} source distribution "
                f"({done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'no archive'}). "
                + MISSING
            )
        with tarfile.open(archives[0]) as tar:
            for file in SHA256:
                member = tar.extractfile(f"{name}-{version}/example_data/{file}")
                payload = member.read() if member else b""
                if hashlib.sha256(payload).hexdigest() != SHA256[file]:
                    raise ReferenceUnavailable(
                        f"{file} from {archives[0].name} does not match its pinned SHA-256; "
                        "the download is corrupt or the release changed. Nothing was written."
                    )
                atomic_write_bytes(Path(target) / file, payload)
    if not quiet:
        print(f"gaitmap {version} example data -> {target} (SHA-256 checked: {', '.join(SHA256)})")
    return Path(target)


def load_reference(folder: str | Path, foot: str = "left") -> tuple[np.ndarray, np.ndarray]:
    """(samples, 6) signal of one foot at 204.8 Hz, in the left foot's frame, and its stride start indices."""
    if foot not in ("left", "right"):
        raise ValueError(f"foot must be 'left' or 'right', got {foot!r}.")
    folder = Path(folder)
    table = np.genfromtxt(folder / "imu_sample.csv", delimiter=",", skip_header=2)
    columns = _LEFT_COLUMNS if foot == "left" else [c + 1 for c in _LEFT_COLUMNS]
    borders = np.genfromtxt(
        folder / "stride_borders_sample.csv", delimiter=",", skip_header=1, dtype=None, encoding=None
    )
    starts = sorted(int(row[2]) for row in borders if row[1] == foot)
    ends = sorted(int(row[3]) for row in borders if row[1] == foot)
    heel = np.array(sorted(set(starts) | {ends[-1]}))
    signal = table[:, columns].astype(np.float32)
    return (signal if foot == "left" else signal * _MIRROR), heel


def heel_positions(folder: str | Path) -> np.ndarray:
    """Horizontal position (m) of the midpoint between the two heel markers, (samples, 2) at 100 Hz."""
    table = np.genfromtxt(Path(folder) / "mocap_sample.csv", delimiter=",", skip_header=2)
    left, right = table[:, _HEELS["left"]], table[:, _HEELS["right"]]
    return (left + right) / 2 / 1000.0


def straight_passes(
    folder: str | Path,
    window_s: float = 2.0,
    min_speed: float = 0.5,
    max_turn_deg: float = 20.0,
    steady: float = 0.85,
    min_length_s: float = 6.0,
) -> list[tuple[float, float]]:
    """Time spans (s) of steady straight walking, detected from the motion capture.

    The heels' midpoint is differenced over ``window_s`` (about two strides, so the stride rhythm averages
    out) to a velocity. A stretch of samples faster than ``min_speed`` m/s is a candidate; within it a
    sample belongs to the pass when its speed is at least ``steady`` times the stretch's median (no
    starting or stopping) and its heading within ``max_turn_deg`` of the stretch's mean heading (no
    turning). The pass runs from the first to the last such sample; one shorter than ``min_length_s`` is
    dropped.
    """
    pos = heel_positions(folder)
    half = int(window_s * MOCAP_FS / 2)
    vel = np.full_like(pos, np.nan)
    vel[half:-half] = (pos[2 * half :] - pos[: -2 * half]) / window_s
    speed = np.linalg.norm(vel, axis=1)
    moving = np.nan_to_num(speed) > min_speed
    passes, i = [], 0
    while i < len(moving):
        if not moving[i]:
            i += 1
            continue
        j = i
        while j < len(moving) and moving[j]:
            j += 1
        heading = np.arctan2(*vel[i:j].mean(axis=0)[::-1])
        angle = np.degrees(np.abs(np.angle(np.exp(1j * (np.arctan2(vel[i:j, 1], vel[i:j, 0]) - heading)))))
        straight = np.flatnonzero((angle <= max_turn_deg) & (speed[i:j] >= steady * np.median(speed[i:j])))
        if len(straight) and (straight[-1] - straight[0]) / MOCAP_FS >= min_length_s:
            passes.append(((i + straight[0]) / MOCAP_FS, (i + straight[-1]) / MOCAP_FS))
        i = j
    return passes


def true_speed_kmh(folder: str | Path) -> float:
    """Walking speed over the straight passes: the heels' midpoint's straight-line displacement from the start
    to the end of each pass, summed, over their summed duration (km/h)."""
    pos = heel_positions(folder)
    distance = duration = 0.0
    for start, end in straight_passes(folder):
        a, b = int(start * MOCAP_FS), int(end * MOCAP_FS)
        distance += float(np.linalg.norm(pos[b] - pos[a]))
        duration += (b - a) / MOCAP_FS
    if duration == 0:
        raise ReferenceUnavailable("No straight walking pass was found in the motion capture.")
    return distance / duration * 3.6


def walk_windows(
    folder: str | Path, foot: str, fs: float = 100.0, window: int = 600, stride: int = 50
) -> np.ndarray:
    """The recording of one foot resampled to ``fs``, cut into windows inside the straight passes."""
    from scipy.signal import resample_poly  # deferred: heavy, and only resampling needs it

    signal, _ = load_reference(folder, foot)
    resampled = resample_poly(signal, int(fs * 10), int(FS * 10), axis=0).astype(np.float32)  # 1000 / 2048
    windows = []
    for start, end in straight_passes(folder):
        a, b = int(start * fs), int(end * fs)
        windows += [resampled[s : s + window] for s in range(a, b - window + 1, stride)]
    return np.stack(windows) if windows else np.empty((0, window, 6), np.float32)


WALK_IDS = {"left": -1, "right": -2}  # subject ids of the real walk's feet (never a simulated subject's)


def real_walk(folder: str | Path, foot: str):
    """One foot of the real walk as an :class:`helpers.imu.Subject`: 100 Hz windows labelled with the
    motion-capture speed."""
    return recordings.subject_from_windows(
        WALK_IDS[foot],
        walk_windows(folder, foot),
        true_speed_kmh(folder),
        f"gaitmap {GAITMAP[1]} example data, {foot} foot, {folder}",
    )


def transfer_metrics(walk, predictions: np.ndarray) -> dict:
    """A record's fields for predictions on a real walk: real data, one speed, overground."""
    pred, truth = np.asarray(predictions, dtype=np.float64).ravel(), float(walk.labels[0])
    return {
        "real": True,
        "protocol": "overground walk at one speed (not the report's treadmill protocol)",
        "true_speed_kmh": truth,
        "pred_mean_kmh": float(pred.mean()),
        "pred_sd_kmh": float(pred.std()),
        "test_rmse_kmh": float(np.sqrt(np.mean((pred - truth) ** 2))),
        "windows": len(pred),
    }


if __name__ == "__main__":
    if sys.argv[1:] != ["fetch"]:
        sys.exit("usage: python -m helpers.lab.gait_reference fetch")
    try:
        fetch()
    except ReferenceUnavailable as err:
        sys.exit(f"warning: {err}")
