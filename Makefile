# OpenMASH: `make demo` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_LINK_MODE ?= copy
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
STAMP := .data/.installed

.PHONY: help install assets demo serve test test-fast lint typecheck importlint check-deploy browser java db-stop clean

help:
	@echo "make demo     install, start the embedded database, load the synthetic borough, serve on http://127.0.0.1:8000"
	@echo "make test     install what the tests need and run them all against a throwaway PostgreSQL"
	@echo "make lint     ruff, mypy and import-linter"

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv

# Python from uv.lock, front-end assets from package-lock.json. Re-runs only when a lock file changes.
$(STAMP): pyproject.toml uv.lock package.json package-lock.json scripts/build-assets.mjs | $(UV)
	@mkdir -p .data
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build-assets.mjs
	@touch $(STAMP)

install: $(STAMP)

assets:
	node scripts/build-assets.mjs

demo: install
	$(BIN)/openmash demo

serve: install
	$(BIN)/openmash serve

# Debian's Chromium for the Playwright tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

# Java for pyspark (the matching app's Spark backend tests, in local mode).
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Debian's default-jre-headless for the Spark tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; fi; }

test: install browser java
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup
	$(MAKE) --no-print-directory lint check-deploy

test-fast: install
	$(BIN)/pytest -x -q -m "not browser and not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy src/openmash

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY="check-deploy-only-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
	DATABASE_URL=postgresql://openmash@localhost/openmash OPENMASH_DEMO=0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

db-stop:
	-$(BIN)/openmash db stop

clean: db-stop
	rm -rf .data static_build node_modules $(VENV)
