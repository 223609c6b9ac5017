# One task runner. `make serve` and `make test` are the README's two commands.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: setup serve ingest test lint format typecheck bench quality screenshots clean

$(BIN)/esgdata: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $@

setup: $(BIN)/esgdata  ## create .venv and install esgdata with its test tools

ingest: setup  ## read the bundled sample releases into the store
	$(BIN)/esgdata ingest seeds/

serve: ingest  ## ingest seeds/ and open the dashboard on http://127.0.0.1:$(PORT)
	$(BIN)/streamlit run dashboard.py --server.address 127.0.0.1 --server.port $(PORT) --browser.gatherUsageStats false

lint: setup  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint  ## lint, then every test with coverage (pytest exit 5, no tests, fails too)
	$(BIN)/python -m pytest -p no:cacheprovider --cov=esgdata --cov-report=term:skip-covered

screenshots: setup  ## refresh the README's pictures in docs/screenshots/ (tests write theirs to a temp folder)
	ESGDATA_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -p no:cacheprovider -q tests/e2e/test_browser.py

bench: setup  ## speed and memory benchmarks
	$(BIN)/python bench/ingest.py --releases 10000

quality: setup  ## extraction figures on the dev gold in ../shared
	$(BIN)/python bench/quality.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage *.egg-info
