"""Trained models are kept and reused: a rerun loads stored weights and gets the same numbers."""

import numpy as np
import pytest

from helpers.dense import train_dense
from helpers.lab import store
from helpers.training import Recipe, predict


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (256, 784)).astype("float32"), rng.uniform(0, 1, (64, 784)).astype("float32")


@pytest.fixture
def weight_store(tmp_path):
    found = store.WeightStore(tmp_path / "weights", "smoke")
    store.install(found)
    yield found
    store.uninstall()


def test_a_reloaded_model_gives_the_same_numbers_to_the_last_digit(images, weight_store, capsys):
    x, x_val = images
    recipe = Recipe(2, 64, 3e-3, "cosine")
    trained, run = train_dense("dense-16", recipe, x, x_val, seed=5, verbose=0)
    assert not run.extra.get("reused") and len(list(weight_store.folder.glob("*.weights.npz"))) == 1
    loaded, again = train_dense("dense-16", recipe, x, x_val, seed=5, verbose=2)
    assert again.extra["reused"] is True and "loaded dense-16, seed 5: trained in" in capsys.readouterr().out
    assert again.seconds == run.seconds and again.history == run.history and again.seconds > 0  # never 0 s
    np.testing.assert_array_equal(predict(loaded, x_val), predict(trained, x_val))
    assert again.extra["trained_git"] and again.extra["trained_machine"] and again.extra["trained_utc"]


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 6},  # other initial weights
        {"recipe": Recipe(2, 64, 1e-3, "cosine")},  # another recipe
        {"x_val": "other"},  # other validation data
    ],
)
def test_any_change_in_the_key_trains_again(images, weight_store, change):
    x, x_val = images
    base = {"recipe": Recipe(1, 64, 3e-3, "cosine"), "seed": 5, "x_val": x_val}
    train_dense("dense-16", base["recipe"], x, base["x_val"], seed=base["seed"], verbose=0)
    args = base | change
    if change.get("x_val") == "other":
        args["x_val"] = x_val[:32]
    _, run = train_dense("dense-16", args["recipe"], x, args["x_val"], seed=args["seed"], verbose=0)
    assert not run.extra.get("reused")
    assert len(list(weight_store.folder.glob("*.weights.npz"))) == 2


def test_retrain_ignores_what_is_stored(images, weight_store):
    x, x_val = images
    recipe = Recipe(1, 64, 3e-3, "cosine")
    train_dense("dense-16", recipe, x, x_val, seed=5, verbose=0)
    weight_store.retrain = True
    _, run = train_dense("dense-16", recipe, x, x_val, seed=5, verbose=0)
    assert not run.extra.get("reused")


def test_without_a_store_nothing_is_kept(images, tmp_path):
    store.install(None)
    x, x_val = images
    _, run = train_dense("dense-16", Recipe(1, 64), x, x_val, seed=5, verbose=0)
    assert not run.extra.get("reused")


def test_a_remembered_computation_runs_once_per_input_and_code(weight_store, images):
    x, _ = images
    calls = []

    def mean_of(a):
        calls.append(1)
        return {"mean": float(a.mean()), "rows": [float(v) for v in a[:2, 0]]}

    first = store.remembered("mean", lambda: mean_of(x), x, "a label")
    again = store.remembered("mean", lambda: mean_of(x), x, "a label")
    assert first == again and len(calls) == 1  # exact floats back from JSON
    store.remembered("mean", lambda: mean_of(x[1:]), x[1:], "a label")  # other input: computed
    assert len(calls) == 2
    array = store.remembered("sqrt", lambda: np.sqrt(x), x)
    np.testing.assert_array_equal(store.remembered("sqrt", lambda: None, x), array)
    weight_store.retrain = True
    store.remembered("mean", lambda: mean_of(x), x, "a label")
    assert len(calls) == 3


def test_a_model_is_remembered_by_its_weights(weight_store, images):
    x, x_val = images
    model, _ = train_dense("dense-16", Recipe(1, 64), x, x_val, seed=5, verbose=0)
    score = store.remembered("score", lambda: float(predict(model, x_val).mean()), model, x_val)
    model.set_weights([w * 0.5 for w in model.get_weights()])
    assert store.remembered("score", lambda: float(predict(model, x_val).mean()), model, x_val) != score


