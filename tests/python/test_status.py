"""`dmsw status` on lakes written by hand (ledger records as the landing writes them), with the
expected figures worked out here in plain Python: files landed and quarantined whole, rows,
newest commit, lag, freshness without commit timestamps, --fail-if-stale, --json, and
locations that are not lakes."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.project import CONTRACTS

from ingestion.cli import main
from ingestion.lake import Lake
from ingestion.status import lake_status, render

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


class HandLake:
    """A lake folder whose ledger records are written here, one JSON file per DMS file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def record(self, key: str, status: str = "landed", **fields: Any) -> None:
        self.count += 1
        schema, table = (
            (fields.pop("schema"), fields.pop("table"))
            if "schema" in fields
            else (
                key.split("/")[0],
                key.split("/")[1],
            )
        )
        record = {
            "key": key,
            "schema": schema,
            "table": table,
            "kind": "cdc",
            "order_key": f"1-{self.count:04}",
            "version": f"v{self.count}",
            "size": 100,
            "sha256": f"{self.count:064x}",
            "status": status,
            "rows_landed": 0,
            "rows_quarantined": 0,
            "raw_file": None,
            "quarantine_file": None,
            "landing_run_id": "run-1",
            "landed_at": "2026-03-03T06:00:00+00:00",
            "notes": [],
            "source_modified": None,
            "max_commit_ts": None,
            "tables": {},
            **fields,
        }
        folder = f"{schema}/{table}" if schema else "_transactions"
        path = self.root / "_ledger" / "files" / folder / f"{self.count:04}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record))


@pytest.fixture
def hand_lake(tmp_path: Path) -> HandLake:
    lake = HandLake(tmp_path / "lake")
    c, t = "core_banking/customers", "core_banking/transactions"
    lake.record(
        f"{c}/LOAD00000001.csv", kind="load", rows_landed=10, max_commit_ts="2026-03-01 08:00:00"
    )
    lake.record(
        f"{c}/20260302-093000123.csv",
        rows_landed=20,
        rows_quarantined=2,
        max_commit_ts="2026-03-02 09:30:00.123456",
    )
    # a file that could not be read (a BOM header, a corrupt gzip): kept whole, no rows
    lake.record(f"{c}/20260303-010000000.csv.gz", "quarantined", quarantine_file="q.parquet")
    lake.record(f"{c}/20260302-093000999.csv", "duplicate")
    lake.record(f"{t}/LOAD00000001.csv", rows_landed=7, max_commit_ts="2026-03-03 11:15:00")
    # a table whose files carry no commit timestamp: its freshness is its newest file's time
    lake.record(
        "shop/orders/20260303-080000000.csv",
        rows_landed=3,
        source_modified="2026-03-03T08:00:00+00:00",
    )
    lake.record("shop/orders/20260301-080000000.csv", rows_landed=1)  # landed 06:00, no mtime
    # PreserveTransactions files: one with rows of two tables, one unreadable
    lake.record(
        "cdc/CDC_TXN-20260303100000000.csv",
        schema="",
        table="",
        kind="txn",
        rows_landed=6,
        rows_quarantined=1,
        max_commit_ts="2026-03-03 10:00:00",
        tables={"core_banking.accounts": [5, 1], "core_banking.transactions": [1, 0]},
    )
    lake.record("cdc/CDC_TXN-20260303110000000.csv", "quarantined", schema="", table="", kind="txn")
    return lake


