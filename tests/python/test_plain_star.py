"""The benchmark's lower bound builds the same star: benchmarks/plain_star.sql, run by plain
DuckDB on the session's simulated DMS files (3,000 transactions, 5% dirt, several full-load
files, four CDC batches), equals the project's gold column for column and row for row
(`last_landed_at`, the incremental bookkeeping the plain build does not keep, aside). The
ratio `make bench` reports is then a ratio between two builds of the same output."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from support.built_project import BuiltProject
from support.project import PROJECT

GOLD = ("dim_customers", "dim_accounts", "dim_dates", "fact_transactions")


def _plain_module() -> ModuleType:
    path = PROJECT / "benchmarks" / "plain_duckdb.py"
    spec = importlib.util.spec_from_file_location("plain_duckdb", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["plain_duckdb"] = module
    spec.loader.exec_module(module)
    return module


def test_statements_are_split_by_step(tmp_path: Path) -> None:
    sql = tmp_path / "star.sql"
    sql.write_text(
        "-- a comment\n-- step: land\ncreate table a as\nselect 1 from '{dms}/x';\n"
        "create table b as select 2;\n-- step: gold\n-- why\nselect ';' ||\n'{seeds}';\n",
        encoding="utf-8",
    )
    steps = _plain_module().steps(Path("/d"), Path("/s"), sql)
    assert steps == [
        ("land", "create table a as\nselect 1 from '/d/x'"),
        ("land", "create table b as select 2"),
        ("gold", "select ';' ||\n'/s'"),
    ]


@pytest.mark.dbt
def test_plain_star_equals_gold(built_project: BuiltProject, tmp_path: Path) -> None:
    plain = _plain_module()
    connection = plain.connect(tmp_path / "plain.duckdb")
    plain.build(connection, built_project.dms)
    connection.execute(f"attach '{built_project.database}' as ours (read_only)")
    for table in GOLD:
        columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns where table_catalog = "
                "'ours' and table_schema = 'gold' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            if row[0] != "last_landed_at"
        ]
        select = ", ".join(columns)
        ours = f"select {select} from ours.gold.{table}"
        theirs = f"select {select} from main.{table}"
        counts = connection.execute(
            f"select (select count(*) from ({ours})), (select count(*) from ({theirs})), "
            f"(select count(*) from ({ours} except all {theirs})), "
            f"(select count(*) from ({theirs} except all {ours}))"
        ).fetchone()
        assert counts is not None
        assert counts[0] > 1, f"gold.{table} is empty: nothing compared"
        assert counts[2:] == (0, 0), (
            f"{table}: {counts[2]} gold rows not in the plain star, {counts[3]} plain rows not "
            f"in gold; e.g. {connection.execute(f'{ours} except all {theirs} limit 2').fetchall()}"
        )
        assert counts[0] == counts[1]
    # the dirt was there to be handled: flagged rows in each flagged table
    for table in ("dim_customers", "dim_accounts", "fact_transactions"):
        flagged = connection.execute(
            f"select count(*) from main.{table} where quality_issues is not null"
        ).fetchone()
        assert flagged and flagged[0] > 0, table
    connection.close()
