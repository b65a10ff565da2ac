"""A shoe-mounted IMU gait simulator for treadmill walking and running (Sections III/IV).

The course's recordings are not public, so the notebook simulates subjects when no real files are
given, and says so. Every choice below is grounded in published gait biomechanics:

* **Walking cadence** follows the *walk ratio*: step length / cadence ~= 0.0065 m per (step/min)
  (Sekiya & Nagasaki 1998), scaled by leg length. Speed = step length x cadence, so
  cadence = sqrt(60 v / walk_ratio): 108 steps/min (stride time 1.11 s) at 1.27 m/s.
* **Running stride frequency** is nearly flat with speed, ~77-85 strides/min from 2.4 to 3.0 m/s
  (Cavanagh & Kram 1989); stride length = speed / frequency.
* **Walk-run transition** is subject-specific, near 2.0 m/s (1.9-2.2; Hreljac 1993).
* **Foot pitch** per stride: heel strike with the toes up (~20 deg), foot flat, push-off to ~-55 deg
  (more when running), then the swing brings the toes up again. Its rate is the sagittal gyro (positive
  when the toes go down, as in gaitmap's frame): the push-off peak is the largest, ~500 deg/s walking
  (the simulator's, spread over a slower rise, a little lower), the swing's toes-up trough ~-340 deg/s
  (Mariani et al. 2010; gaitmap's sample, whose mean stride curve the simulator's follows closely, and
  whose strapdown (ZUPT) integral gives the stride length: the accelerometer and gyroscope are
  kinematically consistent). ``docs/simulator.md`` has the realism table.
* **Foot translation.** In stance the foot rolls over the heel after the strike and over the metatarsal heads
  at push-off (the heel and forefoot rockers; Perry & Burnfield, *Gait Analysis*, 2nd ed. 2010), so the
  sensor's point on the instep moves on arcs about them: up and back at heel strike, up and forward before
  toe-off. Walking's heel rises late in stance and its pitch rate peaks just before toe-off, and in pre-swing
  (the last ~12 % of the cycle before toe-off) the unloaded rear foot already travels forward while the toes
  keep contact (Perry & Burnfield 2010): the instep leaves its arc there. In swing it travels to the next
  strike on a quintic joining both arcs (minimum jerk when both ends rest: peak forward speed at mid-swing,
  where the toe's minimum clearance is, 51 % of swing; Moosabhoy & Gard 2006, Gait & Posture 24:493), and
  lifts highest early in swing, as the heel does, then lowers toward that minimum (Winter 1992, Phys Ther
  72:45): here a third of the way through swing. One stride's path is one belt stride long, and the
  accelerometer reads its second difference, so a double integral (ZUPT) gives the stride back. **Heel-strike
  impacts** are damped ~35 Hz oscillations whose amplitude grows with speed (~12 g walking at a shoe, up to
  the +-16 g range running), followed by a slower recoil: the swing has already stopped the foot, so the
  transient changes its velocity by nothing net.
* **Subjects** differ as a population of adults does (``POPULATION`` holds each published figure, and
  ``population_spread`` draws a population to set beside it):

  - *Cadence at a given walking speed*: the walk ratio varies between people, 0.60 +- 0.07 cm per
    (step/min) in 70 adults (Bogen et al. 2018, Gait & Posture), a CV of ~12 %. Leg length (sd 5.6 %)
    and a personal factor (sd 10 %) together give that CV, so cadence (~ walk ratio^-1/2) spreads by
    ~6 steps/min at 4.5 km/h. Running stride frequency varies less: 1.31 +- 0.08 Hz in young runners
    (sd ~6 %; the J Exp Biol table cited next).
  - *Stance (duty) fraction* at one speed: running duty factor 35.5 +- 2.3 % (young runners) and
    38.9 +- 3.1 % (older runners) (Table 4 of a J Exp Biol study of 9 young and 20 older runners, on
    jeb.biologists.org); its spread between runners is large
    enough to classify running styles (Lussiana et al. 2019, Sports 7:233). Walking stance is ~60-62 % of
    the cycle; its between-person sd of 1.5 points here is an assumption, no figure having been found.
  - *Foot-strike pattern* when running: rearfoot, midfoot or forefoot, by the foot-strike angle (Altman &
    Davis 2012: rearfoot above 8 deg, forefoot below -1.6 deg). 93.7 % of 1,991 marathoners heel-struck at
    8.1 km (Kasmer et al. 2013), but a third of 102 recreational runners on a treadmill kept a small or
    negative angle at every speed (Forrester & Townend 2015, Gait & Posture 41:26); the population takes
    70 % rearfoot, 20 % midfoot, 10 % forefoot strikers. Midfoot and forefoot strikes lack the heel's
    impact transient (Lieberman et al. 2010, Nature 463:531): impact x0.6 and x0.35 here. Every walker
    heel-strikes, at 15-25 deg.
  - *Sensor placement* with shoe and lacing: on the instep (60 %), on the lateral side of the midfoot
    (25 %) or at the heel (15 %); these shares are assumptions. The gyroscope reads the same on a rigid
    foot, but the accelerometer adds the lever arm's tangential and centripetal terms (alpha x r and
    omega x (omega x r)), ~0.8 g at the heel at push-off, and off-instep mounts sit more crooked (5-15 deg
    against 3-10 deg).
  - Impact stiffness, toe-off angle (sd 10 %), MEMS bias and noise (acc ~0.035 m/s^2, gyro ~0.3 deg/s
    white noise) and stride-to-stride variability (~2 % stride time).
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


# The placements a shoe sensor takes, their shares in the simulated population, and the lever arm from the
# instep (where the translation model's point sits) to the sensor, in the foot frame (m).
PLACEMENTS = {
    "instep": (0.60, (0.0, 0.0, 0.0)),
    "lateral": (0.25, (-0.03, 0.045, -0.02)),
    "heel": (0.15, (-0.11, 0.0, -0.03)),
}
# Running foot-strike patterns: share of the population and foot-strike angle range (deg; Altman & Davis 2012),
# and how much of the heel's impact transient each keeps (Lieberman et al. 2010).
STRIKES = {
    "rearfoot": (0.70, (10.0, 25.0), 1.0),
    "midfoot": (0.20, (-1.6, 8.0), 0.6),
    "forefoot": (0.10, (-10.0, -1.6), 0.35),
}
# The published figures the population is grounded in (see the module docstring), for the spread figure.
POPULATION = {
    "walk_ratio_cm": (0.60, 0.07, "Bogen et al. 2018, 70 adults"),
    "run_stride_hz": (1.31, 0.08, "J Exp Biol, 9 young runners"),
    "run_duty_pct": (35.5, 2.3, "J Exp Biol, 9 young runners"),
    "rearfoot_pct": (93.7, None, "Kasmer et al. 2013, 1,991 marathoners"),
    "rearfoot_treadmill_pct": (67.0, None, "Forrester & Townend 2015, 102 on a treadmill"),
}

# Published figures against speed (m/s), for the figure of gait against speed: the walk-run transition
# (Hreljac 1993) and running stride rate at two speeds (Cavanagh & Kram 1989).
TRANSITION_MPS = (1.9, 2.2, "Hreljac 1993: walk-run transition")
RUN_STRIDE_RATE = (((2.4, 77.0), (3.0, 85.0)), "Cavanagh & Kram 1989: running stride rate")


@dataclass(frozen=True)
class Person:
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
    run_cadence_factor: float = 1.0
    walk_stance_offset: float = 0.0
    run_stance_offset: float = 0.0
    strike: str = "rearfoot"  # running foot-strike pattern
    strike_angle_deg: float = 20.0  # running foot-strike angle, toes up
    walk_heel_angle_deg: float = 20.0
    toe_off_factor: float = 1.0
    placement: str = "instep"
    lever_arm_m: tuple = (0.0, 0.0, 0.0)

    @classmethod
    def make(cls, subject_id: int, seed: int = 0) -> "Person":
        if int(subject_id) < 1:
            raise ValueError(f"subject_id must be a positive integer, got {subject_id!r}.")
        rng = np.random.default_rng([int(seed), int(subject_id)])
        placement = str(rng.choice(list(PLACEMENTS), p=[v[0] for v in PLACEMENTS.values()]))
        strike = str(rng.choice(list(STRIKES), p=[v[0] for v in STRIKES.values()]))
        angle = np.deg2rad(rng.uniform(3, 10) if placement == "instep" else rng.uniform(5, 15))
        axis = rng.normal(size=3)
        return cls(
            subject_id=int(subject_id),
            seed=int(seed),
            leg_length_m=float(np.clip(rng.normal(0.90, 0.05), 0.78, 1.02)),
            transition_mps=float(rng.uniform(*TRANSITION_MPS[:2])),
            cadence_factor=float(np.clip(rng.normal(1.0, 0.10), 0.75, 1.25)),
            impact_factor=float(rng.uniform(0.85, 1.15)),
            clearance_m=float(rng.uniform(0.10, 0.14)),
            mounting=_rotation(axis / np.linalg.norm(axis), angle),
            acc_bias=rng.normal(0, 0.08, 3),
            gyro_bias=rng.normal(0, 0.8, 3),
            stride_cv=float(rng.uniform(0.015, 0.03)),
            run_cadence_factor=float(np.clip(rng.normal(1.0, 0.06), 0.85, 1.15)),
            walk_stance_offset=float(np.clip(rng.normal(0, 0.015), -0.04, 0.04)),
            run_stance_offset=float(np.clip(rng.normal(0, 0.025), -0.07, 0.07)),
            strike=strike,
            strike_angle_deg=float(rng.uniform(*STRIKES[strike][1])),
            walk_heel_angle_deg=float(rng.uniform(15, 25)),
            toe_off_factor=float(np.clip(rng.normal(1.0, 0.10), 0.75, 1.25)),
            placement=placement,
            lever_arm_m=PLACEMENTS[placement][1],
        )

    def gait(self, speed_mps: float) -> dict[str, float]:
        """Stride time (s), stride length (m), stance fraction and whether this speed is run."""
        running = speed_mps >= self.transition_mps
        if running:
            (v0, rate0), (v1, rate1) = RUN_STRIDE_RATE[0]
            strides_per_min = (
                rate0 + (rate1 - rate0) * (speed_mps - v0) / (v1 - v0)
            ) * self.run_cadence_factor
            stride_time = 60 / np.clip(strides_per_min, 65, 95)
            stance = float(np.clip(0.42 - 0.05 * (speed_mps - 2.0) + self.run_stance_offset, 0.26, 0.48))
        else:
            walk_ratio = WALK_RATIO * self.leg_length_m / 0.9 / self.cadence_factor
            steps_per_min = np.sqrt(60 * speed_mps / walk_ratio)
            stride_time = 120 / steps_per_min
            stance = float(np.clip(0.62 - 0.04 * (speed_mps - 1.1) + self.walk_stance_offset, 0.54, 0.66))
        return {
            "stride_time": float(stride_time),
            "stride_length": float(speed_mps * stride_time),
            "stance": stance,
            "running": bool(running),
        }


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation matrix."""
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def _bump(phase: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-(((phase - centre) / width) ** 2))


