"""Put one notebook's fresh records into a committed results folder, and rewrite its summary and report.

    python scripts/merge_results.py results/standard --unit /tmp/study/standard/seed-42 \
        --notebook 03_lstm_speed_estimation --header-file header.md

Records of the notebook's sections are replaced by the unit's (``<unit>/records/<notebook>.json``), the
other sections' records are kept, the report's figures of those sections come from the first unit, and ``results.json``,
``summary.md`` and ``REPORT.md`` are rewritten atomically with the given provenance header (which must name
where each section's records came from: this script cannot know).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.lab.report import FIGURES, SECTION_TITLES, write_report  # noqa: E402
from helpers.lab.results import read_records, records_path  # noqa: E402
from helpers.lab.tables import write_summary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path, help="the committed results folder, e.g. results/standard")
    parser.add_argument(
        "--unit",
        type=Path,
        action="append",
        required=True,
        help="a finished unit's folder (repeat for several seeds)",
    )
    parser.add_argument("--notebook", required=True, help="e.g. 03_lstm_speed_estimation")
    parser.add_argument("--header-file", type=Path, required=True, help="markdown provenance header")
    parser.add_argument(
        "--figure-dir", type=Path, help="where the report's figures live (default: the folder)"
    )
    args = parser.parse_args()
    fresh = []
    for unit in args.unit:
        path = records_path(unit, args.notebook)
        if not path.is_file():
            parser.error(f"{path} does not exist: is {unit} a finished unit of {args.notebook}?")
        fresh += read_records(path)
    sections = {r["section"] for r in fresh}
    old = read_records(args.folder / "results.json") if (args.folder / "results.json").is_file() else []
    kept = [r for r in old if r["section"] not in sections]
    order = list(SECTION_TITLES)  # the report's section order
    records = sorted(
        kept + fresh, key=lambda r: order.index(r["section"]) if r["section"] in order else len(order)
    )
    figures = args.figure_dir or args.folder
    for name in (
        n for section in sections for n in FIGURES.get(section, ())
    ):  # the report's, from the first unit
        if (args.unit[0] / name).is_file():
            shutil.copy2(args.unit[0] / name, figures / name)
    header = args.header_file.read_text().strip()
    write_summary(args.folder, records, header=header)
    write_report(args.folder, records, header, figure_dir=figures)
    print(
        f"{args.folder}: {len(kept)} records kept, {len(fresh)} from {', '.join(map(str, args.unit))} "
        f"(sections {', '.join(sorted(sections))})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
