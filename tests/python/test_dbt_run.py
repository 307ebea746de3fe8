"""scripts/dbt_run.py, make run's dbt step: build, docs generate --static --no-compile and source
freshness in one process on one parsed manifest. The session's demo warehouse
(support/built_project.py) is built by it; a failing build is run on a copy of it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from support.built_project import BuiltProject
from support.pipeline import Pipeline
from support.project import DBT_RUN

pytestmark = pytest.mark.dbt


def test_one_process_builds_documents_with_compiled_sql_and_checks_freshness(
    built_project: BuiltProject,
) -> None:
    target = built_project.target
    assert built_project.query("select count(*) from gold.fact_transactions")[0][0] > 0

    # the docs were not compiled again: the build's compiled SQL is what they show
    manifest_text = (target / "manifest.json").read_text(encoding="utf-8")
    nodes = json.loads(manifest_text)["nodes"].values()
    kinds = Counter(node["resource_type"] for node in nodes)
    compiled = Counter(node["resource_type"] for node in nodes if node.get("compiled_code"))
    # 189 data tests since one columns_are_not_null per model replaced 161 not_null tests
    assert kinds["model"] > 40 and kinds["test"] > 150 and kinds["analysis"] > 0
    for kind in ("model", "test", "analysis"):
        assert compiled[kind] == kinds[kind], f"{kind}: {compiled[kind]} of {kinds[kind]} compiled"

    # the single-file site embeds that manifest and the catalog
    catalog_text = (target / "catalog.json").read_text(encoding="utf-8")
    assert json.loads(catalog_text)["nodes"]["model.dms_warehouse.fact_transactions"]["columns"]
    page = (target / "static_index.html").read_text(encoding="utf-8")
    assert manifest_text.strip() in page and catalog_text.strip() in page

    # freshness ran last and recorded its sources; the demo's commits are in March 2026, so
    # some are past the error threshold: exit 3, the build and docs done
    sources = json.loads((target / "sources.json").read_text(encoding="utf-8"))["results"]
    assert {r["unique_id"].split(".")[-2] for r in sources} >= {"core_banking", "events"}
    assert built_project.dbt_run_exit == 3
    assert "error" in {r["status"] for r in sources}

    # the on-run-end hook recorded the build and the freshness, each its own invocation
    recorded = built_project.query(
        "select command, count(*) from ops.ops_dbt_invocations as i"
        " join ops.ops_dbt_results as r using (invocation_id) group by all"
    )
    by_command = {str(command): int(results) for command, results in recorded}
    # the build's nodes: about 250 (models, seeds, data and unit tests)
    assert by_command.get("build", 0) > 200 and by_command.get("freshness", 0) >= len(sources)


def test_a_failing_build_exits_1_and_generates_no_docs(
    built_project: BuiltProject, tmp_path: Path
) -> None:
    broken = Pipeline(tmp_path)  # its own warehouse and target folder
    broken.env["LAKE_DIR"] = str(built_project.lake)
    shutil.copy(built_project.database, broken.database)
    with duckdb.connect(str(broken.database)) as connection:
        connection.execute("insert into gold.dim_dates select * from gold.dim_dates limit 1")

    # only the key tests of dim_dates: both now fail (the date and its key doubled)
    result = broken.run(
        sys.executable, str(DBT_RUN), "--", "--select", "dim_dates,test_name:primary_key"
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr
    assert "dbt_run: dbt build failed (above)" in result.stderr
    # the exit handlers ran before it left (multiprocessing's semaphores released)
    assert "leaked semaphore" not in result.stderr, result.stderr
    results = json.loads((broken.target / "run_results.json").read_text(encoding="utf-8"))
    failed = [r["unique_id"] for r in results["results"] if r["status"] == "fail"]
    assert failed and all(".primary_key_dim_dates_" in unique_id for unique_id in failed), failed
    for artefact in ("catalog.json", "static_index.html", "sources.json"):
        assert not (broken.target / artefact).exists(), f"{artefact} written after a failed build"


LEAVE_WITH_AN_OPEN_WAREHOUSE = """
import os, sys
sys.path.insert(0, sys.argv[1])
import dbt_run
from dbt.adapters.duckdb import environments
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.adapters.duckdb.credentials import DuckDBCredentials

# the warehouse as dbt-duckdb leaves it after a command: its environment open, a change in
# the write-ahead log
opened = environments.create(DuckDBCredentials(path=sys.argv[2], database="w", schema="main"))
DuckDBConnectionManager._ENV = opened
handle = opened.handle()
handle.cursor().execute("create table kept as select range as i from range(1000)")
handle.close()
assert os.path.exists(sys.argv[2] + ".wal")
dbt_run.leave(0) if sys.argv[3] == "leave" else os._exit(0)
"""


@pytest.mark.parametrize("how", ["leave", "os._exit"])
def test_leaving_closes_the_warehouse_first(tmp_path: Path, how: str) -> None:
    database = tmp_path / "w.duckdb"
    script = [sys.executable, "-c", LEAVE_WITH_AN_OPEN_WAREHOUSE, str(DBT_RUN.parent)]
    result = subprocess.run(
        [*script, str(database), how], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # leave: DuckDB folded the log into the file on close; a bare os._exit leaves it behind
    assert Path(f"{database}.wal").exists() == (how == "os._exit")
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("select count(*), sum(i) from kept").fetchone() == (1000, 499500)
