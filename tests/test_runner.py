"""The run command: notebook selection, clear errors, resume bookkeeping."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import profiles
from helpers.lab import cli, runner


def test_select_by_number_and_name():
    assert runner.select(None) == list(runner.NOTEBOOKS)
    first = next(iter(runner.NOTEBOOKS))
    assert runner.select("01") == [first]
    assert runner.select(first) == [first]


def test_unknown_notebook_and_profile_are_clear_errors(capsys):
    with pytest.raises(ValueError, match="Unknown notebook '99'"):
        runner.select("99")
    assert cli.main(["run", "--only", "nope"]) == 2
    assert "Unknown notebook 'nope'" in capsys.readouterr().err
    assert cli.main(["run", "--profile", "huge"]) == 2
    assert "Unknown profile 'huge'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="Unknown profile"):
        profiles.settings("dense", "huge")


def test_profiles_cover_every_model():
    for profile in profiles.PROFILES:
        recipes = profiles.settings("dense", profile)["recipes"]
        assert set(recipes) == {"dense-32", "dense-64", "dense-128-32-128", "dense-128-64-128"}
    assert profiles.settings("dense", "report")["recipes"]["dense-32"].epochs == 50
    for profile in profiles.PROFILES:
        assert set(profiles.settings("denoise", profile)["first"]) == {"conv-32", "conv-64"}
    assert profiles.settings("denoise", "report")["first"]["conv-32"].epochs == 65


def test_is_complete_needs_same_inputs_and_files(tmp_path):
    from helpers.paths import atomic_write_json

    name = "01_dense_autoencoders"
    atomic_write_json(runner.status_path(tmp_path, name), {"status": "ok", "inputs": "abc"})
    assert not runner.is_complete(tmp_path, name, "abc")  # no files yet
    (tmp_path / f"{name}.ipynb").write_text("{}")
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / f"{name}.json").write_text("[]")
    assert runner.is_complete(tmp_path, name, "abc")
    assert not runner.is_complete(tmp_path, name, "changed")
    atomic_write_json(runner.status_path(tmp_path, name), {"status": "running", "inputs": "abc"})
    assert not runner.is_complete(tmp_path, name, "abc")


def test_seeds_option_is_checked_before_anything_runs(capsys):
    assert cli.parse_seeds("42, 43,44") == [42, 43, 44]
    for bad in ("42,x", "42,42", "-1"):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["run", "--seeds", bad])
        assert "--seeds 42,43,44" in capsys.readouterr().err


def test_summary_ignores_unfinished_notebooks(tmp_path, monkeypatch):
    from helpers.lab import results
    from helpers.paths import atomic_write_json

    first, second = list(runner.NOTEBOOKS)[:2]
    rec = results.make_record("I", "dense-32", 50992, "smoke", 1.0, test_mse=0.02)
    for seed in (42, 43):  # a seed study: one folder per seed, merged at the top
        folder = runner.unit_dir(tmp_path, seed)
        results.write_records(folder, first, [{**rec, "seed": seed}])
        results.write_records(folder, second, [{**rec, "model": "stale", "seed": seed}])
        atomic_write_json(runner.status_path(folder, first), {"status": "ok"})
        atomic_write_json(runner.status_path(folder, second), {"status": "running"})
    runner.summarise(tmp_path, "smoke")
    merged = results.read_records(tmp_path / "results.json")
    assert [(r["model"], r["seed"]) for r in merged] == [("dense-32", 42), ("dense-32", 43)]
    assert "| 2 |" in (tmp_path / "summary.md").read_text()  # one row, two seeds
    assert (tmp_path / "REPORT.md").is_file() and (tmp_path / "summary.md").is_file()


def test_tidy_console_keeps_the_notebooks_lines_and_drops_the_noise():
    import logging

    lines = []
    console = runner.TidyConsole("01 seed 42", 27, write=lines.append)
    for text in (
        "Executing notebook with kernel: python3",
        "Executing Cell 12---------------",
        "== dense-32, seed 42: 50,992 parameters\n<Figure size 1375x590 with 44 Axes>",
        "<IPython.core.display.Markdown object>",
        "Ending Cell 12------",
        "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
        "WARNING:tensorflow:5 out of the last 9 calls to <function f> triggered tf.function retracing. ...",
        "Executing Cell 13----",
        "215/215 - 1s - loss: 0.02 - val_loss: 0.02\n\n",
    ):
        console.emit(logging.LogRecord("papermill", logging.INFO, "", 0, text, None, None))
    assert len(lines) == 2
    assert lines[0].startswith("  01 seed 42 | cell 12/27 |") and lines[0].endswith(
        "== dense-32, seed 42: 50,992 parameters"
    )
    assert "cell 13/27" in lines[1] and lines[1].endswith("val_loss: 0.02")


def test_quiet_and_verbose_contradict(capsys):
    assert cli.main(["run", "--quiet", "--verbose"]) == 2
    assert "contradict" in capsys.readouterr().err


def test_ctrl_c_stops_a_standard_run_in_seconds_and_the_same_command_resumes(tmp_path):
    """SIGINT during training: the kernel is interrupted (Keras stops after its current step), one line says
    which unit stopped where, its status reads "interrupted", nothing half-written stays; rerun, it completes."""
    env = {**os.environ, "WORKBOOK_WEIGHTS_DIR": str(tmp_path / "weights"), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "helpers", "run", "--profile", "standard", "--only", "01",
               "--output-root", str(tmp_path), "--set", "epochs=3", "--set", "pca_components=[2]"]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in proc.stdout:
        if "Epoch 2/" in line:  # training
            sent = time.perf_counter()
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.communicate(timeout=60)[0]
    assert proc.returncode == 130 and time.perf_counter() - sent < 10
    (said,) = [line for line in rest.splitlines() if "interrupted" in line]
    assert said.startswith("interrupted: 01_dense_autoencoders at cell ")
    unit = tmp_path / "standard"
    assert json.loads((unit / "status" / "01_dense_autoencoders.json").read_text())["status"] == "interrupted"
    assert not list(unit.glob("*.ipynb")) and not (unit / "results.json").exists()
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0 and "01_dense_autoencoders: ok in" in again.stdout, again.stdout[-2000:]


def test_a_mistyped_option_is_one_line_with_a_hint(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", "--profle", "smoke"])
    err = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2 and len(err) == 1
    assert err[0].startswith("error: unrecognized arguments: --profle") and "--help" in err[0]


def test_a_run_where_no_unit_finished_writes_no_results(tmp_path, capsys):
    runner.summarise(tmp_path, "smoke")
    assert not list(tmp_path.iterdir()) and "no unit finished" in capsys.readouterr().out


def test_progress_lines_name_the_unit_and_its_end():
    from helpers.lab import units

    assert units.unit_label("02_denoising_autoencoders", 42) == "02_denoising_autoencoders, seed 42"
    assert units.ended({"status": "ok", "seconds": 2460, "records": 12}) == "ok in 41 min, 12 records"
    assert units.ended({"status": "ok", "seconds": 41, "records": 6}) == "ok in 41 s, 6 records"


def test_each_run_is_logged_and_a_reference_runs_conditions_are_written_from_the_log(tmp_path, monkeypatch):
    import json

    from helpers.lab import publish, results
    from helpers.paths import atomic_write_json

    asked = []

    def fake_unit(name, profile, seed, parameters, out_dir, **settings):  # a notebook that ran in 2 s
        asked.append(settings["published"])
        record = results.make_record("I", "dense-32", 50992, profile, 1.0, test_mse=0.02)
        results.write_records(out_dir, name, [record])
        atomic_write_json(runner.status_path(out_dir, name), {"status": "ok"})
        return {"status": "ok", "seconds": 2.0, "records": 1, "message": ""}

    monkeypatch.setattr(runner, "run_unit", fake_unit)
    runner.run("smoke", "01", output_root=tmp_path)
    runner.run("smoke", "01", output_root=tmp_path, force=True, published=True)
    log = json.loads((tmp_path / "smoke" / "runs.json").read_text())
    assert [r["force"] for r in log] == [False, True] and asked == [False, True]
    assert log[0]["units"] == [
        {"notebook": "01_dense_autoencoders", "seed": None, "status": "ok", "seconds": 2.0}
    ]
    assert log[0]["git"] and log[0]["machine"] and log[0]["started_utc"] <= log[1]["started_utc"]
    (tmp_path / "smoke" / "weights").mkdir()
    text = publish.reference_context(tmp_path / "smoke")
    assert (
        text.count("1 of 1 notebooks ok") == 2
        and "`python -m helpers run --force --published` at git" in text
    )
    assert "publishes its 0 trainings" in text


def test_published_weights_are_for_a_local_run(capsys):
    assert cli.main(["run", "--published", "--engine", "dask", "--only", "01"]) == 2
    assert "--published works with --engine local only" in capsys.readouterr().err
