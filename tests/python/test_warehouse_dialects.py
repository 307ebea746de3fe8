"""Offline proof that the project runs on Athena and Redshift and gives the DuckDB results
(issue 13; warehouse_check/, docs/deploy.md "What is verified").

One proof run (module fixture, warehouse_check/proof.py): simulated DMS output plus
hand-written edge cases, landed in two deliveries; after each, the production dbt command runs
on DuckDB and, through the real adapters, on Athena (dbt-athena against moto) and Redshift
(dbt-redshift through a replaced driver), every statement they send executed on DuckDB.
Then: every silver and gold relation of each engine equals the native build's, row for row;
no statement was refused; every compiled file, every statement sent and every SQL block of
the guide passes the engines' capability checks.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from warehouse_check import edge_cases
from warehouse_check.athena import athena_type
from warehouse_check.capabilities import Finding, check_sql, sql_blocks, strict_type_conflicts
from warehouse_check.proof import ENGINES, LAYERS, RUNS, Proof
from warehouse_check.shims import Dialect
from warehouse_check.statement import strip_comments

pytestmark = [pytest.mark.dbt, pytest.mark.s3]

PROJECT = Path(__file__).resolve().parents[2]
CASES = [(engine, run) for engine in ENGINES for run in RUNS]


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proof]:
    done = Proof(tmp_path_factory.mktemp("warehouses"), transactions=200, seed=7)
    done.run_all()
    report = os.environ.get("WAREHOUSE_PROOF_REPORT")
    if report:  # make check-warehouses prints it
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        failures = "\n".join(f"FAILED: {f}" for f in done.failures())
        Path(report).write_text(done.summary() + "\n" + failures + "\n", encoding="utf-8")
    yield done


def statements(proof: Proof, engine: str, run: str) -> list[str]:
    """The statements the adapter sent (dbt-redshift's own catalog queries left out)."""
    lines = proof.statements(engine, run).read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    return [e["sql"] for e in entries if not e.get("catalog")]


def normalised(sql: str) -> str:
    return " ".join(strip_comments(sql).split())


# -- the builds ------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "run"), [("duckdb", r) for r in RUNS] + CASES)
def test_the_production_build_succeeds(proof: Proof, engine: str, run: str) -> None:
    step = next(s for s in proof.steps if s.name == f"{engine}-{run}")
    assert step.returncode == 0, step.output[-4000:]
    statuses = proof.results(engine, run)
    # a floor against a build that ran little: about 235 nodes on Athena and Redshift (248
    # on DuckDB, with its ops models) since columns_are_not_null replaced 161 not_null tests
    # by 36 (358 and 373 before)
    assert len(statuses) > 220, f"only {len(statuses)} nodes ran"
    assert set(statuses.values()) <= {"success", "pass", "no-op"}, statuses
    assert not any(uid.startswith("unit_test.") for uid in statuses), "unit tests in production"


def test_the_native_parse_is_free_of_warnings(proof: Proof) -> None:
    step = next(s for s in proof.steps if s.name == "duckdb-first")
    assert "WARNING" not in step.output, step.output[-3000:]


@pytest.mark.parametrize("engine", ENGINES)
def test_no_statement_was_refused(proof: Proof, engine: str) -> None:
    refused = proof.refusals(proof.database(engine))
    assert not refused, "\n".join(f"{r['error']}: {r['statement'][:300]}" for r in refused)


@pytest.mark.parametrize(("engine", "run"), CASES)
def test_every_silver_and_gold_relation_equals_the_native_build(
    proof: Proof, engine: str, run: str
) -> None:
    differences = proof.differences[(engine, run)]
    manifest = json.loads(
        (proof.target("duckdb", run) / "manifest.json").read_text(encoding="utf-8")
    )
    models = {
        n["alias"] for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] in LAYERS
    }  # fmt: skip
    assert {d.relation.split(".")[1] for d in differences} == models
    assert {"gold.fact_transactions", "gold.dim_customers"} <= {d.relation for d in differences}
    different = [d for d in differences if not d.identical]
    assert not different, "\n".join(
        f"{d.relation}: {d.problem or ''} {d.only_native[:2]} vs {d.only_emulated[:2]}"
        for d in different
    )
    assert sum(d.native_rows for d in differences) > 500


def test_the_edge_cases_reached_gold(proof: Proof) -> None:
    con = duckdb.connect(str(proof.database("duckdb")), read_only=True)
    try:
        address = con.execute(
            "select max(octet_length(encode(address_line))) from gold.dim_customers"
        ).fetchall()[0][0]
        same_ms = con.execute(
            "select count(*) from silver.slv_customers__changes where customer_id = 9000001"
        ).fetchall()[0][0]
        dates = con.execute(
            "select event_id, occurred_at from silver.slv_transaction_events__latest"
            " where event_id like 'edge%' order by event_id"
        ).fetchall()
    finally:
        con.close()
    assert address > 256  # would not fit Redshift's plain varchar
    assert same_ms == 3  # two changes in one millisecond, one later
    assert dates[1][1] is None and dates[2][1] is None  # 'Zjunk' and Feb 30: null, no error
    # extended JSON: epoch milliseconds before 1970 ($numberLong) and after (a bare integer)
    assert [d for _, d in dates[8:]] == [datetime(1816, 12, 7, 8), datetime(2020, 4, 30, 15, 40),
                                         None]  # fmt: skip