# Walking's stance phases (Perry & Burnfield 2010, Gait Analysis): terminal stance begins as the heel rises
# (31% of the cycle) and pre-swing, the last ~12% before toe-off (50-62%), unloads the foot while the knee
# flexes. Here the heel's rise starts at 60% of stance (37% of the cycle at 1.27 m/s) and gathers slowly, so
# the pitch rate peaks just before toe-off, and the instep leaves its rocker arc 10% of a stride before
# toe-off. Within those phases, the fractions, the rise's power (3), the fall's length (5% of the stride) and
# walking's toe-off pitch (50 + 4 v degrees, 55 at 1.27 m/s; 40 + 4 v before) were picked from a small grid by
# the mean stride curves' correlation with the real walker's, with its peak pitch rate within the tests'
# tolerance; its speed was never used. Before, the push-off was a symmetric bump around toe-off and the instep
# left at toe-off: acc_z's curve correlated 0.49 with the real one, gyr_y's 0.88 (docs/simulator.md).
HEEL_RISE = 0.6  # of stance
PRE_SWING = 0.10  # of the stride
HEEL_RECOIL = 1.0  # share of the heel strike's net push that its recoil gives back (notebook 03, exercise 6)


def _push_off(phase: np.ndarray, stance: float) -> np.ndarray:
    """Walking's toes-down rotation: a slow rise from heel rise to just before toe-off, a quick fall after."""
    rise, peak, end = HEEL_RISE * stance, stance - 0.03, stance + 0.02
    up = np.sin(np.pi / 2 * np.clip((phase - rise) / (peak - rise), 0, 1)) ** 3
    down = np.sin(np.pi / 2 * np.clip((end - phase) / (end - peak), 0, 1)) ** 2
    return np.where(phase < peak, up, down)


