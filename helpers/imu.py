"""IMU speed data for Sections III/IV: subjects, their windows, and what a model reads from them.

A subject is simulated (:func:`simulate_subject`) or, when a user has them, real recordings read and checked
by :mod:`helpers.lab.recordings`. Channels: acc_x, acc_y, acc_z (m/s^2), gyr_x, gyr_y, gyr_z (deg/s).

Simulated subjects are continuous recordings; windows are cut lazily from them, so 24,000 windows of
600 x 6 never exist in memory at once (that is 346 MB, and what crashed the report's runs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import keras
import numpy as np

from helpers import gait, hygiene, metrics, zupt

WINDOW = 600
N_CHANNELS = 6


@dataclass
class Subject:
    """One subject's data: continuous recordings (one per speed) and window start indices into them."""

    subject_id: int
    recordings: list[np.ndarray]  # each (samples, 6) float32, SI-like units (m/s^2, deg/s)
    speeds_kmh: np.ndarray  # one per recording
    windows: np.ndarray  # (n, 2) int: recording index, start sample
    simulated: bool
    source: str = ""
    extra: dict = field(default_factory=dict)
    _zupt_kmh: np.ndarray | None = field(default=None, repr=False, compare=False)  # computed once

    def __len__(self) -> int:
        return len(self.windows)

    def zupt_speeds(self) -> np.ndarray:
        """ZUPT's speed (km/h) of every window (:func:`helpers.zupt.window_speeds`: one strapdown
        integration per recording serves all its windows); NaN where no whole stride fits in a window."""
        if self._zupt_kmh is None:
            speeds = np.full(len(self), np.nan)
            for r, recording in enumerate(self.recordings):
                rows = np.flatnonzero(self.windows[:, 0] == r)
                speeds[rows] = zupt.window_speeds(recording, self.windows[rows, 1], WINDOW)
            self._zupt_kmh = speeds
        return self._zupt_kmh

    @property
    def labels(self) -> np.ndarray:
        return self.speeds_kmh[self.windows[:, 0]].astype(np.float32)

    def window(self, i: int) -> np.ndarray:
        r, s = self.windows[i]
        return self.recordings[r][s : s + WINDOW]

    def batch(self, rows: np.ndarray) -> np.ndarray:
        """Windows ``rows`` as one (len(rows), 600, 6) array: the only place windows are materialised."""
        return np.stack([self.window(i) for i in rows])


def simulate_subject(
    subject_id: int,
    windows_per_speed: int = 1000,
    seed: int = 0,
    fs: float = 100.0,
    duration_s: float = 120.0,
    window_stride: int | None = None,
) -> Subject:
    """A simulated subject on the 12-speed treadmill protocol.

    Windows start at random gait phases, or every ``window_stride`` samples (overlapping) when given;
    the recording is lengthened as needed to hold ``windows_per_speed`` of them.
    """
    if window_stride is not None:
        if int(window_stride) < 1:
            raise ValueError(f"window_stride must be a positive number of samples, got {window_stride!r}.")
        duration_s = max(duration_s, (WINDOW + window_stride * windows_per_speed) / fs)
    person = gait.Person.make(subject_id, seed)
    rng = np.random.default_rng([seed, subject_id, 99])
    recordings, windows = [], []
    for r, speed in enumerate(gait.SPEEDS_KMH):
        signal, _ = gait.simulate_recording(person, speed, duration_s, fs=fs, seed=seed)
        recordings.append(signal)
        if window_stride is None:
            starts = np.sort(rng.integers(0, len(signal) - WINDOW, windows_per_speed))
        else:
            starts = np.arange(windows_per_speed) * int(window_stride)
        windows.append(np.stack([np.full(windows_per_speed, r), starts], axis=1))
    return Subject(
        subject_id,
        recordings,
        np.array(gait.SPEEDS_KMH, dtype=np.float32),
        np.concatenate(windows),
        simulated=True,
        source=f"simulated (seed {seed})",
        extra={"person": person},
    )


