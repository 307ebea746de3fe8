"""Hostile and broken input: each case shows its message and that nothing else was lost.

(Wrong field count, unknown Op, bad dates and numbers, added and dropped columns, corrupt gzip,
unknown table folders and non-DMS names are in test_landing.py.)
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.pipeline import Pipeline
from support.project import CONTRACTS

from ingestion.cli import main
from ingestion.contracts import TableContract, load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, Progress, RunSummary
from ingestion.sources import LocalSource

CUSTOMERS = "core_banking/customers"
CDC = f"{CUSTOMERS}/20260301-090000123.csv"


def land(
    dms_root: Path, lake: Path, contracts: dict[tuple[str, str], TableContract], **kw: Any
) -> RunSummary:
    return Lander(LocalSource(dms_root), Lake(lake), contracts, **kw).run()


def landed_ids(lake: Path) -> list[int]:
    source = f"read_parquet('{lake}/raw/{CUSTOMERS}/*.parquet', union_by_name = true)"
    return [
        int(r[0]) for r in duckdb.sql(f"select customer_id from {source} order by 1").fetchall()
    ]


def reasons(lake: Path) -> list[tuple[object, ...]]:
    source = f"read_parquet('{lake}/quarantine/**/*.parquet', union_by_name = true)"
    return duckdb.sql(f"select dms_row, reason, raw_record from {source} order by 1").fetchall()


def csv(*rows: str) -> bytes:
    return ("\n".join([CUSTOMER_HEADER, *rows]) + "\n").encode()


def test_truncated_file_keeps_every_complete_record(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    whole = csv(customer_row(1), customer_row(2), customer_row(3))
    pipeline.write(CDC, whole[: whole.rindex(b"Main St")])  # cut inside the last quoted field
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert landed_ids(lake) == [1, 2]
    ((row, reason, raw),) = reasons(lake)
    assert row == 3 and "expected 16 fields" in str(reason)
    assert str(raw).startswith("I,2026-03-01 08:00:00.000000,3,")  # the cut record is kept
    assert summary.rows_quarantined == 1


def test_bad_utf8_quarantines_only_that_record(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    bad = customer_row(2).replace("Ann", "A\xffnn").encode("latin-1")
    pipeline.write(CDC, csv(customer_row(1)) + bad + b"\n" + customer_row(3).encode() + b"\n")
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    assert landed_ids(lake) == [1, 3]
    ((row, reason, raw),) = reasons(lake)
    assert (row, reason) == (2, "field 4 is not valid UTF-8 (byte 1)")
    assert "A\\xffnn" in str(raw)


def test_nul_bytes_quarantine_the_record(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(CDC, csv(customer_row(1), customer_row(2).replace("Lee", "L\x00ee")))
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    assert landed_ids(lake) == [1]
    ((row, reason, raw),) = reasons(lake)
    assert (row, reason) == (2, "field 5 contains a NUL byte (at 1)")
    assert "L\\x00ee" in str(raw)


def test_unterminated_quote_is_quarantined_with_the_rest_of_the_file(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    def plain(n: int) -> str:  # a record without quotes
        return customer_row(n).replace('"1 Main St, Flat ""2""\nBrno"', "Main St")

    broken = plain(2).replace("Ann", '"Ann')  # the quote never closes
    pipeline.write(CDC, csv(plain(1), broken, plain(3)))
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert landed_ids(lake) == [1]
    ((row, reason, raw),) = reasons(lake)
    assert row == 2 and "fields" in str(reason)
    assert ",3,Ann,Lee," in str(raw)  # the swallowed record is in the quarantine, not lost
    assert summary.files_failed == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [("LOAD00000001.csv", b""), ("LOAD00000002.csv", CUSTOMER_HEADER.encode() + b"\n")],
)
def test_empty_and_header_only_files_land_nothing_and_are_recorded(
    dms_root: Path,
    pipeline: Pipeline,
    tmp_path: Path,
    contracts: dict,
    name: str,
    content: bytes,
) -> None:
    pipeline.write(f"{CUSTOMERS}/{name}", content)
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert (summary.files_landed, summary.rows_quarantined) == (1, 0)
    assert landed_ids(lake) == []
    ledger = list((lake / "_ledger" / "files").rglob("*.json"))
    assert json.loads(ledger[0].read_text())["status"] == "empty"


def test_unparseable_commit_timestamp_is_quarantined(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    late = customer_row(2).replace("2026-03-01 08:00:00.000000", "yesterday")
    pipeline.write(CDC, csv(customer_row(1), late))
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    assert landed_ids(lake) == [1]
    assert reasons(lake)[0][:2] == (2, "dms_commit_ts: 'yesterday' is not a timestamp")


def test_a_10_mb_field_lands_intact_or_is_kept_whole_in_the_quarantine(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    huge = "x" * (10 << 20)
    # first_name is varchar(100): too long to land, kept whole with the record
    pipeline.write(CDC, csv(customer_row(1).replace("Ann", huge), customer_row(2)))
    lake = tmp_path / "lake"
    land(dms_root, lake, contracts)
    assert landed_ids(lake) == [2]
    ((row, reason, raw),) = reasons(lake)
    assert row == 1
    assert str(reason).endswith(
        f"does not fit varchar(100): longer than 100 characters ({10 << 20})"
    )
    assert json.loads(str(raw))["first_name"] == huge
    # in a column without a length limit it lands intact
    folder = tmp_path / "contracts" / "docs"
    folder.mkdir(parents=True)
    (folder / "notes.yml").write_text(
        "table: notes\nprimary_key: [id]\ncolumns:\n"
        "  - {name: id, type: bigint}\n  - {name: body, type: varchar}\n"
    )
    (folder / "_dms_settings.yml").write_text(
        "add_column_name: false\ninclude_op_for_full_load: false\n"
        "timestamp_column_name: ''\nchange_seq_column_name: ''\n"
    )
    pipeline.write("docs/notes/LOAD00000001.csv", f"1,{huge}\n2,short\n")
    notes_lake = tmp_path / "notes_lake"
    land(dms_root, notes_lake, load_contracts(tmp_path / "contracts"))
    source = f"read_parquet('{notes_lake}/raw/docs/notes/*.parquet')"
    assert duckdb.sql(f"select id, length(body) from {source} order by 1").fetchall() == [
        (1, 10 << 20),
        (2, 5),
    ]


def test_a_changed_type_quarantines_those_rows_and_lands_the_rest(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    # the source changed customer_id to text: new rows carry ids like 'C-9'
    pipeline.write(CDC, csv(customer_row(1), customer_row("C-9"), customer_row("C-10")))
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert landed_ids(lake) == [1]
    assert [r[1] for r in reasons(lake)] == [
        "customer_id: 'C-9' is not a valid bigint; primary key customer_id is null",
        "customer_id: 'C-10' is not a valid bigint; primary key customer_id is null",
    ]
    assert summary.tables["core_banking.customers"].rows_quarantined == 2


def test_corrupt_parquet_is_kept_whole_with_its_reason(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(f"{CUSTOMERS}/20260301-090000123.parquet", b"PAR1 this is not parquet PAR1")
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1)))
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert (summary.files_quarantined, summary.files_landed) == (1, 1)
    assert landed_ids(lake) == [1]
    ((row, reason, _),) = reasons(lake)
    assert row is None and "file not readable: cannot read as Parquet" in str(reason)
    kept = lake / "quarantine_files" / CUSTOMERS / "20260301-090000123.parquet"
    assert kept.read_bytes() == b"PAR1 this is not parquet PAR1"


def test_column_names_that_would_inject_sql_reject_the_file(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    header = CUSTOMER_HEADER.replace("dms_change_seq", 'x" from batch; drop table t; --')
    pipeline.write(CDC, (header + "\n" + customer_row(1) + "\n").encode())
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert summary.files_quarantined == 1
    ((_, reason, _),) = reasons(lake)
    assert "is not a plain identifier" in str(reason)
    assert "rename it in the DMS task" in str(reason)
    assert (lake / "quarantine_files" / CDC).exists()


@pytest.mark.parametrize("name", ["_dms_file", "_LANDED_AT"])
def test_a_new_column_named_like_the_raw_zones_metadata_keeps_the_file_whole(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict, name: str
) -> None:
    """A column the contract does not know lands as text under its own name (drift): one
    named like a raw-zone column would be written twice. The file is kept whole with a reason
    saying what to do, not failed with a traceback on every run."""
    header = CUSTOMER_HEADER + f",{name}"
    pipeline.write(CDC, (header + "\n" + customer_row(1) + ",x\n").encode())
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert summary.files_quarantined == 1 and summary.files_failed == 0
    ((_, reason, _),) = reasons(lake)
    assert f"column {name}: the raw zone uses this name for its own metadata" in str(reason)
    assert "DMS task" in str(reason)
    assert (lake / "quarantine_files" / CDC).exists()


def test_a_local_file_that_disappears_after_listing_is_left_for_later(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1)))
    gone = pipeline.write(CDC, csv(customer_row(2)))

    def delete_second(update: Progress) -> None:
        gone.unlink(missing_ok=True)

    lake = tmp_path / "lake"
    # one worker: the hook runs after the first file, before the second is opened
    summary = land(dms_root, lake, contracts, progress=delete_second, workers=1)
    assert (summary.files_landed, summary.files_vanished, summary.files_failed) == (1, 1, 0)
    assert any("20260301-090000123.csv was listed but is gone" in n for n in summary.notes)
    assert landed_ids(lake) == [1]


@pytest.mark.s3
@pytest.mark.parametrize(
    "key",
    [
        "dms/../escape/core_banking/customers/LOAD00000001.csv",
        "dms//etc/core_banking/customers/LOAD00000001.csv",
        "dms/core_banking/customers/../../../LOAD00000001.csv",
        "dms/core_banking/cust omers/LOAD00000001.csv",
        "dms/core_banking/customers/LOAD00000001.csv;rm -rf",
        "dms/core_banking/customers/\u00e9t\u00e9/LOAD00000001.csv",
    ],
)
def test_hostile_object_keys_never_write_outside_the_lake(
    buckets: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    source, _ = buckets
    s3 = boto3.client("s3")
    s3.put_object(Bucket=source, Key=key, Body=csv(customer_row(1)))
    lake = tmp_path / "inner" / "lake"
    code = main(
        ["land", "--source", f"s3://{source}/dms", "--lake", str(lake), "--json", "--no-glue"]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["files_landed"] == 0
    assert any("unsafe or unusual path component" in s for s in summary["skipped"]), summary
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(lake in p.parents for p in written)


def test_gzip_that_is_not_gzip_is_kept_whole(
    dms_root: Path, pipeline: Pipeline, tmp_path: Path, contracts: dict
) -> None:
    pipeline.write(f"{CDC}.gz", csv(customer_row(1)))  # plain text under a .gz name
    lake = tmp_path / "lake"
    summary = land(dms_root, lake, contracts)
    assert summary.files_quarantined == 1
    assert "file not readable" in str(reasons(lake)[0][1])
    assert (lake / "quarantine_files" / f"{CDC}.gz").read_bytes() == csv(customer_row(1))
    assert gzip.compress(b"") != b""  # the fixture wrote bytes, not a gzip stream


def test_a_transaction_file_with_broken_quoting_is_kept_whole(tmp_path: Path) -> None:
    contracts_dir = tmp_path / "contracts" / "core_banking"
    contracts_dir.mkdir(parents=True)
    customers = (CONTRACTS / "core_banking" / "customers.yml").read_text()
    (contracts_dir / "customers.yml").write_text(customers)
    (contracts_dir / "_dms_settings.yml").write_text("add_column_name: false\ncdc_path: cdc\n")
    root = tmp_path / "dms"
    (root / "cdc").mkdir(parents=True)
    broken = b'I,customers,core_banking,2026-03-01 08:00:00,1,"Ann,Lee\n'
    (root / "cdc" / "CDC_TXN-20201117153046033.csv").write_bytes(broken)
    lake = tmp_path / "lake"
    summary = land(root, lake, load_contracts(contracts_dir.parent))
    assert (summary.files_quarantined, summary.files_failed) == (1, 0)
    ((row, reason, _),) = reasons(lake)
    assert row is None and "cannot read as CSV near record 1" in str(reason)
    assert (lake / "quarantine_files" / "cdc" / "CDC_TXN-20201117153046033.csv").read_bytes() == (
        broken
    )
