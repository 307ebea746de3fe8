"""Schema drift at landing: files that gain, lose or retype a column. Landing names the table
and the column and keeps every value: a gained column lands as text, a lost one as null,
values of a changed type are quarantined by the strict rules with the column named; files
without a header cannot name the column, so their records are quarantined whole (nothing
is landed in the wrong column). The run report says it per table and column.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.shop import ShopRoot

from ingestion.cli import main
from ingestion.landing import report

ORDERS = """table: orders
primary_key: [order_id]
columns:
  - {name: order_id, type: bigint}
  - {name: amount, type: "decimal(12,2)"}
  - {name: note, type: varchar}
"""
HEADER = "add_column_name: true\n"
NO_HEADER = "add_column_name: false\n"


def test_csv_with_a_header_gains_loses_and_retypes_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = ShopRoot(tmp_path, {"orders": ORDERS}, HEADER)
    shop.write("shop/orders/LOAD00000001.csv", "order_id,amount,note", "1,12.50,first")
    # the source added `channel`, dropped `note` and made amount text with 3 decimals
    shop.write(
        "shop/orders/20260301-090000001.csv",
        "Op,order_id,amount,channel",
        "U,1,12.500,web",  # 3 decimals but exact: lands
        "U,2,7.125,shop",  # does not fit decimal(12,2): quarantined
        "I,3,n/a,web",  # not a number: quarantined
    )
    args = ["land", "--source", str(shop.root), "--lake", str(shop.lake)]
    assert main([*args, "--contracts", str(shop.contracts_dir), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert shop.rows("_dms_op, order_id, amount, note, channel") == [
        ("I", 1, Decimal("12.50"), "first", None),
        ("U", 1, Decimal("12.50"), None, "web"),
    ]
    assert summary["columns"] == {
        "shop.orders": {
            "channel": {"added_in_files": 1, "missing_in_files": 0, "rows_not_fitting_type": 0},
            "note": {"added_in_files": 0, "missing_in_files": 1, "rows_not_fitting_type": 0},
            "amount": {"added_in_files": 0, "missing_in_files": 0, "rows_not_fitting_type": 2},
        }
    }
    held = shop.quarantined()
    assert [(row, reason) for _, row, reason, _ in held] == [
        (2, "amount: '7.125' does not fit decimal(12,2): more than 2 decimal places"),
        (3, "amount: 'n/a' is not a valid decimal(12,2)"),
    ]
    assert json.loads(str(held[0][3])) == {
        "Op": "U", "order_id": "2", "amount": "7.125", "channel": "shop"
    }  # fmt: skip
    assert main([*args, "--contracts", str(shop.contracts_dir)]) == 0  # nothing new
    shop.write("shop/orders/20260301-090000002.csv", "Op,order_id,amount,channel", "U,4,1.00,app")
    assert main([*args, "--contracts", str(shop.contracts_dir)]) == 0
    out = capsys.readouterr().out
    assert "drift in shop.orders.channel: in 1 file(s), not in the contract: landed as text" in out
    assert "drift in shop.orders.note: missing from 1 file(s): landed as null" in out


@pytest.mark.parametrize(
    ("records", "expected", "found"),
    [
        (["1,12.50,first,web", "2,7.00,second,shop"], 3, 4),  # a column gained
        (["1,12.50", "2,7.00"], 3, 2),  # a column lost
    ],
)
def test_csv_without_a_header_cannot_name_the_column_so_records_are_kept_whole(
    tmp_path: Path, records: list[str], expected: int, found: int
) -> None:
    shop = ShopRoot(tmp_path, {"orders": ORDERS}, NO_HEADER)
    shop.write("shop/orders/LOAD00000001.csv", "9,1.00,before")
    shop.land()
    shop.write("shop/orders/LOAD00000002.csv", *records)
    summary = shop.land()
    assert summary.stopped == {}  # no setting explains it: it is not a settings problem
    assert shop.rows("order_id, amount, note") == [(9, Decimal("1.00"), "before")]
    held = shop.quarantined()
    assert [(row, reason, raw) for _, row, reason, raw in held] == [
        (n, f"expected {expected} fields, found {found}", record)
        for n, record in enumerate(records, start=1)
    ]  # every value kept, in the record's own text
    assert any(n.startswith(f"shop.orders: {found} fields per record") for n in summary.notes)


def test_a_retyped_column_without_a_header_is_named_by_the_strict_rules(tmp_path: Path) -> None:
    shop = ShopRoot(tmp_path, {"orders": ORDERS}, NO_HEADER)
    shop.write("shop/orders/LOAD00000001.csv", "1,12.50,first", "2,12.5X,second", "3,1e400,third")
    summary = shop.land()
    assert shop.rows("order_id") == [(1,)]
    assert summary.columns["shop.orders"]["amount"].rows_not_fitting_type == 2
    assert [reason for _, _, reason, _ in shop.quarantined()] == [
        "amount: '12.5X' is not a valid decimal(12,2)",
        "amount: '1e400' does not fit decimal(12,2): more than 10 digits before the point",
    ]


def test_parquet_gains_loses_and_retypes_columns(tmp_path: Path) -> None:
    shop = ShopRoot(tmp_path, {"orders": ORDERS}, HEADER)
    table = pa.table(
        {
            "Op": ["I", "I", "I"],
            "order_id": pa.array([1, 2, 3], pa.int64()),
            "amount": pa.array([0.5, 0.125, 7.0], pa.float64()),  # was a decimal
            "channel": ["web", "shop", None],  # new; note is gone
        }
    )
    folder = shop.root / "shop" / "orders"
    folder.mkdir(parents=True)
    pq.write_table(table, folder / "20260301-090000001.parquet")
    summary = shop.land()
    assert shop.rows("order_id, amount, note, channel") == [
        (1, Decimal("0.50"), None, "web"),
        (3, Decimal("7.00"), None, None),
    ]
    assert [(row, reason) for _, row, reason, _ in shop.quarantined()] == [
        (2, "amount: '0.125' does not fit decimal(12,2): more than 2 decimal places")
    ]
    columns = report(summary)["columns"]
    assert columns == {
        "shop.orders": {
            "channel": {"added_in_files": 1, "missing_in_files": 0, "rows_not_fitting_type": 0},
            "note": {"added_in_files": 0, "missing_in_files": 1, "rows_not_fitting_type": 0},
            "amount": {"added_in_files": 0, "missing_in_files": 0, "rows_not_fitting_type": 1},
        }
    }