@dataclass
class Normaliser:
    """How raw windows become a model's input: per-channel mean and standard deviation, fitted on training
    subjects only; for a model that reads physics too, ZUPT's speed of each window as a 7th channel."""

    mean: np.ndarray
    std: np.ndarray
    zupt_fallback_kmh: float | None = None  # None: no ZUPT channel; else where ZUPT finds no whole stride

    @classmethod
    def fit(
        cls, subjects: list[Subject], max_windows: int = 2000, seed: int = 0, zupt_channel: bool = False
    ) -> "Normaliser":
        hygiene.check_subjects("Normaliser.fit", [s.subject_id for s in subjects])
        rng = np.random.default_rng(seed)
        parts = [s.batch(rng.choice(len(s), min(max_windows, len(s)), replace=False)) for s in subjects]
        stacked = np.concatenate(parts).reshape(-1, N_CHANNELS)
        fallback = float(np.mean(np.concatenate([s.labels for s in subjects]))) if zupt_channel else None
        return cls(
            stacked.mean(axis=0).astype(np.float32), (stacked.std(axis=0) + 1e-6).astype(np.float32), fallback
        )

    def __call__(self, x: np.ndarray, zupt_kmh: np.ndarray | None = None) -> np.ndarray:
        x = (x - self.mean) / self.std
        if self.zupt_fallback_kmh is None:
            return x
        speeds = np.where(np.isnan(zupt_kmh), self.zupt_fallback_kmh, zupt_kmh).astype(np.float32)
        return np.concatenate([x, np.broadcast_to(speeds[:, None, None], (*x.shape[:2], 1))], axis=-1)


