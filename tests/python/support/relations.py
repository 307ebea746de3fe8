"""Hand-written relations for the tests that run a generic data test's SQL on rows written by
hand (`Pipeline.show`): literals, inserts, and the landing runs a scoped test reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb


def sql_literal(value: int | str | None) -> str:
    """A SQL literal: null, a number, or a quoted text."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def insert_rows(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[Sequence[int | str | None]],
) -> None:
    """Each row as one insert of literals into `table`."""
    for row in rows:
        values = ", ".join(sql_literal(value) for value in row)
        connection.execute(f"insert into {table} values ({values})")


def landed_at(run: str, committed: Sequence[str]) -> str:
    """The landing time `record_landing_runs` gives a committed run: day n for the n-th."""
    return f"2026-01-{committed.index(run) + 1:02d} 08:00:00"


def record_landing_runs(
    connection: duckdb.DuckDBPyConnection, committed: Sequence[str], proven: Sequence[str]
) -> None:
    """What a scoped test reads (macros/ops/proven_landing_runs.sql finds the relations where
    dbt builds them): the committed landing runs with their landing times (`landed_at`), and
    those a whole build has proven."""
    connection.execute("create schema bronze")
    connection.execute("create schema ops")
    connection.execute(
        "create table bronze.stg_landing__committed_runs "
        "(landing_run_id varchar, landed_at timestamp)"
    )
    insert_rows(
        connection,
        "bronze.stg_landing__committed_runs",
        [(run, landed_at(run, committed)) for run in committed],
    )
    connection.execute("create table ops.ops_proven_landing_runs (landing_run_id varchar)")
    insert_rows(connection, "ops.ops_proven_landing_runs", [(run,) for run in proven])