def test_per_table_counts_newest_commit_and_lag(hand_lake: HandLake) -> None:
    status = lake_status(Lake(hand_lake.root), now=NOW)
    tables = {t.table: t for t in status.tables}
    assert sorted(tables) == [
        "_transactions",
        "core_banking.accounts",
        "core_banking.customers",
        "core_banking.transactions",
        "shop.orders",
    ]
    customers = tables["core_banking.customers"]
    assert (customers.files_landed, customers.files_quarantined, customers.files_duplicate) == (
        2,
        1,
        1,
    )
    assert (customers.rows_landed, customers.rows_quarantined) == (30, 2)
    assert customers.newest_commit == datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC)
    assert customers.lag == timedelta(days=1, hours=2, minutes=29, seconds=59, microseconds=876544)

    transactions = tables["core_banking.transactions"]  # its own file and its txn-file rows
    assert (transactions.files_landed, transactions.rows_landed) == (2, 8)
    assert transactions.lag == timedelta(minutes=45)
    accounts = tables["core_banking.accounts"]
    assert (accounts.files_landed, accounts.rows_landed, accounts.rows_quarantined) == (1, 5, 1)
    assert accounts.lag == timedelta(hours=2)

    orders = tables["shop.orders"]
    assert orders.newest_commit is None and orders.lag is None
    assert orders.newest_file == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert orders.age == timedelta(hours=4)
    assert tables["_transactions"].files_quarantined == 1


def test_the_text_shows_whole_files_quarantined_and_what_stands_for_a_missing_lag(
    hand_lake: HandLake,
) -> None:
    lines = render(lake_status(Lake(hand_lake.root), now=NOW))
    assert lines[0] == f"lake {hand_lake.root}"
    header = lines[1].split()
    assert header[:7] == ["table", "files", "rows", "files", "quar.", "rows", "quar."]
    by_table = {line.split()[0]: line.split() for line in lines[2:]}
    assert by_table["core_banking.customers"][:5] == ["core_banking.customers", "2", "30", "1", "2"]
    assert by_table["core_banking.customers"][5:] == ["2026-03-02", "09:30:00", "1d", "2h"]
    assert " ".join(by_table["shop.orders"][5:]) == "- no commit timestamps; newest file 4h ago"


def test_fail_if_stale_names_the_stale_tables(hand_lake: HandLake) -> None:
    status = lake_status(Lake(hand_lake.root), now=NOW, stale_after=timedelta(hours=3))
    # customers: 1d 2h old; orders: 4h (newest file); _transactions is no table
    assert [t.table for t in status.stale] == ["core_banking.customers", "shop.orders"]
    assert status.fails_freshness
    fresh = lake_status(Lake(hand_lake.root), now=NOW, stale_after=timedelta(days=2))
    assert fresh.stale == [] and not fresh.fails_freshness


def _recent_lake(root: Path, now: datetime) -> None:
    """Customers committed 1 hour ago, accounts 5 hours ago, orders (no timestamps) 2h ago."""
    lake = HandLake(root)
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    lake.record(
        "core_banking/customers/LOAD00000001.csv",
        rows_landed=4,
        max_commit_ts=(now - timedelta(hours=1)).strftime(stamp),
    )
    lake.record(
        "core_banking/accounts/LOAD00000001.csv",
        rows_landed=2,
        max_commit_ts=(now - timedelta(hours=5)).strftime(stamp),
    )
    lake.record(
        "shop/orders/LOAD00000001.csv",
        rows_landed=1,
        source_modified=(now - timedelta(hours=2)).isoformat(),
    )


