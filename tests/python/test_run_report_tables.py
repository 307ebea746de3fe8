"""The run report's per-table figures that the ops tables and freshness read: files quarantined
whole (a BOM header, a corrupt gzip) and the newest commit timestamp landed, per table.

The DMS files are written by hand (support.customer_rows, shared/reference/dms-s3-format.md);
the expected figures are counted here from what was written, not by the landing code.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.pipeline import Pipeline

CUSTOMERS = "core_banking/customers"
ACCOUNTS = "core_banking/accounts"
ACCOUNT_HEADER = (
    "Op,dms_commit_ts,account_id,customer_id,account_number,account_type,currency,status,"
    "opened_at,closed_at,created_at,updated_at,dms_change_seq"
)


def account_row(account_id: int, committed: str) -> str:
    return (
        f"I,{committed},{account_id},1,CZ00 0000 {account_id},checking,CZK,active,"
        "2024-01-01 00:00:00,,2024-01-01 00:00:00,2024-01-01 00:00:00,"
    )


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def reports(lake: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((lake / "_ledger" / "runs").glob("*.json"))]


def test_whole_files_and_newest_commit_per_table(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path)
    # customers: a full load (2 rows), a CDC file (1 row, newer), a corrupt gzip and a file
    # whose header starts with a byte order mark: 2 files quarantined whole
    pipeline.write(
        f"{CUSTOMERS}/LOAD00000001.csv", csv(CUSTOMER_HEADER, customer_row(1), customer_row(2))
    )
    cdc = customer_row(1, op="U").replace(
        "2026-03-01 08:00:00.000000", "2026-03-02 10:00:00.500000"
    )
    pipeline.write(f"{CUSTOMERS}/20260302-100000000.csv", csv(CUSTOMER_HEADER, cdc))
    pipeline.write(f"{CUSTOMERS}/20260303-100000000.csv.gz", b"\x1f\x8b\x08\x00 not really gzip")
    pipeline.write(
        f"{CUSTOMERS}/20260304-100000000.csv", "\ufeff" + csv(CUSTOMER_HEADER, customer_row(3))
    )
    # accounts: one good file; its second row's commit is the newest, a third row does not fit
    # (bad currency length) and is quarantined: its commit time must not count
    pipeline.write(
        f"{ACCOUNTS}/LOAD00000001.csv",
        csv(
            ACCOUNT_HEADER,
            account_row(10, "2026-03-01 08:00:00"),
            account_row(11, "2026-03-05 23:59:59.999999"),
            account_row(12, "2026-03-09 00:00:00").replace(",CZK,", ",CZKK,"),
        ),
    )
    summary = pipeline.land()
    assert summary.files_quarantined == 2

    (report,) = reports(pipeline.lake)
    tables = report["tables"]
    assert isinstance(tables, dict)
    assert tables["core_banking.customers"] == {
        "files": 4,
        "rows_landed": 3,
        "rows_quarantined": 0,
        "files_quarantined": 2,
        "newest_commit_ts": "2026-03-02 10:00:00.500000",
    }
    assert tables["core_banking.accounts"] == {
        "files": 1,
        "rows_landed": 2,
        "rows_quarantined": 1,
        "files_quarantined": 0,
        "newest_commit_ts": "2026-03-05 23:59:59.999999",
    }
    assert report["files_quarantined"] == 2

    # a second run with nothing new reports no table (nothing landed, nothing quarantined)
    pipeline.land()
    second = [r for r in reports(pipeline.lake) if r["run_id"] != report["run_id"]]
    assert len(second) == 1 and second[0]["tables"] == {}


def test_a_whole_gzip_file_of_a_table_counts_once(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path)
    body = gzip.compress(csv(CUSTOMER_HEADER, customer_row(1)).encode())
    pipeline.write(f"{CUSTOMERS}/LOAD00000001.csv.gz", body[: len(body) // 2])  # cut short
    pipeline.land()
    (report,) = reports(pipeline.lake)
    tables = report["tables"]
    assert isinstance(tables, dict)
    totals = tables["core_banking.customers"]
    assert totals["files_quarantined"] == 1 and totals["newest_commit_ts"] is None
