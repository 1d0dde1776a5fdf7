# Townsquare — run `make help` to see every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Townsquare needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed

install: $(STAMP) ## Create .venv from the lock files

browser: ## Install Debian's Chromium for the browser tests, if it is missing
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

run: install ## Start the demo city at http://127.0.0.1:8000 (SQLite under ./var)
	$(BIN)/townsquare demo

test: install node_modules/.installed browser lint ## Lint, then run the whole test suite (SQLite; PostgreSQL when TOWNSQUARE_TEST_DATABASE_URL is set)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

pytest: install node_modules/.installed browser ## Run only the test suite
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
	$(BIN)/python bench/routing_sim.py

lock: install ## Re-resolve requirements/*.lock from pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install browser run test pytest lint fmt bench lock clean