# The foot's pivots in stance, from the instep sensor's point (m, foot frame x forward, z up), for a 0.9 m leg:
# the heel ~45 % of a 26 cm foot behind it and the metatarsal heads ~27 % ahead, ~7 cm below (sole and dorsum).
HEEL_PIVOT = np.array([-0.12, -0.07])
TOE_PIVOT = np.array([0.07, -0.07])


def _rocker_offsets(theta: np.ndarray, leg_length_m: float) -> np.ndarray:
    """The instep's displacement from where it sits with the foot flat, (n, 2) x/z, when the foot pitched
    by ``theta`` (toes up positive) rolls about the heel (toes up) or the toes (toes down), as in stance."""
    pivot = np.where((theta >= 0)[:, None], HEEL_PIVOT, TOE_PIVOT) * leg_length_m / 0.9
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    turned = np.concatenate(
        [c * pivot[:, :1] - s * pivot[:, 1:], s * pivot[:, :1] + c * pivot[:, 1:]], axis=1
    )
    return pivot - turned


def _quintic(p0, v0, a0, p1, v1, a1, t: np.ndarray, duration: float) -> np.ndarray:
    """Positions at times ``t`` of the quintic that leaves ``p0`` with velocity ``v0`` and acceleration ``a0``
    and reaches ``p1`` with ``v1`` and ``a1`` after ``duration`` (the minimum-jerk path when both ends rest)."""
    h = duration
    c0, c1, c2 = p0, v0 * h, a0 * h**2 / 2
    dp, dv, da = p1 - c0 - c1 - c2, v1 * h - c1 - 2 * c2, a1 * h**2 - 2 * c2
    c3 = 10 * dp - 4 * dv + da / 2
    c4 = -15 * dp + 7 * dv - da
    c5 = 6 * dp - 3 * dv + da / 2
    u = (t / h)[:, None]
    return c0 + c1 * u + c2 * u**2 + c3 * u**3 + c4 * u**4 + c5 * u**5


