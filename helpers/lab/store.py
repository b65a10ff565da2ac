"""Trained weights kept under a key, so that running a notebook again loads its models instead of training.

``helpers.training.fit`` is the one place every training in the workbook goes through. A notebook's
:func:`helpers.lab.notebook.start` activates a store under ``runs/weights/`` (or ``$WORKBOOK_WEIGHTS_DIR``)
and installs :func:`stored_fit` around ``fit`` (:mod:`helpers.hooks`), which first checks the training data
against the test data (:mod:`helpers.hygiene`), then computes the training's key and looks for weights
stored under it:

* found: the model gets the stored weights, and ``fit`` returns the stored run (history, seconds, epoch
  clock) with ``extra["reused"] = True`` and where and when it was trained; nothing trains;
* not found: the model trains as usual, and its final weights and run are stored, atomically.

The key covers everything that decides the trained weights: the model's architecture (its config) and its
initial weights (so the seed, the builder and a warm start's parent), the compute precision, the recipe,
loss, metrics and callbacks, a fingerprint of the training and validation data (a ``PyDataset``'s arrays,
noise level and seed included), the code of the training modules, the Keras version and the profile. Any
change there trains again; so does ``retrain=True`` (a notebook's ``retrain`` parameter, ``--retrain``).

The same store remembers what is slow to *compute* from fixed inputs, through :func:`remembered`: a final
model's test figures, a tuned classical filter. Its key is the inputs themselves (a model by its weights)
and the code of :data:`REMEMBERED_MODULES`, so a rerun scores nothing twice and any change computes again.

**Published weights.** The reference run's trainings and remembered results are committed under
``results/standard/weights/`` (installed with the package as ``helpers/published/``), so that a first look
at a notebook loads instead of training. They are found by a *published key*: everything above except the
Keras and TensorFlow versions (:func:`published_key`). A notebook looks in its own store, then there, then
trains; the reproduction (``make run``) never looks there unless asked (``--published``). A published file
is checked before it is used: its SHA-256 against its record, then its validation loss, recomputed, against
the recorded one within :data:`PUBLISHED_RTOL` (a float difference between CPUs or versions passes, a wrong
file does not). A mismatch is one line, and the model trains.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import keras
import numpy as np

from helpers import hooks, hygiene
from helpers.lab.provenance import git_revision, machine, utc_now
from helpers.paths import RESULTS_DIR, atomic_write_bytes, atomic_write_json
from helpers.training import TrainResult, evaluate

T = TypeVar("T")

# The modules whose code decides what a training produces: a change to any of them trains again.
TRAINING_MODULES = ("training", "noise", "models", "vae", "denoising", "dense", "speed", "imu", "zupt")
# ... and those whose code decides what a remembered computation returns.
REMEMBERED_MODULES = (*TRAINING_MODULES, "lab.evaluation", "baselines", "metrics")


@dataclass
class WeightStore:
    """Where weights are kept, for which profile, and whether to ignore what is there (``retrain``)."""

    folder: Path
    profile: str
    retrain: bool = False
    published: Path | None = None  # the reference run's weights, read when this store lacks a training

    def paths(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.weights.npz", self.folder / f"{key}.json"

    def has(self, key: str) -> bool:
        """Whether a training under ``key`` is stored (and not to be ignored: ``retrain``)."""
        return not self.retrain and all(path.is_file() for path in self.paths(key))

    def load(self, key: str, model: keras.Model) -> dict | None:
        """The stored run's facts with ``model`` holding the stored weights, or None: nothing stored, or a
        stored file that cannot be read, which is then set aside (:func:`set_aside`) and trained again."""
        weights, facts_path = self.paths(key)
        if not self.has(key):
            return None
        initial, reading = model.get_weights(), facts_path
        try:
            facts = json.loads(facts_path.read_text())
            missing = FACTS - set(facts)
            if missing:
                raise KeyError(f"no {', '.join(sorted(missing))}")
            reading = weights
            model.set_weights(read_weights(weights))
            return facts
        except UNREADABLE as err:
            model.set_weights(initial)  # as it was: the training starts from the same weights
            set_aside(reading, err)
            return None

    def save(self, key: str, model: keras.Model, facts: dict) -> None:
        """Store ``model``'s weights (exact float32 arrays, no optimizer state) and ``facts`` about its
        training, each file written atomically; the facts last, so a stored key always has its weights."""
        weights, facts_path = self.paths(key)
        buffer = io.BytesIO()
        np.savez(buffer, **{f"w{i}": w for i, w in enumerate(model.get_weights())})
        atomic_write_bytes(weights, buffer.getvalue())
        atomic_write_json(facts_path, facts)


def read_weights(source) -> list[np.ndarray]:
    """The arrays of a weights file written by :meth:`WeightStore.save` (a path or a binary file object),
    in the model's order; never unpickles."""
    with np.load(source, allow_pickle=False) as stored:
        return [stored[f"w{i}"] for i in range(len(stored.files))]


