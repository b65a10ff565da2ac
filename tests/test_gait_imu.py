"""Gait simulator realism and reproducibility, lazy windows, real-file checks, speed models."""

import numpy as np
import pytest

from helpers import gait, imu, models
from helpers.gait_reference import load_reference


@pytest.mark.parametrize("subject_id", [1, 2, 4])
def test_simulator_matches_real_walking_sample(subject_id, real_walk_dir):
    ref_signal, ref_hs = load_reference(real_walk_dir)
    ref = gait.stride_statistics(ref_signal, ref_hs, fs=204.8)
    sim_signal, sim_hs = gait.simulate_recording(gait.Subject.make(subject_id), 1.27 * 3.6, 40, fs=204.8)
    sim = gait.stride_statistics(sim_signal, sim_hs, fs=204.8)
    assert sim["stride_time_s"] == pytest.approx(ref["stride_time_s"], rel=0.10)
    assert sim["peak_gyro_y_dps"] == pytest.approx(ref["peak_gyro_y_dps"], rel=0.20)
    assert sim["peak_acc_g"] == pytest.approx(ref["peak_acc_g"], rel=0.30)


def test_simulated_stride_shapes_match_the_real_walk(real_walk_dir):
    """Not only three scalars: the mean stride curves, from one still (mid-stance) instant to the next."""
    from helpers import zupt

    ref, _ = load_reference(real_walk_dir)
    ref_still = zupt.still_instants(ref, 204.8)
    found = []
    for subject_id in (1, 2, 4):
        sim, _ = gait.simulate_recording(gait.Subject.make(subject_id), 1.27 * 3.6, 40, fs=204.8)
        found.append(gait.waveform_correlations(sim, zupt.still_instants(sim, 204.8), ref, ref_still))
    gyr_y = [c["gyr_y"] for c in found]
    assert min(gyr_y) >= 0.75 and np.mean(gyr_y) >= 0.85
    assert min(c["acc_x"] for c in found) >= 0.4


def test_biomechanics_of_the_protocol():
    person = gait.Subject.make(1)
    walk, run = person.gait(1.27), person.gait(9.5 / 3.6)
    assert not walk["running"] and run["running"]
    assert 95 < 120 / walk["stride_time"] < 120  # steps/min near the walk ratio's 108
    assert 70 <= 60 / run["stride_time"] <= 92  # strides/min when running
    assert 1.9 <= person.transition_mps <= 2.2
    signal, _ = gait.simulate_recording(person, 9.5, 10)
    assert np.abs(signal[:, :3]).max() <= gait.ACC_RANGE and np.abs(signal[:, 3:]).max() <= gait.GYRO_RANGE


def test_subjects_are_reproducible_and_distinct():
    a1, _ = gait.simulate_recording(gait.Subject.make(11, seed=3), 6.0, 5)
    a2, _ = gait.simulate_recording(gait.Subject.make(11, seed=3), 6.0, 5)
    b, _ = gait.simulate_recording(gait.Subject.make(12, seed=3), 6.0, 5)
    np.testing.assert_array_equal(a1, a2)
    assert not np.array_equal(a1, b)
    with pytest.raises(ValueError, match="positive"):
        gait.Subject.make(0)


def test_windows_are_cut_lazily_and_mean_baseline_is_near_speed_spread():
    s = imu.simulate_subject(5, windows_per_speed=50)
    assert len(s) == 600 and s.window(0).shape == (600, 6)
    total_recording = sum(r.nbytes for r in s.recordings)
    assert total_recording < len(s) * 600 * 6 * 4  # less than the windows would take
    norm = imu.Normaliser.fit([s])
    seq = imu.WindowSequence([s], norm, batch_size=32, augment=True)
    x, y = seq[0]
    assert x.shape == (32, 600, 6) and y.shape == (32,)
    assert imu.rmse(s.labels, np.full(len(s), s.labels.mean())) == pytest.approx(1.726, abs=0.01)


def _save(path, x, y, **units):
    np.savez(path, X=x, y=y, **units)