def _stride(
    subject: Person, speed: float, gait: dict, n: int, fs: float, rng: np.random.Generator
) -> np.ndarray:
    """One stride from heel strike to the next, (n, 6) in the sensor frame, before noise and clipping."""
    T, d, running = n / fs, gait["stance"], gait["running"]
    phase = np.arange(n) / n
    t = phase * T
    jitter = lambda: rng.normal(1.0, 0.05)  # noqa: E731 - per-stride amplitude variability

    # Foot pitch: set the angle changes, let the rates follow (each bump's integral is exact per stride).
    strike_deg = subject.strike_angle_deg if running else subject.walk_heel_angle_deg
    heel_angle = np.deg2rad(strike_deg) * jitter()
    toe_off_angle = -np.deg2rad(50 + 15 * running + 4 * speed) * subject.toe_off_factor * jitter()
    swing_width = 0.25 * (1 - d)
    shapes = [
        (-heel_angle, _bump(phase, 0.05, 0.035)),  # foot flat after heel strike
        (toe_off_angle, _bump(phase, d - 0.02, 0.05) if running else _push_off(phase, d)),  # toes down
        (heel_angle - toe_off_angle, _bump(phase, d + 0.45 * (1 - d), swing_width)),
    ]  # swing
    omega = sum(change * shape / (shape.sum() / fs) for change, shape in shapes)  # rad/s
    theta = np.cumsum(omega) / fs + heel_angle

    # Where the sensor's point (the instep) is, in the belt frame (x forward, z up): in stance the foot rolls
    # over the heel, then over the toes (Perry's rockers), so the instep moves on an arc about the pivot; in
    # swing it travels to the next heel strike on a quintic that joins both arcs smoothly, plus a clearance arc.
    # The acceleration is its second difference, so a double integral gives back the belt's stride exactly.
    L = speed * T  # the belt carries the stance foot back one stride length per stride time
    rocker = _rocker_offsets(theta, subject.leg_length_m)
    lift = int(np.ceil((d - (0 if running else PRE_SWING)) * n))  # where the instep leaves its arc
    swing_n = n - lift
    # The swing leaves the last stance samples and meets the next stride's first ones (one stride ahead) with
    # their position, velocity and acceleration (finite differences), so the path has no kink at either end.
    start = rocker[lift - 3 : lift]
    end = rocker[:3] + [L, 0.0]
    path = _quintic(
        start[-1],
        (start[-1] - start[-2]) * fs,
        (start[-1] - 2 * start[-2] + start[-3]) * fs**2,
        end[0],
        (end[1] - end[0]) * fs,
        (end[2] - 2 * end[1] + end[0]) * fs**2,
        (np.arange(1, swing_n + 1)) / fs,
        (swing_n + 1) / fs,
    )
    tau = np.arange(1, swing_n + 1) / (swing_n + 1)
    clearance = subject.clearance_m * (1 + 0.5 * running) * jitter()
    # tau^2 (1 - tau)^4 peaks at a third of the swing; scaled so its peak is the clearance
    path[:, 1] += clearance * tau**2 * (1 - tau) ** 4 / ((1 / 3) ** 2 * (2 / 3) ** 4)
    position = np.concatenate([rocker[:lift], path])
    around = np.concatenate([position[-1:] - [L, 0.0], position, position[:1] + [L, 0.0]])
    acc = np.zeros((n, 3))
    acc[:, [0, 2]] = (around[2:] - 2 * around[1:-1] + around[:-2]) * fs**2
    acc[:, 1] = 0.08 * G * np.sin(2 * np.pi * phase) * jitter()

    # Heel-strike impact: a damped oscillation, larger with speed and when running.
    strike_impact = STRIKES[subject.strike][2] if running else 1.0
    impact = (
        11.5
        * G
        * (speed / 1.27) ** 0.8
        * (1.25 if running else 1.0)
        * strike_impact
        * subject.impact_factor
        * jitter()
    )
    ring = impact * np.exp(-t / 0.012) * np.cos(2 * np.pi * 35 * t)
    # The swing has already brought the foot to rest, so the strike's transient moves it nowhere: its net
    # velocity change is zero. A slower recoil (30 ms) gives back what the ring's first lobe takes; without
    # it every stride gained ~0.1 m/s that no foot has, and ZUPT read +0.35 km/h fast on every subject.
    recoil = np.exp(-t / 0.03)
    ring -= HEEL_RECOIL * ring.sum() / recoil.sum() * recoil
    acc[:, 2] += ring
    acc[:, 0] -= 0.45 * ring

    # Specific force in the pitched sensor frame (x forward, y left, z up; theta = toes-up pitch, a rotation
    # by -theta about y): f = R_y(-theta)^T (a + g z).
    fx, fz = acc[:, 0], acc[:, 2] + G
    c, s = np.cos(theta), np.sin(theta)
    sensor_acc = np.stack([c * fx + s * fz, acc[:, 1], -s * fx + c * fz], axis=1)
    # A sensor off the instep also feels the foot's rotation about the instep: alpha x r + omega x (omega x r),
    # with the body rate w = -dtheta/dt about y (rigid foot: the gyroscope reads the same anywhere on it).
    rx, _, rz = subject.lever_arm_m
    if rx or rz:
        w = -omega
        alpha = np.gradient(w) * fs
        sensor_acc[:, 0] += alpha * rz - w**2 * rx
        sensor_acc[:, 2] += -alpha * rx - w**2 * rz
    # The gyroscope reports the rotation about +y, which is -dtheta/dt: toes going down (push-off, foot
    # flat) read positive, the swing's toes-up rotation negative, as in the real recording (gaitmap's frame).
    # Until 2026-11-30 this sign was flipped, so the accelerometer and gyroscope disagreed: the strapdown
    # (ZUPT) integral of a simulated stride missed its length, and the mean stride curve of gyr_y
    # correlated at -0.94 with the real one.
    rate = -np.rad2deg(omega)
    gyro = np.stack([0.12 * rate * np.roll(phase > d, n // 20), rate, -0.08 * rate * (phase > d)], axis=1)
    return np.concatenate([sensor_acc, gyro], axis=1)


def simulate_recording(
    subject: Person, speed_kmh: float, duration_s: float, fs: float = 100.0, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A continuous treadmill recording: float32 (samples, 6) and the heel-strike sample indices.

    Reproducible from (subject, speed, seed). Starts at a random gait phase.
    """
    if not 1.0 <= speed_kmh <= 25.0:
        raise ValueError(f"speed_kmh must be a treadmill speed in 1..25 km/h, got {speed_kmh}.")
    speed = speed_kmh / 3.6
    gait = subject.gait(speed)
    rng = np.random.default_rng(
        [subject.seed, subject.subject_id, int(round(speed_kmh * 10)), 0 if seed is None else int(seed)]
    )
    total = int(duration_s * fs) + int(3 * gait["stride_time"] * fs)
    strides, starts, count = [], [], 0
    while count < total:
        n = max(8, int(round(gait["stride_time"] * (1 + subject.stride_cv * rng.normal()) * fs)))
        strides.append(_stride(subject, speed, gait, n, fs, rng))
        starts.append(count)
        count += n
    signal = np.concatenate(strides)
    offset = int(rng.integers(0, int(gait["stride_time"] * fs)))  # random starting phase
    signal = signal[offset : offset + int(duration_s * fs)]
    heel_strikes = np.array([s - offset for s in starts if 0 <= s - offset < len(signal)])

    signal[:, :3] = signal[:, :3] @ subject.mounting.T + subject.acc_bias
    signal[:, 3:] = signal[:, 3:] @ subject.mounting.T + subject.gyro_bias
    signal[:, :3] += rng.normal(0, 0.035, (len(signal), 3))
    signal[:, 3:] += rng.normal(0, 0.3, (len(signal), 3))
    np.clip(signal[:, :3], -ACC_RANGE, ACC_RANGE, out=signal[:, :3])
    np.clip(signal[:, 3:], -GYRO_RANGE, GYRO_RANGE, out=signal[:, 3:])
    return signal.astype(np.float32), heel_strikes


def reference_population(seed: int = 0, fs: float = 204.8) -> list[tuple[np.ndarray, np.ndarray]]:
    """The simulated population set beside the real walk: subjects 1-8 walking 40 s at 1.27 m/s, sampled as
    the real recording is (204.8 Hz). Notebook 03's realism table, the tests and docs/simulator.md use it."""
    return [simulate_recording(Person.make(i, seed), 1.27 * 3.6, 40, fs=fs) for i in range(1, 9)]


def stride_statistics(
    signal: np.ndarray, heel_strikes: np.ndarray, fs: float, sagittal: int = 4
) -> dict[str, float]:
    """Mean stride time (s), largest sagittal gyro rate per stride (deg/s: push-off) and peak |acc| (g)."""
    times, gyro_peaks, acc_peaks = [], [], []
    for start, end in zip(heel_strikes[:-1], heel_strikes[1:]):
        segment = signal[start:end]
        times.append((end - start) / fs)
        gyro_peaks.append(segment[:, sagittal].max())
        acc_peaks.append(np.linalg.norm(segment[:, :3], axis=1).max() / G)
    return {
        "stride_time_s": float(np.mean(times)),
        "peak_gyro_y_dps": float(np.mean(gyro_peaks)),
        "peak_acc_g": float(np.mean(acc_peaks)),
        "strides": len(times),
    }


WAVEFORM_CHANNELS = {"gyr_y": 4, "acc_x": 0, "acc_z": 2}


def mean_stride_curve(
    signal: np.ndarray, heel_strikes: np.ndarray, channel: int, points: int = 100
) -> np.ndarray:
    """The stride-time-normalised mean curve of one channel: each stride resampled to ``points``, averaged."""
    curves = [
        np.interp(np.linspace(0, 1, points), np.linspace(0, 1, end - start), signal[start:end, channel])
        for start, end in zip(heel_strikes[:-1], heel_strikes[1:])
        if end - start > 2
    ]
    return np.mean(curves, axis=0)


def waveform_correlations(
    sim: np.ndarray, sim_hs: np.ndarray, ref: np.ndarray, ref_hs: np.ndarray
) -> dict[str, float]:
    """Pearson correlation of the simulator's and a real recording's mean stride curves, per channel.

    Scalars (stride time, peaks) can agree while the shapes do not; this compares the shapes, stride by
    stride from one heel strike to the next.
    """
    return {
        name: float(np.corrcoef(mean_stride_curve(sim, sim_hs, ch), mean_stride_curve(ref, ref_hs, ch))[0, 1])
        for name, ch in WAVEFORM_CHANNELS.items()
    }


REALISM_TOLERANCE = {"stride_time_s": 0.10, "peak_gyro_y_dps": 0.20, "peak_acc_g": 0.30}
SHAPE_TARGET = {"gyr_y": 0.85, "acc_z": 0.6}  # mean stride-curve correlations the tests hold


def population_spread(
    n: int = 300, seed: int = 0, walk_kmh: float = 4.5, run_kmh: float = 9.0
) -> dict[str, np.ndarray]:
    """Draw ``n`` simulated subjects and return the figures :data:`POPULATION` publishes, one value each:
    walk ratio (cm per step/min), cadence at ``walk_kmh`` (steps/min), stride frequency (Hz) and duty factor
    (%) at ``run_kmh`` (for the subjects who run there), foot-strike pattern and sensor placement."""
    people = [Person.make(i, seed) for i in range(1, n + 1)]
    walks = [p.gait(walk_kmh / 3.6) for p in people]
    runs = [g for g in (p.gait(run_kmh / 3.6) for p in people) if g["running"]]
    return {
        "walk_ratio_cm": np.array([100 * g["stride_length"] / 2 / (120 / g["stride_time"]) for g in walks]),
        "cadence_spm": np.array([120 / g["stride_time"] for g in walks]),
        "run_stride_hz": np.array([1 / g["stride_time"] for g in runs]),
        "run_duty_pct": np.array([100 * g["stance"] for g in runs]),
        "strike": np.array([p.strike for p in people]),
        "placement": np.array([p.placement for p in people]),
    }


def gait_by_speed(
    n: int = 300, seed: int = 0, speeds_kmh: tuple[float, ...] = SPEEDS_KMH
) -> dict[str, np.ndarray]:
    """Each of ``n`` simulated subjects' gait at each speed, arrays (n, speeds): stride rate (strides/min),
    stance (% of the stride on the ground) and whether they run; with ``speeds_kmh``, for the figure of gait
    against speed (:func:`helpers.plotting.gait_speed_figure`)."""
    people = [Person.make(i, seed) for i in range(1, n + 1)]
    table = [[p.gait(v / 3.6) for v in speeds_kmh] for p in people]
    return {
        "speeds_kmh": np.asarray(speeds_kmh, dtype=float),
        "stride_per_min": np.array([[60 / g["stride_time"] for g in row] for row in table]),
        "stance_pct": np.array([[100 * g["stance"] for g in row] for row in table]),
        "running": np.array([[g["running"] for g in row] for row in table]),
    }
