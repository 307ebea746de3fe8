# Two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Where DMS files come from. Empty: generate demo data into data/dms first.
SOURCE ?=
DEMO_ROOT := data/dms
DMS_ROOT := $(if $(SOURCE),$(SOURCE),$(DEMO_ROOT))
# Demo data size and determinism.
TRANSACTIONS ?= 20000
SEED ?= 42

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export LAKE_DIR ?= data/lake
export DUCKDB_PATH ?= data/warehouse.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
DBT := $(BIN)/dbt
DMSW := $(BIN)/dmsw

.PHONY: help setup demo-data land build docs docs-serve run test lint typecheck pytest lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(STAMP) ## create .venv with the pinned packages (requirements.lock)

data/.demo-data.stamp: | $(STAMP)
	$(DMSW) simulate --out $(DEMO_ROOT) --truth data/truth --seed $(SEED) --transactions $(TRANSACTIONS)
	touch $@

demo-data: data/.demo-data.stamp ## generate demo DMS output in data/dms (TRANSACTIONS=, SEED=)

land: $(STAMP) ## land new DMS files from $(DMS_ROOT) into the lake (SOURCE=<dms root>)
	$(DMSW) land --source $(DMS_ROOT) --lake $(LAKE_DIR)

build: $(STAMP) ## dbt build (seeds, models, tests) into data/warehouse.duckdb
	$(DBT) build

docs: $(STAMP) ## generate the dbt docs site (target/index.html, target/static_index.html)
	$(DBT) docs generate --static

docs-serve: docs ## serve the docs site on http://localhost:8080
	$(DBT) docs serve --port 8080 --no-browser

run: $(STAMP) $(if $(SOURCE),,data/.demo-data.stamp) ## the whole pipeline: [demo data], land, dbt build, docs
	$(MAKE) --no-print-directory land build docs SOURCE=$(SOURCE)
	@echo
	@echo "Done. Warehouse: $(DUCKDB_PATH) (schemas bronze, silver, gold)"
	@echo "  query it:  $(BIN)/python -c \"import duckdb; print(duckdb.connect('$(DUCKDB_PATH)', read_only=True).sql('select * from gold.fact_transactions limit 5'))\""
	@echo "  docs:      target/static_index.html (open in a browser), or make docs-serve"
	@echo "  landing:   $(DMSW) status --lake $(LAKE_DIR)"

lint: $(STAMP) ## ruff on the Python code
	$(BIN)/ruff check ingestion tests scripts
	$(BIN)/ruff format --check ingestion tests scripts

typecheck: $(STAMP) ## mypy --strict on ingestion/
	$(BIN)/mypy

pytest: $(STAMP) ## the Python tests, including the end-to-end warehouse tests
	$(BIN)/pytest

test: lint typecheck pytest ## every check CI runs

lock: ## re-resolve requirements.lock from pyproject.toml (needs the registry)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dbt,dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^pycountry' > requirements.lock
	rm -rf .lock-venv

clean: ## remove data/, target/ and the virtual environment
	rm -rf data target logs $(VENV)
