# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit fuzz bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Local mode: anyone on this machine may read; writes need the admin key printed on the first run.
run: $(VENV)/.installed
	$(BIN)/coopscore migrate && $(BIN)/coopscore seed --if-empty && $(BIN)/coopscore keys bootstrap
	COOPSCORE_ALLOW_ANONYMOUS_READS=$${COOPSCORE_ALLOW_ANONYMOUS_READS:-true} \
		$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

test: lint typecheck unit

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed
	$(BIN)/mypy

unit: $(VENV)/.installed
	$(BIN)/pytest

# Longer fuzzing than make test runs: every operation with many examples, then the stateful phase
# against a real server on a seeded database.
fuzz: $(VENV)/.installed
	COOPSCORE_FUZZ_EXAMPLES=200 $(BIN)/pytest tests/fuzz
	$(BIN)/python -m tests.fuzz.live --max-examples 100

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_scores.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
