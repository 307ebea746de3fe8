"""The bronze `change_metadata_is_valid` data test (tests/generic/) catches every rule it
replaces: one not_null / accepted_values / accepted_range / matches_pattern test per change
metadata column. Rows written here by hand, each breaking one rule (or none: edge values that
must pass), are fed to the real test SQL through `dbt show`; the expected problems are listed
here, not computed by the test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.pipeline import Pipeline

pytestmark = pytest.mark.dbt

COLUMNS = (
    "change_id",
    "change_op",
    "change_committed_at",
    "change_seq",
    "source_file",
    "source_file_order",
    "source_row",
    "landing_run_id",
    "landed_at",
    "load_generation",
)
GOOD: dict[str, Any] = {
    "change_op": "'U'",
    "change_committed_at": "timestamp '2024-05-01 10:00:00'",
    "change_seq": "'20240501100000000000000000000000001'",
    "source_file": "'core/t/20240501-100000000.csv'",
    "source_file_order": "3",
    "source_row": "1",
    "landing_run_id": "'run-1'",
    "landed_at": "timestamp '2024-05-02 00:00:00'",
    "load_generation": "1",
}
# change_id -> (the values that differ from GOOD, the problem the test must name, or None)
ROWS: dict[str, tuple[dict[str, str], str | None]] = {
    "good": ({}, None),
    "insert": ({"change_op": "'I'"}, None),
    "delete": ({"change_op": "'D'"}, None),
    "no commit time or sequence": (
        {"change_committed_at": "null", "change_seq": "null"},
        None,
    ),
    "oldest commit": ({"change_committed_at": "timestamp '1900-01-01 00:00:00'"}, None),
    "newest commit": ({"change_committed_at": "timestamp '2100-12-31 00:00:00'"}, None),
    "later generation": ({"load_generation": "2"}, None),
    "op null": ({"change_op": "null"}, "change_op is null"),
    "op lower case": ({"change_op": "'u'"}, "change_op is not I, U or D"),
    "op unknown": ({"change_op": "'X'"}, "change_op is not I, U or D"),
    "commit too old": (
        {"change_committed_at": "timestamp '1899-12-31 23:59:59'"},
        "change_committed_at is outside 1900-01-01 to 2100-12-31",
    ),
    "commit too new": (
        {"change_committed_at": "timestamp '2100-12-31 00:00:01'"},
        "change_committed_at is outside 1900-01-01 to 2100-12-31",
    ),
    "sequence with a letter": ({"change_seq": "'12a4'"}, "change_seq is not digits only"),
    "sequence negative": ({"change_seq": "'-5'"}, "change_seq is not digits only"),
    "sequence blank": ({"change_seq": "''"}, "change_seq is not digits only"),
    "file null": ({"source_file": "null"}, "source_file is null"),
    "file order null": ({"source_file_order": "null"}, "source_file_order is null"),
    "row null": ({"source_row": "null"}, "source_row is null"),
    "row zero": ({"source_row": "0"}, "source_row is below 1"),
    "run null": ({"landing_run_id": "null"}, "landing_run_id is null"),
    "landed null": ({"landed_at": "null"}, "landed_at is null"),
    "generation null": ({"load_generation": "null"}, "load_generation is null"),
    "generation zero": ({"load_generation": "0"}, "load_generation is below 1"),
}
TYPES = {
    "change_id": "varchar",
    "change_op": "varchar",
    "change_committed_at": "timestamp",
    "change_seq": "varchar",
    "source_file": "varchar",
    "source_file_order": "bigint",
    "source_row": "bigint",
    "landing_run_id": "varchar",
    "landed_at": "timestamp",
    "load_generation": "bigint",
}


def _bad_rows_table(database: Path) -> None:
    selects = []
    for change_id, (changes, _) in ROWS.items():
        values = {"change_id": "'" + change_id + "'", **GOOD, **changes}
        selects.append(
            "select " + ", ".join(f"cast({values[c]} as {TYPES[c]}) as {c}" for c in COLUMNS)
        )
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table main.hand_written_changes as " + "\nunion all\n".join(selects)
        )


def _failing_rows(pipeline: Pipeline, relation: str) -> list[dict[str, Any]]:
    return pipeline.show(
        f"select * from ({{{{ test_change_metadata_is_valid(model='{relation}') }}}}) as t"
    )


def test_each_change_metadata_rule_is_caught_and_named(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path)
    _bad_rows_table(pipeline.database)
    failing = _failing_rows(pipeline, "main.hand_written_changes")
    found = {row["change_id"]: row["problem"] for row in failing}
    expected = {change_id: problem for change_id, (_, problem) in ROWS.items() if problem}
    assert found == expected
    assert len(failing) == len(expected)
    # the failing rows point at the record: file and row as landed
    by_id = {row["change_id"]: row for row in failing}
    assert by_id["op unknown"]["source_file"] == "core/t/20240501-100000000.csv"
    assert by_id["row zero"]["source_row"] == 0
