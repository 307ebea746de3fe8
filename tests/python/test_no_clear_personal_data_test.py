"""The `no_clear_personal_data` data test (tests/generic/test_no_clear_personal_data.sql) names
each masked value that gives a clear personal value away: it equals a clear value of its
mapped clear column (of any key), or contains the same key's clear value of four characters or
more. Hand-written masked and clear relations are fed to the real test SQL through `dbt show`;
the leaks expected (masked column, clear column, key) are written here by hand.

The clear relation has two versions of customer 1 (a type 2 dimension); customer 5 has no
clear row; only the mapped pairs are compared (customer 3's e-mail mask holds its first name,
which is not mapped to the e-mail)."""

from __future__ import annotations

import duckdb
import pytest
from support.pipeline import Pipeline
from support.relations import insert_rows

pytestmark = pytest.mark.dbt

# customer_id, full_name, first_name, email
CLEAR: list[tuple[int, str | None, str | None, str | None]] = [
    (1, "Anna Berg", "Anna", "anna@x.io"),
    (1, "Anna Lind", "Anna", "anna@y.io"),
    (2, "Bo Ek", "Bo", "bo@x.io"),
    (3, "Carl Dahl", "Carl", None),
    (4, None, None, None),
    (6, "Dora Nyman", "Dora", "dora@z.io"),
]
# customer_id, full_name_masked, email_masked
MASKED: list[tuple[int, str | None, str | None]] = [
    (1, "A*** B***", "a***@x.io"),  # masked: nothing
    (1, "Anna Lind", "a***@y.io"),  # a clear name, which also holds the key's first name
    (2, "Bo Ek", "b***@x.io"),  # a clear name; the first name is under four characters
    (3, "Anna Berg", "Mr Carl D."),  # another key's clear name; Carl is not mapped to email
    (4, None, "bo@x.io"),  # another key's clear e-mail
    (5, "Eve", None),  # no clear row
    (6, "Dora N***", "d***@z.io"),  # holds the key's first name only
    (6, None, None),
]
COLUMNS = "{'full_name_masked': ['full_name', 'first_name'], 'email_masked': ['email']}"
LEAKS = {
    ("full_name_masked", "full_name", 1),
    ("full_name_masked", "first_name", 1),
    ("full_name_masked", "full_name", 2),
    ("full_name_masked", "full_name", 3),
    ("email_masked", "email", 4),
    ("full_name_masked", "first_name", 6),
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("no_clear_personal_data"), artifacts=False)
    with duckdb.connect(str(pipeline.database)) as connection:
        connection.execute(
            "create table main.clear_customers"
            " (customer_id bigint, full_name varchar, first_name varchar, email varchar)"
        )
        insert_rows(connection, "main.clear_customers", CLEAR)
        connection.execute(
            "create table main.masked_customers"
            " (customer_id bigint, full_name_masked varchar, email_masked varchar)"
        )
        insert_rows(connection, "main.masked_customers", MASKED)
    return pipeline


def _leaks(pipeline: Pipeline, model: str, clear: str, columns: str) -> set[tuple[str, str, int]]:
    sql = (
        "select * from ({{ test_no_clear_personal_data("
        f'model="{model}", clear_relation="{clear}", key_column="customer_id", '
        f"columns={columns}) }}}}) as t"
    )
    return {
        (row["masked_column"], row["clear_column"], int(row["key_value"]))
        for row in pipeline.show(sql)
    }


def test_each_clear_value_given_away_is_named(pipeline: Pipeline) -> None:
    found = _leaks(pipeline, "main.masked_customers", "main.clear_customers", COLUMNS)
    assert found == LEAKS


def test_a_relation_masked_properly_passes(pipeline: Pipeline) -> None:
    # the first masked version of customer 1 alone: nothing given away
    masked = "(select * from main.masked_customers where email_masked = 'a***@x.io')"
    assert _leaks(pipeline, masked, "main.clear_customers", COLUMNS) == set()
