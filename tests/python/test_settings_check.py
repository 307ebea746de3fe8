"""AWS's default settings, and settings that contradict the files: that table is stopped
before any of its files land (the others land), the run exits 2, and the message names the
setting that fits. Files written by hand as DMS writes them (shared/reference/dms-s3-format.md).
"""

from __future__ import annotations

import decimal
from datetime import datetime
from pathlib import Path

import pytest
from support.shop import ShopRoot

from ingestion.cli import main

ORDERS = """table: orders
primary_key: [order_id]
columns:
  - {name: order_id, type: bigint}
  - {name: amount, type: "decimal(12,2)"}
  - {name: placed_at, type: timestamp}
  - {name: note, type: varchar}
"""
LINES = """table: order_lines
primary_key: [order_id, line_no]
columns:
  - {name: order_id, type: bigint}
  - {name: line_no, type: integer}
  - {name: sku, type: varchar}
"""
TS = "2026-03-01 08:00:00.000000"
TS_AS_DATETIME = datetime(2026, 3, 1, 8, 0)
SEQ = "20260301080000000000000000000000001"  # 35 digits, as $AR_H_CHANGE_SEQ
ORDER_1 = f"1,12.50,{TS},first"
ORDER_2 = f"2,7.00,{TS},"
SETTINGS_FILE = "contracts/shop/_dms_settings.yml"


def Shop(tmp_path: Path, settings: str | None = None) -> ShopRoot:  # noqa: N802
    """Schema ``shop`` with orders and order_lines; ``settings`` None: no settings file."""
    return ShopRoot(tmp_path, {"orders": ORDERS, "order_lines": LINES}, settings)


def test_without_a_settings_file_aws_defaults_are_assumed(tmp_path: Path) -> None:
    shop = Shop(tmp_path)  # no _dms_settings.yml: no header, no Op in full load, no metadata
    shop.write("shop/orders/LOAD00000001.csv", ORDER_1, ORDER_2)
    shop.write("shop/orders/20260301-090000123.csv", f"U,{ORDER_1}-changed", f"D,{ORDER_2}")
    summary = shop.land()
    assert (summary.stopped, summary.rows_quarantined) == ({}, 0)
    assert shop.rows("_dms_op, order_id, amount, note, _dms_commit_ts, _dms_change_seq") == [
        ("I", 1, decimal.Decimal("12.50"), "first", None, None),
        ("I", 2, decimal.Decimal("7.00"), None, None, None),
        ("U", 1, decimal.Decimal("12.50"), "first-changed", None, None),
        ("D", 2, decimal.Decimal("7.00"), None, None, None),
    ]


