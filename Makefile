# The README's two commands:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_POSTGRES_URL

.PHONY: lock audit sbom run test setup test-deps lint test-unit test-web test-postgres test-package test-browser bench fonts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed
	./scripts/system-deps.sh run

## make run: install, migrate the embedded SQLite database, load demo data if empty, serve on 127.0.0.1:5000
## (with PHAT_REDIS_URL set, jobs go to RQ: run `phat jobs-worker` beside it; else a local worker starts with the app)
run: setup
	PHAT_ENV=development $(BIN)/flask --app clinic db-upgrade
	PHAT_ENV=development $(BIN)/flask --app clinic demo-data
	@echo "Open http://$(HOST):$(PORT)/ in your browser (Ctrl+C stops the server)."
	PHAT_ENV=development PHAT_JOBS_LOCAL_WORKER=1 $(BIN)/flask --app clinic run --host $(HOST) --port $(PORT)

test-deps: $(VENV)/.installed-test
	./scripts/system-deps.sh test

## make test: install what the tests need and run every layer (lint, unit, web on SQLite and
## PostgreSQL when reachable, browser). pytest's exit code 5 ("no tests ran") fails the run.
test: test-deps lint test-unit test-web test-postgres test-package test-browser

lint:
	$(BIN)/ruff check .

test-unit:
	$(BIN)/pytest tests/unit -q

test-web:
	$(BIN)/pytest tests/web -q

test-postgres:
	@if $(BIN)/python scripts/pg-reachable.py; then \
		echo "Running the web layer against PostgreSQL ($(TEST_POSTGRES_URL))"; \
		TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest tests/web -q; \
	else echo "PostgreSQL not reachable: web layer ran on SQLite only."; fi

## the wheel installs into a fresh venv outside the checkout and runs (db-upgrade, demo-data, a report)
test-package:
	$(BIN)/pytest tests/package -q

test-browser:
	$(BIN)/pytest tests/browser -q

## make lock: pin every dependency with its hashes; make audit: check the pins against known vulnerabilities
lock:
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra test -o requirements.lock pyproject.toml

audit:
	$(BIN)/pip-audit -r requirements.lock --require-hashes --disable-pip --strict

## make sbom: a CycloneDX 1.6 JSON SBOM of every pinned dependency in requirements.lock (build/sbom.cdx.json)
sbom:
	@mkdir -p build
	$(BIN)/cyclonedx-py requirements --pyproject pyproject.toml --of JSON --output-reproducible \
		-o build/sbom.cdx.json requirements.lock

bench: $(VENV)/.installed-test
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make fonts: rebuild the bundled report font subsets (needs Debian's fonts-inter and fontTools)
fonts: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pdf.build_fonts

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
