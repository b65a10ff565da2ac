"""The results writer: required keys, atomic files, computed 'beats report?' column."""

import json
import os

import pytest

from helpers import paths
from helpers.lab import results, tables


def test_make_record_orders_and_checks_keys():
    rec = results.make_record("I", "dense-32", 50992, "standard", 12.345, test_mse=0.01, test_mae=0.05)
    assert list(rec)[:5] == ["section", "model", "params", "profile", "seconds"]
    assert rec["seconds"] == 12.35
    with pytest.raises(ValueError, match="lacks"):
        results.validate({"section": "I", "model": "x"})
    with pytest.raises(ValueError, match="non-finite test_mse"):
        results.make_record("I", "dense-32", 1, "smoke", 1.0, test_mse=float("nan"))


def test_write_and_gather_in_notebook_order(tmp_path):
    a = results.make_record("I", "dense-32", 50992, "smoke", 1.0, test_mse=0.02)
    b = results.make_record("II", "conv-32", 19105, "smoke", 1.0, sigma=0.1, test_mse=0.003)
    results.write_records(tmp_path, "02_x", [b])
    results.write_records(tmp_path, "01_x", [a])
    assert [r["model"] for r in results.gather(tmp_path, ["01_x", "02_x", "03_missing"])] == [
        "dense-32",
        "conv-32",
    ]
    json_path, md_path = tables.write_summary(tmp_path, [a, b])
    assert json.loads(json_path.read_text())[0]["model"] == "dense-32"
    table = md_path.read_text()
    assert "| dense-32 |" in table and "no (0 of 1 seeds at or below)" in table  # 0.02 > report's 0.01296
    assert "| conv-32 | sigma=0.1 |" in table and "| 1 seed, not robust |" in table  # below, but one seed


def _seeds(model, values, **extra):
    return [
        results.make_record("I", model, 1, "standard", 1.0, seed=42 + i, test_mse=v, **extra)
        for i, v in enumerate(values)
    ]


def test_verdict_rule_needs_three_seeds_every_one_at_or_below():
    ref = 0.009809  # the report's dense-128-32-128
    assert results.verdict([0.0095, 0.0096, 0.0097], ref) == "yes (3 of 3 seeds)"
    assert results.verdict([0.0095, 0.0096, 0.0097, ref], ref) == "yes (4 of 4 seeds)"  # at the number counts
    assert results.verdict([0.0095, 0.0096, 0.0099], ref) == "no (2 of 3 seeds at or below)"
    assert results.verdict([0.0095], ref) == "1 seed, not robust"
    assert results.verdict([0.0095, 0.0096], ref) == "2 seeds, not robust"
    assert results.verdict([0.0099], ref) == "no (0 of 1 seeds at or below)"
    assert results.verdict([0.1], ref, simulated=True) == "not comparable (simulated)"
    assert results.verdict([0.0095], None) is None


def test_seed_rows_pool_seeds_with_mean_sd_min_max():
    recs = _seeds("dense-128-32-128", [0.009518, 0.009688, 0.009541, 0.009895])
    (row,) = results.seed_rows(recs)
    assert row["n"] == 4 and row["seeds"] == [42, 43, 44, 45]
    assert row["mean"] == pytest.approx(0.0096605) and row["min"] == 0.009518 and row["max"] == 0.009895
    assert row["sd"] == pytest.approx(0.00017353, rel=1e-3)  # sample sd, n - 1
    assert row["verdict"] == "no (3 of 4 seeds at or below)"
    table = "\n".join(tables.section_table(recs, "test_mse"))
    assert "0.009661 ± 0.00017" in table and "| 4 |" in table and "no (3 of 4" in table
    assert results.mean_records(recs)[0]["test_mse"] == pytest.approx(0.0096605)


def test_three_seeds_at_a_float_setting_stay_one_row():
    # np.mean of three 0.1s is 0.10000000000000002: averaged, sigma would name another row, and the table
    # lost its row (a KeyError in the summary of a three-seed Section II study).
    recs = [
        results.make_record("II", "noisy-input", 0, "standard", 0.0, sigma=0.1, test_mse=v, seed=seed)
        for seed, v in ((42, 0.00999), (43, 0.01), (44, 0.01001))
    ]
    (mean,) = results.mean_records(recs)
    assert mean["sigma"] == 0.1 and mean["test_mse"] == pytest.approx(0.01) and mean["n_seeds"] == 3
    (line,) = [x for x in tables.section_table(recs, "test_mse") if x.startswith("| noisy-input")]
    assert "| sigma=0.1 |" in line and "| 3 |" in line


