"""Stamp provenance on records written before records carried it, from what is known of their runs.

Each rule below is the REPORT.md header that was typed for that folder when its records were committed
(git history: results/*/REPORT.md before this script). Records that already carry ``git`` are left alone.
Every stamped record gets ``backfilled: true``; ``git_clean`` is None (not recorded at the time).

    python scripts/backfill_provenance.py            # rewrites results/{standard,seeds,report}/results.json
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.lab.results import read_records  # noqa: E402
from helpers.lab.tables import write_summary  # noqa: E402
from helpers.paths import RESULTS_DIR  # noqa: E402

MACHINE = {
    "cpu": "Intel(R) Xeon(R) Processor",
    "cores": 2,
    "ram_gib": 23.6,
    "gpu": "none",
    "os": "Linux x86_64",
}
PACKAGES = {
    "python": "3.11.7",
    "tensorflow-cpu": "2.21.0",
    "keras": "3.15.1",
    "numpy": "2.4.6",
    "scipy": "1.17.1",
    "matplotlib": "3.11.2",
    "papermill": "2.7.0",
    "nbval": "0.11.0",
}


def _conv(record: dict) -> bool:
    return record["model"].startswith("conv-")


# (folder, which records, git revision, UTC start, UTC end): first matching rule wins.
RULES = [
    ("standard", lambda r: True, "0c60816", "2026-12-01T06:06:00Z", "2026-12-01T07:05:00Z"),
    ("report", lambda r: True, "f62433e", "2026-11-30T15:11:00Z", "2026-11-30T16:51:00Z"),
    ("seeds", lambda r: r["section"] == "I", "b34e5ed", "2026-11-30T10:27:00Z", "2026-11-30T10:56:00Z"),
    ("seeds", lambda r: r["section"] == "V", "2c50635", "2026-11-30T10:31:00Z", "2026-11-30T10:57:00Z"),
    (
        "seeds",
        lambda r: r["section"] in ("III", "IV"),
        "141b2c9",
        "2026-12-01T03:46:00Z",
        "2026-12-01T04:06:00Z",
    ),
    ("seeds", lambda r: r["seed"] == 42, "141b2c9", "2026-12-01T02:46:00Z", "2026-12-01T03:46:00Z"),
    (
        "seeds",
        lambda r: r["model"] == "conv-64" and r["seed"] == 43,
        "c487316",
        "2026-11-30T19:35:00Z",
        "2026-11-30T20:25:00Z",
    ),
    (
        "seeds",
        lambda r: r["model"] == "conv-64" and r["seed"] == 44,
        "ac6d575",
        "2026-11-30T21:40:00Z",
        "2026-11-30T22:21:00Z",
    ),
    ("seeds", lambda r: True, "141b2c9", "2026-12-01T03:46:00Z", "2026-12-01T04:47:00Z"),
]


def backfill(folder: str, records: list[dict]) -> int:
    stamped = 0
    for record in records:
        if "git" in record:
            continue
        _, _, git, start, end = next(rule for rule in RULES if rule[0] == folder and rule[1](record))
        record.update(
            git=git,
            git_clean=None,
            machine=dict(MACHINE),
            packages=dict(PACKAGES),
            started_utc=start,
            ended_utc=end,
            backfilled=True,
        )
        stamped += 1
    return stamped


def main() -> int:
    for folder in ("standard", "seeds", "report"):
        path = RESULTS_DIR / folder / "results.json"
        records = read_records(path)
        stamped = backfill(folder, records)
        write_summary(path.parent, records)
        print(f"{path}: {stamped} of {len(records)} records stamped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