def test_fail_if_stale_exits_5_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _recent_lake(tmp_path / "lake", datetime.now(UTC).replace(tzinfo=None))
    lake = str(tmp_path / "lake")
    assert main(["status", "--lake", lake, "--fail-if-stale", "6h"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["status", "--lake", lake, "--fail-if-stale", "3h"]) == 5
    err = capsys.readouterr().err
    assert err.startswith("error: 1 table(s) with no data newer than 3h: core_banking.accounts (5h")
    assert err.count("\n") == 1
    assert main(["status", "--lake", lake, "--fail-if-stale", "90m"]) == 5
    err = capsys.readouterr().err
    assert "core_banking.accounts (5h" in err
    assert "shop.orders (no commit timestamps; newest file 2h" in err
    assert "customers" not in err
    assert main(["status", "--lake", lake, "--fail-if-stale", "soon"]) == 2
    assert capsys.readouterr().err == (
        "error: --fail-if-stale 'soon' is not a duration: write a number and a unit, s m h d "
        "or w (90m, 6h, 2d, 1h30m)\n"
    )


def test_json_for_schedulers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    _recent_lake(tmp_path / "lake", now)
    assert (
        main(["status", "--lake", str(tmp_path / "lake"), "--json", "--fail-if-stale", "3h"]) == 5
    )
    data = json.loads(capsys.readouterr().out)
    assert data["fails_freshness"] is True
    assert data["stale_tables"] == ["core_banking.accounts"]
    assert data["stale_after_seconds"] == 3 * 3600
    tables = {t["table"]: t for t in data["tables"]}
    accounts = tables["core_banking.accounts"]
    assert accounts["freshness_basis"] == "commit"
    assert 5 * 3600 <= accounts["lag_seconds"] < 5 * 3600 + 120
    assert (accounts["files_landed"], accounts["rows_landed"], accounts["stale"]) == (1, 2, True)
    orders = tables["shop.orders"]
    assert orders["freshness_basis"] == "file" and orders["lag_seconds"] is None
    assert 2 * 3600 <= orders["age_seconds"] < 2 * 3600 + 120
    assert data["lock"] is None


def test_a_file_quarantined_whole_shows_in_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "dms" / "core_banking" / "customers"
    folder.mkdir(parents=True)
    (folder / "LOAD00000001.csv").write_text(f"{CUSTOMER_HEADER}\n{customer_row(1)}\n")
    (folder / "20260301-090000123.csv.gz").write_bytes(gzip.compress(b"Op,x\nI,1\n")[:-9])
    (folder / "20260301-090000124.csv").write_bytes(b"\xef\xbb\xbf" + b"\x00\xff" * 40)
    lake = str(tmp_path / "lake")
    args = ["land", "--source", str(tmp_path / "dms"), "--lake", lake]
    assert main([*args, "--contracts", str(CONTRACTS)]) == 0
    capsys.readouterr()
    assert main(["status", "--lake", lake, "--json"]) == 0
    (customers,) = json.loads(capsys.readouterr().out)["tables"]
    assert (customers["files_landed"], customers["files_quarantined"]) == (1, 2)
    assert (customers["rows_landed"], customers["rows_quarantined"]) == (1, 0)
    assert customers["newest_commit"] == "2026-03-01T08:00:00+00:00"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "error: no lake at {p}: no such folder; "),
        (lambda p: p.write_text("x"), "error: {p} is a file, not a lake; "),
        (
            lambda p: (p.mkdir(), (p / "core_banking").mkdir()),
            "error: {p} is not a lake: it has no _ledger/ folder (a lake holds raw/, "
            "quarantine/ and _ledger/); ",
        ),
    ],
    ids=["typo", "file", "not-a-lake"],
)
def test_a_location_that_is_not_a_lake_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    path = tmp_path / "data" / "lake"
    path.parent.mkdir()
    make(path)
    assert main(["status", "--lake", str(path)]) == 2
    captured = capsys.readouterr()
    fix = "check --lake (env LAKE_DIR); dmsw land creates a lake\n"
    assert captured.err == message.format(p=path) + fix
    assert captured.out == ""


def test_an_empty_folder_is_an_empty_lake_not_a_typo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lake").mkdir()
    assert main(["status", "--lake", str(tmp_path / "lake")]) == 0
    assert capsys.readouterr().out == (
        f"lake {tmp_path / 'lake'}\n  empty folder: nothing landed yet (dmsw land fills it)\n"
    )
    assert main(["status", "--lake", str(tmp_path / "lake"), "--fail-if-stale", "1d"]) == 5
    err = capsys.readouterr().err
    assert err == f"error: nothing landed in {tmp_path / 'lake'}, so nothing is fresh\n"
