"""A user's own IMU recordings: speed units judged by plausibility, damaged files named, never unpickled.

Every case stops in :func:`helpers.lab.recordings.load_subjects`, which notebook 03 calls before anything
trains, with an error that names each file concerned and the fix."""

import numpy as np
import pytest

from helpers import imu
from helpers.lab import recordings
from helpers.lab.recordings import IMUDataError


def _windows(n: int) -> np.ndarray:
    s = imu.simulate_subject(3, windows_per_speed=1)
    return s.batch(np.arange(n) % len(s))


def _save(folder, sid, labels, **units):
    np.savez(folder / f"subject{sid}.npz", X=_windows(len(labels)), y=np.asarray(labels, np.float32), **units)


def test_running_only_labels_in_m_s_are_caught(tmp_path):
    """3.2-4.2 m/s, saved as km/h: below the protocol as km/h, above it as m/s; it stops, naming the file."""
    _save(tmp_path, 1, np.linspace(3.2, 4.2, 40))
    with pytest.raises(
        IMUDataError, match=r"subject1\.npz: labels 3\.20\.\.4\.20 .* neither as km/h nor as m/s"
    ):
        recordings.load_subjects([1], "real", folder=tmp_path)


def test_walking_and_running_fixed_one_file_at_a_time_never_slips_through(tmp_path):
    """80% running and 20% walking in m/s, saved as km/h in five files: every error names every file still
    wrong, and only when each declares label_unit='m/s' does the set load, in km/h."""
    rng = np.random.default_rng(0)
    ids = [3, 4, 5, 6, 7]
    for sid in ids:
        walking, running = rng.uniform(1.11, 1.94, 8), rng.uniform(2.08, 2.64, 32)  # the protocol, in m/s
        _save(tmp_path, sid, np.concatenate([walking, running]))
    for k, sid in enumerate(ids):
        with pytest.raises(IMUDataError) as err:
            recordings.load_subjects(ids, "real", folder=tmp_path)
        named = [i for i in ids if f"subject{i}.npz: labels" in str(err.value)]
        assert named == ids[k:] and "as m/s, not as the declared km/h" in str(err.value)
        with np.load(tmp_path / f"subject{sid}.npz") as f:  # the fix the error names, for this file only
            np.savez(tmp_path / f"subject{sid}.npz", X=f["X"], y=f["y"], label_unit="m/s")
    subjects = recordings.load_subjects(ids, "real", folder=tmp_path)
    labels = np.concatenate([s.labels for s in subjects.values()])
    assert 4.0 <= labels.min() and labels.max() <= 9.5  # converted to km/h


def test_a_set_that_mixes_units_names_each_file(tmp_path):
    _save(tmp_path, 1, np.linspace(4.0, 9.5, 12))  # km/h
    _save(tmp_path, 2, np.linspace(4.0, 9.5, 12) / 3.6)  # m/s, declared as km/h
    _save(tmp_path, 4, np.linspace(4.0, 9.5, 12) / 3.6)
    with pytest.raises(IMUDataError) as err:
        recordings.load_subjects([1, 2, 4], "real", folder=tmp_path)
    text = str(err.value)
    assert "mix units: subject1.npz fit km/h" in text
    assert "subject2.npz: labels" in text and "subject4.npz: labels" in text


@pytest.mark.parametrize("name", ["subject1.npz", "subject1_X.npy", "subject1.mat"])
def test_a_damaged_file_is_named_with_what_was_expected_and_never_unpickled(tmp_path, name):
    (tmp_path / name).write_bytes(b"x")
    with pytest.raises(IMUDataError) as err:
        recordings.load_subjects([1], "real", folder=tmp_path)
    text = str(err.value)
    assert str(tmp_path / name) in text and "damaged or partial copy" in text and "expected" in text.lower()
    assert "pickle" not in text.lower()
