"""Seed studies on Dask distributed: a 2-worker LocalCluster runs smoke units, reports a failure, resumes."""

import json

import pytest

pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install -e '.[dask]')")

from helpers.lab import cluster, results, runner  # noqa: E402


def test_two_workers_run_units_report_a_failure_and_resume(tmp_path):
    out = tmp_path / "smoke"
    units = [
        cluster.unit_from_path(out, "01_dense_autoencoders", "smoke", seed, {"models": ["dense-32"]})
        for seed in (1, 2)
    ]
    units += [cluster.unit_from_path(out, "03_lstm_speed_estimation", "smoke", seed, {}) for seed in (1, 2)]
    broken = cluster.Unit(
        "01_dense_autoencoders", "smoke", 3, str(tmp_path / "broken"), {"models": ["dense-x"]}
    )
    lines = []
    found = cluster.run_units([*units, broken], jobs=2, progress=lines.append)

    assert [r["status"] for r in found] == ["ok"] * 4 + ["failed"]
    assert "dense-x" in found[-1]["message"]  # reported, and the other units still ran
    assert lines[-1].startswith("[5/5 units, 1 failed")
    for seed in (1, 2):
        folder = out / f"seed-{seed}"
        for name in ("01_dense_autoencoders", "03_lstm_speed_estimation"):
            assert (folder / f"{name}.ipynb").is_file()
            assert runner.read_status(folder, name)["status"] == "ok"
            assert {r["seed"] for r in results.read_records(results.records_path(folder, name))} == {seed}
    runner.summarise(out, "smoke")
    merged = json.loads((out / "results.json").read_text())
    assert {r["seed"] for r in merged} == {1, 2}
    assert {(r["model"], r["seed"]) for r in merged if r["section"] == "I"} >= {
        ("dense-32", 1),
        ("dense-32", 2),
    }

    again = cluster.run_units(units, jobs=2, progress=lines.append)  # resume: nothing left to do
    assert [r["status"] for r in again] == ["skipped"] * 4


def test_threads_are_shared_out_and_keys_are_unique():
    assert cluster.threads_per_unit(2, cores=2) == 1 and cluster.threads_per_unit(1, cores=8) == 8
    assert cluster.threads_per_unit(16, cores=2) == 1
    a = cluster.Unit("01_dense_autoencoders", "smoke", 1, "/x", {})
    assert a.key != cluster.Unit("01_dense_autoencoders", "smoke", 2, "/x", {}).key
    assert a.key != cluster.Unit("01_dense_autoencoders", "smoke", 1, "/y", {}).key


def test_an_unreachable_scheduler_is_one_line_naming_it(tmp_path, capsys):
    import time

    from helpers.lab import cli

    t0 = time.perf_counter()
    code = cli.main(["run", "--profile", "smoke", "--only", "01", "--engine", "dask",
                     "--scheduler", "tcp://127.0.0.1:1", "--output-root", str(tmp_path)])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and time.perf_counter() - t0 < 10
    assert len(err) == 1 and "tcp://127.0.0.1:1" in err[0] and "Traceback" not in err[0]
    assert not list(tmp_path.iterdir())  # no folder made for a run that never started


def test_interrupted_units_are_never_left_running(tmp_path):
    from helpers.lab.units import mark_interrupted, read_status, status_path
    from helpers.paths import atomic_write_json

    for seed, status in ((1, "running"), (2, "ok")):
        atomic_write_json(status_path(tmp_path / f"seed-{seed}", "01_dense_autoencoders"), {"status": status})
    assert mark_interrupted([tmp_path]) == 1
    assert read_status(tmp_path / "seed-1", "01_dense_autoencoders")["status"] == "interrupted"
    assert read_status(tmp_path / "seed-2", "01_dense_autoencoders")["status"] == "ok"