def test_a_notebook_run_again_loads_every_model_and_repeats_its_numbers(tmp_path, monkeypatch):
    import json

    import papermill as pm

    from helpers.paths import NOTEBOOK_DIR

    monkeypatch.setenv("WORKBOOK_WEIGHTS_DIR", str(tmp_path / "weights"))
    found = []
    for run in ("first", "again"):
        out = tmp_path / run
        out.mkdir()
        nb = pm.execute_notebook(
            str(NOTEBOOK_DIR / "01_dense_autoencoders.ipynb"), str(out / "01.ipynb"), kernel_name="python3",
            parameters={"profile": "smoke", "models": ["dense-32"], "output_dir": str(out)}, progress_bar=False,
        )  # fmt: skip
        text = json.dumps(nb["cells"])
        records = json.loads((out / "records" / "01_dense_autoencoders.json").read_text())
        found.append((text, {r["model"]: r for r in records}))
    (first_text, first), (again_text, again) = found
    assert "Epoch 1/" in first_text and "loaded dense-32, seed 42" not in first_text
    assert "Epoch 1/" not in again_text and "loaded dense-32, seed 42: trained in" in again_text
    assert again["dense-32"]["reused"] is True and "reused" not in first["dense-32"]
    for key in ("test_mse", "test_mae", "val_mse", "seconds", "val_curve"):
        assert again["dense-32"][key] == first["dense-32"][key], key  # to the last digit


def test_comments_docstrings_and_layout_do_not_change_the_code_a_key_sees():
    code = 'def f(x):\n    """Twice x."""\n    return 2 * x  # doubled\n'
    reworded = 'def f(x):\n    """Two times x, reworded."""\n    # a new comment\n    return (\n        2 * x\n    )\n'
    assert store._code_of(code) == store._code_of(reworded)
    assert store._code_of(code) != store._code_of(code.replace("2 * x", "3 * x"))


def test_a_subjects_cached_zupt_speeds_do_not_change_its_fingerprint():
    import hashlib

    from helpers import imu

    def fingerprint(value):
        h = hashlib.sha256()
        store._feed(h, value)
        return h.hexdigest()

    subject = imu.simulate_subject(3, windows_per_speed=2)
    before = fingerprint(subject)
    subject.zupt_speeds()  # cached on the subject: computing it must not change what a key sees
    assert subject._zupt_kmh is not None and fingerprint(subject) == before
    subject.recordings[0][0, 0] += 1.0
    assert fingerprint(subject) != before


def _damage(path, how):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if how == "truncate" else data[:40] + b"\x00" * 64 + data[104:])


@pytest.mark.parametrize(
    "which, how", [("weights", "truncate"), ("weights", "corrupt"), ("facts", "truncate")]
)
def test_a_damaged_stored_training_is_set_aside_and_trained_again(images, weight_store, capsys, which, how):
    x, x_val = images
    recipe = Recipe(1, 64, 3e-3, "cosine")
    trained, run = train_dense("dense-16", recipe, x, x_val, seed=5, verbose=0)
    suffix = ".weights.npz" if which == "weights" else ".json"
    (damaged,) = weight_store.folder.glob(f"*{suffix}")
    _damage(damaged, how)
    capsys.readouterr()
    again, rerun = train_dense("dense-16", recipe, x, x_val, seed=5, verbose=0)
    lines = [line for line in capsys.readouterr().out.splitlines() if "unreadable stored file" in line]
    assert len(lines) == 1 and str(damaged) in lines[0]  # one line, naming the file
    assert not rerun.extra.get("reused") and damaged.with_name(damaged.name + ".damaged").is_file()
    np.testing.assert_array_equal(predict(again, x_val), predict(trained, x_val))  # trained again, the same
    _, third = train_dense("dense-16", recipe, x, x_val, seed=5, verbose=0)
    assert third.extra.get("reused")  # healed: stored again, and loaded


@pytest.mark.parametrize("kind", ["json", "npy"])
def test_a_damaged_remembered_result_is_computed_again(weight_store, capsys, kind):
    calls = []

    def compute():
        calls.append(1)
        return np.arange(5.0) if kind == "npy" else {"mse": 0.25}

    first = store.remembered("probe", compute, np.ones(3))
    (found,) = (weight_store.folder / "remembered").glob(f"*.{kind}")
    _damage(found, "truncate")
    again = store.remembered("probe", compute, np.ones(3))
    assert len(calls) == 2 and str(found) in capsys.readouterr().out
    np.testing.assert_array_equal(np.asarray(again), np.asarray(first))
    store.remembered("probe", compute, np.ones(3))
    assert len(calls) == 2  # stored again, and read back


# Published weights: the reference run's trainings, found by a key without the Keras version, checked on load.


@pytest.fixture
def published(images, tmp_path):
    """A store that trained dense-16 (and remembered one result), published into a folder: (folder, run)."""
    x, x_val = images
    own = store.WeightStore(tmp_path / "made", "smoke")
    store.install(own)
    model, run = train_dense("dense-16", Recipe(2, 64, 3e-3, "cosine"), x, x_val, seed=5, verbose=0)
    store.remembered("score", lambda: {"mse": 0.5}, model)
    folder = tmp_path / "published"
    written = store.publish(own, folder)
    names = sorted(p.relative_to(folder).as_posix().split("-")[0].split(".", 1)[-1] for p in written)
    assert names == ["json", "md", "remembered/score", "weights.npz"]  # record, README, result, training
    store.uninstall()
    return folder, run


