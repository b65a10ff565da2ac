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
from helpers.paths import atomic_write_bytes, atomic_write_json
from helpers.training import TrainResult

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
            with np.load(weights, allow_pickle=False) as stored:
                arrays = [stored[f"w{i}"] for i in range(len(stored.files))]
            model.set_weights(arrays)
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
        h.update(value.to_json().encode())
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
    trains nothing again."""
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
    return ast.dump(tree)


def training_key(store: WeightStore, model: keras.Model, parts: dict[str, Any]) -> str:
    """The key of one training: ``model`` as it is before training, and ``parts`` (recipe, data, ...)."""
    h = hashlib.sha256()
    h.update(model.to_json().encode())
    h.update(keras.config.dtype_policy().name.encode())
    for w in model.get_weights():
        _feed(h, np.asarray(w))
    _feed(h, parts)
    h.update(f"{keras.__version__}|{keras.backend.backend()}|{store.profile}|{_code_digest()}".encode())
    return h.hexdigest()[:24]


def stored_fit(call, train: Callable[[], Any]):
    """The hook around :func:`helpers.training.fit`: refuse test data, then load a stored training or run
    ``train()`` and store what it made, stamped with where and when it was trained."""
    hygiene.check("fit", call.x, call.y, call.validation_data)  # test data never trains or validates
    weights = active()
    if weights is None:
        return train()
    metrics = [getattr(m, "__name__", m) for m in call.metrics]
    key = training_key(weights, call.model, {
        "x": call.x, "y": call.y, "validation": call.validation_data, "recipe": call.recipe.as_dict(),
        "loss": getattr(call.loss, "__name__", call.loss), "metrics": metrics,
        "compile": getattr(call.compile, "__qualname__", None), "callbacks": describe(call.callbacks),
        "validation_batch_size": call.validation_batch_size,
    })  # fmt: skip
    if weights.has(key):
        call.compile_model()  # compiled as a trained model is, so a loaded one predicts the same way
        facts = weights.load(key, call.model)
        if facts is not None:
            return _reused(facts, call)
    result = train()
    weights.save(key, call.model, {
        "label": call.label, "profile": weights.profile, "seconds": result.seconds,
        "epoch_seconds": result.epoch_seconds, "history": result.history, "extra": result.extra,
        "recipe": call.recipe.as_dict(), "trained_git": git_revision(), "trained_machine": machine(),
        "trained_utc": utc_now(),
    })  # fmt: skip
    return result


def _reused(facts: dict, call):
    """The stored run of a training whose weights were just loaded: its own seconds, curves and provenance."""
    trained = {k: facts[k] for k in ("trained_git", "trained_machine", "trained_utc")}
    if call.verbose:
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
        extra=facts["extra"] | trained | {"reused": True},
    )


def describe(callbacks) -> list:
    """Callbacks as a key sees them: class and settings (not the clock's state)."""
    return [
        (type(c).__qualname__, {k: v for k, v in vars(c).items() if isinstance(v, (int, float, str, bool))})
        for c in callbacks
    ]


def remembered(label: str, compute: Callable[[], T], *inputs: Any) -> T:
    """``compute()``, or what it returned before for the same ``label`` and ``inputs`` under the active store.

    ``inputs`` are everything the result depends on besides the code of :data:`REMEMBERED_MODULES` (arrays,
    models, plain values). The result must be an array or plain JSON data (numbers, strings, lists,
    dicts with string keys); tuples come back as lists. No active store, or ``retrain``: just compute.
    """
    active_store = active()
    if active_store is None:
        return compute()
    h = hashlib.sha256(label.encode())
    _feed(h, list(inputs))
    h.update(f"{keras.__version__}|{active_store.profile}|{_code_digest(REMEMBERED_MODULES)}".encode())
    path = active_store.folder / "remembered" / f"{label}-{h.hexdigest()[:24]}"
    array, plain = path.with_suffix(".npy"), path.with_suffix(".json")
    for found, read in (
        (array, lambda f: np.load(f, allow_pickle=False)),
        (plain, lambda f: json.loads(f.read_text())),
    ):
        if not active_store.retrain and found.is_file():
            try:
                return read(found)
            except UNREADABLE as err:
                set_aside(found, err)
    result = compute()
    if isinstance(result, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, result)
        atomic_write_bytes(array, buffer.getvalue())
    else:
        atomic_write_json(plain, result)
    return result
