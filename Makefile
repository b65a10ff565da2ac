# The two commands of the README:
#   make run    set everything up, then run the whole workbook (standard profile) into runs/standard/
#   make test   set everything up, lint (ruff, import-linter), then the unit tests and the notebooks' smoke regression (nbval)
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= standard

.PHONY: setup run test lint format unit nbval smoke nbval-refs lock results-tables reference

setup:
	bash scripts/setup.sh $(VENV)

run: setup
	$(PY) -m helpers run --profile $(PROFILE) $(if $(ONLY),--only $(ONLY))

# The reference run, in a fresh clone with the CPU to itself: train everything, rerun loading every model
# (the executed notebooks on record say so), then make results/standard/ (records, notebooks, weights) of it.
reference: run
	$(PY) -m helpers run --profile standard --force
	$(PY) -m helpers publish --reference runs/standard

test: setup lint
	$(PY) -m pytest -q tests

# ruff keeps lint and format: helpers, tests, benchmarks, scripts and the notebooks (pyproject.toml);
# import-linter keeps the layers: the lesson (helpers/*.py) never imports the machinery (helpers/lab/).
lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

unit:
	$(PY) -m pytest -q tests --ignore=tests/notebooks

# Rebuild the nbval references after a notebook changes (runs the smoke profile).
nbval-refs:
	$(PY) tests/refresh_notebook_references.py

# Re-pin requirements.lock from requirements.txt in a fresh virtual environment (Linux x86_64, Python 3.11).
lock:
	rm -rf .lock-venv && python3 -m venv .lock-venv && .lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q -r requirements.txt
	{ head -2 requirements.lock; .lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv
