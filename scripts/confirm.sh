#!/usr/bin/env bash
# Run, or resume, the pre-registered confirmation study, then fold its finished units into results/confirm/.
#
# Each results/confirm/PLAN*.md runs from a clean clone of the commit that added it, with the `helpers run`
# commands written in the plan (its "How it runs" block; <root> becomes this study's output folder). The
# runner skips finished units and each clone keeps its weight store, so a run cut short goes on where it
# stopped. Then every finished unit's records go to results/confirm/results.json and the documents are
# regenerated (python -m helpers publish). Commit them.
#
# Usage: bash scripts/confirm.sh [work-dir]     (default ../confirm; hours of CPU: run it in the background)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
WORK=$(mkdir -p "${1:-$REPO/../confirm}" && cd "${1:-$REPO/../confirm}" && pwd)

roots=()
for plan in results/confirm/PLAN*.md; do
  commit=$(git log --diff-filter=A --format=%h -1 -- "$plan")
  clone="$WORK/$commit" root="$WORK/$commit-runs"
  roots+=("$root")
  if [ ! -d "$clone/.git" ]; then
    git clone -q "$REPO" "$clone"
    git -C "$clone" checkout -q "$commit"
  fi
  if [ "$(git -C "$clone" rev-parse --short HEAD)" != "$commit" ] || [ -n "$(git -C "$clone" status --porcelain)" ]; then
    echo "$clone is not a clean checkout of $commit: remove it and run again" >&2
    exit 1
  fi
  echo "== $plan: git $commit, output $root"
  bash "$clone/scripts/setup.sh" .venv >/dev/null
  grep -E '^\.venv/bin/python -m helpers run ' "$plan" | sed "s#<root>#$root#" | while read -r command; do
    (cd "$clone" && eval "$command --quiet" </dev/null) || echo "some units of '$command' did not finish; see above" >&2
  done
done

.venv/bin/python - "${roots[@]}" <<'PY'
import sys
from pathlib import Path

from helpers.lab import publish
from helpers.paths import atomic_write_json

records = publish.gather_confirmation([Path(p) for p in sys.argv[1:]])
atomic_write_json(publish.CONFIRM / "results.json", records)
print(f"{len(records)} confirmation records -> {publish.CONFIRM / 'results.json'}")
PY
.venv/bin/python -m helpers publish
