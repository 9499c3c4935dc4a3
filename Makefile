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
# make spec-check: a folder laid out like upstream's specification/communication/data-plane/.
UPSTREAM ?=
# The generator's scripts (linted and formatted with the handwritten code).
GENERATOR_PY := $(wildcard generator/*.py)

.PHONY: FORCE help venv dev node demo test test-pythons test-lowest check lint typecheck format generate check-generated api-diff spec-check bench docs mutate clean

help:
	@echo "make demo             run the main job against the local Identity service"
	@echo "make test             run the tests (sets everything up on first use)"
	@echo "make test-pythons     client + local-service tests on every declared Python found (SKIP=3.11 skips one)"
	@echo "make test-lowest      client tests with the lowest dependency versions setup.py declares"
	@echo "make check            format check, ruff, mypy --strict, tests"
	@echo "make generate         regenerate generated/ from swagger/ with pinned AutoRest, and the sync client"
	@echo "make check-generated  fail with a diff if generated/ or the sync client drifted"
	@echo "make api-diff [FROM=2023-10-01] [TO=2026-09-23]   review an API version bump (default: the newest)"
	@echo "make spec-check UPSTREAM=<folder>   wire-level differences between swagger/ and upstream's documents"
	@echo "make docs             build the API reference into docs/_build/html (warnings fail it)"
	@echo "make mutate [MODULES='client._auth service._auth']   mutation testing of the critical modules (about an hour; not in CI)"

# Two stamps: what the package and its demo need (runtime + the aio and
# emulator extras), and the development tools on top (requirements-dev.txt).
#
# The editable install is setuptools' strict mode: a tree of links to the checkout's files under
# build/, laid out as the wheel is (generated/ as azure/communication/administration/_generated,
# emulator/acs_identity_emulator as acs_identity_emulator), on sys.path through setuptools' own
# .pth. Type checkers read it like any installed package (the default mode's import hook is
# invisible to them). Edits show at once; a file added or removed needs the install again, so
# $(PACKAGE_FILES) lists the packaged files and changes (and reinstalls) only when that list does.
PACKAGE_FILES := $(VENV)/.package-files

$(PACKAGE_FILES): FORCE
	@mkdir -p $(VENV)
	@find azure generated emulator/acs_identity_emulator -type f ! -path '*/__pycache__/*' | LC_ALL=C sort > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

venv: $(VENV_STAMP)
$(VENV_STAMP): setup.py pyproject.toml Makefile $(PACKAGE_FILES)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23.1"
	@# what an older set-up made by hand for type checkers (a .pth file and two links), now the install's job
	rm -rf $(VENV)/typing "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/azure_communication_administration_typing.pth"
	if [ -L azure/communication/administration/_generated ]; then rm azure/communication/administration/_generated; fi
	$(PY) -m pip install --quiet -e ".[aio,emulator]" --config-settings editable_mode=strict
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

# Each of these keeps its own virtual environments in .venvs/ (made on first use, then reused).
test-pythons:
	$(PYTHON) tools/python_matrix.py $(foreach v,$(SKIP),--skip $(v))

test-lowest:
	$(PYTHON) tools/lowest_deps.py

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff format --check azure emulator tests samples bench docs tools $(GENERATOR_PY) setup.py
	$(VENV)/bin/ruff check azure emulator tests samples bench docs tools $(GENERATOR_PY) setup.py

format: $(DEV_STAMP)
	$(VENV)/bin/ruff format azure emulator tests samples bench docs tools $(GENERATOR_PY) setup.py
	$(VENV)/bin/ruff check --fix azure emulator tests samples bench docs tools $(GENERATOR_PY) setup.py

# The handwritten code (strict), then the generated layer on its own (pyproject.toml says at what level).
typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy -p azure.communication.administration._generated

check: lint typecheck test

generate: $(DEV_STAMP) $(NODE_STAMP)
	$(PY) generator/driver.py generate

check-generated: $(DEV_STAMP) $(NODE_STAMP)
	$(PY) generator/driver.py check

api-diff: $(DEV_STAMP)
	@$(PY) generator/api_diff.py $(or $(FROM),"") $(TO)

# UPSTREAM: a checkout (or copy) of Azure/azure-rest-api-specs' specification/communication/data-plane/.
spec-check: $(DEV_STAMP)
	@test -n "$(UPSTREAM)" || { echo "usage: make spec-check UPSTREAM=<folder holding Identity/ and Common/, laid out as upstream's specification/communication/data-plane/>" >&2; exit 2; }
	@$(PY) generator/spec_check.py "$(UPSTREAM)"

# The API reference (Sphinx; see docs/README.md). -E: read every page each time, so every
# warning is seen (an incremental build only reports pages it re-reads); -n: nitpicky, an
# unresolvable reference is a warning; -W --keep-going: warnings fail the build, all reported.
docs: $(DEV_STAMP)
	$(PY) -m sphinx -b html -W --keep-going -n -E -q docs docs/_build/html
	@echo "API reference: docs/_build/html/index.html"

bench: $(DEV_STAMP)
	$(PY) bench/client_overhead.py
	$(PY) bench/emulator_load.py

# Mutation testing (tools/mutation/): cosmic-ray in its own environment, made on first use; the
# tests run with the development environment. Not part of `make test` or CI.
MUTATE_VENV := .venvs/mutate
MODULES ?=
mutate: $(DEV_STAMP) $(MUTATE_VENV)/.installed
	$(MUTATE_VENV)/bin/python tools/mutation/run.py --test-python $(abspath $(PY)) $(MODULES)

$(MUTATE_VENV)/.installed: tools/mutation/requirements.txt
	$(PYTHON) -m venv $(MUTATE_VENV)
	$(MUTATE_VENV)/bin/python -m pip install --quiet -r tools/mutation/requirements.txt
	touch $@

clean:
	rm -rf $(VENV) .venv-2020 .venvs build dist *.egg-info .demo generator/node_modules docs/_build
