"""Names real DMS tasks have, end to end as a new user runs them: `dmsw contracts infer` drafts
the contracts (nothing edited), `dmsw models generate`, `dmsw land` and `dbt build` in a copy
of the project, twice (full load, then CDC: the incremental models). Oracle-style upper case
(HR.EMPLOYEES), SQL Server MixedCase with a composite key (dbo.OrderLines), reserved words as
table and column names with a composite key of reserved words (kw.user: group, order), the
generated models' own column names (landed_at). Silver is compared with values written by
hand."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from support.copied_project import CopiedProject, copy_project
from support.handmade_dms import csv_text

pytestmark = pytest.mark.dbt

DMSW = str(Path(sys.executable).with_name("dmsw"))

FIRST: dict[str, list[list[str | None]]] = {
    "HR/EMPLOYEES/LOAD00000001.csv": [
        ["EMPLOYEE_ID", "FIRST_NAME", "HIRE_DATE"],
        ["100", "Steven", "2003-06-17"],
        ["101", "Neena", "2005-09-21"],
    ],
    "dbo/OrderLines/LOAD00000001.csv": [
        ["OrderID", "LineNo", "Qty"],
        ["1", "1", "5"],
        ["1", "2", "5"],
        ["2", "1", "3"],
    ],
    "kw/user/LOAD00000001.csv": [
        ["group", "order", "select", "raw", "landed_at"],
        ["1", "1", "x", "r", "2024-01-01 00:00:00"],
        ["1", "2", "x", "r", "2024-01-02 00:00:00"],
        ["2", "1", "z", "q", None],
    ],
}
SECOND: dict[str, list[list[str | None]]] = {
    "HR/EMPLOYEES/20260301-101010123.csv": [
        ["Op", "EMPLOYEE_ID", "FIRST_NAME", "HIRE_DATE"],
        ["U", "101", "Neena K", "2005-09-21"],
        ["I", "102", "Lex", "2001-01-13"],
    ],
    "dbo/OrderLines/20260301-101010123.csv": [
        ["Op", "OrderID", "LineNo", "Qty"],
        ["D", "1", "2", "5"],
        ["U", "2", "1", "4"],
    ],
    "kw/user/20260301-101010123.csv": [
        ["Op", "group", "order", "select", "raw", "landed_at"],
        ["U", "1", "2", "y", "r", "2024-01-03 00:00:00"],
        ["D", "2", "1", "z", "q", None],
        ["I", "3", "1", "w", None, None],
    ],
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> CopiedProject:
    root = tmp_path_factory.mktemp("source_names")
    return CopiedProject(root / "run", project=copy_project(root / "project"))


def _deliver(pipeline: CopiedProject, files: dict[str, list[list[str | None]]]) -> None:
    for key, records in files.items():
        pipeline.write(key, csv_text(records))


def _step(pipeline: CopiedProject, *args: str) -> None:
    result = pipeline.run(DMSW, *args)
    assert result.returncode == 0, result.stdout + result.stderr


def _rows(pipeline: CopiedProject, relation: str, columns: str) -> list[tuple[Any, ...]]:
    return pipeline.query(f"select {columns} from {relation} order by all")


def test_upper_mixed_case_and_reserved_names_arrive_in_silver_exactly(
    pipeline: CopiedProject,
) -> None:
    _deliver(pipeline, FIRST)
    _step(pipeline, "contracts", "infer", "--source", str(pipeline.dms), "--out", "contracts")
    _step(pipeline, "models", "generate")
    _step(pipeline, "land", "--source", str(pipeline.dms), "--lake", str(pipeline.lake))
    pipeline.dbt("build")
    user = (pipeline.project / "contracts" / "kw" / "user.yml").read_text()
    assert "primary_key: [group, order]" in user  # the key infer suggests: reserved words
    _deliver(pipeline, SECOND)
    _step(pipeline, "land", "--source", str(pipeline.dms), "--lake", str(pipeline.lake))
    pipeline.dbt("build")

    assert _rows(pipeline, "silver.slv_employees", "employee_id, first_name, hire_date::text") == [
        (100, "Steven", "2003-06-17"),
        (101, "Neena K", "2005-09-21"),
        (102, "Lex", "2001-01-13"),
    ]
    assert _rows(pipeline, "silver.slv_orderlines", "orderid, lineno, qty") == [
        (1, 1, 5),
        (2, 1, 4),
    ]
    assert _rows(
        pipeline,
        "silver.slv_user",
        "group_value, order_value, select_value, raw_value, landed_at_value::text",
    ) == [
        (1, 1, "x", "r", "2024-01-01 00:00:00"),
        (1, 2, "y", "r", "2024-01-03 00:00:00"),
        (3, 1, "w", None, None),
    ]
