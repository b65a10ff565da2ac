"""One training path per section: notebooks and benchmarks train through the same helpers entry points."""

import ast
import importlib.util
import json
from pathlib import Path

import numpy as np

from helpers import noise, profiles
from helpers.denoising import train_plan
from helpers.models import conv_autoencoder
from helpers.paths import NOTEBOOK_DIR
from helpers.training import Recipe

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tiny_plan_config() -> dict:
    """The smoke plan's shape (a base model, fine-tunes from it, a chain) at a few steps per training."""
    cfg = profiles.settings("denoise", "smoke")
    tiny = Recipe(1, 64, 3e-3, "cosine")
    cfg["first"] = cfg["finetune"] = {"conv-4": tiny}
    cfg["base"] = {"conv-4": 0.2}
    cfg["warm"] = {("conv-4", 0.3): Recipe(1, 32, 2e-3, "cosine")}
    cfg["scratch"] = {("conv-4", 0.2): tiny}
    cfg["engine"] = {("conv-4", 0.3): {"noise_in_graph": True, "precision": "mixed_bfloat16"}}
    return cfg


def test_the_notebook_and_the_lever_benchmark_train_identical_weights():
    rng = np.random.default_rng(0)
    x_fit, x_val = (
        rng.uniform(0, 1, (192, 28, 28, 1)).astype("float32"),
        rng.uniform(0, 1, (64, 28, 28, 1)).astype("float32"),
    )
    noisy_val = noise.noisy_versions(x_val, [0.1, 0.2, 0.3], seed=142)
    cfg = _tiny_plan_config()
    # the notebook's path: notebook 02's training cell iterates this generator
    plan = profiles.denoise_plan(cfg, ["conv-4"], [0.3, 0.2, 0.1], True)
    notebook = list(train_plan(plan, conv_autoencoder, x_fit, (noisy_val, x_val), seeds=[7], verbose=0))
    assert [(t.step.sigma, t.step.start, t.parent_sigma) for t in notebook] == [
        (0.2, "scratch", None),
        (0.3, "base", 0.2),
        (0.2, "base", 0.2),
        (0.1, "base", 0.2),
    ]
    # the benchmark's path
    models = []
    rows = _load("section2_levers").plan_rows(cfg, "conv-4", x_fit, x_val, noisy_val, 7, keep_models=models)
    assert [(r["sigma"], r["is_base"]) for r in rows] == [
        (0.2, True),
        (0.3, False),
        (0.2, False),
        (0.1, False),
    ]
    for ours, theirs in zip(notebook, models):
        for a, b in zip(ours.model.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)
    # and a different seed trains different weights, so the comparison can fail
    other = list(train_plan(plan[:1], conv_autoencoder, x_fit, (noisy_val, x_val), seeds=[8], verbose=0))
    assert not np.array_equal(other[0].model.get_weights()[0], notebook[0].model.get_weights()[0])


def _training_calls(source: str) -> list[str]:
    """Keras' ``.fit`` / ``.train_on_batch`` calls (a normaliser's ``fit`` is no training) and epoch loops."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            if node.func.attr in ("fit", "train_on_batch") and owner != "imu.Normaliser":
                found.append(f"{owner}.{node.func.attr}(...)")
        if isinstance(node, ast.For) and "epoch" in ast.unparse(node.target) + ast.unparse(node.iter):
            found.append(f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}")
    return found


def test_no_benchmark_calls_keras_fit_or_loops_over_epochs():
    assert sorted(_training_calls("model.fit(x, y)\nfor epoch in range(3):\n    pass")) == [
        "for epoch in range(3)",
        "model.fit(...)",
    ]  # the check finds what it looks for
    for path in BENCHMARKS.glob("*.py"):
        assert _training_calls(path.read_text()) == [], f"{path.name} trains outside the helpers entry points"


def test_a_new_section2_model_runs_through_the_notebook_and_the_benchmark(tmp_path):
    """conv-16, which no profile names, in the smoke plan: notebook 02 and the time-to-quality benchmark
    both take it as a parameter, with no change to any module."""
    import papermill as pm

    out = tmp_path / "02.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK_DIR / "02_denoising_autoencoders.ipynb"),
        str(out),
        kernel_name="python3",
        parameters={
            "profile": "smoke",
            "models": ["conv-16"],
            "interactive": False,
            "output_dir": str(tmp_path),
        },
        progress_bar=False,
    )
    records = json.loads((tmp_path / "records" / "02_denoising_autoencoders.json").read_text())
    conv = [r for r in records if r["model"] == "conv-16"]
    assert [(r["sigma"], r["warm_start_from"], r["params"]) for r in conv] == [
        (0.3, None, 4945),
        (0.2, 0.3, 4945),
        (0.1, 0.2, 4945),
    ]  # a chain: no profile gives conv-16 a base model
    # the smoke run is deterministic on this CPU: one epoch on 1,024 images each
    np.testing.assert_allclose([r["test_mse"] for r in conv], [0.1449, 0.1339, 0.1252], rtol=2e-3)
    rows, _ = _load("time_to_quality").time_rows(("smoke",), ("II",), ["conv-16"], fraction=0.01)
    assert [r["model"] for r in rows] == ["conv-16 σ=0.3", "conv-16 σ=0.2", "conv-16 σ=0.1"]
    assert all(r["seconds_per_epoch"] > 0 and r["epochs"] == 1 for r in rows)
