"""The tests of the generated bronze change logs and silver `__latest` models read only the
landing runs no whole build has proven (macros/ops/proven_landing_runs.sql, docs/changes.md
"What the tests read").

Simulated DMS output is delivered in three landing runs, plus a hand-written file holding a
record landing must quarantine. After each run, `dbt build`: the first build tests every
change; the second reads only the second landing run's rows (as many as the delivered CSV
files hold, counted here; in silver, one row per key those files carry); a build with a
failing test proves nothing, so the next build tests that run again; proofs made by other
code (another project checksum) are forgotten, so that build tests every row; `--full-refresh`
and the var test_all_changes test every change.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.pipeline import Pipeline
from support.project import PROJECT

from simulator import SimulationConfig, simulate

pytestmark = pytest.mark.dbt

BRONZE_SCOPE = "landing_runs_not_proven"
SILVER_SCOPE = "landed_in_runs_not_proven"
SCOPED = re.compile(r"landing_run_id in \(([^)]*)\)")
# the query landing_runs_to_test asks (macros/ops/proven_landing_runs.sql), as dbt's log has it
ASKED = "where landing_run_id not in (select landing_run_id from"
DBT_THREADS = int(os.environ.get("DBT_THREADS", "2"))  # profiles/profiles.yml's default
NOTHING = "1 = 0"
END = ") as scoped_to_runs"
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
    checksums: set[str | None] = field(default_factory=set)
    """The project checksums the proofs after it were made with."""
    asked: int = 0
    """How often the invocation queried the unproven runs (dbt's debug log)."""


@dataclass
class Story:
    pipeline: Pipeline
    runs: list[str]
    builds: dict[str, Build]
    new_account_rows: int
    scoped_counts: dict[str, int]
    new_account_keys: int
    silver_counts: dict[str, int]


def _scoped_tests(pipeline: Pipeline, scope: str = BRONZE_SCOPE) -> dict[str, dict[str, Any]]:
    manifest = json.loads((pipeline.target / "manifest.json").read_text())
    return {
        node["unique_id"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node["config"].get("meta") or {}).get("test_scope") == scope
    }


def _executed_sql(pipeline: Pipeline, node: dict[str, Any]) -> str:
    folder = pipeline.target / "run" / node["package_name"] / node["original_file_path"]
    return (folder / Path(node["path"]).name).read_text()


def _relation(sql: str) -> str | None:
    """The scoped relation a test read, `(select ...) as scoped_to_runs`, as it ran."""
    end = sql.find(END)
    if end < 0:
        return None
    depth = 0
    for start in range(end, -1, -1):
        depth += {")": 1, "(": -1}.get(sql[start], 0)
        if depth == 0:
            return sql[start : end + len(END)]
    raise AssertionError(f"unbalanced scoped relation:\n{sql}")


def _scope(sql: str) -> list[str] | None:
    relation = _relation(sql)
    if relation is None:
        return None
    if NOTHING in relation:
        return []
    found = SCOPED.search(relation)
    assert found is not None, relation
    return sorted(r.strip().strip("'") for r in found.group(1).split(","))


def _build(pipeline: Pipeline, *args: str) -> Build:
    log = pipeline.root / "logs" / "dbt.log"
    logged = log.stat().st_size if log.exists() else 0
    result = pipeline.dbt(*args, check=False)
    build = Build(result.returncode)
    with log.open("rb") as handle:
        handle.seek(logged)
        build.asked = handle.read().decode("utf-8", errors="replace").count(ASKED)
    run_results = json.loads((pipeline.target / "run_results.json").read_text())
    build.statuses = {
        r["unique_id"]: r["status"]
        for r in run_results["results"]
        if r["unique_id"].startswith("test.")
    }
    for scope in (BRONZE_SCOPE, SILVER_SCOPE):
        for unique_id, node in _scoped_tests(pipeline, scope).items():
            if unique_id in build.statuses:
                sql = _executed_sql(pipeline, node)
                build.scopes[unique_id] = _scope(sql)
                relation = _relation(sql)
                if relation is not None:
                    build.relations[unique_id] = relation
    proven = pipeline.query(
        "select landing_run_id, project_checksum from ops.ops_proven_landing_runs"
    )
    build.proven = {r for r, _ in proven}
    build.checksums = {c for _, c in proven}
    return build


def _deliveries(files: list[Path]) -> list[list[Path]]:
    loads = [f for f in files if f.name.startswith("LOAD")]
    by_day: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        if not path.name.startswith("LOAD"):
            by_day[path.name[:8]].append(path)
    return [loads, *(by_day[day] for day in sorted(by_day))]


def _csv_keys(paths: list[Path], key: str) -> int:
    """Distinct values of a key column in the delivered CSV files (header row first)."""
    keys: set[str] = set()
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            keys.update(row[key] for row in csv.DictReader(handle))
    return len(keys)


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
    counts: dict[str, dict[str, int]] = {}
    for scope, model in ((BRONZE_SCOPE, "stg_core_banking__accounts"),
                         (SILVER_SCOPE, "slv_accounts__latest")):  # fmt: skip
        counts[scope] = {}
        for unique_id, node in _scoped_tests(pipeline, scope).items():
            relation = builds["second"].relations.get(unique_id)
            if node["attached_node"].endswith(f".{model}") and relation:
                (count,) = pipeline.query(f"select count(*) from {relation}")[0]
                counts[scope][unique_id] = int(count)

    # a third run with a record landing quarantines; the build's no_new_quarantine test fails
    pipeline.write("core_banking/accounts/20260401-090000000.csv", BAD_ACCOUNTS)
    landed = pipeline.land()
    assert landed.rows_quarantined == 1
    runs.append(landed.run_id)
    builds["failing"] = _build(pipeline, "build", "--vars", "{quarantine_error_above: 0}")
    builds["after failing"] = _build(pipeline, "build")
    # proofs made by other code: the next build forgets them and tests every row
    with duckdb.connect(str(pipeline.database)) as connection:
        connection.execute("update ops.ops_proven_landing_runs set project_checksum = 'older'")
    builds["other code"] = _build(pipeline, "build")
    builds["same code"] = _build(
        pipeline, "test", "--select", "stg_core_banking__accounts", "slv_accounts__latest"
    )
    builds["all changes"] = _build(
        pipeline, "test", "--select", "stg_core_banking__accounts", "--vars",
        "{test_all_changes: true}",
    )  # fmt: skip
    builds["full refresh"] = _build(pipeline, "build", "--full-refresh")
    return Story(
        pipeline, runs, builds, _csv_rows(new_accounts), counts[BRONZE_SCOPE],
        _csv_keys(new_accounts, "account_id"), counts[SILVER_SCOPE],
    )  # fmt: skip


def test_the_first_build_tests_every_change_and_proves_its_run(story: Story) -> None:
    first = story.builds["first"]
    assert first.returncode == 0
    assert first.scopes and set(first.scopes.values()) == {None}
    assert first.proven == {story.runs[0]}


def test_the_next_build_tests_only_the_new_run(story: Story) -> None:
    second = story.builds["second"]
    assert second.returncode == 0
    # every table: bronze change_id, key, metadata, reconcile; silver key, rules
    assert len(second.scopes) >= 4 * 6
    assert all(scope == [story.runs[1]] for scope in second.scopes.values()), second.scopes
    assert all(second.statuses[t] == "pass" for t in second.scopes)
    assert second.proven == {story.runs[0], story.runs[1]}
    # the runs to test are asked once for the whole invocation, not once per scoped test
    # (each of dbt's threads may ask once, when both compile their first scoped test at once)
    assert 1 <= second.asked <= DBT_THREADS < len(second.scopes)


def test_the_scoped_tests_read_as_many_rows_as_the_new_run_delivered(story: Story) -> None:
    assert story.new_account_rows > 0
    assert len(story.scoped_counts) >= 4
    assert set(story.scoped_counts.values()) == {story.new_account_rows}


def test_the_silver_tests_read_one_row_per_key_the_new_run_delivered(story: Story) -> None:
    """slv_accounts__latest's rules test reads the rows the second run landed, its key test
    every row of their keys: one per account the delivered files carry, either way."""
    assert story.new_account_keys > 0
    assert len(story.silver_counts) == 2
    assert set(story.silver_counts.values()) == {story.new_account_keys}


def test_proofs_made_by_other_code_are_forgotten(story: Story) -> None:
    other = story.builds["other code"]
    assert other.returncode == 0
    assert other.scopes and all(scope is None for scope in other.scopes.values()), other.scopes
    assert other.proven == set(story.runs)
    (checksum,) = story.builds["after failing"].checksums
    assert checksum and other.checksums == {checksum}
    # the same code again: its proofs hold, nothing is left to test
    same = story.builds["same code"]
    assert same.returncode == 0
    assert same.scopes and all(scope == [] for scope in same.scopes.values()), same.scopes
    assert same.checksums == {checksum}


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


def _checksum(pipeline: Pipeline, project: Path, *args: str) -> str:
    result = pipeline.dbt(
        "compile", "--project-dir", str(project), "--quiet",
        "--inline", "select '{{ project_checksum() }}' as checksum", *args,
    )  # fmt: skip
    found = re.search(r"select '([0-9a-f]{32})' as checksum", result.stdout)
    assert found is not None, result.stdout[-2000:]
    return found.group(1)


def test_the_checksum_changes_with_the_code_it_covers(tmp_path: Path) -> None:
    """A copy of the project: a model's SQL, a macro's body and a test's argument each change
    the checksum. (That a var does not, nor a test's error_if it sets, the story shows: the
    build after the failing one, with other vars, still reads only the run not proven.)"""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "macros", "models", "seeds", "tests"):
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("python"))
        else:
            shutil.copy2(source, project / name)
    pipeline = Pipeline(tmp_path / "run")
    original = _checksum(pipeline, project)

    def edited(path: str, old: str, new: str) -> str:
        file = project / path
        text = file.read_text()
        assert old in text, (path, old)
        file.write_text(text.replace(old, new, 1))
        checksum = _checksum(pipeline, project)
        file.write_text(text)
        return checksum

    model = edited("models/silver/slv_exchange_rates.sql", "select", "select\n    -- edited\n")
    macro = edited("macros/modeling/keys.sql", "{%- set parts", "{#- edited -#}{%- set parts")
    argument = edited(
        "models/silver/accounts/_silver_accounts__models.yml", "values: [", "values: [edited, "
    )
    assert len({original, model, macro, argument}) == 4
