"""A shoe-mounted IMU gait simulator for treadmill walking and running (Sections III/IV).

The course's recordings are not public, so the notebook simulates subjects when no real files are
given, and says so. Every choice below is grounded in published gait biomechanics:

* **Walking cadence** follows the *walk ratio*: step length / cadence ~= 0.0065 m per (step/min)
  (Sekiya & Nagasaki 1998), scaled by leg length. Speed = step length x cadence, so
  cadence = sqrt(60 v / walk_ratio): 108 steps/min (stride time 1.11 s) at 1.27 m/s.
* **Running stride frequency** is nearly flat with speed, ~77-85 strides/min from 2.4 to 3.0 m/s
  (Cavanagh & Kram 1989); stride length = speed / frequency.
* **Walk-run transition** is subject-specific, near 2.0 m/s (1.9-2.2; Hreljac 1993).
* **Foot pitch** per stride: heel strike with the toes up (~20 deg), foot flat, push-off to ~-45 deg
  (more when running), then the swing brings the toes up again. Its rate is the sagittal gyro (positive
  when the toes go down, as in gaitmap's frame): the push-off peak is the largest, ~500 deg/s walking,
  the swing's toes-up trough ~-340 deg/s (Mariani et al. 2010; gaitmap's sample, whose mean stride curve
  the simulator's matches with a correlation of 0.8-0.95, and whose strapdown (ZUPT) integral gives the
  stride length: the accelerometer and gyroscope are kinematically consistent).
* **Foot translation** in swing follows a minimum-jerk profile over one stride length (belt frame),
  with a foot-clearance arc; **heel-strike impacts** are damped ~35 Hz oscillations whose amplitude
  grows with speed (~12 g walking at a shoe, up to the +-16 g range running).
* **Subjects** differ in leg length, cadence, impact stiffness, the sensor's mounting rotation
  (5-10 deg), MEMS bias and noise (acc ~0.035 m/s^2, gyro ~0.3 deg/s white noise), and
  stride-to-stride variability (~2% stride time).
* **Ranges** clip at +-16 g and +-2000 deg/s, as a typical shoe IMU does.

Channels, in this order and these units: acc_x, acc_y, acc_z (m/s^2, gravity included),
gyr_x, gyr_y, gyr_z (deg/s). x points forward along the foot, y to the side (the sagittal, pitch,
axis) and z up out of the shoe, as in gaitmap's foot sensor frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

G = 9.81
ACC_RANGE = 16 * G  # m/s^2
GYRO_RANGE = 2000.0  # deg/s
SPEEDS_KMH = tuple(np.round(np.arange(4.0, 9.51, 0.5), 1))  # the treadmill protocol's 12 speeds
CHANNELS = ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
WALK_RATIO = 0.0065  # m per (step/min), for a 0.9 m leg


@dataclass(frozen=True)
class Subject:
    """One simulated person with one sensor; reproducible from ``(subject_id, seed)``."""

    subject_id: int
    seed: int
    leg_length_m: float
    transition_mps: float
    cadence_factor: float
    impact_factor: float
    clearance_m: float
    mounting: np.ndarray  # 3x3 rotation, sensor mounting error
    acc_bias: np.ndarray  # m/s^2
    gyro_bias: np.ndarray  # deg/s
    stride_cv: float

    @classmethod
    def make(cls, subject_id: int, seed: int = 0) -> "Subject":
        if int(subject_id) < 1:
            raise ValueError(f"subject_id must be a positive integer, got {subject_id!r}.")
        rng = np.random.default_rng([int(seed), int(subject_id)])
        angle = np.deg2rad(rng.uniform(5, 10))
        axis = rng.normal(size=3)
        return cls(
            subject_id=int(subject_id), seed=int(seed),
            leg_length_m=float(np.clip(rng.normal(0.90, 0.05), 0.78, 1.02)),
            transition_mps=float(rng.uniform(1.9, 2.2)),
            cadence_factor=float(np.clip(rng.normal(1.0, 0.04), 0.9, 1.1)),
            impact_factor=float(rng.uniform(0.85, 1.15)),
            clearance_m=float(rng.uniform(0.10, 0.14)),
            mounting=_rotation(axis / np.linalg.norm(axis), angle),
            acc_bias=rng.normal(0, 0.08, 3), gyro_bias=rng.normal(0, 0.8, 3),
            stride_cv=float(rng.uniform(0.015, 0.03)),
        )

    def gait(self, speed_mps: float) -> dict[str, float]:
        """Stride time (s), stride length (m), stance fraction and whether this speed is run."""
        running = speed_mps >= self.transition_mps
        if running:
            strides_per_min = (77 + 8 * (speed_mps - 2.4) / 0.6) * self.cadence_factor
            stride_time = 60 / np.clip(strides_per_min, 70, 92)
            stance = float(np.clip(0.42 - 0.05 * (speed_mps - 2.0), 0.30, 0.42))
        else:
            walk_ratio = WALK_RATIO * self.leg_length_m / 0.9 / self.cadence_factor
            steps_per_min = np.sqrt(60 * speed_mps / walk_ratio)
            stride_time = 120 / steps_per_min
            stance = float(np.clip(0.62 - 0.04 * (speed_mps - 1.1), 0.56, 0.64))
        return {"stride_time": float(stride_time), "stride_length": float(speed_mps * stride_time),
                "stance": stance, "running": bool(running)}


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation matrix."""
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def _bump(phase: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-(((phase - centre) / width) ** 2))