def test_simulated_rows_get_no_verdict_against_the_report():
    sim = results.make_record(
        "IV", "conv-lstm", 1, "standard", 1.0, subject=4, test_rmse_kmh=0.18, simulated=True
    )
    assert results.is_simulated(sim)
    assert results.is_simulated(
        {**sim, "simulated": None}
    )  # Sections III/IV are simulated unless marked real
    (row,) = results.seed_rows([sim])
    assert row["report"] == pytest.approx(2.588**0.5) and row["verdict"] == "not comparable (simulated)"
    real = {**sim, "simulated": False}
    assert results.seed_rows([real])[0]["verdict"] == "1 seed, not robust"
    # many simulated rows share one verdict line; a real row keeps its own
    many = [{**sim, "subject": i, "seed": seed} for i in (4, 5, 6) for seed in (42, 43)]
    lines = tables.verdict_lines(many + [{**real, "subject": 9}])
    assert len(lines) == 2 and "3 rows on simulated subjects" in lines[1] and "up to 2 seed(s)" in lines[1]
    assert "subject=9" in lines[0] and "1 seed, not robust" in lines[0]


def test_verdict_is_computed_from_the_records():
    rec = results.make_record("I", "dense-128-64-128", 218192, "standard", 1.0, test_mse=0.00829)
    assert results.seed_rows([rec])[0]["verdict"] == "1 seed, not robust"  # at the report's number counts
    assert results.seed_rows([{**rec, "test_mse": 0.0083}])[0]["verdict"].startswith("no (0 of 1")
    assert results.seed_rows([{**rec, "model": "pca-32"}])[0]["verdict"] is None  # no report number


def test_epochs_to_report_quality_uses_the_validation_curve_scaled_to_test():
    # Report 0.006031 for conv-32 at sigma 0.2; validation ends 1% below test, so the target is 0.00597.
    curve = [[10.0, 0.0070], [20.0, 0.0060], [30.0, 0.00596], [40.0, 0.00594]]
    rec = results.make_record(
        "II", "conv-32", 19105, "standard", 40.0, sigma=0.2, test_mse=0.006, val_curve=curve
    )
    assert results.epochs_to_report_quality(rec) == 3
    short = {**rec, "val_curve": [[10.0, 0.0070], [20.0, 0.0065]], "test_mse": 0.0066}
    assert results.epochs_to_report_quality(short) is None  # stopped above the report
    assert results.epochs_to_report_quality({**rec, "model": "pca-32"}) is None  # no report number
    assert results.epochs_to_report_quality({k: v for k, v in rec.items() if k != "val_curve"}) is None
    # Sustained crossing: a dip below the target that comes back above it does not count.
    bouncy = {
        **rec,
        "val_curve": [[10.0, 0.0070], [20.0, 0.00590], [30.0, 0.0061], [40.0, 0.00595], [50.0, 0.00594]],
        "test_mse": 0.006,
    }
    assert results.epochs_to_report_quality(bouncy) == 4


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    paths.atomic_write_json(target, [{"ok": 1}])

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        paths.atomic_write_json(target, [{"ok": 2}])
    assert json.loads(target.read_text()) == [{"ok": 1}]
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temporary file left behind


