# Two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Variables: `make <target> NAME=value` or the environment. `make help` lists each one that
# has a `## ` line above it, with its default; `#> ` lines are variables other tools read.
## the Python that creates .venv (3.11)
PYTHON ?= python3
## your DMS output (folder or s3://bucket/prefix); empty: demo data
SOURCE ?=
## demo data: transactions in the full load
TRANSACTIONS ?= 20000
## demo data: seed (the same seed, the same files)
SEED ?= 42
## the lake dmsw lands into and dbt reads
export LAKE_DIR ?= data/lake
## the DuckDB warehouse dbt builds
export DUCKDB_PATH ?= data/warehouse.duckdb
## more dmsw land options: --allow-other-source, --strict ...
LAND_ARGS ?=
## where make report writes the HTML report
REPORT ?= reports/build/report.html
## more report options: --show-personal-data (names and e-mails in clear), --top, --days, --months
REPORT_ARGS ?=
## first month make metrics shows
START ?= 2025-01-01
## make bench: data sizes
SIZES ?= 100000
## make bench: runs per size
RUNS ?= 1
## make bench: more benchmarks/bench.py options
BENCH_ARGS ?=
## make bench-many: table counts
TABLES ?= 10 30 100
## make bench-landing: transactions
BENCH_TRANSACTIONS ?= 1000000
#> DBT_TARGET=duckdb         dbt target: duckdb, athena or redshift (docs/deploy.md)
#> DBT_THREADS=2             dbt threads (4 on athena and redshift)
#> DUCKDB_MEMORY_LIMIT=5GB   DuckDB's memory limit during dbt runs
#> DUCKDB_THREADS=2          DuckDB's threads during dbt runs
#> DUCKDB_BLOCK_ALLOCATOR_MEMORY=3GB  DuckDB's buffer memory kept between queries in dbt runs
#> DMS_SOURCE, CONTRACTS_DIR, DMSW_LAND_WORKERS, DMSW_LOCK_TTL_HOURS: dmsw's (dmsw --help)

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# dbt-bouncer pins another DuckDB than the warehouse: it gets a venv of its own.
TOOLS_VENV := .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed
DEMO_ROOT := data/dms
DMS_ROOT := $(if $(SOURCE),$(SOURCE),$(DEMO_ROOT))
# dbt vars of every dbt command here (the same each time, or dbt parses the project again).
# The demo data was committed in March 2026 (the simulator's fixed timeline), so for it source
# freshness measures landing time; with SOURCE= it measures the newest DMS commit time.
DBT_VARS = $(if $(SOURCE),{},{freshness_from: landing})
# an absolute path for a folder, an s3:// location as it is
local_abspath = $(if $(filter s3://%,$(1)),$(1),$(abspath $(1)))

# dbt finds profiles/profiles.yml through DBT_PROFILES_DIR here, and through the profiles.yml
# link at the top of the project when you run dbt by hand from there (see `make env`).
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
DBT := $(BIN)/dbt
DMSW := $(BIN)/dmsw

.PHONY: check-warehouses help env setup tools demo-data land models models-check build freshness health docs docs-serve erd report metrics governance sqllint run test lint typecheck pytest test-fast lock clean bench-landing bench bench-many

help: ## list the targets and the variables with their defaults
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  \1\t/' | expand -t 22
	@echo
	@echo "Variables (make <target> NAME=value, or the environment; default after =):"
	@awk '/^## /{doc=substr($$0, 4); next} \
		doc != "" && /^(export )?[A-Z_]+ \?=/{sub(/^export /, ""); split($$0, kv, / \?= ?/); \
		printf "  %-34s %s\n", kv[1] "=" kv[2], doc; next} {doc=""}' $(MAKEFILE_LIST)
	@echo
	@echo "Read by dbt's profile (profiles/profiles.yml) and dmsw, from the environment:"
	@sed -nE 's/^#> /  /p' $(MAKEFILE_LIST)
	@echo
	@echo "dbt by hand: from this folder, .venv/bin/dbt build (profiles.yml links profiles/),"
	@echo "or anywhere after: eval \"\$$(make -s env)\""

env: ## print the environment dbt and dmsw read, for a shell: eval "$(make -s env)"
	@echo "export DBT_PROFILES_DIR=$(CURDIR)/profiles LAKE_DIR=$(call local_abspath,$(LAKE_DIR)) DUCKDB_PATH=$(abspath $(DUCKDB_PATH))"

# The same script builds the production image (Dockerfile).
$(STAMP): pyproject.toml requirements.lock scripts/install.sh
	PYTHON=$(PYTHON) sh scripts/install.sh $(VENV)
	touch $@

setup: $(STAMP) ## create .venv with the pinned packages (requirements.lock)

$(TOOLS_STAMP): requirements-tools.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	touch $@

tools: $(TOOLS_STAMP) ## create .venv-tools with dbt-bouncer (requirements-tools.txt)

data/.demo-data.stamp: | $(STAMP)
	$(DMSW) simulate --out $(DEMO_ROOT) --truth data/truth --seed $(SEED) --transactions $(TRANSACTIONS)
	touch $@

demo-data: data/.demo-data.stamp ## generate demo DMS output in data/dms (TRANSACTIONS=, SEED=)

land: $(STAMP) ## land new DMS files from data/dms (or SOURCE=) into LAKE_DIR (LAND_ARGS=)
	$(DMSW) land --source $(DMS_ROOT) --lake $(LAKE_DIR) $(LAND_ARGS)

models: $(STAMP) ## generate the bronze and silver models from contracts/ (dmsw models generate)
	$(DMSW) models generate

models-check: $(STAMP) ## fail when the generated models differ from contracts/ (part of make test)
	$(DMSW) models check

build: $(STAMP) ## dbt build (seeds, models, tests) into DUCKDB_PATH
	$(DBT) build --vars '$(DBT_VARS)'

freshness: $(STAMP) ## dbt source freshness: newest commit (demo: landing) time per table; exit 1 past an error threshold
	$(DBT) source freshness --vars '$(DBT_VARS)'

health: $(STAMP) ## print the pipeline health: last landing run and dbt build, lag and quarantine per table
	$(BIN)/python -m report.health --database $(DUCKDB_PATH)

docs: erd ## generate the dbt docs site (target/index.html, target/static_index.html)
	$(DBT) docs generate --static --vars '$(DBT_VARS)'

erd: $(STAMP) ## redraw the star schema picture (assets/star_schema.svg) from the manifest
	@# a manifest newer than every project file (make run's build has just written one) is reused
	@manifest=$${DBT_TARGET_PATH:-target}/manifest.json; \
	if [ ! -f "$$manifest" ] || [ -n "$$(find models macros tests seeds dbt_project.yml -newer "$$manifest" -print -quit)" ]; then \
		$(DBT) parse --quiet --vars '$(DBT_VARS)'; \
	fi
	$(BIN)/python -m report.erd --manifest $${DBT_TARGET_PATH:-target}/manifest.json --out assets/star_schema.svg

report: $(STAMP) ## write the HTML report from the warehouse (REPORT, REPORT_ARGS; names masked by default)
	$(BIN)/python -m report --database $(DUCKDB_PATH) --out $(REPORT) $(REPORT_ARGS)

metrics: $(STAMP) ## the booked metrics by month, in the reporting currency, with MetricFlow (START)
	$(DBT) parse --quiet --vars '$(DBT_VARS)'
	$(BIN)/mf query --metrics booked_volume_reporting,booked_net_flow_reporting,pending_volume_reporting,reversed_volume_reporting,booked_without_rate,transaction_count,active_customers \
		--group-by metric_time__month --order metric_time__month \
		--start-time $(START) --decimals 2

governance: $(STAMP) $(TOOLS_STAMP) ## dbt-bouncer, dbt-coverage and sqlfluff on the built warehouse (after make run)
	$(DBT) docs generate --quiet --vars '$(DBT_VARS)'
	$(TOOLS_VENV)/bin/dbt-bouncer run --config-file .dbt-bouncer.yml
	$(BIN)/dbt-coverage compute doc --model-path-filter models/silver --model-path-filter models/gold --cov-fail-under 0.95 --cov-report target/coverage-doc.json
	$(BIN)/python scripts/column_test_coverage.py --target target --fail-under 0.90
	$(MAKE) --no-print-directory sqllint

sqllint: $(STAMP) ## sqlfluff lint models/ (our SQL style: .sqlfluff; needs a built warehouse)
	$(BIN)/sqlfluff lint models

docs-serve: docs ## serve the docs site on http://localhost:8080
	$(DBT) docs serve --port 8080 --no-browser

run: $(STAMP) $(if $(SOURCE),,data/.demo-data.stamp) ## the whole pipeline: [demo data], land, generate models, dbt build, docs, freshness (dbt in one process)
	$(MAKE) --no-print-directory land models SOURCE=$(SOURCE)
	@# build, docs and freshness in one dbt process (scripts/dbt_run.py): parsed once, the docs
	@# not compiled again. Exit 3: stale sources, reported, not a failure of make run
	@# (schedulers: make freshness); any other failure stops here, as make build and make docs do
	@echo "$(BIN)/python scripts/dbt_run.py --vars '$(DBT_VARS)'"
	@status=0; $(BIN)/python scripts/dbt_run.py --vars '$(DBT_VARS)' || status=$$?; \
	if [ $$status -eq 3 ]; then \
		echo "make run: some tables are stale or unchecked (above); make freshness exits 1 for schedulers"; \
	elif [ $$status -ne 0 ]; then exit $$status; fi
	@$(MAKE) --no-print-directory erd SOURCE=$(SOURCE)
	@echo
	@$(BIN)/python -m report.health --database $(DUCKDB_PATH)
	@echo
	@echo "Done. Warehouse: $(DUCKDB_PATH) (schemas bronze, silver, gold)"
	@echo "  query it:  $(BIN)/python -c \"import duckdb; print(duckdb.connect('$(DUCKDB_PATH)', read_only=True).sql('select * from gold.fact_transactions limit 5'))\""
	@echo "  docs:      target/static_index.html (open in a browser), or make docs-serve"
	@echo "  landing:   $(DMSW) status --lake $(LAKE_DIR)"
	@echo "  dbt:       $(DBT) build --select <model>+ (from here: profiles.yml links profiles/)"

# The performance benchmark (benchmarks/bench.py, docs/benchmarks.md). It needs the `bench`
# extra (pyspark, py-spy), installed here once on top of the lock; Java 17 for Spark.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $@

bench: $(BENCH_STAMP) ## benchmark land + dbt build with every test, 1% incremental, vs plain DuckDB and PySpark (SIZES=, RUNS=, BENCH_ARGS=)
	$(BIN)/python benchmarks/bench.py --sizes $(SIZES) --runs $(RUNS) $(BENCH_ARGS)

bench-many: $(STAMP) ## benchmark onboarding, first build + tests and a 1% run of 10, 30 and 100 generated tables (TABLES=)
	$(BIN)/python benchmarks/many_tables.py --tables $(TABLES)

bench-landing: $(STAMP) ## landing throughput vs DuckDB's CSV-to-Parquet copy (BENCH_TRANSACTIONS=)
	$(BIN)/python benchmarks/landing.py --transactions $(BENCH_TRANSACTIONS) --workdir data/bench

lint: $(STAMP) ## ruff on the Python code
	$(BIN)/ruff check ingestion simulator modelgen report tests scripts warehouse_check
	$(BIN)/ruff format --check ingestion simulator modelgen report tests scripts warehouse_check

typecheck: $(STAMP) ## mypy --strict on ingestion/, simulator/, modelgen/, report/ and warehouse_check/
	$(BIN)/mypy

pytest: $(STAMP) $(TOOLS_STAMP) ## all Python tests, slowest 15 listed: landing, simulator, dbt end to end, S3 on moto, Chromium
	$(BIN)/pytest -n 2 --dist loadgroup --no-loadscope-reorder --durations=15

# The fast tier: tests not marked dbt, s3 or browser (pyproject.toml lists the markers).
test-fast: $(STAMP) ## the pure-Python tests only (no dbt, S3 emulation or browser; under a minute)
	$(BIN)/pytest -n 2 --dist loadgroup --no-loadscope-reorder -m "not dbt and not s3 and not browser"

WAREHOUSE_TESTS := tests/python/test_warehouse_dialects.py tests/python/test_warehouse_shims.py \
	tests/python/test_gold_text_lengths.py tests/python/test_deploy_artefacts.py
check-warehouses: $(STAMP) ## offline Athena/Redshift proof: their production SQL run on DuckDB, compared with the native build
	@mkdir -p target && rm -f target/warehouse-proof.txt
	@status=0; WAREHOUSE_PROOF_REPORT=target/warehouse-proof.txt $(BIN)/pytest -q $(WAREHOUSE_TESTS) || status=$$?; \
		cat target/warehouse-proof.txt 2>/dev/null || true; exit $$status

test: lint typecheck models-check pytest ## every check CI runs: lint, typecheck, generated models current, all Python tests

lock: ## re-resolve requirements.lock from pyproject.toml (needs the registry)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dbt,dev,docs,metrics,warehouses]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^pycountry' > requirements.lock
	rm -rf .lock-venv

clean: ## remove data/, target/ and the virtual environments
	rm -rf data target logs reports/build $(VENV) $(TOOLS_VENV)
