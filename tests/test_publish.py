"""Generated documents: the README's tables, REPORT.md headers and the validation index come from records."""

import json
import shutil

import pytest

from helpers import publish
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


@pytest.mark.parametrize("folder", publish.FOLDERS)
def test_every_committed_record_says_where_it_came_from(folder):
    records = json.loads((RESULTS_DIR / folder / "results.json").read_text())
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
