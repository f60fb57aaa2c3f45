# Two commands: `make book` (set up, build every edition: site and PDF)
# and `make test` (set up, run every test). Everything else is `planbook …`.
VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
PLANBOOK := $(BIN)/planbook

.PHONY: book site test test-fast setup system check lab bench clean

book: setup
	$(PLANBOOK) build --all --pdf

site: setup
	$(PLANBOOK) build

test: setup
	$(BIN)/python -m pytest

# The fast lane while you work: every test that builds no edition, runs no notebook, browser or
# other process (tests/conftest.py marks the others `slow` from what they call).
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

check: setup
	$(PLANBOOK) check

setup: system $(VENV)/.installed node_modules/.installed

system:
	bash scripts/install-system.sh

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# axe-core for the browser tests' accessibility checks (pinned in package-lock.json).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

bench: setup
	$(BIN)/python benchmarks/run.py --runs 3

# JupyterLab for researchers: `make lab [PORT=8888] [TOKEN=secret]`. The MyST notebooks open as
# notebooks (jupytext; lab/overrides.json, the project's JupyterLab settings, makes it the default
# viewer of .md; notebooks/jupytext.toml keeps a saved chapter as tracked) and render with jupyterlab-myst.
# The lab extra is installed once (a stamp, renewed when pyproject.toml changes); --allow-root
# because the project's machines run as root. Without TOKEN the server makes one and prints the
# address to open. tests/test_lab.py starts JupyterLab with the same options.
PORT  ?= 8888
TOKEN ?=
LAB_OPTIONS := --allow-root --LabApp.app_settings_dir=$(CURDIR)/lab --ServerApp.port=$(PORT)

lab: setup $(VENV)/.lab-installed
	$(BIN)/jupyter lab $(LAB_OPTIONS) $(if $(TOKEN),--IdentityProvider.token=$(TOKEN)) notebooks/

$(VENV)/.lab-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@

clean:
	rm -rf _build book/chapters book/generated node_modules
