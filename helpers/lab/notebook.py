"""What every notebook does first and last: seed, find its output folder, save figures, write records."""

from __future__ import annotations

import datetime as _dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers import hygiene
from helpers.lab import store
from helpers.lab.provenance import record_provenance, utc_now
from helpers.lab.results import make_record, row_key, write_records
from helpers.lab.tables import headline_lines
from helpers.paths import RUNS_DIR
from helpers.plotting import save_figure
from helpers.profiles import check_profile
from helpers.training import set_seed


@dataclass
class Session:
    """One notebook run: its profile, output folder, figures and result records."""

    notebook: str
    profile: str
    output_dir: Path
    seeds: list[int]
    records: list[dict] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    started_utc: str = field(default_factory=utc_now)
    # git revision and cleanliness, machine, package versions: stamped on every record (helpers.lab.provenance)
    provenance: dict = field(
        default_factory=lambda: record_provenance() | {"training_code": store.training_code()}
    )

    def figure(self, fig, name: str) -> Path:
        """Save ``fig`` as ``<output_dir>/<notebook>_<name>.png`` and return the path."""
        return save_figure(fig, self.output_dir / f"{self.notebook}_{name}.png")

    def record(
        self, section: str, model: str, params: int, seconds: float, seed: int | None = None, **metrics
    ) -> dict:
        """Add a result record for this profile and ``seed`` (default: the first); :meth:`finish` writes it."""
        seed = self.seeds[0] if seed is None else int(seed)
        metrics.setdefault("started_utc", self.started_utc)
        rec = make_record(
            section,
            model,
            params,
            self.profile,
            seconds,
            seed=seed,
            **metrics,
            ended_utc=utc_now(),
            **self.provenance,
        )
        self.records = [r for r in self.records if not _same_row(r, rec)] + [rec]
        return rec

    def record_run(self, section: str, name: str, model, run, seed: int | None = None, **metrics) -> dict:
        """Record one training: its parameter count from ``model``; its seconds, recipe (epochs, batch size,
        peak learning rate), validation curve (when it validated) and UTC start from ``run`` (a
        ``helpers.training.TrainResult``); ``metrics`` (test scores, the setting such as ``sigma``) beside them."""
        recipe = run.recipe
        curve = {"val_curve": run.curve()} if "val_loss" in run.history else {}
        if run.extra.get("reused"):  # loaded (your store, or published): where and when it was trained
            keys = ("reused", "published", "trained_git", "trained_machine", "trained_utc")
            metrics |= {k: run.extra[k] for k in keys if k in run.extra}
        else:  # trained just now: it started its run's seconds ago
            started = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=run.seconds)
            metrics["started_utc"] = started.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.record(
            section,
            name,
            model.count_params(),
            run.seconds,
            seed=seed,
            **metrics,
            epochs=recipe.epochs,
            batch_size=recipe.batch_size,
            learning_rate=recipe.learning_rate,
            **curve,
        )

    def finish(self) -> None:
        """Write this notebook's records atomically (the run command gathers them) and print each record's
        headline number, one line each: nbval compares these lines on the deterministic smoke runs. A Voila
        app, shown to readers, prints nothing."""
        write_records(self.output_dir, self.notebook, self.records)
        if not os.environ.get("VOILA_KERNEL_ID"):
            print(headline_lines(self.records))


def _same_row(a: dict, b: dict) -> bool:
    """The same table row and the same seed: a later record replaces the earlier one."""
    return row_key(a) == row_key(b) and a.get("seed") == b.get("seed")


def check_seeds(seeds) -> list[int]:
    """The ``seeds`` parameter as a list of distinct ints; a clear error before anything trains."""
    if isinstance(seeds, (int, str)) and not isinstance(seeds, bool):
        seeds = [seeds]
    try:
        found = [int(s) for s in seeds]
        if any(isinstance(s, bool) or float(s) != int(s) for s in seeds):
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(
            f"seeds must be a list of whole numbers, e.g. [42] or [42, 43, 44]; got {seeds!r}."
        ) from None
    if not found or len(set(found)) != len(found) or min(found) < 0:
        raise ValueError(
            f"seeds must be distinct non-negative whole numbers, at least one, e.g. [42, 43, 44]; "
            f"got {seeds!r}."
        )
    return found


def start(
    notebook: str, profile: str, seeds, output_dir: str | os.PathLike | None = None, retrain: bool = False
) -> Session:
    """Check the profile and seeds, seed every generator, create the output folder and say where things go.

    The records of a run carry their ``seed``; a study over several seeds gives each (model, seed) a record.
    Trainings load stored weights when their key matches (:mod:`helpers.lab.store`, under ``runs/weights/`` or
    ``$WORKBOOK_WEIGHTS_DIR``), else the published ones (standard profile), unless ``retrain``.
    """
    check_profile(profile)
    seeds = check_seeds(seeds)
    hygiene.release()  # a rerun in the same kernel starts with nothing protected
    out = Path(output_dir) if output_dir else RUNS_DIR / profile
    out.mkdir(parents=True, exist_ok=True)
    weights = Path(os.environ.get("WORKBOOK_WEIGHTS_DIR") or RUNS_DIR / "weights")  # shared by every run
    # Opened by a reader: the published weights stand in for trainings your own store lacks. The
    # reproduction (python -m helpers run) sets WORKBOOK_PUBLISHED=0 unless --published: it trains them.
    published = store.published_folder(profile) if os.environ.get("WORKBOOK_PUBLISHED") != "0" else None
    store.install(store.WeightStore(weights, profile, bool(retrain), published))  # guard, store, provenance
    set_seed(seeds[0])

    if not os.environ.get("VOILA_KERNEL_ID"):  # where outputs go and the versions are in every record
        print(f"profile {profile}, seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}")
    return Session(notebook=notebook, profile=profile, output_dir=out, seeds=seeds)
