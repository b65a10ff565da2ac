"""Generated documents: the README's tables, REPORT.md headers and the validation index come from records."""

import json
import shutil

import pytest

from helpers.lab import publish, store
from helpers.lab.results import read_records
from helpers.lab.tables import headline_lines
from helpers.lab.units import NOTEBOOKS
from helpers.paths import RESULTS_DIR


def test_every_generated_document_is_up_to_date(capsys):
    assert publish.main(check=True) == 0, capsys.readouterr().out + "\nrun `python -m helpers publish`"


def test_a_stale_readme_block_is_caught(tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    shutil.copy(publish.README, readme)
    text = readme.read_text()
    readme.write_text(text.replace("| dense-32 |", "| dense-32 (typed by hand) |", 1))
    monkeypatch.setattr(publish, "README", readme)
    assert publish.main(check=True) == 1
    assert "README.md" in capsys.readouterr().out


def test_a_missing_block_names_the_markers_to_add():
    with pytest.raises(ValueError, match="<!-- generated: results"):
        publish.replace_block("no markers here", "results", "table")
    block = "a\n<!-- generated: x (cmd) -->\nold\n<!-- end generated: x -->\nb"
    assert (
        publish.replace_block(block, "x", "new")
        == "a\n<!-- generated: x (cmd) -->\nnew\n<!-- end generated: x -->\nb"
    )


@pytest.mark.parametrize("folder", (*publish.FOLDERS, "confirm"))
def test_every_committed_record_says_where_it_came_from(folder):
    records = json.loads((RESULTS_DIR / folder / "results.json").read_text())
    if folder == "confirm":  # the confirmation's seeds are the plans', never a development seed
        registered = publish.registered_seeds()
        assert all(r["seed"] in registered[r["section"]] for r in records if r["section"] in registered)
        assert all(r["seed"] >= 100 for r in records)
    for record in records:
        assert record["git"] and record["machine"]["cores"] and record["packages"]["keras"], record["model"]
        assert record["started_utc"] <= record["ended_utc"]
        assert record.get("backfilled") is True or record["git_clean"] is not None


def test_every_validation_record_has_git_machine_and_a_decision():
    decisions = json.loads((publish.VALIDATION / "decisions.json").read_text())
    for path in publish.VALIDATION.glob("*.json"):
        if path.name == "decisions.json":
            continue
        data = json.loads(path.read_text())
        assert data["git"] and data["machine"], path.name
        assert decisions[path.name]["decision"], path.name


def test_the_report_header_is_computed_from_the_records():
    records = json.loads((RESULTS_DIR / "seeds" / "results.json").read_text())
    text = publish.header(records, "standard")
    for rev in {r["git"] for r in records}:
        assert rev in text
    assert f"{len(records)} records" in text and "backfilled" in text


def test_the_benchmark_block_shows_the_roofline_when_the_record_has_one():
    bench = {
        "fraction": 0.1,
        "git": "abc1234",
        "machine": "2-core test CPU",
        "full_recipes": {
            "by_section_s": {"I": {"report": 400.0, "standard": 100.0}},
            "totals_s": {"report": 400.0, "standard": 100.0},
            "ratio": 4.0,
        },
        "to_report_quality": {
            "by_section_s": {"I": {"report": 400.0, "standard": 80.0}},
            "totals_s": {"report": 400.0, "standard": 80.0},
            "ratio": 5.0,
        },
    }
    plain = publish.benchmark_block(bench)
    assert "| I | 400 | 100 | 4.0× | 80 | 5.0× |" in plain and "Roofline" not in plain
    bench["roofline"] = {
        "peak_gflops": {"float32": 250, "mixed_bfloat16": 846},
        "plan_lower_bound_min": 4.2,
        "recorded_fit_s": 120,
        "slice_estimate_of_recorded_s": 100,
        "models": [
            {"section": "I", "model": "dense-32", "precision": "float32", "train_flops_per_example": 301_056,
             "achieved_gflops": 25.0, "share_of_peak": 0.1},
        ],
    }  # fmt: skip
    text = publish.benchmark_block(bench)
    assert (
        "lower bound at those peaks is 4.2 min" in text
        and "| I | dense-32 | float32 | 0.3 | 25.0 | 10.0% |" in text
    )


def test_the_confirmation_plan_is_read_from_its_seeds_table(tmp_path):
    plan = publish.planned_seeds()
    assert plan["I"] == plan["II"] == [100, 101, 102, 103, 104] and plan["V"] == [100, 101, 102]
    assert all(seed >= 100 for seeds in plan.values() for seed in seeds)  # never a development seed
    assert publish.planned_seeds(tmp_path / "absent.md") == {}


def test_a_later_plan_with_new_seeds_supersedes_a_section_and_the_old_seeds_stay_registered(tmp_path):
    row = "| {} (x) | `nb` | {} |\n"
    (tmp_path / "PLAN.md").write_text(row.format("I", "100, 101") + row.format("IV", "105, 106, 107"))
    (tmp_path / "PLAN-IV-2.md").write_text(row.format("IV", "108, 109, 110"))  # sorts before PLAN-IV.md
    (tmp_path / "PLAN-IV.md").write_text(row.format("IV", "105, 106, 107"))
    assert publish.planned_seeds(tmp_path) == {"I": [100, 101], "IV": [108, 109, 110]}
    assert publish.registered_seeds(tmp_path) == {"I": [100, 101], "IV": [105, 106, 107, 108, 109, 110]}
    assert publish.superseded_seeds(tmp_path) == {105, 106, 107}


def _record(seed, value, section="I", model="dense-32"):
    return {
        "section": section,
        "model": model,
        "params": 1,
        "profile": "standard",
        "seconds": 1.0,
        "seed": seed,
        "test_mse": value,
    }


def test_the_readme_verdict_waits_for_every_planned_seed_then_applies_the_rule():
    dev = [_record(s, 0.0120) for s in (42, 43, 44)]
    plan = {"I": [100, 101, 102]}
    partial = publish.results_block(dev, [_record(100, 0.0120), _record(101, 0.0121)], plan)
    assert "pending (2 of 3 seeds run)" in partial and "yes (3 of 3 seeds)" in partial  # development's
    # a seed outside the plan (a development seed, or one registered later) never counts
    extra = publish.results_block(dev, [_record(100, 0.0120), _record(101, 0.0121), _record(45, 0.0)], plan)
    assert "pending (2 of 3 seeds run)" in extra
    missed = [_record(100, 0.0120), _record(101, 0.0130), _record(102, 0.0121)]  # report: 0.01296
    block = publish.results_block(dev, missed, plan)
    assert "no (2 of 3 seeds at or below)" in block and "pending" not in block
    assert publish.confirmation_complete(missed, plan) and not publish.confirmation_complete(missed[:2], plan)


def test_section_iv_claims_wait_for_every_planned_confirmation_seed():
    records = json.loads((RESULTS_DIR / "seeds" / "results.json").read_text())
    dev_iv = [r for r in records if r["section"] == "IV"]
    one_seed = [dict(r, seed=105) for r in dev_iv if r["seed"] == dev_iv[0]["seed"]]
    lines = publish.physics_block(records, one_seed, {"IV": [105, 106, 107]})
    assert sum("pending (1 of 3 seeds run)" in line for line in lines) == 3
    assert publish.physics_block(records, [], {}) and "pending" not in "".join(
        publish.physics_block(records, [], {})
    )


def test_section_v_claims_wait_for_every_planned_confirmation_seed():
    records = json.loads((RESULTS_DIR / "seeds" / "results.json").read_text())
    dev_v = [r for r in records if r["section"] == "V"]
    first = dev_v[0]["seed"]
    one_seed = [dict(r, seed=100) for r in dev_v if r["seed"] == first]
    lines = publish.continuity_block(records, one_seed, {"V": [100, 101, 102]})
    measures = [line for line in lines if line.startswith("| 2 |")]
    assert measures and all("pending (1 of 3 seeds run)" in line for line in measures)
    every = [
        dict(r, seed=100 + i)
        for i, s in enumerate(sorted({r["seed"] for r in dev_v}))
        for r in dev_v
        if r["seed"] == s
    ]
    done = publish.continuity_block(records, every, {"V": [100, 101, 102]})
    assert "pending" not in "".join(done) and any("of 3 seeds | " in line for line in done)


def test_confirmation_records_are_gathered_by_notebook_then_seed_and_never_from_a_development_seed(tmp_path):
    from helpers.lab.results import make_record

    def unit(root, seed, notebook, section):
        folder = tmp_path / root / "standard" / f"seed-{seed}" / "records"
        folder.mkdir(parents=True, exist_ok=True)
        record = make_record(section, "m", 1, "standard", 1.0, seed=seed, test_mse=0.01)
        (folder / f"{notebook}.json").write_text(json.dumps([record]))

    unit("a", 101, "02_denoising_autoencoders", "II")
    unit("a", 100, "02_denoising_autoencoders", "II")
    unit("a", 100, "01_dense_autoencoders", "I")
    unit("b", 105, "03_lstm_speed_estimation", "IV")
    unit("a", 42, "01_dense_autoencoders", "I")  # a development seed in the wrong folder
    found = publish.gather_confirmation([tmp_path / "a", tmp_path / "b"])
    assert [(r["section"], r["seed"]) for r in found] == [("I", 100), ("II", 100), ("II", 101), ("IV", 105)]


def test_an_executed_notebook_is_cleaned_for_readers():
    """No stderr (TensorFlow's log), no widget state or views, figures as smaller palette PNGs."""
    import base64
    import io

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot(range(10))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode()
    nb = {
        "metadata": {"widgets": {"state": {}}, "papermill": {}},
        "cells": [
            {"cell_type": "code", "metadata": {"execution": {}}, "source": "", "outputs": [
                {"output_type": "stream", "name": "stderr", "text": "oneDNN custom operations are on"},
                {"output_type": "stream", "name": "stdout", "text": "kept"},
                {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": {}}},
                {"output_type": "display_data", "data": {"image/png": png, "text/plain": "<Figure>"}},
            ]},
        ],
    }  # fmt: skip
    cleaned = publish.clean_executed(nb)
    outputs = cleaned["cells"][0]["outputs"]
    assert [o.get("name") for o in outputs] == ["stdout", None] and "widgets" not in cleaned["metadata"]
    assert len(outputs[1]["data"]["image/png"]) < len(png) and not cleaned["cells"][0]["metadata"]


REFERENCE = RESULTS_DIR / "standard"
SECTION_NOTEBOOK = {"I": "01", "II": "02", "III": "03", "IV": "03", "V": "04"}


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_the_executed_notebooks_on_record_show_the_records_numbers(name):
    """results/standard/ holds each notebook executed by the reference run: under 1.5 MB, and the headline
    numbers its last cell printed are those of results/standard/results.json, so the rendered lesson and the
    records cannot drift apart."""
    path = REFERENCE / f"{name}.ipynb"
    assert path.stat().st_size < publish.EXECUTED_LIMIT_BYTES
    cells = json.loads(path.read_text())["cells"]
    (finish,) = [c for c in cells if c["cell_type"] == "code" and "session.finish()" in "".join(c["source"])]
    shown = "".join(
        "".join(o.get("text", "")) for o in finish["outputs"] if o.get("name") == "stdout"
    ).strip()
    records = [
        r for r in read_records(REFERENCE / "results.json") if SECTION_NOTEBOOK[r["section"]] == name[:2]
    ]
    assert shown and shown == headline_lines(records).strip()
    assert any("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))  # with figures


def test_the_reference_run_is_of_todays_training_code():
    """A change that alters what trains must redo the reference run: its records carry the training code's
    fingerprint, and it must be HEAD's."""
    found = {r.get("training_code") for r in read_records(REFERENCE / "results.json") if r.get("epochs")}
    assert found == {store.training_code()}, "results/standard/ is stale: redo the reference make run"


def test_the_published_weights_are_the_reference_runs_and_intact():
    """Each published training sits beside its record: made during the reference folder's first run (at
    its commit), under its published key, its SHA-256 that of its file, with the validation loss a load
    recomputes (the trainings without a validation set aside: the VAE's classifier, and Section IV's final
    models, trained on subjects 1 and 2; their SHA-256 alone is checked)."""
    import hashlib

    first = json.loads((REFERENCE / "runs.json").read_text())[0]
    facts = {p: json.loads(p.read_text()) for p in (REFERENCE / "weights").glob("*.json")}
    labels = sorted(f["label"] for f in facts.values())
    assert len(facts) >= 15 and any(label.startswith("conv-64") for label in labels), labels
    for path, found in facts.items():
        weights = path.with_name(path.name.replace(".json", ".weights.npz"))
        assert hashlib.sha256(weights.read_bytes()).hexdigest() == found["weights_sha256"], path.name
        assert found["published_key"] == path.stem and found["profile"] == "standard"
        assert found["trained_git"] == first["git"] and not first.get("force") and not first.get("published")
        assert first["started_utc"] <= found["trained_utc"] <= first["ended_utc"]
        unvalidated = found["label"] == "judge" or found["label"].endswith("trained on subjects [1, 2]")
        assert (store.recorded_validation(found) is None) == unvalidated, found["label"]
    assert list((REFERENCE / "weights" / "remembered").iterdir())


def test_adopting_a_reference_run_publishes_its_weights_and_refuses_a_run_that_loaded_published_ones(
    tmp_path,
):
    import numpy as np

    from helpers.dense import train_dense
    from helpers.training import Recipe

    run, target = tmp_path / "runs" / "standard", tmp_path / "results" / "standard"
    run.mkdir(parents=True)
    rng = np.random.default_rng(0)
    x, x_val = rng.uniform(0, 1, (128, 784)).astype("float32"), rng.uniform(0, 1, (32, 784)).astype("float32")
    store.install(store.WeightStore(tmp_path / "runs" / "weights", "standard"))
    try:
        train_dense("dense-16", Recipe(1, 64), x, x_val, seed=5, verbose=0)
    finally:
        store.uninstall()
    (run / "results.json").write_text(json.dumps([{"model": "dense-16", "seed": 5}]))
    (run / "runs.json").write_text("[]")
    for name in NOTEBOOKS:
        (run / f"{name}.ipynb").write_text(json.dumps({"metadata": {}, "cells": []}))
    written = publish.adopt_reference(run, target)
    (facts,) = [json.loads(p.read_text()) for p in (target / "weights").glob("*.json")]
    assert facts["label"] == "dense-16, seed 5" and (target / "weights" / "README.md") in written
    assert (target / "weights" / f"{facts['published_key']}.weights.npz") in written
    (run / "results.json").write_text(json.dumps([{"model": "dense-16", "seed": 5, "published": True}]))
    with pytest.raises(ValueError, match="loaded published weights"):
        publish.adopt_reference(run, target)