@pytest.mark.parametrize(
    ("settings", "records", "message"),
    [
        (  # the case: our old defaults against AWS's output
            "add_column_name: true\ninclude_op_for_full_load: true\n"
            "timestamp_column_name: dms_commit_ts\nchange_seq_column_name: dms_change_seq\n",
            [ORDER_1, ORDER_2],
            "4 fields per record in its LOAD files; the settings predict 7 (Op, dms_commit_ts, "
            "4 columns, dms_change_seq): set timestamp_column_name: '' and "
            "change_seq_column_name: ''",  # LOAD files without Op are read as such
        ),
        (
            "",  # AWS's defaults, but the task wrote Op in full-load files
            [f"I,{ORDER_1}", f"I,{ORDER_2}"],
            "5 fields per record in its LOAD files; the settings predict 4 (4 columns): "
            "set include_op_for_full_load: true",
        ),
        (
            "",  # AWS's defaults, but the task has TimestampColumnName
            [f"{TS},{ORDER_1}", f"{TS},{ORDER_2}"],
            "5 fields per record in its LOAD files; the settings predict 4 (4 columns): "
            "set timestamp_column_name: dms_commit_ts",
        ),
        (
            "",  # AWS's defaults, but a transformation rule adds the change sequence
            [f"{ORDER_1},", f"{ORDER_2},"],  # empty in full load, as DMS writes it
            "5 fields per record in its LOAD files; the settings predict 4 (4 columns): "
            "set change_seq_column_name: dms_change_seq",
        ),
        (
            "timestamp_column_name: dms_commit_ts\nchange_seq_column_name: dms_change_seq\n",
            [f"{ORDER_1},{SEQ}", f"{ORDER_2},{SEQ}"],  # no timestamp column after all
            "5 fields per record in its LOAD files; the settings predict 6 (dms_commit_ts, "
            "4 columns, dms_change_seq): set timestamp_column_name: ''",
        ),
        (
            "include_op_for_full_load: true\n",  # no Op after all, and a timestamp
            [f"{TS},{ORDER_1}", f"{TS},{ORDER_2}"],
            "its LOAD files have the 5 (Op, 4 columns) fields the settings predict, but no "
            "Op (I, U or D) where the settings put it: set timestamp_column_name: "
            "dms_commit_ts",  # with include_op_for_full_load, LOAD files without Op are read
        ),
    ],
)
def test_settings_that_contradict_the_files_stop_that_table_and_name_the_setting(
    tmp_path: Path, settings: str, records: list[str], message: str
) -> None:
    shop = Shop(tmp_path, settings)
    shop.write("shop/orders/LOAD00000001.csv", *records)
    shop.write("shop/orders/LOAD00000002.csv", *records)
    if "add_column_name: true" in settings:
        lines = ["Op,dms_commit_ts,order_id,line_no,sku,dms_change_seq", f"I,{TS},1,1,A,"]
    else:
        op = "I," if "include_op_for_full_load: true" in settings else ""
        stamp = f"{TS}," if "timestamp_column_name: dms_commit_ts" in settings else ""
        seq = "," if "change_seq_column_name: dms_change_seq" in settings else ""
        lines = [f"{op}{stamp}1,1,A{seq}"]
    shop.write("shop/order_lines/LOAD00000001.csv", *lines)
    summary = shop.land()
    assert list(summary.stopped) == ["shop.orders"]
    assert summary.stopped["shop.orders"].startswith("shop.orders: ")
    assert message in summary.stopped["shop.orders"]
    assert shop.rows("order_id, line_no, sku", "order_lines") == [(1, 1, "A")]  # others land
    assert shop.ledger_keys() == ["shop/order_lines/LOAD00000001.csv"]  # nothing of orders
    assert not list((shop.lake / "raw" / "shop" / "orders").glob("LOAD*"))
    assert summary.rows_quarantined == 0


def test_the_setting_named_makes_the_next_run_land_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = Shop(tmp_path)
    shop.write("shop/orders/LOAD00000001.csv", f"I,{TS},{ORDER_1}", f"I,{TS},{ORDER_2}")
    shop.write("shop/orders/20260301-090000123.csv", f"U,{TS},{ORDER_1}")
    args = ["land", "--source", str(shop.root), "--lake", str(shop.lake)]
    args += ["--contracts", str(shop.contracts_dir)]
    assert main(args) == 2
    captured = capsys.readouterr()
    expected = (
        "shop.orders: 6 fields per record in its LOAD files; the settings predict 4 "
        "(4 columns): set include_op_for_full_load: true and timestamp_column_name: "
        f"dms_commit_ts in {SETTINGS_FILE}"
    )
    assert f"NOT LANDED: {expected}" in captured.out
    assert "2 held back (settings)" in captured.out
    assert captured.err.startswith("error: files contradict their settings, not landed: ")
    assert expected in captured.err and captured.err.count("\n") == 1
    (tmp_path / SETTINGS_FILE).write_text(
        "include_op_for_full_load: true\ntimestamp_column_name: dms_commit_ts\n"
    )
    assert main(args) == 0
    assert shop.rows("_dms_op, order_id, _dms_commit_ts") == [
        ("I", 1, TS_AS_DATETIME),
        ("I", 2, TS_AS_DATETIME),
        ("U", 1, TS_AS_DATETIME),
    ]


