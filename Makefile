# Townsquare — run `make help` to see every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Townsquare needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies

run: install ## Start the demo city at http://127.0.0.1:8000 (SQLite under ./var)
	$(BIN)/townsquare demo

test: install lint ## Lint, then run the whole test suite (SQLite; PostgreSQL when TOWNSQUARE_TEST_DATABASE_URL is set)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

pytest: install ## Run only the test suite
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install ## ruff, mypy --strict on src/, import-linter contracts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: install ## Format and auto-fix
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install ## Run the benchmarks in bench/ and print their ratios
	$(BIN)/python bench/ingest.py

lock: install ## Re-resolve requirements/*.lock from pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install run test pytest lint fmt bench lock clean
