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
    """Cross-product matrices of rotation vectors ``w`` (..., 3) -> (..., 3, 3)."""
    z = np.zeros(w.shape[:-1])
    x, y, zz = w[..., 0], w[..., 1], w[..., 2]
    return np.stack([np.stack([z, -zz, y], -1), np.stack([zz, z, -x], -1), np.stack([-y, x, z], -1)], -2)


def _rotation(rotvec: np.ndarray) -> np.ndarray:
    """Rodrigues: the rotation matrices of rotation vectors (..., 3) in rad -> (..., 3, 3)."""
    angle = np.linalg.norm(rotvec, axis=-1)[..., None, None]
    tiny = angle < 1e-12  # first order there: I + [w]x
    k = _skew(rotvec / np.where(tiny, 1.0, angle)[..., 0])
    rodrigues = np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
    return np.where(tiny, np.eye(3) + _skew(rotvec), rodrigues)


def _running_products(m: np.ndarray) -> np.ndarray:
    """``out[i] = m[0] @ m[1] @ ... @ m[i]`` for matrices (n, 3, 3), in log2(n) batched steps (a scan)
    instead of n small Python-level products: what makes ZUPT fast enough to score every window."""
    out, step = m.copy(), 1
    while step < len(out):
        out[step:] = out[:-step] @ out[step:]
        step *= 2
    return out


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


def strides(signal: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stride between consecutive still instants: its first and last sample, and its horizontal length
    (m) by ZUPT strapdown."""
    acc, gyr = signal[:, :3].astype(np.float64), np.deg2rad(signal[:, 3:].astype(np.float64))
    still = still_instants(signal, fs)
    turns = _rotation(gyr / fs)  # each sample's attitude change
    lengths = []
    for k0, k1 in zip(still[:-1], still[1:]):
        # attitude at k0 from gravity; then at k0 + i: rot0 @ turns[k0] @ ... @ turns[k0 + i - 1]
        attitude = _level(acc[k0]) @ np.concatenate([np.eye(3)[None], _running_products(turns[k0 : k1 - 1])])
        a_world = np.einsum("nij,nj->ni", attitude, acc[k0:k1]) - [0.0, 0.0, G]
        v = np.cumsum(a_world, axis=0) / fs
        v -= np.outer(np.arange(1, len(v) + 1) / len(v), v[-1])  # zero velocity again at k1: linear de-drift
        step = v.sum(axis=0) / fs
        lengths.append(float(np.hypot(step[0], step[1])))
    return still[:-1], still[1:], np.array(lengths)


def stride_lengths(signal: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal stride lengths (m) and times (s) between consecutive still instants (ZUPT strapdown)."""
    first, last, lengths = strides(signal, fs)
    return lengths, (last - first) / fs


def speed_kmh(signal: np.ndarray, fs: float = 100.0) -> float:
    """Mean speed over a recording or window: summed stride lengths over summed stride times (km/h)."""
    lengths, times = stride_lengths(signal, fs)
    return float(lengths.sum() / times.sum() * 3.6) if len(times) else float("nan")


def predict(windows: np.ndarray, fs: float = 100.0) -> np.ndarray:
    """One ZUPT speed per window (km/h); a window without two still instants gets NaN."""
    return np.array([speed_kmh(w, fs) for w in windows])


def window_speeds(signal: np.ndarray, starts: np.ndarray, window: int = 600, fs: float = 100.0) -> np.ndarray:
    """ZUPT speed (km/h) of each window ``[start, start + window)`` of one continuous recording: the strides
    found in the whole recording that lie inside the window, summed length over summed time; NaN where no
    whole stride fits. One integration serves every overlapping window, so all of them can be scored."""
    first, last, lengths = strides(signal, fs)
    starts = np.asarray(starts)
    lo = np.searchsorted(first, starts, "left")  # the first stride that starts inside the window
    hi = np.searchsorted(last, starts + window, "right")  # strides before hi end inside it
    hi = np.maximum(hi, lo)
    length = np.concatenate([[0.0], np.cumsum(lengths)])
    samples = np.concatenate([[0], np.cumsum(last - first)])
    covered = samples[hi] - samples[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(covered > 0, (length[hi] - length[lo]) / (covered / fs) * 3.6, np.nan)