def keras_tag() -> str:
    """This Keras release, as the suffix of your own remembered results' names (the published ones have none)."""
    return hashlib.sha256(keras.__version__.encode()).hexdigest()[:8]


# What a stored training's facts hold; a file without them is as unreadable as a truncated one.
FACTS = {"seconds", "epoch_seconds", "history", "extra", "trained_git", "trained_machine", "trained_utc"}
# What reading a damaged stored file raises (a truncated or corrupted zip, npy or JSON file).
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error)


def set_aside(path: Path, err: BaseException) -> None:
    """Move an unreadable stored file aside (``<name>.damaged``) and say so in one line: the run goes on and
    computes what the file held again (a full disk or a killed copy can leave such a file)."""
    target = path.with_name(path.name + ".damaged")
    path.replace(target)
    print(f"unreadable stored file {path} ({type(err).__name__}: {err}); moved to {target.name}, computing it "
          "again", flush=True)  # fmt: skip


# Published weights exist for this profile only; in a checkout they are results/standard/weights/, and an
# installed package (pip install of the zip or git URL, e.g. on Colab) carries them as helpers/published/.
PUBLISHED_PROFILE = "standard"


def published_folder(profile: str) -> Path | None:
    """Where the reference run's weights for ``profile`` are, or None (none published for it)."""
    if profile != PUBLISHED_PROFILE:
        return None
    package = Path(__file__).resolve().parents[1]
    for folder in (RESULTS_DIR / profile / "weights", package / "published"):
        if folder.is_dir():
            return folder
    return None


_active: WeightStore | None = None


def activate(store: WeightStore | None) -> None:
    """Make ``store`` the one ``fit`` uses (None: train everything, store nothing)."""
    global _active
    _active = store


def install(weights: WeightStore | None) -> None:
    """Put the machinery around every training and slow score (:mod:`helpers.hooks`): the test-data guard
    always, and ``weights`` (None: train everything, store nothing)."""
    activate(weights)
    hooks.install(stored_fit, remembered)


def uninstall() -> None:
    """Take the machinery away: ``fit`` is the plain lesson again."""
    activate(None)
    hooks.install(None, None)


def active() -> WeightStore | None:
    return _active