def _real_like(n=4):
    s = imu.simulate_subject(3, windows_per_speed=1)
    return s.batch(np.arange(n)), s.labels[:n]


@pytest.mark.parametrize("problem, match", [
    ("shape", "expected \\(windows, 600, 6\\)"),
    ("nan", "NaN"),
    ("labels", "outside"),
    ("m/s labels", "looks like m/s, not km/h"),
    ("units", "looks like g"),
])
def test_bad_real_files_get_clear_errors(tmp_path, problem, match):
    x, y = _real_like()
    if problem == "shape":
        x = x[:, :500]
    elif problem == "nan":
        x[0, 0, 0] = np.nan
    elif problem == "labels":
        y = y * 10  # nonsense units
    elif problem == "m/s labels":
        y = y / 3.6  # 1.1-2.6: m/s given as km/h
    elif problem == "units":
        x[:, :, :3] /= gait.G  # data in g, declared m/s^2
    _save(tmp_path / "subject1.npz", x, y)
    with pytest.raises(imu.IMUDataError, match=match):
        imu.load_subject(1, "real", folder=tmp_path)


def test_real_files_load_and_convert_units(tmp_path):
    x, y = _real_like()
    x_g = x.copy()
    x_g[:, :, :3] /= gait.G
    x_g[:, :, 3:] = np.deg2rad(x_g[:, :, 3:])
    _save(tmp_path / "subject2.npz", x_g, y.reshape(-1, 1), acc_unit="g", gyro_unit="rad/s")
    s = imu.load_subject(2, "auto", folder=tmp_path)
    assert not s.simulated and len(s) == 4
    np.testing.assert_allclose(s.window(0), x[0], rtol=1e-4, atol=1e-3)
    _save(tmp_path / "subject3.npz", x, y / 3.6, label_unit="m/s")  # declared m/s: converted to km/h
    np.testing.assert_allclose(imu.load_subject(3, "real", folder=tmp_path).labels, y, rtol=1e-5)
    np.save(tmp_path / "subject5_X.npy", x)
    np.save(tmp_path / "subject5_y.npy", y)
    assert len(imu.load_subject(5, "real", folder=tmp_path)) == 4
    with pytest.raises(imu.IMUDataError, match="No real IMU file"):
        imu.load_subject(6, "real", folder=tmp_path)


def test_seed_lstm_has_report_size_and_trains_one_smoke_epoch():
    import keras

    model = models.speed_model("seed-lstm")
    assert model.count_params() == models.PARAM_COUNTS["seed-lstm"]
    s = imu.simulate_subject(1, windows_per_speed=2)
    seq = imu.WindowSequence([s], imu.Normaliser.fit([s]), batch_size=12)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    history = model.fit(seq, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    with pytest.raises(ValueError, match="Unknown speed model"):
        models.speed_model("transformer")


def test_gait_ridge_baseline_learns_speed_on_a_held_out_subject():
    f, y = imu.features_of([imu.simulate_subject(i, windows_per_speed=20) for i in (1, 2)])
    f_new, y_new = imu.features_of([imu.simulate_subject(4, windows_per_speed=20)])  # never seen in fitting
    ridge = imu.Ridge().fit(f, y)
    assert imu.rmse(y_new, ridge.predict(f_new)) < 0.6 * imu.rmse(y_new, np.full_like(y_new, y.mean()))


def test_window_stride_cuts_regular_overlapping_windows():
    s = imu.simulate_subject(8, windows_per_speed=30, window_stride=50)
    starts = s.windows[s.windows[:, 0] == 0, 1]
    assert list(starts[:3]) == [0, 50, 100] and len(starts) == 30
    assert all(len(s.window(i)) == 600 for i in range(len(s)))
    np.testing.assert_array_equal(s.window(1)[:550], s.window(0)[50:])  # overlapping views of one recording
    with pytest.raises(ValueError, match="window_stride"):
        imu.simulate_subject(8, windows_per_speed=2, window_stride=0)