class WindowSequence(keras.utils.PyDataset):
    """Normalised (window, speed) batches cut on the fly from the subjects' recordings."""

    def __init__(
        self,
        subjects: list[Subject],
        normaliser: Normaliser,
        batch_size: int = 64,
        shuffle: bool = True,
        seed: int = 0,
        limit: int | None = None,
        augment: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.subjects, self.normaliser, self.batch_size, self.shuffle = (
            subjects,
            normaliser,
            batch_size,
            shuffle,
        )
        self.augment = augment
        index = np.concatenate(
            [np.stack([np.full(len(s), k), np.arange(len(s))], axis=1) for k, s in enumerate(subjects)]
        )
        rng = np.random.default_rng(seed)
        if limit is not None and limit < len(index):
            index = index[np.sort(rng.choice(len(index), limit, replace=False))]
        self.index, self.rng = index, rng
        self.order = rng.permutation(len(index)) if shuffle else np.arange(len(index))

    def __len__(self) -> int:
        return math.ceil(len(self.index) / self.batch_size)

    @property
    def labels(self) -> np.ndarray:
        return np.array([self.subjects[k].labels[i] for k, i in self.index], dtype=np.float32)

    def __getitem__(self, b: int):
        rows = self.index[self.order[b * self.batch_size : (b + 1) * self.batch_size]]
        x = np.stack([self.subjects[k].window(i) for k, i in rows])
        y = np.array(
            [self.subjects[k].speeds_kmh[self.subjects[k].windows[i, 0]] for k, i in rows], np.float32
        )
        if self.augment:
            x = augment_windows(x, self.rng)
        if self.normaliser.zupt_fallback_kmh is None:
            return self.normaliser(x), y
        # ZUPT of the recorded windows, not the augmented ones: computed once per window (a strapdown
        # integration per augmented batch would cost ~1 ms a window, every epoch)
        zupt_kmh = np.array([self.subjects[k].zupt_speeds()[i] for k, i in rows])
        return self.normaliser(x, zupt_kmh), y

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.order = self.rng.permutation(len(self.index))


def augment_windows(
    x: np.ndarray,
    rng: np.random.Generator,
    yaw_deg: float = 20.0,
    tilt_deg: float = 10.0,
    acc_bias: float = 0.3,
    gyro_bias: float = 3.0,
    gain: float = 0.03,
    max_smooth: int = 3,
) -> np.ndarray:
    """Make two training subjects look like many real sensors, per window (raw units, before normalising).

    Not a copy of the simulator's own nuisances (a 3-15 deg mounting error about a random axis, biases of
    ~0.08 m/s^2 and ~0.8 deg/s): these are what differs between real shoe sensors and what speed must not
    depend on.

    * **Mounting**: a yaw about the foot's vertical of up to +-``yaw_deg`` (a sensor turned on the laces or
      clipped to the side of the shoe) and a tilt of up to +-``tilt_deg`` about each other axis (the
      tongue's slope), the same rotation for accelerometer and gyroscope.
    * **Turn-on bias**: up to +-``acc_bias`` m/s^2 and +-``gyro_bias`` deg/s per axis, the order of
      consumer MEMS zero-g and zero-rate offsets, well beyond the simulator's.
    * **Sensitivity**: a per-axis gain error of up to +-``gain`` (3 %, as datasheets give).
    * **Impact sharpness**: a moving average over 1-``max_smooth`` samples. The heel-strike transient
      depends on shoe, surface and how stiffly the sensor is held, so the model should not key on its
      sharpness.
    """
    n = len(x)
    angles = np.deg2rad(rng.uniform(-1, 1, (n, 3)) * [tilt_deg, tilt_deg, yaw_deg])  # about x, y, z
    rot = np.empty((n, 3, 3))
    for i, (ax, ay, az) in enumerate(angles):
        cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
        rot[i] = (
            np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
            @ np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
            @ np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
        )
    rot = rot.astype(np.float32)
    out = np.empty_like(x)
    for sl, bias in ((slice(0, 3), acc_bias), (slice(3, 6), gyro_bias)):
        rotated = np.einsum("nij,ntj->nti", rot, x[:, :, sl])
        out[:, :, sl] = rotated * rng.uniform(1 - gain, 1 + gain, (n, 1, 3)) + rng.uniform(
            -bias, bias, (n, 1, 3)
        )
    widths = rng.integers(
        1, max_smooth + 1, n
    )  # one width per window, drawn once: no window is smoothed twice
    for width in range(2, max_smooth + 1):  # windows drawn for width k get a k-sample moving average
        rows = np.flatnonzero(widths == width)
        if len(rows):
            c = np.cumsum(np.pad(out[rows], ((0, 0), (width, 0), (0, 0)), mode="edge"), axis=1)
            out[rows] = (c[:, width:] - c[:, :-width]) / width
    return out


def gait_features(windows: np.ndarray, fs: float = 100.0, sagittal: int = 4) -> np.ndarray:
    """Hand-made gait features per window: cadence (Hz) from the sagittal gyro's autocorrelation, its
    square, gyro and acc amplitudes, and their products with cadence. (windows, 600, 6) -> (windows, 8)."""
    g = windows[:, :, sagittal] - windows[:, :, sagittal].mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(g, n=2 * WINDOW, axis=1)
    auto = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :WINDOW]
    lo, hi = int(0.5 * fs), int(1.6 * fs)  # stride periods between 0.5 and 1.6 s
    period = (np.argmax(auto[:, lo:hi], axis=1) + lo) / fs
    cadence = 1.0 / period
    gyro_amp = np.percentile(np.abs(g), 95, axis=1)
    acc_mag = np.linalg.norm(windows[:, :, :3], axis=2)
    acc_amp = np.percentile(acc_mag, 95, axis=1)
    acc_std = acc_mag.std(axis=1)
    return np.stack(
        [
            cadence,
            cadence**2,
            gyro_amp,
            acc_amp,
            acc_std,
            cadence * gyro_amp,
            cadence * acc_amp,
            gyro_amp / 100 * acc_std,
        ],
        axis=1,
    )


def features_of(subjects: list[Subject], chunk: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Gait features and labels for every window of ``subjects``, computed chunk by chunk."""
    feats, labels = [], []
    for s in subjects:
        for start in range(0, len(s), chunk):
            rows = np.arange(start, min(start + chunk, len(s)))
            feats.append(gait_features(s.batch(rows)))
        labels.append(s.labels)
    return np.concatenate(feats), np.concatenate(labels)


def rmse(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Speed RMSE, accepting labels and predictions shaped (N,) or (N, 1)."""
    return metrics.rmse(np.ravel(y), np.ravel(y_hat))