def test_read_records_rejects_garbage(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        results.read_records(bad)


def test_report_marks_simulated_data_and_computes_verdicts(tmp_path):
    from helpers.lab.report import report_markdown

    recs = [
        results.make_record("I", "dense-32", 50992, "standard", 3.0, test_mse=0.0124),
        results.make_record(
            "IV",
            "conv-lstm",
            27777,
            "standard",
            9.0,
            subject=4,
            test_rmse_kmh=0.2,
            train_rmse_kmh=0.1,
            simulated=True,
        ),
    ]
    text = report_markdown(recs, "header line", tmp_path)
    assert "simulated IMU data" in text and "header line" in text
    assert "| dense-32 |" in text and "| 1 seed, not robust |" in text
    assert "not comparable (simulated)" in text and "yes" not in text.split("Section IV")[1]
    assert "Beats the report robustly in 0 of 1" in text


def test_vae_vs_autoencoder_pairs_models_by_code_size_and_direction(tmp_path):
    common = {"interp_path_ratio": 1.5, "interp_max_jump_share": 0.15, "interp_frechet": 30.0}
    recs = [
        results.make_record("V", "vae-2d", 1, "smoke", 1.0, latent_dim=2, sample_frechet=40.0, **common),
        results.make_record(
            "V",
            "ae-2d",
            1,
            "smoke",
            1.0,
            latent_dim=2,
            sample_frechet=50.0,
            **{**common, "interp_path_ratio": 1.2},
        ),
        results.make_record("V", "vae-16d", 1, "smoke", 1.0, latent_dim=16, sample_frechet=20.0, **common),
    ]
    compared = results.vae_vs_autoencoder(recs)
    assert {c["latent_dim"] for c in compared} == {2}  # vae-16d has no plain-AE partner
    verdict = {c["measure"]: c["vae_better"] for c in compared}
    assert verdict["sample_frechet"] is True  # lower Fréchet distance is better
    assert verdict["interp_path_ratio"] is False  # the AE's straighter path wins
    assert verdict["interp_frechet"] is False  # a tie is not a win
    from helpers.lab import report

    text = report.report_markdown(recs, "header")
    assert "The VAE is better on every seed in 1 of 4" in text and "| 2 | random samples: Fréchet" in text
    assert "1 of 1 seeds" in text


def test_markdown_table_formats_numbers_percentages_and_gaps():
    rows = [{"model": "vae-2d", "share": 0.331, "fid": 45.52}, {"model": "ae-2d", "fid": 54.0}]
    text = tables.markdown_table(
        rows, {"model": "model", "fid": "Fréchet", "share": "confident"}, percent=["share"]
    )
    assert text.splitlines() == [
        "| model | Fréchet | confident |",
        "|---|---|---|",
        "| vae-2d | 45.52 | 33.1% |",
        "| ae-2d | 54 |  |",
    ]


def test_physics_or_learning_names_the_winner_and_the_seed_spread():
    from helpers.lab import notes

    walk = {"section": "IV", "subject": "walk-left", "true_speed_kmh": 4.5}
    records = [
        {**walk, "model": "zupt", "seed": 42, "pred_mean_kmh": 4.3},
        {**walk, "model": "zupt-residual", "seed": 42, "pred_mean_kmh": 4.55},
        {**walk, "model": "zupt-residual", "seed": 43, "pred_mean_kmh": 4.45},
        {"section": "IV", "subject": 5, "model": "zupt", "seed": 42, "test_rmse_kmh": 0.3},
        {"section": "IV", "subject": 5, "model": "zupt-residual", "seed": 42, "test_rmse_kmh": 0.2},
        {"section": "IV", "subject": 5, "model": "zupt-residual", "seed": 43, "test_rmse_kmh": 0.3},
    ]
    sim, real = notes.physics_or_learning(records, ["zupt-residual"], [5], ["walk-left"])
    assert "zupt-residual is best on the unseen subjects (0.250 km/h RMSE; ZUPT 0.300)" in sim
    records[3]["test_rmse_kmh"] = 0.2
    assert (
        "ZUPT (no training) is best on the unseen subjects (0.200 km/h RMSE"
        in notes.physics_or_learning(records, ["zupt-residual"], [5], ["walk-left"])[0]
    )
    assert "zupt-residual is closest (mean |error| 0.05 km/h, 0.10 km/h apart over seeds); zupt 0.20" in real


def _walk(model, foot, seed, pred, true=4.5):
    return results.make_record(
        "IV",
        model,
        0,
        "standard",
        0.0,
        seed=seed,
        subject=f"walk-{foot}",
        real=True,
        pred_mean_kmh=pred,
        true_speed_kmh=true,
    )


def _sim(model, subject, seed, rmse):
    return results.make_record(
        "IV", model, 0, "standard", 0.0, seed=seed, subject=subject, simulated=True, test_rmse_kmh=rmse
    )


def test_physics_claims_hold_only_when_every_seed_and_foot_does():
    from helpers.lab.results import physics_claims

    records = [_walk("zupt", f, s, 4.4) for f in ("left", "right") for s in (1, 2, 3)]
    records += [_walk("zupt-residual", f, s, 4.45 + 0.01 * s) for f in ("left", "right") for s in (1, 2, 3)]
    records += [
        _sim(m, subj, s, r)
        for s in (1, 2, 3)
        for subj in (4, 5, 6)
        for m, r in (("zupt", 0.3), ("zupt-residual", 0.25))
    ]
    claims = {c["claim"].split(":")[0] + str(i): c for i, c in enumerate(physics_claims(records))}
    verdicts = [c["verdict"] for c in claims.values()]
    assert verdicts == ["yes (3 of 3 seeds)", "yes (3 seeds)", "yes (3 seeds)"], verdicts
    # one seed's right foot further off than ZUPT's, and a spread over 0.1 km/h: both claims fail
    records = [
        r
        for r in records
        if not (r["model"] == "zupt-residual" and r["seed"] == 3 and r["subject"] == "walk-right")
    ]
    records.append(_walk("zupt-residual", "right", 3, 4.7))
    verdicts = [c["verdict"] for c in physics_claims(records)]
    assert verdicts[:2] == ["no (2 of 3 seeds)", "no (3 seeds)"], verdicts
    # two seeds are no verdict at all
    two = [r for r in records if r["seed"] != 3]
    assert all("not robust" in c["verdict"] for c in physics_claims(two)), physics_claims(two)
