"""A physics baseline that needs no training: walking speed from the foot's own kinematics (ZUPT).

A foot-mounted IMU is still once per stride, while the foot is flat on the ground. Between two such
instants the strapdown equations give the foot's path: turn the specific force into the world frame with
the integrated gyroscope, remove gravity, integrate twice. Setting the velocity back to zero at every
still instant (the zero-velocity update, ZUPT), with the drift spread linearly over the stride, keeps the
double integral honest. Speed is stride length over stride time. Zrenner et al. (2018, Sensors 18(12):4194,
"Comparison of different algorithms for calculating velocity and stride length in running using inertial
measurement units") report 0.032 ± 0.274 m/s for such an estimate on real runners.

Why not gaitmap's implementation (MIT: zero-velocity detectors, RTS-Kalman trajectories)? gaitmap 2.6 pins
``numpy<2.1`` and brings pandas, numba, scikit-learn and tpcp; the workbook's TensorFlow/Keras lock uses
numpy 2.4, and changing it would change the environment that made every committed number. This module is
the minimal version, with numpy and scipy only, and tests of its own (tests/test_zupt.py).

The still instants are the minima of the smoothed gyroscope magnitude, one per stride, at least 60% of a
stride apart (the stride period from the pitch-rate autocorrelation): that finds mid-stance in running,
where the foot is never still for long, as well as in walking.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks

G = 9.81


def _skew(w: np.ndarray) -> np.ndarray:
    return np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])


def _rotation(rotvec: np.ndarray) -> np.ndarray:
    """Rodrigues: the rotation matrix of a rotation vector (rad)."""
    angle = float(np.linalg.norm(rotvec))
    if angle < 1e-12:
        return np.eye(3) + _skew(rotvec)
    k = _skew(rotvec / angle)
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def _level(f: np.ndarray) -> np.ndarray:
    """The attitude (sensor -> world) that turns the measured specific force ``f`` at rest to +z."""
    f = f / np.linalg.norm(f)
    axis = np.cross(f, [0.0, 0.0, 1.0])
    s, c = np.linalg.norm(axis), float(np.clip(f[2], -1, 1))
    return np.eye(3) if s < 1e-12 else _rotation(axis / s * np.arctan2(s, c))


def stride_period(gyr_pitch: np.ndarray, fs: float) -> float:
    """Seconds per stride, from the autocorrelation of the pitch rate (between 0.5 and 2 s)."""
    x = gyr_pitch - gyr_pitch.mean()
    ac = np.correlate(x, x, mode="full")[len(x) - 1 :]
    lo, hi = int(0.5 * fs), min(int(2.0 * fs), len(ac) - 1)
    return (lo + int(np.argmax(ac[lo:hi]))) / fs


def still_instants(signal: np.ndarray, fs: float) -> np.ndarray:
    """Sample indices where the foot is (nearly) still: one minimum of the gyro magnitude per stride."""
    # Smoothed over 0.1 s, which spans the mid-stance plateau: narrower, noise decides where in a flat stance
    # the minimum falls, and strides are cut at different phases.
    energy = uniform_filter1d(np.linalg.norm(signal[:, 3:], axis=1), max(1, int(0.1 * fs)))
    period = stride_period(signal[:, 4], fs)
    minima, _ = find_peaks(-energy, distance=max(1, int(0.6 * period * fs)))
    return minima


def stride_lengths(signal: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal stride lengths (m) and times (s) between consecutive still instants (ZUPT strapdown)."""
    acc, gyr = signal[:, :3].astype(np.float64), np.deg2rad(signal[:, 3:].astype(np.float64))
    lengths, times = [], []
    still = still_instants(signal, fs)
    for k0, k1 in zip(still[:-1], still[1:]):
        rot = _level(acc[k0])
        a_world = np.empty((k1 - k0, 3))
        for i, t in enumerate(range(k0, k1)):
            a_world[i] = rot @ acc[t] - [0.0, 0.0, G]
            rot = rot @ _rotation(gyr[t] / fs)
        v = np.cumsum(a_world, axis=0) / fs
        v -= np.outer(np.arange(1, len(v) + 1) / len(v), v[-1])  # zero velocity again at k1: linear de-drift
        step = v.sum(axis=0) / fs
        lengths.append(float(np.hypot(step[0], step[1])))
        times.append((k1 - k0) / fs)
    return np.array(lengths), np.array(times)


def speed_kmh(signal: np.ndarray, fs: float = 100.0) -> float:
    """Mean speed over a recording or window: summed stride lengths over summed stride times (km/h)."""
    lengths, times = stride_lengths(signal, fs)
    return float(lengths.sum() / times.sum() * 3.6) if len(times) else float("nan")


def predict(windows: np.ndarray, fs: float = 100.0) -> np.ndarray:
    """One ZUPT speed per window (km/h); a window without two still instants gets NaN."""
    return np.array([speed_kmh(w, fs) for w in windows])
