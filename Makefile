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

RUN_STAMP := $(VENV)/.installed-run
PY_CHECK := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Townsquare needs Python 3.11 or newer")'

# Everything: running, tests, lint and benchmarks (requirements/dev.lock, a superset of base.lock).
$(STAMP): requirements/dev.lock pyproject.toml
	@$(PY_CHECK)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP) $(RUN_STAMP)

# Only what running needs (requirements/base.lock); a full install above already has it.
$(RUN_STAMP): requirements/base.lock pyproject.toml
	@$(PY_CHECK)
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt requirements/base.lock ]; then touch $(RUN_STAMP); exit 0; fi; \
	  set -e; echo "Installing what running needs (requirements/base.lock)"; \
	  test -d $(VENV) || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/pip install --disable-pip-version-check -r requirements/base.lock; \
	  $(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .; \
	  test -x $(BIN)/townsquare; touch $(RUN_STAMP)

# npm: every package (tests and benchmarks: axe-core, oidc-provider, Lighthouse) ...
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed node_modules/.installed-run

# ... or only the portal's build (the "dependencies" of package.json: GOV.UK Frontend, sass, Leaflet, Swagger UI,
# Twilio's Voice SDK).
node_modules/.installed-run: package.json package-lock.json
	@if [ -f node_modules/.installed ] && [ node_modules/.installed -nt package-lock.json ]; then touch $@; exit 0; fi; \
	  set -e; echo "Installing the portal's build packages (npm, without the test and benchmark tools)"; \
	  npm ci --omit=dev --no-audit --no-fund --loglevel=error; touch $@

BUILD := src/townsquare/web/static/build
GOVUK := node_modules/govuk-frontend/dist/govuk

# The portal's stylesheet and scripts, built from GOV.UK Frontend (npm) with the system font stack; Leaflet for
# the map, Twilio's Voice SDK for the desk's softphone and Swagger UI for /docs, copied as published so none is
# ever loaded from a CDN.
$(BUILD)/.built: node_modules/.installed-run frontend/portal.scss frontend/tokens.scss $(wildcard frontend/*.js)
	mkdir -p $(BUILD)
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps frontend/portal.scss $(BUILD)/portal.css
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps frontend/tokens.scss $(BUILD)/tokens.css
	cp $(GOVUK)/govuk-frontend.min.js $(BUILD)/govuk-frontend.min.js
	cp frontend/map.js $(BUILD)/map.js
	mkdir -p $(BUILD)/leaflet
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(BUILD)/leaflet/
	mkdir -p $(BUILD)/twilio-voice
	cp node_modules/@twilio/voice-sdk/dist/twilio.min.js node_modules/@twilio/voice-sdk/LICENSE.md $(BUILD)/twilio-voice/
	mkdir -p $(BUILD)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/favicon-32x32.png $(BUILD)/swagger-ui/
	touch $(BUILD)/.built

install: $(STAMP) ## Create .venv with everything (tests, lint, benchmarks) from requirements/dev.lock

assets: $(BUILD)/.built ## Build the portal's CSS and JS (and copy Leaflet, the Voice SDK and Swagger UI) from npm packages

browser: ## Install Debian's Chromium for the browser tests, if it is missing
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

TESSERACT ?= /usr/bin/tesseract
ocr: ## Install Debian's Tesseract with its English and French languages (the post in reads scanned letters), if missing
	@{ test -x $(TESSERACT) && $(TESSERACT) --list-langs 2>/dev/null | grep -qx fra; } || { echo "Installing Debian's tesseract-ocr (eng, fra) for scanned letters"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra >/dev/null; }

REDIS_SERVER ?= /usr/bin/redis-server
redis: ## Install Debian's redis-server for the tests of several processes (the bus between them, shared limits), if missing
	@test -x $(REDIS_SERVER) || { echo "Installing Debian's redis-server for the tests of several processes"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server >/dev/null; }

HAPROXY ?= /usr/sbin/haproxy
haproxy: ## Install Debian's HAProxy (the load balancer in front of several app processes: benchmarks, the soak), if missing
	@test -x $(HAPROXY) || { echo "Installing Debian's haproxy for the benchmarks of several processes"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq haproxy >/dev/null; }

postgres: ## Install Debian's PostgreSQL server for the soak (it runs a throwaway cluster of its own), if missing
	@ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || { echo "Installing Debian's postgresql for the soak"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

run: $(RUN_STAMP) $(BUILD)/.built ocr ## Install only what running needs, then start the demo city at http://127.0.0.1:8000 (SQLite under ./var)
	$(BIN)/townsquare demo

test: install node_modules/.installed $(BUILD)/.built browser ocr redis lint ## Lint, then run the whole test suite (SQLite; PostgreSQL when TOWNSQUARE_TEST_DATABASE_URL is set)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

pytest: install node_modules/.installed $(BUILD)/.built browser ocr redis ## Run only the test suite
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install ## ruff, mypy --strict on src/, tests/ and bench/, import-linter contracts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: install ## Format and auto-fix
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install node_modules/.installed $(BUILD)/.built browser ## Run the benchmarks in bench/ and print their ratios
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/routing_sim.py
	$(BIN)/python bench/lighthouse.py
	$(BIN)/python bench/search_quality.py
	$(BIN)/python bench/open311.py
	$(BIN)/python bench/sharing.py
	$(BIN)/python bench/identity.py
	$(BIN)/python bench/identity_realtime.py --people 100000   # a million: --database-url to a PostgreSQL

SOAK_ARGS ?=
soak: install redis haproxy postgres ## The reliability suite (not in make test): 3 app processes + 2 workers behind HAProxy, kill -9 and restarts mid-burst; SOAK_ARGS=--short for CI's form
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

lock: install ## Re-resolve requirements/*.lock from pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) node_modules var $(BUILD) .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install assets browser ocr redis haproxy postgres run test pytest lint fmt bench soak lock clean
