"""Pipeline health on a DMS root written by hand: `make run` reports a stopped source stale, a
file quarantined whole makes the build warn (once) and too much quarantine makes it error, the
ops tables hold what the run reports and the quarantine files say, every dbt invocation is
recorded as run_results.json has it, and the report's health section reads the same.

The root (shared/reference/dms-s3-format.md, our demo schemas' settings: header, Op in full
load, commit timestamp and change sequence columns):

- core_banking.customers: committed 10 days ago (past the 72 h error threshold), a record
  that does not fit (a date of birth 'never'), a corrupt gzip file;
- core_banking.accounts: committed 2 hours ago (fresh), a file whose header starts with a
  byte order mark (quarantined whole);
- core_banking.transactions: committed 30 hours ago (past the 24 h warning);
- events.transaction_events: no files (nothing to measure).

Expected figures come from what is written here and from the landing's own run reports and
quarantine files read with json and pyarrow, never from the models under test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pyarrow.parquet as pq
import pytest
from support.customer_rows import CUSTOMER_HEADER
from support.pipeline import Pipeline
from support.project import PROJECT

from report.build import write_report

pytestmark = pytest.mark.dbt

NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
CUSTOMERS_AT = NOW - dt.timedelta(days=10)
ACCOUNTS_AT = NOW - dt.timedelta(hours=2)
TRANSACTIONS_AT = NOW - dt.timedelta(hours=30)
ACCOUNT_HEADER = (
    "Op,dms_commit_ts,account_id,customer_id,account_number,account_type,currency,status,"
    "opened_at,closed_at,created_at,updated_at,dms_change_seq"
)
TRANSACTION_HEADER = (
    "Op,dms_commit_ts,transaction_id,account_id,transaction_ts,amount,direction,currency,"
    "transaction_type,status,balance_after,counterparty_account,description,created_at,"
    "updated_at,dms_change_seq"
)
TOO_MANY = 1001  # one more than the default quarantine_error_above (dbt_project.yml)


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def customer(
    customer_id: int, committed: dt.datetime, op: str = "I", dob: str = "1980-01-02"
) -> str:
    return (
        f"{op},{stamp(committed)},{customer_id},Ann,Lee,ann{customer_id}@example.com,,{dob},F,"
        f"1 Main St,Brno,CZ,retail,2020-01-01 00:00:00,2020-01-01 00:00:00,"
    )


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def write_first_root(pipeline: Pipeline) -> None:
    pipeline.write(
        "core_banking/customers/LOAD00000001.csv",
        csv(CUSTOMER_HEADER, customer(1, CUSTOMERS_AT), customer(2, CUSTOMERS_AT)),
    )
    pipeline.write(
        "core_banking/customers/20260302-100000000.csv",
        csv(
            CUSTOMER_HEADER, customer(1, CUSTOMERS_AT, "U"), customer(3, CUSTOMERS_AT, dob="never")
        ),
    )
    pipeline.write("core_banking/customers/20260303-100000000.csv.gz", b"\x1f\x8b\x08 broken")
    pipeline.write(
        "core_banking/accounts/LOAD00000001.csv",
        csv(
            ACCOUNT_HEADER,
            f"I,{stamp(ACCOUNTS_AT)},10,1,CZ00 10,checking,CZK,active,2024-01-01 00:00:00,,"
            "2024-01-01 00:00:00,2024-01-01 00:00:00,",
        ),
    )
    pipeline.write(
        "core_banking/accounts/20260302-100000000.csv",
        "\ufeff" + csv(ACCOUNT_HEADER, f"U,{stamp(ACCOUNTS_AT)},10,1,CZ00 10,checking,CZK,active,"),
    )
    pipeline.write(
        "core_banking/transactions/LOAD00000001.csv",
        csv(
            TRANSACTION_HEADER,
            f"I,{stamp(TRANSACTIONS_AT)},100,10,2026-03-01 10:00:00,12.50,D,CZK,card_payment,"
            "posted,,,coffee,2026-03-01 10:00:00,2026-03-01 10:00:00,",
        ),
    )


@dataclass
class Steps:
    """The pipeline and what each step printed, in the order the fixture ran them."""

    pipeline: Pipeline
    make_run: subprocess.CompletedProcess[str]
    second_build: subprocess.CompletedProcess[str]
    second_results: dict[str, Any]
    third_build: subprocess.CompletedProcess[str]
    third_results: dict[str, Any]
    make_freshness: subprocess.CompletedProcess[str]
    demo_freshness: subprocess.CompletedProcess[str]
    report: dict[str, list[list[str]]] = field(default_factory=dict)
    project_before: dict[str, bytes] = field(default_factory=dict)


def project_files() -> dict[str, bytes]:
    """The files make run may rewrite (generated models, seeds, the star picture)."""
    return {
        str(path.relative_to(PROJECT)): path.read_bytes()
        for folder in ("models", "seeds", "assets")
        for path in sorted((PROJECT / folder).rglob("*"))
        if path.is_file()
    }


def make(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess[str]:
    """`make <args>` in the project with this pipeline's lake, warehouse and dbt folders; the
    virtualenv is taken as it is (never rebuilt by the test)."""
    return pipeline.run("make", "--no-print-directory", "-o", ".venv/.installed", *args)


def run_results(pipeline: Pipeline) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pipeline.target / "run_results.json").read_text())
    return data


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> Steps:
    pipeline = Pipeline(tmp_path_factory.mktemp("health"))
    write_first_root(pipeline)
    before = project_files()
    # 1. make run on a root of your own: land, models, build (warns: quarantine), docs,
    #    freshness (customers stale), the health summary
    made = make(pipeline, "run", f"SOURCE={pipeline.dms}")
    # 2. a build that brings no new quarantine: no warning
    second = pipeline.dbt(
        "build", "--select", "ops_landing_quarantine", "--vars", "{}", check=False
    )
    second_results = run_results(pipeline)
    # 3. more than the threshold: a file of records that do not fit, and another whole file
    lines = [customer(1000 + i, CUSTOMERS_AT, dob="never") for i in range(TOO_MANY - 1)]
    pipeline.write("core_banking/customers/20260304-100000000.csv", csv(CUSTOMER_HEADER, *lines))
    pipeline.write("core_banking/accounts/20260304-100000000.csv.gz", b"not gzip")
    landed = make(pipeline, "land", f"SOURCE={pipeline.dms}")
    assert landed.returncode == 0, landed.stdout + landed.stderr
    third = pipeline.dbt("build", "--vars", "{}", check=False)
    third_results = run_results(pipeline)
    # 4. freshness for a scheduler (exits non-zero), and as the demo measures it (landing time)
    freshness = make(pipeline, "freshness", f"SOURCE={pipeline.dms}")
    demo = make(pipeline, "freshness")
    out = pipeline.root / "report.html"
    write_report(pipeline.database, out)
    parser = _Tables()
    parser.feed(out.read_text(encoding="utf-8"))
    return Steps(
        pipeline,
        made,
        second,
        second_results,
        third,
        third_results,
        freshness,
        demo,
        parser.tables,
        before,
    )


# -- freshness ---------------------------------------------------------------------------------


def test_make_run_reports_the_stopped_source_stale_and_succeeds(steps: Steps) -> None:
    out = steps.make_run.stdout + steps.make_run.stderr
    assert steps.make_run.returncode == 0, out[-6000:]
    assert re.search(r"ERROR STALE freshness of core_banking\.customers", out), out[-6000:]
    assert re.search(r"WARN freshness of core_banking\.transactions", out)
    assert re.search(r"PASS freshness of core_banking\.accounts", out)
    assert "some tables are stale or unchecked" in out
    # the health summary names the lag of each table
    summary = out[out.index("Pipeline health") :]
    assert re.search(r"core_banking\.customers\s+lag 10 d 0 h; freshness error", summary), summary


def test_freshness_results_are_recorded_with_their_age(steps: Steps) -> None:
    rows = steps.pipeline.query(
        "select results.node_name, results.status, results.max_loaded_at, results.age_s "
        "from ops.ops_dbt_results as results join ops.ops_dbt_invocations as invocations "
        "using (invocation_id) where invocations.command = 'freshness' "
        "and results.resource_type = 'source' order by invocations.started_at"
    )
    first = {name: (status, loaded, age) for name, status, loaded, age in rows[:5]}
    assert first["core_banking.customers"][:2] == ("error", CUSTOMERS_AT)
    assert first["core_banking.transactions"][:2] == ("warn", TRANSACTIONS_AT)
    assert first["core_banking.accounts"][:2] == ("pass", ACCOUNTS_AT)
    assert first["events.transaction_events"] == ("error", None, None)  # no rows to measure
    age = float(first["core_banking.customers"][2])
    assert 10 * 86400 <= age <= 10 * 86400 + 3600, age
    # the landing itself ran minutes ago: landing.runs (last landed anything) passes
    assert first["landing.runs"][0] == "pass"


def test_make_freshness_fails_for_schedulers_but_not_on_demo_settings(steps: Steps) -> None:
    assert steps.make_freshness.returncode != 0
    assert "ERROR STALE freshness of core_banking.customers" in steps.make_freshness.stdout
    # without SOURCE (the demo's settings) every table is measured by landing time: just landed
    demo = steps.demo_freshness
    for table in ("customers", "accounts", "transactions"):
        assert re.search(rf"PASS freshness of core_banking\.{table}", demo.stdout), demo.stdout


# -- quarantine warns once, errors above the threshold ------------------------------------------


def _test_result(results: dict[str, Any], prefix: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        r for r in results["results"] if r["unique_id"].startswith(prefix)
    ]
    assert len(found) == 1, [r["unique_id"] for r in found]
    return found[0]


NO_NEW_QUARANTINE = "test.dms_warehouse.no_new_quarantine_ops_landing_quarantine"


def test_a_file_quarantined_whole_makes_the_build_warn(steps: Steps) -> None:
    out = steps.make_run.stdout
    # two whole files (corrupt gzip, BOM header) and one record (date of birth 'never')
    assert re.search(r"WARN 3 no_new_quarantine_ops_landing_quarantine", out), out[-6000:]
    assert re.search(r"Done\. PASS=\d+ WARN=1 ERROR=0 SKIP=0", out)
    ((warned, failed),) = steps.pipeline.query(
        "select tests_warned, tests_failed from ops.ops_dbt_invocations "
        "where command = 'build' order by started_at limit 1"
    )
    assert (warned, failed) == (1, 0)


def test_the_next_build_does_not_warn_again(steps: Steps) -> None:
    assert steps.second_build.returncode == 0
    result = _test_result(steps.second_results, NO_NEW_QUARANTINE)
    assert (result["status"], result["failures"]) == ("pass", 0)


def test_above_the_threshold_the_build_errors(steps: Steps) -> None:
    assert steps.third_build.returncode == 1
    result = _test_result(steps.third_results, NO_NEW_QUARANTINE)
    assert (result["status"], result["failures"]) == ("fail", TOO_MANY - 1 + 1)
    failed = [r["unique_id"] for r in steps.third_results["results"] if r["status"] == "fail"]
    assert failed == [result["unique_id"]]  # nothing else failed, nothing was skipped
    assert not [r for r in steps.third_results["results"] if r["status"] == "skipped"]


# -- the ops tables against the landing's own records -------------------------------------------


def reports(pipeline: Pipeline) -> list[dict[str, Any]]:
    folder = pipeline.lake / "_ledger" / "runs"
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).replace(tzinfo=None)


def test_ops_landing_runs_are_the_run_reports(steps: Steps) -> None:
    expected = sorted(
        (
            r["run_id"],
            _utc(r["started_at"]),
            r["files_landed"],
            r["files_quarantined"],
            r["rows_landed"],
            r["rows_quarantined"],
            r["source"],
        )
        for r in reports(steps.pipeline)
    )
    got = steps.pipeline.query(
        "select landing_run_id, started_at, files_landed, files_quarantined, rows_landed, "
        "rows_quarantined, source_root from ops.ops_landing_runs order by landing_run_id"
    )
    assert got == expected
    assert [r[3] for r in expected] == [2, 1]  # make run's landing, then make land


def test_ops_landing_tables_are_the_run_reports_per_table(steps: Steps) -> None:
    expected = sorted(
        (
            r["run_id"],
            *name.split("."),
            t["files"],
            t["files_quarantined"],
            t["rows_landed"],
            t["rows_quarantined"],
            dt.datetime.fromisoformat(t["newest_commit_ts"]) if t["newest_commit_ts"] else None,
        )
        for r in reports(steps.pipeline)
        for name, t in r["tables"].items()
    )
    got = steps.pipeline.query(
        "select landing_run_id, source_schema, source_table, files, files_quarantined, "
        "rows_landed, rows_quarantined, newest_commit_at from ops.ops_landing_tables order by all"
    )
    assert got == expected
    customers = [row for row in expected if row[2] == "customers" and row[3]]
    assert customers[0][4:8] == (1, 3, 1, CUSTOMERS_AT)


def quarantine_rows(pipeline: Pipeline) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted((pipeline.lake / "quarantine").rglob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def test_quarantine_by_reason_is_the_quarantine(steps: Steps) -> None:
    expected: Counter[tuple[str, str, str, str, bool]] = Counter()
    for row in quarantine_rows(steps.pipeline):
        reason = re.sub(r"; kept at .*$", "", row["reason"])
        reason = re.sub(r"'[^']*'", "'...'", reason)
        whole = row["dms_row"] is None
        expected[(row["landing_run_id"], row["schema_name"], row["table_name"], reason, whole)] += 1
    got: Counter[tuple[str, str, str, str, bool]] = Counter()
    for run, schema, table, reason, records, files in steps.pipeline.query(
        "select landing_run_id, source_schema, source_table, reason_kind, records, whole_files "
        "from ops.ops_landing_quarantine_by_reason"
    ):
        if records:
            got[(run, schema, table, reason, False)] = records
        if files:
            got[(run, schema, table, reason, True)] = files
    assert got == expected
    assert sum(expected.values()) == 3 + TOO_MANY
    assert any(key[3] == "date_of_birth: '...' is not a valid date" for key in expected)


# -- dbt invocations against run_results.json ---------------------------------------------------


def _invocation(steps: Steps, results: dict[str, Any]) -> dict[str, Any]:
    columns = [
        "command",
        "succeeded",
        "models_built",
        "models_failed",
        "models_skipped",
        "tests_passed",
        "tests_warned",
        "tests_failed",
    ]
    (row,) = steps.pipeline.query(
        f"select {', '.join(columns)} from ops.ops_dbt_invocations where invocation_id = ?",
        [results["metadata"]["invocation_id"]],
    )
    return dict(zip(columns, row, strict=True))


def _expected_counts(results: dict[str, Any]) -> dict[str, Any]:
    def count(kinds: tuple[str, ...], statuses: tuple[str, ...]) -> int:
        return sum(
            1
            for r in results["results"]
            if r["unique_id"].split(".")[0] in kinds and r["status"] in statuses
        )

    tests = ("test", "unit_test")
    return {
        "command": results["args"]["which"],
        "succeeded": not count(("model", "seed", "test", "unit_test"), ("error", "fail")),
        "models_built": count(("model",), ("success",)),
        "models_failed": count(("model",), ("error",)),
        "models_skipped": count(("model",), ("skipped",)),
        "tests_passed": count(tests, ("pass",)),
        "tests_warned": count(tests, ("warn",)),
        "tests_failed": count(tests, ("fail", "error")),
    }


@pytest.mark.parametrize("which", ["second_results", "third_results"])
def test_a_dbt_invocation_is_recorded_as_run_results_has_it(steps: Steps, which: str) -> None:
    results = getattr(steps, which)
    expected = _expected_counts(results)
    assert _invocation(steps, results) == expected
    assert expected["models_built"] >= 1 and expected["tests_passed"] >= 2
    got = dict(
        steps.pipeline.query(
            "select unique_id, status from ops.ops_dbt_results where invocation_id = ?",
            [results["metadata"]["invocation_id"]],
        )
    )
    ran = [r for r in results["results"] if not r["unique_id"].startswith("operation.")]
    assert got == {r["unique_id"]: r["status"] for r in ran}


def test_rows_per_layer_are_the_tables_rows(steps: Steps) -> None:
    (gold, silver) = steps.pipeline.query(
        "select rows_gold, rows_silver from ops.ops_dbt_invocations where invocation_id = ?",
        [steps.third_results["metadata"]["invocation_id"]],
    )[0]
    tables = steps.pipeline.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and table_schema in ('silver', 'gold')"
    )
    counted = {"silver": 0, "gold": 0}
    for schema, table in tables:
        counted[schema] += steps.pipeline.query(f"select count(*) from {schema}.{table}")[0][0]
    assert (silver, gold) == (counted["silver"], counted["gold"])


# -- the report's health section ------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every <table id=...> of the page as rows of cell texts (header row excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._row:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_report_shows_landing_runs_as_the_run_reports(steps: Steps) -> None:
    rows = steps.report["health-landing-runs"]
    expected = sorted(reports(steps.pipeline), key=lambda r: r["started_at"], reverse=True)
    assert [row[0] for row in rows] == [r["run_id"] for r in expected]
    for row, report in zip(rows, expected, strict=True):
        assert _number(row[3]) == report["files_landed"]
        assert _number(row[4]) == report["files_quarantined"]
        assert _number(row[5]) == report["rows_landed"]
        assert _number(row[6]) == report["rows_quarantined"]


def test_the_report_shows_lag_and_quarantine_per_table(steps: Steps) -> None:
    rows = {row[0]: row for row in steps.report["health-tables"]}
    whole: Counter[str] = Counter()
    records: Counter[str] = Counter()
    for report in reports(steps.pipeline):
        for name, totals in report["tables"].items():
            whole[name] += totals["files_quarantined"]
            records[name] += totals["rows_quarantined"]
    for name in ("core_banking.customers", "core_banking.accounts"):
        assert _number(rows[name][5]) == whole[name]
        assert _number(rows[name][6]) == records[name]
    assert (whole["core_banking.customers"], whole["core_banking.accounts"]) == (1, 2)
    assert rows["core_banking.customers"][2] == CUSTOMERS_AT.strftime("%Y-%m-%d %H:%M")
    assert rows["core_banking.customers"][3].startswith("10 d 0 h")
    assert rows["core_banking.accounts"][3].startswith("2 h ")
    # the last freshness check recorded was the demo's: by landing time, so every table passed
    assert rows["core_banking.customers"][4].startswith("pass")
    assert rows["events.transaction_events"][4] == "error (no rows)"


def test_the_report_shows_dbt_invocations_and_quarantine_over_time(steps: Steps) -> None:
    invocations = steps.pipeline.query(
        "select command, tests_warned, tests_failed from ops.ops_dbt_invocations "
        "order by started_at desc"
    )
    shown = [(row[1], _number(row[7]), _number(row[8])) for row in steps.report["health-dbt-runs"]]
    assert shown == [tuple(i) for i in invocations]
    assert ("build", 1, 0) in shown and ("build", 0, 1) in shown
    quarantine = steps.report["health-quarantine"]
    assert sum(_number(row[3]) + _number(row[4]) for row in quarantine) == 3 + TOO_MANY


def test_make_run_leaves_the_project_as_it_was(steps: Steps) -> None:
    """make run regenerates the models and redraws the star picture: nothing may change."""
    assert steps.make_run.returncode == 0
    assert project_files() == steps.project_before
