"""The real walk from the registry: digests, motion-capture speed, frames, and a sim-to-real smoke run."""

import numpy as np
import pytest

from helpers import hygiene, imu
from helpers.lab import gait_reference
from helpers.models import speed_model
from helpers.training import Recipe, fit


def test_files_are_pinned_and_checked(real_walk_dir, tmp_path):
    assert gait_reference.verified(real_walk_dir)
    corrupt = tmp_path / "walk"
    corrupt.mkdir()
    for name in gait_reference.SHA256:
        (corrupt / name).write_bytes((real_walk_dir / name).read_bytes())
    with open(corrupt / "mocap_sample.csv", "ab") as handle:
        handle.write(b"0,0\\n")
    assert not gait_reference.verified(corrupt)
    assert gait_reference.find_reference(corrupt, need_mocap=True) != corrupt  # never the corrupt copy


def test_straight_passes_and_true_speed_from_the_motion_capture(real_walk_dir):
    passes = gait_reference.straight_passes(real_walk_dir)
    assert len(passes) == 2  # two straight passes, one turn between them
    (a0, a1), (b0, b1) = passes
    assert 1.0 < a0 < 3.0 and 15.0 < a1 < 17.0 and 18.0 < b0 < 20.0 and 32.0 < b1 < 35.0
    assert gait_reference.true_speed_kmh(real_walk_dir) == pytest.approx(4.53, abs=0.05)


def test_right_foot_is_mirrored_into_the_left_foot_frame(real_walk_dir):
    left, _ = gait_reference.load_reference(real_walk_dir, "left")
    right, _ = gait_reference.load_reference(real_walk_dir, "right")
    assert np.sign(left[:, 1].mean()) == np.sign(right[:, 1].mean())  # lateral gravity component, same side
    assert np.percentile(left[:, 4], 99) == pytest.approx(
        np.percentile(right[:, 4], 99), rel=0.15
    )  # pitch rate


def test_sim_to_real_smoke(real_walk_dir):
    hygiene.release()
    train = [imu.simulate_subject(1, windows_per_speed=8)]
    norm = imu.Normaliser.fit(train)
    model = speed_model("conv-lstm")
    fit(
        model,
        imu.WindowSequence(train, norm, 32, augment=True),
        recipe=Recipe(1, 32, 3e-3),
        metrics=(),
        verbose=0,
    )
    walk = gait_reference.real_walk(real_walk_dir, "left")
    hygiene.protect(subjects=[walk.subject_id])
    assert walk.windows.shape[0] == len(walk) >= 20 and walk.window(0).shape == (600, 6)
    pred = model.predict(imu.WindowSequence([walk], norm, 64, shuffle=False), verbose=0)
    rec = gait_reference.transfer_metrics(walk, pred)
    assert rec["real"] and rec["windows"] == len(walk) and np.isfinite(rec["pred_mean_kmh"])
    assert rec["test_rmse_kmh"] >= abs(rec["pred_mean_kmh"] - rec["true_speed_kmh"]) - 1e-9
    with pytest.raises(hygiene.DataLeakError):  # the real walk is test data: never normalised on
        imu.Normaliser.fit([walk])
    hygiene.release()
