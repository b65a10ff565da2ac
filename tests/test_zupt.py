"""The ZUPT physics baseline: rotations, levelling, and speeds on simulated and real feet."""

import numpy as np
import pytest

from helpers import gait, zupt
from helpers.lab import gait_reference


def test_rotation_and_levelling():
    r = zupt._rotation(np.array([0.0, 0.0, np.pi / 2]))
    np.testing.assert_allclose(r @ [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    f = np.array([3.0, -2.0, 9.0])
    np.testing.assert_allclose(zupt._level(f) @ f, [0.0, 0.0, np.linalg.norm(f)], atol=1e-9)


def test_batched_rotations_and_running_products_match_one_at_a_time():
    rng = np.random.default_rng(3)
    rotvecs = np.concatenate([rng.normal(0, 0.05, (37, 3)), np.zeros((1, 3))])  # a zero turn too
    batched = zupt._rotation(rotvecs)
    for w, r in zip(rotvecs, batched):
        np.testing.assert_allclose(r, zupt._rotation(w), atol=1e-15)
    expected, running = np.eye(3), zupt._running_products(batched)
    for i, r in enumerate(batched):
        expected = expected @ r
        np.testing.assert_allclose(running[i], expected, atol=1e-13)
    assert not np.allclose(running[-1], np.eye(3))  # the turns add up to something


@pytest.mark.parametrize("speed_kmh", [4.0, 6.5, 9.5])
def test_zupt_recovers_the_speed_of_a_simulated_subject(speed_kmh):
    # The simulator's accelerometer and gyroscope are kinematically consistent: their strapdown integral
    # gives back the treadmill speed, within 10%, with no training at all.
    signal, _ = gait.simulate_recording(gait.Person.make(4), speed_kmh, 20)
    assert zupt.speed_kmh(signal) == pytest.approx(speed_kmh, rel=0.10)


def test_zupt_on_the_real_walk_matches_the_motion_capture(real_walk_dir):
    truth = gait_reference.true_speed_kmh(real_walk_dir)
    for foot in ("left", "right"):
        pred = zupt.predict(gait_reference.walk_windows(real_walk_dir, foot))
        assert np.nanmean(pred) == pytest.approx(truth, abs=0.3)


def test_zupt_reads_simulated_walks_without_bias():
    # The strike's transient changes no velocity (helpers.gait._stride): before that was so, every simulated
    # stride gained ~0.1 m/s that no foot has, and ZUPT read ~+0.35 km/h fast on every subject.
    errors = [
        zupt.speed_kmh(gait.simulate_recording(gait.Person.make(i), v, 30)[0]) - v
        for i in (1, 2, 3)
        for v in (4.0, 5.5)
    ]
    assert abs(np.mean(errors)) < 0.15 and np.max(np.abs(errors)) < 0.3


def test_window_speeds_use_the_whole_strides_inside_each_window():
    signal, _ = gait.simulate_recording(gait.Person.make(4), 6.0, 30)
    starts = np.array([0, 250, 2000])
    found = zupt.window_speeds(signal, starts, 600)
    first, last, lengths = zupt.strides(signal, 100.0)
    for start, speed in zip(starts, found):
        inside = (first >= start) & (last <= start + 600)
        assert inside.sum() >= 3
        assert speed == pytest.approx(lengths[inside].sum() / ((last - first)[inside].sum() / 100) * 3.6)
        assert speed == pytest.approx(6.0, abs=0.5)
    assert np.isnan(zupt.window_speeds(signal, [0], 50)[0])  # no whole stride in half a second