def _feed(h: "hashlib._Hash", value: Any, depth: int = 0) -> None:
    """Hash ``value``: arrays by dtype, shape and bytes; containers and plain objects by their contents."""
    if depth > 6:
        return
    if isinstance(value, keras.Model):  # a model is what it computes: its architecture and weights
        _feed(h, architecture(value), depth + 1)
        for w in value.get_weights():
            _feed(h, np.asarray(w), depth + 1)
    elif isinstance(value, np.ndarray):
        h.update(f"{value.dtype}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (str, int, float, bool, type(None))):
        h.update(repr(value).encode())
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _feed(h, item, depth + 1)
    elif isinstance(value, dict):
        for k in sorted(value, key=str):
            h.update(str(k).encode())
            _feed(h, value[k], depth + 1)
    elif isinstance(value, np.random.Generator):
        _feed(h, value.bit_generator.state, depth + 1)
    elif isinstance(value, np.generic):
        h.update(repr(value.item()).encode())
    elif hasattr(value, "__dict__"):  # a PyDataset, a recording, a normaliser: its own attributes
        h.update(type(value).__qualname__.encode())
        _feed(h, {k: v for k, v in vars(value).items() if not k.startswith("_")}, depth + 1)
    else:
        h.update(repr(value).encode())


# The settings of a layer that decide what it computes. A model's full config also holds fields that each
# Keras release adds or renames, so a key built on it would never find weights made by another release.
_LAYER_SETTINGS = ("activation", "filters", "kernel_size", "strides", "padding", "units", "return_sequences",
                   "rate", "pool_size", "size", "target_shape", "use_bias", "dilation_rate")  # fmt: skip


def architecture(model: keras.Layer) -> list:
    """``model`` as a key sees it, the same under every Keras version: each layer's class, its settings
    (:data:`_LAYER_SETTINGS`) and the shapes of its weights, nested models' layers included."""
    found = []
    for layer in getattr(model, "layers", []):
        try:
            config = {k: v for k, v in layer.get_config().items() if k in _LAYER_SETTINGS}
        except NotImplementedError:  # a custom layer with arguments of its own and no get_config
            config = {}
        shapes = [tuple(w.shape) for w in layer.weights]
        found.append((type(layer).__name__, config, shapes, architecture(layer)))
    return found


def _code_digest(modules: tuple[str, ...] = TRAINING_MODULES) -> str:
    import importlib

    h = hashlib.sha256()
    for name in modules:
        h.update(_code_of(inspect.getsource(importlib.import_module(f"helpers.{name}"))).encode())
    return h.hexdigest()


def training_code() -> str:
    """The fingerprint of the code that decides what a training produces (:data:`TRAINING_MODULES`): every
    record carries it, so a published run made by other training code is told apart from today's."""
    return _code_digest()[:16]


def _code_of(source: str) -> str:
    """The code of a module without its comments, docstrings and layout: rewording or reformatting them
    trains nothing again. Written out by :func:`_dump`, the same under every Python version."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return _dump(tree)


def _dump(node: Any) -> str:
    """A syntax tree as text. ``ast.dump`` changes between Python versions (fields added, empty ones shown
    or not); this leaves out every empty field, so a new field that is unused here changes nothing."""
    if isinstance(node, ast.AST):
        fields = [(f, getattr(node, f, None)) for f in node._fields]
        inner = ",".join(f"{f}={_dump(v)}" for f, v in fields if v is not None and v != [])
        return f"{type(node).__name__}({inner})"
    if isinstance(node, list):
        return "[" + ",".join(_dump(v) for v in node) + "]"
    return repr(node)


def published_key(profile: str, model: keras.Model, parts: dict[str, Any]) -> str:
    """The key of one training without the Keras and TensorFlow versions: ``model`` as it is before
    training (:func:`architecture`, initial weights), the compute precision, ``parts`` (recipe, data, ...),
    the profile and the training code. Published weights are found by it."""
    h = hashlib.sha256()
    _feed(h, model)
    h.update(keras.config.dtype_policy().name.encode())
    _feed(h, parts)
    h.update(f"{profile}|{_code_digest()}".encode())
    return h.hexdigest()[:24]


def training_key(published: str, model: keras.Model) -> str:
    """The key in your own store: the published key, the model's whole config and the Keras version and
    backend that trained it (weights made by another release are found only through the published ones)."""
    h = hashlib.sha256(published.encode())
    h.update(f"{model.to_json()}|{keras.__version__}|{keras.backend.backend()}".encode())
    return h.hexdigest()[:24]


def stored_fit(call, train: Callable[[], Any]):
    """The hook around :func:`helpers.training.fit`: refuse test data, then load a stored training (your own,
    else a published one) or run ``train()`` and store what it made, stamped with where and when it was
    trained."""
    hygiene.check("fit", call.x, call.y, call.validation_data)  # test data never trains or validates
    weights = active()
    if weights is None:
        return train()
    metrics = [getattr(m, "__name__", m) for m in call.metrics]
    public = published_key(weights.profile, call.model, {
        "x": call.x, "y": call.y, "validation": call.validation_data, "recipe": call.recipe.as_dict(),
        "loss": getattr(call.loss, "__name__", call.loss), "metrics": metrics,
        "compile": getattr(call.compile, "__qualname__", None), "callbacks": describe(call.callbacks),
        "validation_batch_size": call.validation_batch_size,
    })  # fmt: skip
    key = training_key(public, call.model)
    if weights.has(key):
        call.compile_model()  # compiled as a trained model is, so a loaded one predicts the same way
        facts = weights.load(key, call.model)
        if facts is not None:
            return _reused(facts, call)
    if weights.published is not None and not weights.retrain:
        found = load_published(weights.published, public, call)
        if found is not None:
            return found
    result = train()
    weights.save(key, call.model, {
        "label": call.label, "profile": weights.profile, "published_key": public, "seconds": result.seconds,
        "epoch_seconds": result.epoch_seconds, "history": result.history, "extra": result.extra,
        "recipe": call.recipe.as_dict(), "trained_git": git_revision(), "trained_machine": machine(),
        "trained_utc": utc_now(),
    })  # fmt: skip
    return result


def _reused(facts: dict, call, published: bool = False):
    """The stored run of a training whose weights were just loaded: its own seconds, curves and provenance."""
    trained = {k: facts[k] for k in ("trained_git", "trained_machine", "trained_utc")}
    if call.verbose and not published:
        print(
            f"loaded {call.label}: trained in {facts['seconds']:.0f} s on {facts['trained_machine']} at git "
            f"{facts['trained_git']} ({facts['trained_utc']})",
            flush=True,
        )
    return TrainResult(
        history=facts["history"],
        seconds=facts["seconds"],
        epoch_seconds=facts["epoch_seconds"],
        recipe=call.recipe,
        extra=facts["extra"] | trained | {"reused": True} | ({"published": True} if published else {}),
    )


# How far a published model's recomputed validation loss may be from its record: float sums in another
# order (another CPU, another TensorFlow) move the 4th significant digit at most; a wrong file moves more.
# A model that samples while it is scored (the VAE) draws other noise than it did then: it gets more room.
PUBLISHED_RTOL = 1e-3
PUBLISHED_RTOL_SAMPLING = 1e-2


def recorded_validation(facts: dict) -> float | None:
    """The validation loss of the weights a training ended with (the averaged ones under weight averaging),
    as recorded; None for a training without a validation set."""
    if "averaged_val_loss" in facts["extra"]:
        return facts["extra"]["averaged_val_loss"]
    return facts["history"]["val_loss"][-1] if facts["history"].get("val_loss") else None


def load_published(folder: Path, key: str, call):
    """The published training under ``key`` with ``call.model`` holding its weights, once they pass the
    checks (its file's SHA-256, then its validation loss recomputed); None when nothing is published under
    ``key`` or a check fails, which is said in one line."""
    weights, facts_path = folder / f"{key}.weights.npz", folder / f"{key}.json"
    if not (weights.is_file() and facts_path.is_file()):
        return None
    model, initial = call.model, call.model.get_weights()
    try:
        facts, payload = json.loads(facts_path.read_text()), weights.read_bytes()
        if hashlib.sha256(payload).hexdigest() != facts.get("weights_sha256"):
            raise ValueError("its weights file is not the one published (SHA-256 differs from its record)")
        arrays = read_weights(io.BytesIO(payload))
        call.compile_model()
        model.set_weights(arrays)
        expected, checked = recorded_validation(facts), "checked by its SHA-256 (no validation set)"
        if expected is not None:
            state = [v.numpy() for v in model.variables]  # scoring draws from a sampling layer's seed: kept
            got = evaluate(model, call.validation_data)
            for variable, value in zip(model.variables, state):
                variable.assign(value)
            rtol = PUBLISHED_RTOL_SAMPLING if len(model.variables) > len(model.weights) else PUBLISHED_RTOL
            name = "MSE" if call.loss == "mse" and call.compile is None else "loss"
            if not np.isclose(got, expected, rtol=rtol, atol=0):
                raise ValueError(
                    f"validation {name} {got:.5g}, its record says {expected:.5g} (rtol {rtol:g})"
                )
            checked = f"validation {name} {expected:.5g} reproduced"
    except (*UNREADABLE, TypeError) as err:
        model.set_weights(initial)  # as it was: the training starts from the same weights
        print(f"published {call.label} does not match: {err}; training it", flush=True)
        return None
    if call.verbose:
        print(f"published {call.label} (trained in {facts['seconds']:.0f} s on {facts['trained_machine']} at git "
              f"{facts['trained_git']}; {checked})", flush=True)  # fmt: skip
    return _reused(facts, call, published=True)


# Kept in the folder even before anything is published: the package installs the folder (pyproject.toml).
PUBLISHED_README = """# Published weights

The reference run's trained models (`<key>.weights.npz`), each beside its record (`<key>.json`: the run that
trained it, its commit, machine, seconds and curves, and the file's SHA-256), and its remembered results
(`remembered/`). A notebook opened without trained models of its own loads these instead of training, after
checking them; `make run` trains its own. `python -m helpers publish --reference runs/standard` writes them.
See `helpers/lab/store.py`.
"""


def publish(store: WeightStore, target: Path) -> list[Path]:
    """Copy ``store``'s trainings for its profile, and its remembered results, into ``target`` under their
    published keys, each training's facts with its weights' SHA-256; what was there before goes. Returns the
    files written. Meant for a fresh clone's reference run, whose store holds nothing else."""
    import shutil

    staged = target.with_name(f".{target.name}.new")
    shutil.rmtree(staged, ignore_errors=True)
    (staged / "remembered").mkdir(parents=True)
    (staged / "README.md").write_text(PUBLISHED_README)
    for facts_path in sorted(store.folder.glob("*.json")):
        facts = json.loads(facts_path.read_text())
        if facts.get("profile") != store.profile or "published_key" not in facts:
            continue
        payload = facts_path.with_name(facts_path.stem + ".weights.npz").read_bytes()
        facts["weights_sha256"] = hashlib.sha256(payload).hexdigest()
        (staged / f"{facts['published_key']}.weights.npz").write_bytes(payload)
        (staged / f"{facts['published_key']}.json").write_text(json.dumps(facts, indent=1) + "\n")
    version = "-" + keras_tag()
    for found in sorted((store.folder / "remembered").glob(f"*{version}.*")):
        name, suffix = found.name.split(".", 1)
        shutil.copyfile(found, staged / "remembered" / f"{name.removesuffix(version)}.{suffix}")
    shutil.rmtree(target, ignore_errors=True)
    staged.replace(target)
    return sorted(path for path in target.rglob("*") if path.is_file())


def describe(callbacks) -> list:
    """Callbacks as a key sees them: class and settings (not the clock's state)."""
    return [
        (type(c).__qualname__, {k: v for k, v in vars(c).items() if isinstance(v, (int, float, str, bool))})
        for c in callbacks
    ]


def remembered(label: str, compute: Callable[[], T], *inputs: Any) -> T:
    """``compute()``, or what it returned before for the same ``label`` and ``inputs`` under the active store
    (your own, else the published results).

    ``inputs`` are everything the result depends on besides the code of :data:`REMEMBERED_MODULES` (arrays,
    models, plain values). The result must be an array or plain JSON data (numbers, strings, lists,
    dicts with string keys); tuples come back as lists. No active store, or ``retrain``: just compute.
    """
    active_store = active()
    if active_store is None:
        return compute()
    h = hashlib.sha256(label.encode())
    _feed(h, list(inputs))
    h.update(f"{active_store.profile}|{_code_digest(REMEMBERED_MODULES)}".encode())
    public = f"{label}-{h.hexdigest()[:24]}"  # its published name: no Keras version in it
    version = keras_tag()
    path = active_store.folder / "remembered" / f"{public}-{version}"
    places = [path] + ([active_store.published / "remembered" / public] if active_store.published else [])
    for place in places if not active_store.retrain else []:
        for found, read in (
            (place.with_name(place.name + ".npy"), lambda f: np.load(f, allow_pickle=False)),
            (place.with_name(place.name + ".json"), lambda f: json.loads(f.read_text())),
        ):
            if found.is_file():
                try:
                    return read(found)
                except UNREADABLE as err:
                    if place is path:  # your own file is computed again; a published one is left as it is
                        set_aside(found, err)
    result = compute()
    if isinstance(result, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, result)
        atomic_write_bytes(path.with_name(path.name + ".npy"), buffer.getvalue())
    else:
        atomic_write_json(path.with_name(path.name + ".json"), result)
    return result