def _account_records(proof: Proof, batch: list[Path]) -> list[tuple[str, str, int, str, int]]:
    """(commit time, file, row, Op, account_id) of the staged account records, sorted."""
    records = []
    for relative in batch:
        key = edge_cases.dms_key(relative)
        if key.parent != Path("core_banking/accounts"):
            continue
        with (proof.staging / relative).open(newline="", encoding="utf-8") as stream:
            for n, row in enumerate(csv.DictReader(stream)):
                records.append(
                    (row["dms_commit_ts"], str(key), n, row["Op"], int(row["account_id"]))
                )
    return sorted(records)


def test_the_reload_deleted_the_accounts_its_full_load_lacks(proof: Proof) -> None:
    """edge_cases.reload: the second delivery holds the accounts' first LOAD file again
    without every third account. Every engine gives the native build's slv_accounts__latest
    (above); here the native build deletes exactly the accounts the first delivery left
    existing that neither the reload nor a later change holds (plain Python, from the staged
    files), and gold's dimension no longer has them current."""
    first, second = proof.batches
    state = {account: op for *_, op, account in _account_records(proof, first)}
    reload = [p for p in second if p.parts[0] == edge_cases.RELOAD_FOLDER]
    later = [p for p in second if p.parts[0] != edge_cases.RELOAD_FOLDER]
    expected = (
        {account for account, op in state.items() if op != "D"}
        - {account for *_, account in _account_records(proof, reload)}
        - {account for *_, account in _account_records(proof, later)}
    )
    assert len(expected) >= 3
    con = duckdb.connect(str(proof.database("duckdb")), read_only=True)
    try:
        deleted = con.execute(
            "select account_id from silver.slv_accounts__latest"
            " where is_deleted and source_file_order = ''"
        ).fetchall()
        current = con.execute(
            "select count(*) from gold.dim_accounts where is_current and account_id in ("
            " select account_id from silver.slv_accounts__latest where is_deleted)"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert {row[0] for row in deleted} == expected
    assert current == 0


# -- unit tests: run where they can, never in production -----------------------------------


def test_unit_tests_pass_on_the_redshift_emulation(proof: Proof) -> None:
    statuses = proof.results("redshift", "unit-tests")
    manifest = json.loads(
        (proof.target("redshift", "unit-tests") / "manifest.json").read_text(encoding="utf-8")
    )
    assert len(statuses) == len(manifest["unit_tests"]) > 0
    assert set(statuses.values()) == {"pass"}, statuses


def test_dbt_athena_cannot_run_unit_tests_so_production_excludes_them(proof: Proof) -> None:
    # dbt-athena builds each fixture as a Hive table: timestamp(6) refused, no location
    assert proof.athena_unit_tests_refused_as_expected()
    refused = proof.refusals(proof.unit_test_database("athena"))
    assert any("Incorrect timestamp precision" in r["error"] for r in refused)


# -- capability checks ------------------------------------------------------------------------


def compiled_files(proof: Proof, engine: str) -> list[tuple[str, str]]:
    files = []
    for run in (*RUNS, "unit-tests", "analyses"):
        for folder in ("compiled", "run"):
            root = proof.target(engine, run) / folder
            for path in sorted(root.rglob("*.sql")):
                files.append((f"{run}/{path.relative_to(root)}", path.read_text(encoding="utf-8")))
    return files


@pytest.mark.parametrize("engine", ENGINES)
def test_every_compiled_file_passes_the_engine_checks(proof: Proof, engine: Dialect) -> None:
    files = compiled_files(proof, engine)
    assert any("unit_tests.yml" in name for name, _ in files), "no compiled unit tests"
    assert any(name.startswith("analyses/") for name, _ in files), "no compiled analyses"
    # 939 on Athena since columns_are_not_null replaced 161 not_null tests by 36
    assert len(files) > 800
    findings = [f for name, sql in files for f in check_sql(sql, engine, name)]
    assert not findings, "\n".join(map(str, findings[:30]))


@pytest.mark.parametrize(("engine", "run"), CASES)
def test_every_statement_sent_passes_the_engine_checks(
    proof: Proof, engine: Dialect, run: str
) -> None:
    sent = statements(proof, engine, run)
    # 329 or more (Athena's first build) since columns_are_not_null replaced 161 not_null tests
    assert len(sent) > 300, len(sent)
    findings: list[Finding] = []
    for n, sql in enumerate(sent):
        findings += check_sql(sql, engine, f"{engine}-{run} statement {n}")
    assert not findings, "\n".join(map(str, findings[:30]))


@pytest.mark.parametrize("run", RUNS)
def test_athena_statements_respect_trinos_strict_types(proof: Proof, run: str) -> None:
    con = duckdb.connect(str(proof.database("athena")), read_only=True)
    try:
        rows = con.execute(
            "select table_schema, table_name, column_name, data_type from"
            " information_schema.columns where table_catalog = 'awsdatacatalog'"
        ).fetchall()
    finally:
        con.close()
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for schema, table, column, kind in rows:
        tables.setdefault(schema, {}).setdefault(table, {})[column] = athena_type(kind)
    catalog: dict[str, object] = {"awsdatacatalog": tables}
    findings = [
        f
        for n, sql in enumerate(statements(proof, "athena", run))
        for f in strict_type_conflicts(sql, catalog, f"athena-{run} statement {n}")
    ]
    assert not findings, "\n".join(map(str, findings[:30]))


def test_the_guides_sql_passes_the_engine_checks() -> None:
    blocks = sql_blocks((PROJECT / "docs" / "deploy.md").read_text(encoding="utf-8"))
    assert blocks, "the guide has no SQL blocks"
    findings = [f for n, (e, sql) in enumerate(blocks) for f in check_sql(sql, e, f"block {n}")]
    assert not findings, "\n".join(map(str, findings))


# -- what the adapters send: the shapes the guide describes ----------------------------------


def test_athena_builds_iceberg_tables_in_the_lake_from_the_epoch_us_raw_tables(
    proof: Proof,
) -> None:
    sent = [normalised(s) for s in statements(proof, "athena", "first")]
    creates = [s for s in sent if s.lower().startswith("create table")]
    assert creates and all("table_type='iceberg'" in s.replace(" ", "") for s in creates)
    fact = [s for s in creates if '"gold"."fact_transactions"' in s]
    assert fact and "partitioning=ARRAY['month(transaction_ts)']" in fact[0].replace(" ", "")
    assert "location='s3://dms-warehouse-lake/warehouse/gold/fact_transactions/" in (
        fact[0].replace(" ", "")
    )
    seeds = [s for s in creates if s.startswith('create table "awsdatacatalog"."reference".')]
    assert len(seeds) == len(list((PROJECT / "seeds").glob("*.csv")))  # Iceberg too
    assert any('"raw"."core_banking__transactions__epoch_us"' in s for s in sent)


def test_athena_incremental_deletes_by_merge_then_merges(proof: Proof) -> None:
    sent = [normalised(s) for s in statements(proof, "athena", "incremental")]
    fact = '"awsdatacatalog"."gold"."fact_transactions"'
    merges = [s for s in sent if s.startswith(f"merge into {fact}")]
    deletes = [m for m in merges if m.endswith("when matched then delete")]
    upserts = [m for m in merges if "__dbt_tmp" in m]
    assert len(deletes) == 1 and "(is_deleted or reject_reasons is not null)" in deletes[0]
    assert len(upserts) == 1 and "when not matched then insert" in upserts[0]


def test_redshift_tables_carry_keys_and_views_are_late_binding(proof: Proof) -> None:
    sent = [normalised(s) for s in statements(proof, "redshift", "first")]
    fact = [s for s in sent if re.match(r'create table "[^"]+"\."gold"\."fact_transactions"', s)]
    assert fact and "distkey (customer_key)" in fact[0]
    assert "compound sortkey(transaction_ts)" in fact[0]
    dimension = [s for s in sent if re.match(r'create table "[^"]+"\."gold"\."dim_customers"', s)]
    assert dimension and "address_line varchar(1020)" in dimension[0]  # bytes, not 256
    for dimension in ("dim_accounts", "dim_dates"):
        ddl = [s for s in sent if re.match(rf'create table "[^"]+"\."gold"\."{dimension}', s)]
        assert ddl and "diststyle all" in ddl[0], dimension
    views = [s for s in sent if re.match(r'create view "[^"]+"\."bronze"\.', s)]
    assert views and all("with no schema binding" in v for v in views)
    assert any('"raw_zone"."core_banking__customers"' in s for s in sent)


def test_redshift_incremental_deletes_then_merges_with_one_matched_action(proof: Proof) -> None:
    sent = [normalised(s) for s in statements(proof, "redshift", "incremental")]
    deletes = [s for s in sent if re.match(r'delete from "[^"]+"\."gold"\."fact_transactions"', s)]
    assert deletes and "(is_deleted or reject_reasons is not null)" in deletes[0]
    merges = [s for s in sent if re.match(r'merge into "[^"]+"\."gold"\."fact_transactions"', s)]
    assert len(merges) == 1 and merges[0].lower().count("when matched") == 1