def _fresh(tmp_path, folder):
    fresh = store.WeightStore(tmp_path / "fresh", "smoke", published=folder)
    store.install(fresh)
    return fresh


def test_a_fresh_store_loads_published_weights_checked_against_their_record(
    images, published, tmp_path, capsys
):
    folder, run = published
    x, x_val = images
    fresh = _fresh(tmp_path, folder)
    calls = []
    _, again = train_dense("dense-16", Recipe(2, 64, 3e-3, "cosine"), x, x_val, seed=5, verbose=2)
    out = capsys.readouterr().out
    assert again.extra["published"] is True and again.seconds == run.seconds and again.history == run.history
    assert "Epoch" not in out and out.count("published dense-16, seed 5 (trained in") == 1
    assert f"validation MSE {run.final():.5g} reproduced" in out
    assert not list(fresh.folder.glob("*.weights.npz"))  # your own store stays yours: nothing copied into it
    model, _ = train_dense("dense-16", Recipe(2, 64, 3e-3, "cosine"), x, x_val, seed=5, verbose=0)
    assert store.remembered("score", lambda: calls.append(1) or {"mse": 1.0}, model) == {"mse": 0.5}
    assert not calls
    store.uninstall()


def _rewrite_weights(path, change, keep_sha: bool):
    """Change one weight in a published file; with ``keep_sha`` the record's SHA-256 is made to match."""
    import hashlib
    import io
    import json

    with np.load(path) as stored:
        arrays = {k: stored[k].copy() for k in stored.files}
    arrays["w0"].flat[0] = change(arrays["w0"].flat[0])
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())
    if keep_sha:
        facts_path = path.with_name(path.name.replace(".weights.npz", ".json"))
        facts = json.loads(facts_path.read_text())
        facts["weights_sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
        facts_path.write_text(json.dumps(facts))


@pytest.mark.parametrize(
    ("keep_sha", "said"),
    [
        (False, "SHA-256 differs"),
        (True, "its record says"),
    ],  # a changed file; a forged record, checked by its loss
)
def test_a_tampered_published_file_is_said_in_one_line_and_trained(
    images, published, tmp_path, capsys, keep_sha, said
):
    folder, run = published
    x, x_val = images
    (path,) = folder.glob("*.weights.npz")
    _rewrite_weights(path, lambda w: w + 50.0, keep_sha)
    fresh = _fresh(tmp_path, folder)
    _, again = train_dense("dense-16", Recipe(2, 64, 3e-3, "cosine"), x, x_val, seed=5, verbose=0)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("published dense-16, seed 5 does not match") and said in out[0]
    assert out[0].endswith("training it")
    assert not again.extra.get("reused") and len(list(fresh.folder.glob("*.weights.npz"))) == 1
    assert again.history == run.history  # trained from the same initial weights: the same run
    store.uninstall()


def test_retrain_and_the_reproduction_ignore_published_weights(images, published, tmp_path):
    folder, _ = published
    x, x_val = images
    fresh = _fresh(tmp_path, folder)
    fresh.retrain = True
    _, run = train_dense("dense-16", Recipe(2, 64, 3e-3, "cosine"), x, x_val, seed=5, verbose=0)
    assert not run.extra.get("reused")
    store.install(store.WeightStore(tmp_path / "repro", "smoke"))  # make run: published=None
    _, run = train_dense("dense-16", Recipe(2, 64, 3e-3, "cosine"), x, x_val, seed=5, verbose=0)
    assert not run.extra.get("reused")
    store.uninstall()


def test_the_published_key_does_not_depend_on_the_keras_version(images, monkeypatch):
    import keras

    from helpers.models import dense_autoencoder

    keras.utils.set_random_seed(1)
    model = dense_autoencoder("dense-16")
    parts = {"x": images[0][:8]}
    public, own = store.published_key("smoke", model, parts), store.training_key("p", model)
    monkeypatch.setattr(keras, "__version__", "9.9.9")
    assert store.published_key("smoke", model, parts) == public
    assert store.training_key("p", model) != own
    model.layers[-1].activation = keras.activations.linear  # but what the model computes is in it
    assert store.published_key("smoke", model, parts) != public


def test_the_code_a_key_sees_is_written_out_without_empty_fields():
    text = store._code_of("def f(x):\n    return x\n")
    assert "type_params" not in text and "decorator_list" not in text and "Return(value=Name(id='x'" in text