def test_cdc_files_are_checked_on_their_own(tmp_path: Path) -> None:
    shop = Shop(tmp_path)  # AWS's defaults
    # a full-load file with a header (it fits: read by its names), larger than the CDC files
    header = "order_id,amount,placed_at,note"
    shop.write("shop/orders/LOAD00000001.csv", header, *[ORDER_1] * 20)
    shop.write("shop/orders/20260301-090000123.csv", f"U,{TS},{ORDER_1}")
    shop.write("shop/orders/20260301-090000124.csv", f"D,{TS},{ORDER_2}")
    summary = shop.land()
    assert summary.stopped == {
        "shop.orders": "shop.orders: 6 fields per record in its CDC files; the settings "
        "predict 5 (Op, 4 columns): set timestamp_column_name: dms_commit_ts in "
        f"{SETTINGS_FILE}"
    }
    assert shop.ledger_keys() == []  # not even the full-load file that fits


def test_records_no_setting_explains_land_in_the_quarantine(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.write("shop/orders/LOAD00000001.csv", f"{ORDER_1},x,y,z", f"{ORDER_2},x,y,z")
    summary = shop.land()
    assert summary.stopped == {}
    assert (summary.rows_landed, summary.rows_quarantined) == (0, 2)
    assert (
        "shop.orders: 7 fields per record in its LOAD files; the settings predict 4 "
        "(4 columns), and no change of the Op, timestamp or change-sequence settings fits: "
        "landed (records that do not fit are quarantined); check "
        f"{SETTINGS_FILE} and the 4 columns of contracts/shop/orders.yml"
    ) in summary.notes


def test_a_few_bad_records_are_quarantined_not_a_settings_problem(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.write("shop/orders/LOAD00000001.csv", ORDER_1, ORDER_2, "3,1.00", f"4,1.00,{TS},x")
    summary = shop.land()
    assert summary.stopped == {}
    assert (summary.rows_landed, summary.rows_quarantined) == (3, 1)


def test_a_header_in_full_load_and_none_in_cdc_files_is_read_file_by_file(
    tmp_path: Path,
) -> None:
    shop = Shop(tmp_path)  # AWS's defaults: no header expected
    shop.write("shop/orders/LOAD00000001.csv", "order_id,amount,placed_at,note", ORDER_1)
    shop.write("shop/orders/20260301-090000123.csv", f"U,{ORDER_2}")
    summary = shop.land()
    assert (summary.stopped, summary.rows_quarantined) == ({}, 0)
    assert shop.rows("_dms_op, order_id") == [("I", 1), ("U", 2)]
    assert (
        "shop.orders: 1 of 2 sampled files have a header row although add_column_name is "
        "false: each file is read as it is"
    ) in summary.notes


def test_a_header_without_the_named_timestamp_column_is_noted_and_lands(tmp_path: Path) -> None:
    shop = Shop(tmp_path, "add_column_name: true\ntimestamp_column_name: dms_commit_ts\n")
    shop.write(
        "shop/orders/20260301-090000123.csv", "Op,order_id,amount,placed_at,note", f"I,{ORDER_1}"
    )
    summary = shop.land()
    assert summary.stopped == {} and summary.rows_landed == 1
    assert (
        "shop.orders: the header of shop/orders/20260301-090000123.csv has no dms_commit_ts "
        "column although the settings name it: landed without it"
    ) in summary.notes


def test_no_header_where_add_column_name_promises_one_is_noted_and_lands(tmp_path: Path) -> None:
    shop = Shop(tmp_path, "add_column_name: true\n")
    shop.write("shop/orders/20260301-090000123.csv", f"I,{ORDER_1}", f"U,{ORDER_2}")
    summary = shop.land()
    assert (summary.stopped, summary.rows_landed) == ({}, 2)
    assert (
        "shop.orders: 1 of 1 sampled files have no header row although add_column_name is "
        "true: each file is read as it is"
    ) in summary.notes
