# The two commands of the README:
#   make run    set everything up, then run the whole workbook (standard profile) into runs/standard/
#   make test   set everything up, then run the unit tests and the notebooks' smoke regression (nbval)
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= standard

.PHONY: setup run test unit nbval smoke nbval-refs

setup:
	bash scripts/setup.sh $(VENV)

run: setup
	$(PY) -m helpers run --profile $(PROFILE) $(if $(ONLY),--only $(ONLY))

test: setup
	$(PY) -m pytest -q tests

unit:
	$(PY) -m pytest -q tests --ignore=tests/notebooks

# Rebuild the nbval references after a notebook changes (runs the smoke profile).
nbval-refs:
	$(PY) tests/refresh_notebook_references.py
