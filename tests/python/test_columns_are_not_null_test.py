"""The `columns_are_not_null` data test (tests/generic/test_columns_are_not_null.sql) fails
with one row per row of the model that has a null in any listed column, in one scan: what a
`not_null` test per column proved. Hand-written relations are fed to the real test SQL through
`dbt show`; the failing rows expected (how many, and which listed columns are null in each) are
counted here in plain Python from the same rows, not by SQL.

Every relation has the columns a, b, c (listed, in that order: a null in the first, the middle
and the last one each fails) and d (not listed: its nulls never fail)."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from support.pipeline import Pipeline
from support.relations import insert_rows

pytestmark = pytest.mark.dbt

LISTED = ["a", "b", "c"]
COLUMNS = ["id", *LISTED, "d"]
Row = tuple[int, int | None, str | None, int | None, str | None]

# relation: its rows (id, a, b, c, d)
ROWS: dict[str, list[Row]] = {
    "no_nulls": [(1, 1, "x", 10, "y"), (2, 2, "x", 20, "y"), (3, 3, "z", 30, "w")],
    "first_null": [(1, None, "x", 10, "y"), (2, 2, "x", 20, "y")],
    "middle_null": [(1, 1, "x", 10, "y"), (2, 2, None, 20, "y")],
    "last_null": [(1, 1, "x", None, "y"), (2, 2, "x", 20, "y"), (3, 3, "x", None, "y")],
    "two_nulls_in_one_row": [(1, None, "x", None, "y"), (2, 2, "x", 20, "y")],
    "unlisted_null": [(1, 1, "x", 10, None), (2, 2, "x", 20, None)],
    "mixed": [
        (1, None, None, None, None),
        (2, 2, "x", 20, None),
        (3, 3, None, 30, "y"),
        (4, 4, "x", 40, "y"),
        (5, None, "x", 50, None),
        (6, 6, None, None, "y"),
    ],
    "empty": [],
}


def _expected(rows: list[Row]) -> list[tuple[int, str]]:
    """The failing rows counted in Python: (id, the null listed columns, in list order)."""
    failing = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        nulls = [name for name in LISTED if values[name] is None]
        if nulls:
            failing.append((row[0], ",".join(nulls)))
    return failing


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("columns_are_not_null"), artifacts=False)
    with duckdb.connect(str(pipeline.database)) as connection:
        for name, rows in ROWS.items():
            connection.execute(
                f"create table main.nn_{name} (id bigint, a bigint, b varchar, c bigint, d varchar)"
            )
            insert_rows(connection, f"main.nn_{name}", rows)
    return pipeline


def _failing_rows(pipeline: Pipeline, name: str) -> list[dict[str, Any]]:
    sql = (
        "select t.*, r.id from ({{ test_columns_are_not_null("
        f"model=get_where_subquery('main.nn_{name}'), columns={LISTED}) }}}}) as t "
        # the failing rows carry the listed columns, not the id: joined back for the check
        f"join main.nn_{name} as r on r.a is not distinct from t.a "
        "and r.b is not distinct from t.b and r.c is not distinct from t.c"
    )
    return pipeline.show(sql)


@pytest.mark.parametrize("name", list(ROWS))
def test_a_row_with_a_null_in_a_listed_column_fails_once(pipeline: Pipeline, name: str) -> None:
    rows = _failing_rows(pipeline, name)
    expected = _expected(ROWS[name])
    # one failing row per row with a null, however many of its listed columns are null
    assert len(rows) == len(expected)
    assert sorted((int(row["id"]), row["null_columns"]) for row in rows) == expected
    # the listed columns themselves, then the names of the null ones; d is not there
    for row in rows:
        assert list(row) == [*LISTED, "null_columns", "id"]


def test_the_cases_fail_as_counted() -> None:
    """The figures the test SQL is compared with, as counted from the rows."""
    counts = {name: len(_expected(rows)) for name, rows in ROWS.items()}
    assert counts == {
        "no_nulls": 0,
        "first_null": 1,
        "middle_null": 1,
        "last_null": 2,
        "two_nulls_in_one_row": 1,
        "unlisted_null": 0,
        "mixed": 4,
        "empty": 0,
    }
    assert _expected(ROWS["two_nulls_in_one_row"]) == [(1, "a,c")]


def test_no_column_listed_is_refused(pipeline: Pipeline) -> None:
    result = pipeline.dbt(
        "show", "--inline",
        "select * from ({{ test_columns_are_not_null(model='main.nn_empty', columns=[]) }}) as t",
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "columns_are_not_null: list at least one column" in result.stdout + result.stderr
