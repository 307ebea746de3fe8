"""The tests of the generated bronze change logs read only the landing runs no whole build has
proven (macros/ops/proven_landing_runs.sql, docs/changes.md "What the tests read").

Simulated DMS output is delivered in three landing runs, plus a hand-written file holding a
record landing must quarantine. After each run, `dbt build`: the first build tests every
change; the second reads only the second landing run's rows (as many as the delivered CSV
files hold, counted here); a build with a failing test proves nothing, so the next build tests
that run again; `--full-refresh` and the var test_all_changes test every change.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.pipeline import Pipeline

from simulator import SimulationConfig, simulate

pytestmark = pytest.mark.dbt

SCOPED = re.compile(r"where landing_run_id in \(([^)]*)\)\) as scoped_to_runs")
NOTHING = "where 1 = 0) as scoped_to_runs"
RELATION = re.compile(r"\(select \* from \S+ where [^)]*\)\) as scoped_to_runs")
# accounts, CDC: one good change, one record whose account_id is not a bigint (quarantined)
BAD_ACCOUNTS = (
    "Op,dms_commit_ts,account_id,customer_id,account_number,account_type,currency,status,"
    "opened_at,closed_at,created_at,updated_at,dms_change_seq\n"
    "I,2026-04-01 09:00:00.000000,9900001,100001,DE00123,savings,EUR,active,"
    "2026-04-01 00:00:00,,2026-04-01 09:00:00.000000,2026-04-01 09:00:00.000000,"
    "20260401090000000000000000000000001\n"
    "U,2026-04-01 09:00:01.000000,not-a-number,100001,DE00124,savings,EUR,active,"
    "2026-04-01 00:00:00,,2026-04-01 09:00:01.000000,2026-04-01 09:00:01.000000,"
    "20260401090001000000000000000000001\n"
)


@dataclass
class Build:
    """What one dbt invocation did: its exit code, the landing runs each scoped test read
    (None: every change), its test statuses, and the runs proven after it."""

    returncode: int
    scopes: dict[str, list[str] | None] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)
    """The scoped relation each scoped test read, as its SQL ran."""
    statuses: dict[str, str] = field(default_factory=dict)
    proven: set[str] = field(default_factory=set)


@dataclass
class Story:
    pipeline: Pipeline
    runs: list[str]
    builds: dict[str, Build]
    new_account_rows: int
    scoped_counts: dict[str, int]


def _scoped_tests(pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    manifest = json.loads((pipeline.target / "manifest.json").read_text())
    return {
        node["unique_id"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node["config"].get("meta") or {}).get("test_scope") == "landing_runs_not_proven"
    }


def _executed_sql(pipeline: Pipeline, node: dict[str, Any]) -> str:
    folder = pipeline.target / "run" / node["package_name"] / node["original_file_path"]
    return (folder / Path(node["path"]).name).read_text()


def _scope(sql: str) -> list[str] | None:
    if NOTHING in sql:
        return []
    found = SCOPED.search(sql)
    if found is None:
        return None
    return sorted(r.strip().strip("'") for r in found.group(1).split(","))


def _build(pipeline: Pipeline, *args: str) -> Build:
    result = pipeline.dbt(*args, check=False)
    build = Build(result.returncode)
    run_results = json.loads((pipeline.target / "run_results.json").read_text())
    build.statuses = {
        r["unique_id"]: r["status"]
        for r in run_results["results"]
        if r["unique_id"].startswith("test.")
    }
    for unique_id, node in _scoped_tests(pipeline).items():
        if unique_id in build.statuses:
            sql = _executed_sql(pipeline, node)
            build.scopes[unique_id] = _scope(sql)
            relation = RELATION.search(sql)
            if relation is not None:
                build.relations[unique_id] = relation.group(0)
    build.proven = {
        r for (r,) in pipeline.query("select landing_run_id from ops.ops_proven_landing_runs")
    }
    return build


def _deliveries(files: list[Path]) -> list[list[Path]]:
    loads = [f for f in files if f.name.startswith("LOAD")]
    by_day: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        if not path.name.startswith("LOAD"):
            by_day[path.name[:8]].append(path)
    return [loads, *(by_day[day] for day in sorted(by_day))]


def _csv_rows(paths: list[Path]) -> int:
    """Data rows of the delivered CSV files (each starts with a header row)."""
    total = 0
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            total += sum(1 for _ in csv.reader(handle)) - 1
    return total


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    root = tmp_path_factory.mktemp("proven")
    staging = root / "staging"
    summary = simulate(
        SimulationConfig(
            out_dir=staging, truth_dir=root / "truth", seed=5, transactions=400, batches=1,
            dirt_rate=0.0,
        )
    )  # fmt: skip
    pipeline = Pipeline(root / "run")
    deliveries = _deliveries(summary.files)
    assert len(deliveries) == 2
    runs: list[str] = []
    builds: dict[str, Build] = {}
    for name, delivery in zip(["first", "second"], deliveries, strict=True):
        pipeline.deliver(staging, delivery)
        runs.append(pipeline.land().run_id)
        builds[name] = _build(pipeline, "build")
    new_accounts = [p for p in deliveries[1] if p.parent.name == "accounts"]
    # the rows each scoped test of accounts read in the second build: its relation, as run
    scoped_counts: dict[str, int] = {}
    for unique_id, node in _scoped_tests(pipeline).items():
        relation = builds["second"].relations.get(unique_id)
        if node["attached_node"].endswith(".stg_core_banking__accounts") and relation:
            (count,) = pipeline.query(f"select count(*) from {relation}")[0]
            scoped_counts[unique_id] = int(count)

    # a third run with a record landing quarantines; the build's no_new_quarantine test fails
    pipeline.write("core_banking/accounts/20260401-090000000.csv", BAD_ACCOUNTS)
    landed = pipeline.land()
    assert landed.rows_quarantined == 1
    runs.append(landed.run_id)
    builds["failing"] = _build(pipeline, "build", "--vars", "{quarantine_error_above: 0}")
    builds["after failing"] = _build(pipeline, "build")
    builds["all changes"] = _build(
        pipeline, "test", "--select", "stg_core_banking__accounts", "--vars",
        "{test_all_changes: true}",
    )  # fmt: skip
    builds["full refresh"] = _build(pipeline, "build", "--full-refresh")
    return Story(pipeline, runs, builds, _csv_rows(new_accounts), scoped_counts)


def test_the_first_build_tests_every_change_and_proves_its_run(story: Story) -> None:
    first = story.builds["first"]
    assert first.returncode == 0
    assert first.scopes and set(first.scopes.values()) == {None}
    assert first.proven == {story.runs[0]}


def test_the_next_build_tests_only_the_new_run(story: Story) -> None:
    second = story.builds["second"]
    assert second.returncode == 0
    assert len(second.scopes) >= 4 * 4  # every table: change_id x2, key, metadata, reconcile
    assert all(scope == [story.runs[1]] for scope in second.scopes.values()), second.scopes
    assert all(second.statuses[t] == "pass" for t in second.scopes)
    assert second.proven == {story.runs[0], story.runs[1]}


def test_the_scoped_tests_read_as_many_rows_as_the_new_run_delivered(story: Story) -> None:
    assert story.new_account_rows > 0
    assert len(story.scoped_counts) >= 4
    assert set(story.scoped_counts.values()) == {story.new_account_rows}


def test_a_build_with_a_failing_test_proves_nothing(story: Story) -> None:
    failing = story.builds["failing"]
    assert failing.returncode != 0
    assert "fail" in failing.statuses.values()
    assert failing.proven == {story.runs[0], story.runs[1]}
    # the run it did not prove is tested again, alone, by the next build, which proves it
    after = story.builds["after failing"]
    assert after.returncode == 0
    assert all(scope == [story.runs[2]] for scope in after.scopes.values()), after.scopes
    assert after.proven == set(story.runs)


def test_the_var_test_all_changes_tests_every_change(story: Story) -> None:
    everything = story.builds["all changes"]
    assert everything.returncode == 0
    assert everything.scopes and set(everything.scopes.values()) == {None}


def test_a_full_refresh_tests_every_change_and_proves_the_runs_again(story: Story) -> None:
    full = story.builds["full refresh"]
    assert full.returncode == 0
    assert full.scopes and set(full.scopes.values()) == {None}
    assert full.proven == set(story.runs)
    (invocations,) = story.pipeline.query(
        "select count(distinct proven_by_invocation_id) from ops.ops_proven_landing_runs"
    )[0]
    assert invocations == 1
