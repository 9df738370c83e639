# Stagelab — the two commands a newcomer needs are `make lab` and `make test`.
# Everything else here is a step those two run, or an instructor's tool.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stagelab-installed
PORT   ?= 8888

.PHONY: lab test check host setup engine images browser book bench clean doctor stop-engine hub hub-stop

## make lab: set everything up and open the course in JupyterLab
lab: host setup engine images
	@echo "Opening the course: notebooks/00-welcome.ipynb"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --port=$(PORT) \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) notebooks/00-welcome.ipynb

## make test: every test, against the real engine (installs and starts it when missing)
test: host setup engine images browser
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests — that proves nothing, failing." >&2; exit 1; fi; \
	exit $$rc

## make check: the maintainer's quick loop (under a minute): ruff (lint + format) and the tests that need
## no engine, browser or book build. `make test` is still what CI runs.
check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -p no:cacheprovider \
	  -m "not engine and not browser and not notebook and not slow" tests

## make host: the host's own packages (python3-venv, mmdebstrap; apt, as root) from scripts/host-packages.txt
host:
	@bash scripts/host-tools.sh install setup

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment with $(PYTHON). On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

## make engine: install (Linux, root) and start the Docker engine with BuildKit/buildx; no-op when it answers
engine:
	@bash scripts/engine.sh

stop-engine:
	@bash scripts/engine.sh stop

## make images: make every base image the course uses (pull, or build a local stand-in)
images: setup engine
	$(BIN)/stagelab images prepare

## make browser: Debian's Chromium for the browser tests
browser:
	@bash scripts/browser.sh

## make book: the course website, from the outputs stored in the notebooks (no engine needed)
book: setup
	$(BIN)/sphinx-build -W -n --keep-going -b html -c book . _build/html
	@echo "Open _build/html/index.html"

## make bench: every benchmark; rewrites bench/RESULTS.md
bench: setup engine images
	$(BIN)/python bench/run_all.py

## make hub: a workshop on this host — JupyterHub, one JupyterLab and one private engine per learner
## (book/instructors/hub.md). `make hub-stop` stops it; `make hub-stop PURGE=1` also removes learners' work.
hub: setup engine images
	$(BIN)/stagelab hub setup
	$(BIN)/stagelab hub start

hub-stop: setup
	$(BIN)/stagelab hub stop $(if $(PURGE),--purge)

doctor: setup
	$(BIN)/stagelab doctor

clean: setup
	$(BIN)/stagelab clean
