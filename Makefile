# portfolj – the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test test-fast lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/portfolj seed
	$(BIN)/portfolj serve --demo --port $(PORT)

AXE := tests/browser/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

# Everything CI runs: the tests without a browser on both cores, then the browser tests one at a
# time (each starts a server and Chromium; two at once would only measure the machine).
# A browser test that fails is run once more, and the report lists it as RERUN, so a flake is seen
# and still fails CI when it repeats. The two causes found so far are fixed in the app: a select
# box that fell back to its first option, and a download that reran the page under a second click
# (issue notes of 2026-12-04). Remove --reruns once clean-clone runs show no RERUN for a while.
test: $(VENV)/.dev-installed $(AXE) lint
	$(BIN)/python -m pytest -m "not browser" -n 2
	$(BIN)/python -m pytest -m browser --reruns 1

# Quick feedback while working: lint, unit, integration and AppTest, no browser.
test-fast: $(VENV)/.dev-installed lint
	$(BIN)/python -m pytest -m "not browser" -n auto

lint: $(VENV)/.dev-installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
