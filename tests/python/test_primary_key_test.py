"""The `primary_key` data test (tests/generic/test_primary_key.sql) fails for every key value
that occurs more than once and for null when any key is null, in one scan: what `unique` and
`not_null` proved together. Hand-written relations are fed to the real test SQL through
`dbt show`; the failing rows expected (the key and how many rows carry it) are written here by
hand, not computed by the test.

A scoped test (meta test_scope, as the generator writes on bronze's change_id) reads only the
landing runs not proven yet through the project's get_where_subquery: run-1 is proven, run-2
is not; with the var test_all_changes it reads every row. On a `__latest` model (scoped by
landing time, with the key in scope_keys) it reads every row of the keys run-2 landed: a new
row beside an old row of its key fails, which the new rows alone would not show."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from support.pipeline import Pipeline
from support.relations import insert_rows, landed_at, record_landing_runs

pytestmark = pytest.mark.dbt

# relation: its key values (bigint), one row each
KEYS: dict[str, list[int | None]] = {
    "distinct": [1, 2, 3, 10],
    "duplicate": [1, 2, 2, 3, 3, 3, 4],
    "one_null": [1, None, 2],
    "several_nulls": [1, None, None, None, 2, 2, 5],
    "one_row_null": [None],
    "empty": [],
}
# relation: the failing rows (key, occurrences), in key order (null first)
EXPECTED: dict[str, list[tuple[int | None, int]]] = {
    "distinct": [],
    "duplicate": [(2, 2), (3, 3)],
    "one_null": [(None, 1)],
    "several_nulls": [(None, 3), (2, 2)],
    "one_row_null": [(None, 1)],
    "empty": [],
}

# a change log's (change_id, landing_run_id); text keys
SCOPED: list[tuple[str | None, str]] = [
    ("a", "run-1"),
    ("a", "run-1"),
    (None, "run-1"),
    ("b", "run-2"),
    ("c", "run-2"),
    ("c", "run-2"),
    (None, "run-2"),
    ("d", "run-2"),
]
SCOPED_FULL = [(None, 2), ("a", 2), ("c", 2)]
SCOPED_UNPROVEN = [(None, 1), ("c", 2)]

RUNS = ["run-1", "run-2"]
# a __latest model's (account_id, landing run of its landed_at): a was landed again by run-2
# beside its old row (the write failed to replace it), b is doubled in run-1 only
LATEST: list[tuple[str | None, str]] = [
    ("a", "run-1"),
    ("a", "run-2"),
    ("b", "run-1"),
    ("b", "run-1"),
    ("c", "run-2"),
    (None, "run-2"),
]
LATEST_EXPECTED = {
    "full": [(None, 1), ("a", 2), ("b", 2)],
    "keys of the new rows": [(None, 1), ("a", 2)],
    "new rows only": [(None, 1)],
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("primary_key"), artifacts=False)
    with duckdb.connect(str(pipeline.database)) as connection:
        for name, keys in KEYS.items():
            connection.execute(f"create table main.pk_{name} (item_id bigint, label varchar)")
            insert_rows(connection, f"main.pk_{name}", [(key, "x") for key in keys])
        connection.execute(
            "create table main.pk_changes (change_id varchar, landing_run_id varchar)"
        )
        insert_rows(connection, "main.pk_changes", SCOPED)
        connection.execute("create table main.pk_latest (account_id varchar, landed_at timestamp)")
        insert_rows(
            connection, "main.pk_latest", [(key, landed_at(run, RUNS)) for key, run in LATEST]
        )
        record_landing_runs(connection, committed=RUNS, proven=["run-1"])
    return pipeline


def _failing_rows(pipeline: Pipeline, sql: str, *args: str) -> list[tuple[Any, int]]:
    rows = pipeline.show(sql, *args)
    failing = [(next(iter(row.values())), int(row["occurrences"])) for row in rows]
    return sorted(failing, key=lambda r: (r[0] is not None, r[0]))


@pytest.mark.parametrize("name", list(KEYS))
def test_each_doubled_key_and_null_fails(pipeline: Pipeline, name: str) -> None:
    sql = (
        "select * from ({{ test_primary_key("
        f"model=get_where_subquery('main.pk_{name}'), column_name='item_id') }}}}) as t"
    )
    assert _failing_rows(pipeline, sql) == EXPECTED[name]


@pytest.mark.parametrize(
    ("test_all_changes", "expected"),
    [(True, SCOPED_FULL), (False, SCOPED_UNPROVEN)],
    ids=["full", "scoped"],
)
def test_a_scoped_key_reads_the_runs_not_proven(
    pipeline: Pipeline, test_all_changes: bool, expected: list[tuple[Any, int]]
) -> None:
    sql = (
        "{{ config(meta={'test_scope': 'landing_runs_not_proven'}) }} "
        "select * from ({{ test_primary_key("
        "model=get_where_subquery('main.pk_changes'), column_name='change_id') }}) as t"
    )
    args = ["--vars", "{test_all_changes: true}"] if test_all_changes else []
    assert _failing_rows(pipeline, sql, *args) == expected


@pytest.mark.parametrize("reads", list(LATEST_EXPECTED))
def test_a_latest_key_reads_every_row_of_the_keys_the_new_rows_have(
    pipeline: Pipeline, reads: str
) -> None:
    meta = "{'test_scope': 'landed_in_runs_not_proven'"
    meta += "}" if reads == "new rows only" else ", 'scope_keys': ['account_id']}"
    sql = (
        f"{{{{ config(meta={meta}) }}}} "
        "select * from ({{ test_primary_key("
        "model=get_where_subquery('main.pk_latest'), column_name='account_id') }}) as t"
    )
    args = ["--vars", "{test_all_changes: true}"] if reads == "full" else []
    assert _failing_rows(pipeline, sql, *args) == LATEST_EXPECTED[reads]
