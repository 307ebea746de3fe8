"""Landing on hand-written DMS files: every row lands once or is quarantined with a reason."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import duckdb
import numpy as np
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.pipeline import Pipeline

from ingestion.contracts import TableContract
from ingestion.formats import _positions
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource

CUSTOMERS = "core_banking/customers"


def land(dms_root: Path, lake: Path, contracts: dict[tuple[str, str], TableContract]) -> RunSummary:
    return Lander(LocalSource(dms_root), Lake(lake), contracts).run()


def query(sql: str) -> list[tuple[object, ...]]:
    return duckdb.sql(sql).fetchall()


def raw(lake: Path, table: str = CUSTOMERS) -> str:
    return f"read_parquet('{lake}/raw/{table}/*.parquet', union_by_name = true)"


def quarantine(lake: Path) -> str:
    return f"read_parquet('{lake}/quarantine/**/*.parquet', union_by_name = true)"


def csv(*rows: str) -> str:
    return "\n".join([CUSTOMER_HEADER, *rows]) + "\n"


def test_rows_land_typed_with_lineage(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1), customer_row(2)))
    pipeline.write(
        f"{CUSTOMERS}/20260301-090000123.csv",
        csv(customer_row(1, op="U", email="new@example.com"), customer_row(2, op="D")),
    )
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert summary.files_landed == 2
    assert summary.tables["core_banking.customers"].rows_landed == 4
    rows = query(
        f"select customer_id, _dms_op, email, address_line, phone, date_of_birth, _dms_row, "
        f"_dms_file from {raw(lake)} order by _dms_file_order, _dms_row"
    )
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
        (1, "I", "a@example.com", 1),
        (2, "I", "a@example.com", 2),
        (1, "U", "new@example.com", 1),
        (2, "D", "a@example.com", 2),
    ]
    assert rows[0][3] == '1 Main St, Flat "2"\nBrno'  # commas, quotes, newline survive
    assert rows[0][4] is None  # an empty unquoted field is NULL
    assert str(rows[0][5]) == "1980-01-02"
    assert rows[2][7] == f"{CUSTOMERS}/20260301-090000123.csv"


def test_quoted_empty_string_is_not_null(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    row = customer_row(1).replace(",Ann,Lee,", ',"",Lee,')
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", csv(row))
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    assert query(f"select first_name from {raw(lake)} where customer_id = 1") == [("",)]


def test_words_pyarrow_would_take_for_null_stay_text(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    words = ["NA", "N/A", "null", "NULL", "NaN", "#N/A", "-nan", "None"]
    rows = [customer_row(n).replace(",Ann,", f",{w},") for n, w in enumerate(words, start=1)]
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", csv(*rows))
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert (summary.rows_landed, summary.rows_quarantined) == (len(words), 0)
    landed = query(f"select first_name from {raw(lake)} order by customer_id")
    assert [r[0] for r in landed] == words  # only an empty unquoted field is NULL


def test_rerun_lands_nothing_twice(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1)))
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    files_before = sorted(p.name for p in (lake / "raw" / CUSTOMERS).iterdir())
    second = land(dms_root, lake, contracts)
    assert (second.files_landed, second.files_already_landed) == (0, 1)
    assert sorted(p.name for p in (lake / "raw" / CUSTOMERS).iterdir()) == files_before
    assert query(f"select count(*) from {raw(lake)}") == [(1,)]


def test_bad_rows_are_quarantined_with_reason_and_position(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(
        f"{CUSTOMERS}/20260301-090000123.csv",
        csv(
            customer_row(1),
            customer_row(2, dob="1980-13-02"),  # not a date
            "I,2026-03-01 08:00:00.000000,3,too,few",  # wrong field count
            customer_row(4, op="X"),  # unknown Op
            customer_row("", op="U"),  # null primary key
            customer_row("12x"),  # not a bigint
            customer_row(7),
        ),
    )
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    totals = summary.tables["core_banking.customers"]
    assert (totals.rows_landed, totals.rows_quarantined) == (2, 5)
    assert query(f"select customer_id, _dms_row from {raw(lake)} order by 1") == [(1, 1), (7, 7)]
    reasons = dict(query(f"select dms_row, reason from {quarantine(lake)}"))
    assert reasons[2] == "date_of_birth: '1980-13-02' is not a valid date"
    assert reasons[3] == "expected 16 fields, found 5"
    assert reasons[4] == "unknown Op 'X'"
    assert reasons[5] == "primary key customer_id is null"
    assert reasons[6].startswith("customer_id: '12x' is not a valid bigint")
    raw_record = query(f"select raw_record from {quarantine(lake)} where dms_row = 4")[0][0]
    assert '"Op": "X"' in str(raw_record)


def test_unreadable_file_is_kept_whole_and_not_retried(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    broken = gzip.compress(csv(customer_row(1)).encode())[:-20]
    pipeline.write(f"{CUSTOMERS}/20260301-090000123.csv.gz", broken)
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert summary.files_quarantined == 1
    kept = lake / "quarantine_files" / CUSTOMERS / "20260301-090000123.csv.gz"
    assert kept.read_bytes() == broken
    (reason,) = query(f"select reason from {quarantine(lake)} where dms_row is null")[0]
    assert "file not readable" in str(reason)
    assert land(dms_root, lake, contracts).files_already_landed == 1


def test_gzip_and_headerless_files_land(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(
        f"{CUSTOMERS}/20260301-090000123.csv.gz", gzip.compress(csv(customer_row(1)).encode())
    )
    headerless_load_without_op = customer_row(2).split(",", 1)[1]  # older task: no header, no Op
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", headerless_load_without_op + "\n")
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert summary.files_landed == 2
    assert summary.rows_quarantined == 0
    assert query(f"select customer_id, _dms_op, city from {raw(lake)} order by 1") == [
        (1, "I", "Brno"),
        (2, "I", "Brno"),
    ]


def test_empty_cdc_file_is_recorded_and_lands_no_rows(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(f"{CUSTOMERS}/20260301-090000123.csv", "")
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert summary.files_landed == 1
    assert query(f"select count(*) from {raw(lake)}") == [(0,)]
    assert land(dms_root, lake, contracts).files_already_landed == 1


def test_changed_content_lands_as_new_version_and_same_content_is_a_duplicate(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    # a CDC file (a LOAD file delivered again is a new full load: test_generations.py)
    path = pipeline.write(f"{CUSTOMERS}/20260301-090000123.csv", csv(customer_row(1)))
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    os.utime(path, ns=(1, 1))  # touched, same bytes
    touched = land(dms_root, lake, contracts)
    assert (touched.files_duplicate, touched.files_landed) == (1, 0)
    pipeline.write(f"{CUSTOMERS}/20260301-090000123.csv", csv(customer_row(1), customer_row(2)))
    changed = land(dms_root, lake, contracts)
    assert changed.files_landed == 1
    assert query(f"select count(*) from {raw(lake)}") == [(3,)]


def test_schema_drift_is_landed_and_reported(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    header = CUSTOMER_HEADER.replace(",phone,", ",").replace(",dms_change_seq", ",loyalty_tier")
    row = customer_row(1).replace("a@example.com,,", "a@example.com,")[:-1] + ",gold"
    pipeline.write(f"{CUSTOMERS}/20260301-090000123.csv", header + "\n" + row + "\n")
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    notes = " ".join(summary.notes)
    assert "columns missing from file (landed as null): phone" in notes
    assert "columns not in the contract (landed as text): loyalty_tier" in notes
    assert query(f"select phone, loyalty_tier from {raw(lake)}") == [(None, "gold")]


def test_unknown_tables_and_names_are_reported_not_landed(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write("other/thing/LOAD00000001.csv", "a,b\n1,2\n")
    pipeline.write(f"{CUSTOMERS}/readme.txt", "hello")
    summary = land(dms_root, tmp_path / "lake", contracts)
    skipped = "\n".join(summary.skipped)
    assert "other.thing: no contract" in skipped
    assert "readme.txt" in skipped
    assert summary.files_landed == 0


def test_a_table_folder_a_contract_cannot_name_says_what_to_do(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    """`order-lines` (MySQL allows it) cannot be a contract's file name: the skip must not
    ask for contracts/shop/order-lines.yml, which would be refused."""
    pipeline.write("shop/order-lines/LOAD00000001.csv", "a,b\n1,2\n")
    pipeline.write("Kunden/größe/LOAD00000001.csv", "a,b\n1,2\n")
    summary = land(dms_root, tmp_path / "lake", contracts)
    skipped = "\n".join(summary.skipped)
    assert "add contracts/shop/order-lines.yml" not in skipped
    assert (
        "1 file(s) for shop.order-lines: not a plain identifier (letters, digits, _), which a "
        "contract cannot name; rename the table in the DMS task" in skipped
    )
    assert "Kunden/größe/LOAD00000001.csv: unsafe or unusual path component 'größe'" in skipped


def test_tables_without_files_are_empty_tables(
    dms_root: Path, tmp_path: Path, contracts: dict
) -> None:
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    for schema, table in contracts:
        columns = [r[0] for r in query(f"describe select * from {raw(lake, f'{schema}/{table}')}")]
        assert columns[:3] == ["_dms_op", "_dms_commit_ts", "_dms_change_seq"]
        assert query(f"select count(*) from {raw(lake, f'{schema}/{table}')}") == [(0,)]


def test_positions_skip_the_records_the_reader_dropped() -> None:
    # records 1..8 with a header at 1; records 4 and 5 were malformed
    kept = _positions(2, 0, 5, [4, 5]) - 1
    assert kept.tolist() == [1, 2, 5, 6, 7]
    assert _positions(1, 2, 2, []).tolist() == [3, 4]
    assert np.array_equal(_positions(1, 0, 3, [1]), np.array([2, 3, 4]))


def test_odd_folder_names_stay_inside_the_lake(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(f"{CUSTOMERS}/..hidden/LOAD00000001.csv", csv(customer_row(1)))
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and dms_root not in p.parents]
    assert written and all(lake in p.parents for p in written)
    assert list((lake / "raw" / CUSTOMERS).glob("..hidden__LOAD00000001__*.parquet"))


def test_parallel_landing_gives_what_one_worker_gives(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    # several files of one table, one with a bad row and one with a drifted column
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", csv(*(customer_row(i) for i in range(1, 40))))
    pipeline.write(f"{CUSTOMERS}/LOAD00000002.csv", csv(customer_row(40), "I,not,enough"))
    for minute in range(5):
        pipeline.write(
            f"{CUSTOMERS}/20260301-09{minute:02d}00123.csv",
            csv(*(customer_row(i, op="U", email=f"m{minute}@example.com") for i in range(1, 9))),
        )
    summaries = {}
    for workers in (1, 4):
        lake = tmp_path / f"lake{workers}"
        summaries[workers] = Lander(
            LocalSource(dms_root), Lake(lake), contracts, workers=workers
        ).run()
    one, four = summaries[1], summaries[4]
    assert (one.files_landed, one.rows_landed, one.rows_quarantined) == (7, 80, 1)
    assert (four.files_landed, four.rows_landed, four.rows_quarantined) == (7, 80, 1)
    assert four.notes == one.notes and four.drift == one.drift
    for lake_dir in ("raw", "quarantine"):
        names = [
            sorted(p.name for p in (tmp_path / f"lake{w}" / lake_dir).rglob("*.parquet"))
            for w in (1, 4)
        ]
        assert names[0] == names[1]
    columns = "* exclude (_landing_run_id, _landed_at)"
    landed = [
        query(f"select {columns} from {raw(tmp_path / f'lake{w}')} order by _dms_file, _dms_row")
        for w in (1, 4)
    ]
    assert landed[0] == landed[1]
    held = [
        query(
            f"select * exclude (landing_run_id, landed_at) from {quarantine(tmp_path / f'lake{w}')}"
            " order by dms_file, dms_row"
        )
        for w in (1, 4)
    ]
    assert held[0] == held[1] and len(held[0]) == 1

    def ledger(lake: Path) -> list[tuple[object, ...]]:
        records = [json.loads(p.read_text()) for p in (lake / "_ledger" / "files").rglob("*.json")]
        return sorted(
            (r["key"], r["sha256"], r["status"], r["rows_landed"], r["rows_quarantined"],
             r["raw_file"], r["quarantine_file"], tuple(r["notes"]))
            for r in records
        )  # fmt: skip

    assert ledger(tmp_path / "lake1") == ledger(tmp_path / "lake4")
    assert len(ledger(tmp_path / "lake1")) == 7


def test_a_bad_worker_count_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from ingestion.cli import main

    (tmp_path / "dms").mkdir()
    monkeypatch.setenv("DMSW_LAND_WORKERS", "many")
    code = main(["land", "--source", str(tmp_path / "dms"), "--lake", str(tmp_path / "lake")])
    assert code == 2
    assert "DMSW_LAND_WORKERS must be a whole number >= 1, not 'many'" in capsys.readouterr().err
    monkeypatch.delenv("DMSW_LAND_WORKERS")
    args = ["land", "--source", str(tmp_path / "dms"), "--lake", str(tmp_path / "lake")]
    assert main([*args, "--workers", "0"]) == 2
    assert "--workers must be 1 or more" in capsys.readouterr().err
