"""Facts typed in prose agree with the code that defines them: recipes (helpers.profiles) and parameter counts
(helpers.models, helpers.vae). Change a figure by hand in a notebook's markdown, the README or docs/, and a
test here fails; change the code, and the prose must follow."""

from __future__ import annotations

import json
import re

import pytest

from helpers import models, profiles
from helpers.paths import NOTEBOOK_DIR, PROJECT_ROOT

MODEL = r"(dense(?:-\d+)+|conv-\d+|report-lstm|lstm-\d+x\d+|conv-lstm|zupt-residual)"
COUNT = r"(\d{1,3}(?:,\d{3})+)"


def _markdown(name: str) -> str:
    nb = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _prose() -> dict[str, str]:
    texts = {f"notebooks/{p.name}": _markdown(p.stem) for p in sorted(NOTEBOOK_DIR.glob("*.ipynb"))}
    for path in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]:
        texts[str(path.relative_to(PROJECT_ROOT))] = path.read_text()
    return texts


def parameter_count(name: str) -> int:
    if name.startswith("dense"):
        return models.dense_autoencoder(name).count_params()
    if re.fullmatch(r"conv-\d+", name):
        return models.conv_autoencoder(models.conv_filters(name)).count_params()
    return models.speed_model(name).count_params()


def counts_in(text: str) -> list[tuple[str, str]]:
    """(model, count) pairs: a table row whose first cell is a model and its counts, or a model name followed
    within a few words by a count (``conv-32 (19,105 parameters)``, ``conv-8's 1,321 parameters``)."""
    pairs = []
    for line in text.splitlines():
        row = re.match(rf"\|\s*`?{MODEL}`?\s*\|(.*)", line)
        if row:
            pairs += [(row.group(1), c) for c in re.findall(COUNT, row.group(2))]
            continue
        pairs += re.findall(rf"`?{MODEL}`?(?:'s)?\s*\(?{COUNT}\s*param", line)
    return pairs


def test_every_parameter_count_in_prose_is_the_models():
    checked = 0
    for where, text in _prose().items():
        for name, count in counts_in(text):
            assert int(count.replace(",", "")) == parameter_count(name), (
                f"{where}: {name} has {count} parameters?"
            )
            checked += 1
    assert checked >= 6  # the four dense models, conv-8's exercise and more: the scan finds them


def _standard_plan():
    config = profiles.settings("denoise", "standard")
    return {
        (s.sigma, s.is_base): s.recipe
        for s in profiles.denoise_plan(config, ["conv-32"], [0.3, 0.2, 0.1], True)
    }


# (file, pattern whose groups are figures, the figures from the code)
FACTS = [
    (
        "notebooks/02_denoising_autoencoders.ipynb",
        r"conv-32's base is (\d+) epochs at σ = ([\d.]+) \(batch (\d+)\); σ = 0\.3 and 0\.2 then get (\d+) epochs "
        r"each\s+and σ = 0\.1 (\d+)",
        lambda: (
            _standard_plan()[(0.2, True)].epochs, 0.2, _standard_plan()[(0.2, True)].batch_size,
            _standard_plan()[(0.3, False)].epochs, _standard_plan()[(0.1, False)].epochs,
        ),
    ),
    (
        "notebooks/02_denoising_autoencoders.ipynb",
        r"`standard` trains conv-32 at σ = ([\d.]+) and σ = ([\d.]+) \(and the base\) in bfloat16",
        lambda: tuple(
            s for (m, s), e in profiles.settings("denoise", "standard")["engine"].items()
            if m == "conv-32" and e.get("precision") == "mixed_bfloat16"
        ),
    ),
    (
        "notebooks/01_dense_autoencoders.ipynb",
        r"a cosine-decayed learning rate at batch (\d+)\s+instead of constant Adam at batch (\d+)",
        lambda: (
            profiles.settings("dense", "standard")["recipes"]["dense-32"].batch_size,
            profiles.settings("dense", "report")["recipes"]["dense-32"].batch_size,
        ),
    ),
    (
        "docs/recipes.md",
        r"`conv-lstm`, a Conv1D\+LSTM \(27,777 parameters\), for (\d+) epochs at batch (\d+)",
        lambda: (profiles.settings("imu", "standard")["recipe"].epochs, profiles.settings("imu", "standard")["recipe"].batch_size),
    ),
]  # fmt: skip


@pytest.mark.parametrize("where, pattern, expected", FACTS)
def test_recipe_figures_in_prose_are_the_profiles(where, pattern, expected):
    text = _prose()[where]
    found = re.search(pattern, text)
    assert found, f"{where}: the sentence with these figures was reworded; update tests/test_prose.py with it"
    assert [float(g) for g in found.groups()] == [float(v) for v in expected()], (
        f"{where}: {found.group(0)!r}"
    )


def test_a_figure_changed_by_hand_is_caught():
    """The check itself: the notebook's sentence with one figure changed no longer passes."""
    where, pattern, expected = FACTS[0]
    text = _prose()[where].replace("60 epochs at σ = 0.2", "50 epochs at σ = 0.2")
    found = re.search(pattern, text)
    assert found and [float(g) for g in found.groups()] != [float(v) for v in expected()]
    assert counts_in("| dense-32 | 784 → 32 → 784 | 50,993 |") == [("dense-32", "50,993")]
    assert parameter_count("dense-32") != 50_993


def test_no_issue_numbers_in_docs_or_notebooks():
    """docs/ reads as method, decision and evidence; the notebooks as a lesson: neither cites the tracker."""
    files = [*(PROJECT_ROOT / "docs").rglob("*.md"), *NOTEBOOK_DIR.glob("*.ipynb")]
    for path in files:
        assert not re.search(r"[Ii]ssue \d", path.read_text()), f"{path} speaks of issue numbers"


def test_the_readme_stays_short():
    """The README is for a student or instructor: at most 200 lines; method and evidence live in docs/."""
    assert len((PROJECT_ROOT / "README.md").read_text().splitlines()) <= 200
