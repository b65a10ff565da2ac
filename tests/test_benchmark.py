"""The time-to-quality benchmark's bookkeeping (its timings are printed, never asserted)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from helpers import profiles
from helpers.lab import results
from helpers.models import dense_autoencoder
from helpers.training import STEPS_PER_EXECUTION

_spec = importlib.util.spec_from_file_location(
    "time_to_quality", Path(__file__).resolve().parents[1] / "benchmarks" / "time_to_quality.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _conv(sigma, test_mse, curve, warm_from=None):
    return results.make_record(
        "II",
        "conv-64",
        75073,
        "standard",
        1.0,
        sigma=sigma,
        test_mse=test_mse,
        epochs=len(curve),
        warm_start_from=warm_from,
        val_curve=[[10.0 * (i + 1), v] for i, v in enumerate(curve)],
    )


def test_quality_epochs_counts_warm_start_sources_in_full():
    records = [
        _conv(0.3, 0.0081, [0.0100, 0.0082, 0.0080]),  # report 0.008227: crosses at epoch 2, but seeds 0.2
        # report 0.005457, scaled by 0.0053 / 0.0054 to 0.005356: crossed at epoch 2
        _conv(0.2, 0.0054, [0.0056, 0.00533, 0.0053], warm_from=0.3),
        results.make_record("V", "vae-2d", 1, "standard", 1.0, epochs=25, test_neg_elbo_nats=264.0),
    ]
    found = bench.quality_epochs(records)
    assert found[("II", "conv-64 σ=0.3", 3)] is None
    assert found[("II", "conv-64 σ=0.2", 3)] == 2
    assert found[("V", "vae-2d", 25)] is None  # no report number: counted in full


def test_a_model_fine_tuned_from_a_base_does_not_make_its_sigma_a_source():
    # conv-64 at sigma 0.3 fine-tuned from a sigma 0.2 base model: the sigma 0.2 *record* seeds nothing
    records = [
        _conv(0.3, 0.0081, [0.0100, 0.0082, 0.0080], warm_from=0.2),
        _conv(0.2, 0.0054, [0.0056, 0.00533, 0.0053], warm_from=0.2),
    ]
    for r in records:
        r["warm_start_from_base"] = True
    assert bench.quality_epochs(records)[("II", "conv-64 σ=0.2", 3)] == 2
    records[1]["warm_start_from_base"] = False  # a chain from the sigma 0.2 model: that one now seeds another
    assert bench.quality_epochs(records)[("II", "conv-64 σ=0.2", 3)] is None


def test_seconds_per_epoch_multiplies_out_and_guards_the_slice():
    x = np.random.default_rng(0).random((2048, 784), dtype=np.float32)
    model = dense_autoencoder("dense-32")
    per_epoch = bench.seconds_per_epoch(model, bench.sliced(x), 16, 2048, 0.1, repeats=1)
    assert 0 < per_epoch < 60
    # Fair: every recipe, the report's included, runs with the engine's one steps-per-execution setting.
    assert model.steps_per_execution == STEPS_PER_EXECUTION
    with pytest.raises(ValueError, match="smaller --fraction"):
        bench.seconds_per_epoch(dense_autoencoder("dense-32"), bench.sliced(x[:100]), 16, 2048, 0.5)


def test_the_benchmark_times_every_model_a_profile_trains(monkeypatch):
    """Sections III/IV: each of the profile's speed models (zupt-residual with its ZUPT channel); Section V:
    each VAE and the plain autoencoder notebook 04 trains by default."""
    timed = []

    def clock(model, data, *args, **kwargs):
        x, _ = data(256)
        timed.append(
            (model.name, x[0][0].shape[-1] if model.name.startswith(("conv-lstm", "zupt")) else None)
        )
        return 1.0

    monkeypatch.setattr(bench, "seconds_per_epoch", clock)
    rows, _ = bench.time_rows(profile_names=("standard",), sections=("III", "IV", "V"))
    speed_models = profiles.settings("imu", "standard")["models"]
    assert [r["model"] for r in rows if r["section"] == "IV"] == speed_models
    assert {r["model"] for r in rows if r["section"] == "V"} == {"vae-2d", "vae-16d", "ae-2d"}
    assert ("zupt-residual", 7) in timed and ("conv-lstm", 6) in timed  # each with the input it trains on


def test_quality_epochs_need_a_sustained_crossing():
    # report 0.005457 scaled to 0.005356: epoch 2 dips below, epoch 3 goes back above, epoch 4 on stays below.
    rec = _conv(0.2, 0.0054, [0.0056, 0.00533, 0.0054, 0.00534, 0.0053])
    assert bench.quality_epochs([rec])[("II", "conv-64 σ=0.2", 5)] == 4


def test_a_cached_warm_start_parent_still_says_what_it_was(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "section2_levers", Path(__file__).resolve().parents[1] / "benchmarks" / "section2_levers.py"
    )
    levers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(levers)
    from types import SimpleNamespace

    from helpers import profiles

    monkeypatch.setattr(levers, "RUNS_DIR", tmp_path)
    cfg = profiles.settings("denoise", "smoke")  # conv-32 at sigma 0.2: one epoch from scratch
    x = np.random.default_rng(0).random((64, 28, 28, 1), dtype=np.float32)
    noisy_val = {0.2: x[:32] + 0.2}
    args = SimpleNamespace(model="conv-32", warm_from=0.2, seed=3)
    trained, facts = levers.warm_start_parent(args, cfg, x, x[:32], noisy_val)
    assert facts["parent_cached"] is False and facts["parent_recipe"]["epochs"] == 1
    assert facts["parent_val_mse"] > 0 and facts["parent_seconds"] >= 0
    reused, again = levers.warm_start_parent(args, cfg, x, x[:32], noisy_val)
    assert again == facts | {"parent_cached": True}
    for a, b in zip(trained.get_weights(), reused.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_plan_lever_trains_a_model_as_the_notebook_does(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "section2_levers", Path(__file__).resolve().parents[1] / "benchmarks" / "section2_levers.py"
    )
    levers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(levers)
    from helpers import profiles

    cfg = profiles.settings("denoise", "smoke")  # the standard plan's shape, one epoch per model
    x = np.random.default_rng(0).random((64, 28, 28, 1), dtype=np.float32)
    noisy_val = {s: x[:32] + s for s in (0.1, 0.2, 0.3)}
    rows = levers.plan_rows(cfg, "conv-32", x, x[:32], noisy_val, seed=3)
    assert [(r["sigma"], r["start"], r["is_base"]) for r in rows] == [
        (0.2, "scratch", True),
        (0.3, "base", False),
        (0.2, "base", False),
        (0.1, "base", False),
    ]
    assert rows[0]["engine"]["precision"] == "mixed_bfloat16" and rows[3]["engine"]["precision"] == "float32"
    f32 = {"fresh_noise": True, "noise_in_graph": False, "precision": "float32"}
    chain = levers.plan_rows(cfg, "conv-64", x, x[:32], noisy_val, seed=3, engine=f32, epochs=2)
    assert [(r["sigma"], r["start"]) for r in chain] == [
        (0.3, "scratch"),
        (0.2, "previous"),
        (0.1, "previous"),
    ]
    assert all(r["engine"] == f32 and r["val_mse"] > 0 for r in chain)
    assert [r["recipe"]["epochs"] for r in chain] == [2, 1, 1]  # epochs: the from-scratch recipe only


def test_the_roofline_table_takes_rows_with_and_without_recorded_fits(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        bench.roofline,
        "matmul_peak_gflops",
        lambda dtype="float32", **_: {"float32": 200.0}.get(dtype, 400.0),
    )
    records = tmp_path / "results.json"
    results.write_records(tmp_path, "x", [_conv(0.3, 0.0081, [0.01, 0.009])])
    records.write_text((tmp_path / "records" / "x.json").read_text())
    row = {"profile": "standard", "section": "II", "epochs": 2, "seconds_total": 50.0, "achieved_gflops": 20.0,
           "train_flops_per_example": 57_553_920, "examples_per_epoch": 55_000}  # fmt: skip
    rows = [row | {"model": "conv-64 σ=0.3", "precision": "float32"},
            row | {"model": "conv-32 base σ=0.2", "precision": "mixed_bfloat16"}]  # fmt: skip
    table = bench.roofline_table(rows, str(records))
    assert table["peak_gflops"] == {"float32": 200, "mixed_bfloat16": 400}
    assert [m["recorded_fit_s"] for m in table["models"]] == [1.0, None]  # the base model has no record
    assert [m["share_of_peak"] for m in table["models"]] == [0.1, 0.05]
    expected = 57_553_920 * 55_000 * 2 / 1e9 * (1 / 200 + 1 / 400) / 60
    assert table["plan_lower_bound_min"] == round(expected, 1)
    assert "lower bound" in capsys.readouterr().out