def _stride(subject: Subject, speed: float, gait: dict, n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    """One stride from heel strike to the next, (n, 6) in the sensor frame, before noise and clipping."""
    T, L, d, running = n / fs, gait["stride_length"], gait["stance"], gait["running"]
    phase = np.arange(n) / n
    t = phase * T
    jitter = lambda: rng.normal(1.0, 0.05)  # noqa: E731 - per-stride amplitude variability

    # Foot pitch: set the angle changes, let the rates follow (each bump's integral is exact per stride).
    heel_angle = np.deg2rad(20 + 5 * running) * jitter()
    toe_off_angle = -np.deg2rad(40 + 25 * running + 4 * speed) * jitter()
    swing_width = 0.25 * (1 - d)
    shapes = [(-heel_angle, _bump(phase, 0.05, 0.035)),  # foot flat after heel strike
              (toe_off_angle, _bump(phase, d - 0.02, 0.05)),  # push-off, toes down
              (heel_angle - toe_off_angle, _bump(phase, d + 0.45 * (1 - d), swing_width))]  # swing
    omega = sum(change * shape / (shape.sum() / fs) for change, shape in shapes)  # rad/s
    theta = np.cumsum(omega) / fs + heel_angle

    # Linear acceleration in the belt frame: minimum-jerk swing over one stride length, clearance arc.
    acc = np.zeros((n, 3))
    swing = phase >= d
    tau = (phase[swing] - d) / (1 - d)
    t_swing = (1 - d) * T
    acc[swing, 0] = L / t_swing**2 * (60 * tau - 180 * tau**2 + 120 * tau**3) * jitter()
    clearance = subject.clearance_m * (1 + 0.5 * running)
    acc[swing, 2] = clearance / t_swing**2 * 2 * np.pi**2 * np.cos(2 * np.pi * tau) * jitter()
    acc[:, 1] = 0.08 * G * np.sin(2 * np.pi * phase) * jitter()

    # Heel-strike impact: a damped oscillation, larger with speed and when running.
    impact = 11.5 * G * (speed / 1.27) ** 0.8 * (1.25 if running else 1.0) * subject.impact_factor * jitter()
    ring = impact * np.exp(-t / 0.012) * np.cos(2 * np.pi * 35 * t)
    acc[:, 2] += ring
    acc[:, 0] -= 0.45 * ring

    # Specific force in the pitched sensor frame (x forward, y left, z up; theta = toes-up pitch, a rotation
    # by -theta about y): f = R_y(-theta)^T (a + g z).
    fx, fz = acc[:, 0], acc[:, 2] + G
    c, s = np.cos(theta), np.sin(theta)
    sensor_acc = np.stack([c * fx + s * fz, acc[:, 1], -s * fx + c * fz], axis=1)
    # The gyroscope reports the rotation about +y, which is -dtheta/dt: toes going down (push-off, foot
    # flat) read positive, the swing's toes-up rotation negative, as in the real recording (gaitmap's frame).
    # Until 2026-11-30 this sign was flipped, so the accelerometer and gyroscope disagreed: the strapdown
    # (ZUPT) integral of a simulated stride missed its length, and the mean stride curve of gyr_y
    # correlated at -0.94 with the real one.
    rate = -np.rad2deg(omega)
    gyro = np.stack([0.12 * rate * np.roll(phase > d, n // 20), rate, -0.08 * rate * (phase > d)], axis=1)
    return np.concatenate([sensor_acc, gyro], axis=1)


def simulate_recording(subject: Subject, speed_kmh: float, duration_s: float, fs: float = 100.0,
                       seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A continuous treadmill recording: float32 (samples, 6) and the heel-strike sample indices.

    Reproducible from (subject, speed, seed). Starts at a random gait phase.
    """
    if not 1.0 <= speed_kmh <= 25.0:
        raise ValueError(f"speed_kmh must be a treadmill speed in 1..25 km/h, got {speed_kmh}.")
    speed = speed_kmh / 3.6
    gait = subject.gait(speed)
    rng = np.random.default_rng([subject.seed, subject.subject_id, int(round(speed_kmh * 10)),
                                 0 if seed is None else int(seed)])
    total = int(duration_s * fs) + int(3 * gait["stride_time"] * fs)
    strides, starts, count = [], [], 0
    while count < total:
        n = max(8, int(round(gait["stride_time"] * (1 + subject.stride_cv * rng.normal()) * fs)))
        strides.append(_stride(subject, speed, gait, n, fs, rng))
        starts.append(count)
        count += n
    signal = np.concatenate(strides)
    offset = int(rng.integers(0, int(gait["stride_time"] * fs)))  # random starting phase
    signal = signal[offset: offset + int(duration_s * fs)]
    heel_strikes = np.array([s - offset for s in starts if 0 <= s - offset < len(signal)])

    signal[:, :3] = signal[:, :3] @ subject.mounting.T + subject.acc_bias
    signal[:, 3:] = signal[:, 3:] @ subject.mounting.T + subject.gyro_bias
    signal[:, :3] += rng.normal(0, 0.035, (len(signal), 3))
    signal[:, 3:] += rng.normal(0, 0.3, (len(signal), 3))
    np.clip(signal[:, :3], -ACC_RANGE, ACC_RANGE, out=signal[:, :3])
    np.clip(signal[:, 3:], -GYRO_RANGE, GYRO_RANGE, out=signal[:, 3:])
    return signal.astype(np.float32), heel_strikes


def stride_statistics(signal: np.ndarray, heel_strikes: np.ndarray, fs: float,
                      sagittal: int = 4) -> dict[str, float]:
    """Mean stride time (s), largest sagittal gyro rate per stride (deg/s: push-off) and peak |acc| (g)."""
    times, gyro_peaks, acc_peaks = [], [], []
    for start, end in zip(heel_strikes[:-1], heel_strikes[1:]):
        segment = signal[start:end]
        times.append((end - start) / fs)
        gyro_peaks.append(segment[:, sagittal].max())
        acc_peaks.append(np.linalg.norm(segment[:, :3], axis=1).max() / G)
    return {"stride_time_s": float(np.mean(times)), "peak_gyro_y_dps": float(np.mean(gyro_peaks)),
            "peak_acc_g": float(np.mean(acc_peaks)), "strides": len(times)}


WAVEFORM_CHANNELS = {"gyr_y": 4, "acc_x": 0, "acc_z": 2}


def mean_stride_curve(signal: np.ndarray, heel_strikes: np.ndarray, channel: int, points: int = 100) -> np.ndarray:
    """The stride-time-normalised mean curve of one channel: each stride resampled to ``points``, averaged."""
    curves = [np.interp(np.linspace(0, 1, points), np.linspace(0, 1, end - start), signal[start:end, channel])
              for start, end in zip(heel_strikes[:-1], heel_strikes[1:]) if end - start > 2]
    return np.mean(curves, axis=0)


def waveform_correlations(sim: np.ndarray, sim_hs: np.ndarray, ref: np.ndarray, ref_hs: np.ndarray) -> dict[str, float]:
    """Pearson correlation of the simulator's and a real recording's mean stride curves, per channel.

    Scalars (stride time, peaks) can agree while the shapes do not; this compares the shapes, stride by
    stride from one heel strike to the next.
    """
    return {name: float(np.corrcoef(mean_stride_curve(sim, sim_hs, ch), mean_stride_curve(ref, ref_hs, ch))[0, 1])
            for name, ch in WAVEFORM_CHANNELS.items()}


REALISM_TOLERANCE = {"stride_time_s": 0.10, "peak_gyro_y_dps": 0.20, "peak_acc_g": 0.30}
SHAPE_TARGET = {"gyr_y": 0.85}


def realism_markdown(sim: np.ndarray, sim_hs: np.ndarray, ref: np.ndarray, ref_hs: np.ndarray, fs: float) -> str:
    """The realism table: three stride scalars with their tolerances, then three waveform correlations.

    The correlations compare mean stride curves between still (mid-stance) instants found the same way in
    both recordings (:func:`helpers.zupt.still_instants`), since the real file's stride borders are not
    heel strikes.
    """
    from helpers import zupt

    real, simulated = stride_statistics(ref, ref_hs, fs), stride_statistics(sim, sim_hs, fs)
    rows = ["| figure | real | simulated | difference | tolerance or target |", "|---|---:|---:|---:|---:|"]
    for key, tol in REALISM_TOLERANCE.items():
        rows.append(f"| {key} | {real[key]:.3f} | {simulated[key]:.3f} | {simulated[key] / real[key] - 1:+.1%} | ±{tol:.0%} |")
    shapes = waveform_correlations(sim, zupt.still_instants(sim, fs), ref, zupt.still_instants(ref, fs))
    for name, r in shapes.items():
        target = f"≥ {SHAPE_TARGET[name]}" if name in SHAPE_TARGET else ""
        rows.append(f"| mean stride curve of {name}: correlation | 1 | {r:.3f} | | {target} |")
    return "\n".join(rows)
