# One command per job; every target sets up what it needs (a project-local
# virtual environment in .venv, the pinned AutoRest toolchain in
# generator/node_modules), so a fresh machine needs nothing but Python, Node and make.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed
NODE_STAMP := generator/node_modules/.installed
# make api-diff: TO defaults to the newest swagger/ version, FROM to the one before it.
FROM ?=
TO ?=

.PHONY: help venv dev node demo test check lint typecheck format generate check-generated api-diff bench clean

help:
	@echo "make demo             run the main job against the local Identity service"
	@echo "make test             run the tests (sets everything up on first use)"
	@echo "make check            format check, ruff, mypy --strict, tests"
	@echo "make generate         regenerate generated/ from swagger/ with pinned AutoRest"
	@echo "make check-generated  fail with a diff if generated/ drifted"
	@echo "make api-diff [FROM=2023-10-01] [TO=2026-09-23]   review an API version bump (default: the newest)"

# Two stamps: what the package and its demo need (runtime + the aio and
# emulator extras), and the development tools on top (requirements-dev.txt).
venv: $(VENV_STAMP)
$(VENV_STAMP): setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23.1"
	$(PY) -m pip install --quiet -e ".[aio,emulator]"
	touch $@

dev: $(DEV_STAMP)
$(DEV_STAMP): $(VENV_STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node: $(NODE_STAMP)
$(NODE_STAMP): generator/package.json generator/package-lock.json
	cd generator && YARN_IGNORE_ENGINES=true npm ci --no-audit --no-fund
	touch $@

demo: $(VENV_STAMP)
	$(PY) samples/demo.py

test: $(DEV_STAMP) $(NODE_STAMP)
	$(PY) -m pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff format --check azure emulator tests samples bench generator/driver.py generator/api_diff.py generator/catalog.py setup.py
	$(VENV)/bin/ruff check azure emulator tests samples bench generator/driver.py generator/api_diff.py generator/catalog.py setup.py

format: $(DEV_STAMP)
	$(VENV)/bin/ruff format azure emulator tests samples bench generator/driver.py generator/api_diff.py generator/catalog.py setup.py
	$(VENV)/bin/ruff check --fix azure emulator tests samples bench generator/driver.py generator/api_diff.py generator/catalog.py setup.py

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

check: lint typecheck test

generate: $(DEV_STAMP) $(NODE_STAMP)
	$(PY) generator/driver.py generate

check-generated: $(DEV_STAMP) $(NODE_STAMP)
	$(PY) generator/driver.py check

api-diff: $(DEV_STAMP)
	@$(PY) generator/api_diff.py $(or $(FROM),"") $(TO)

bench: $(DEV_STAMP)
	$(PY) bench/client_overhead.py
	$(PY) bench/emulator_load.py

clean:
	rm -rf $(VENV) .venv-2020 build dist *.egg-info .demo generator/node_modules
