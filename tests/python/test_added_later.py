"""Columns added later: a source table gains a column (``ALTER TABLE ... ADD COLUMN`` appends
it) while DMS writes CSV files without a header (AWS's default). The contract marks the new
trailing columns ``added_later: true``; a headerless record then lands with the full field
count or lacking the last j added-later columns (null there), in table files (plain and
gzip, Op in CDC files and not in full load) and PreserveTransactions files alike. Any other
count is quarantined with a reason. The files, and the values expected in the lake, are
written out by hand here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from support.copied_project import CopiedProject, copy_project
from support.handmade_dms import csv_text, raw_rows, run, write
from support.project import DBT
from support.shop import ShopRoot

from ingestion.cli import main
from ingestion.contracts import load_contracts
from ingestion.errors import UserError

# order_id, amount, note were there from the start; channel, then coupon were added later
ORDERS = """table: orders
primary_key: [order_id]
columns:
  - {name: order_id, type: bigint}
  - {name: amount, type: "decimal(12,2)"}
  - {name: note, type: varchar}
  - {name: channel, type: varchar, added_later: true}
  - {name: coupon, type: varchar(10), added_later: true}
"""
AWS_DEFAULTS = "add_column_name: false\n"  # no header, no Op in full load


ROW_COLUMNS = "_dms_file, _dms_row, _dms_op, order_id, amount, note, channel, coupon"


def Shop(  # noqa: N802 - reads as the shop it makes
    tmp_path: Path, settings: str = AWS_DEFAULTS, contract: str = ORDERS
) -> ShopRoot:
    return ShopRoot(tmp_path, {"orders": contract}, settings)


LOAD = "shop/orders/LOAD00000001.csv"
CDC_OLD = "shop/orders/20260301-090000001.csv"
CDC_ONE = "shop/orders/20260302-090000001.csv"
CDC_TWO = "shop/orders/20260303-090000001.csv"
CDC_GZ = "shop/orders/20260304-090000001.csv.gz"


def test_headerless_records_lacking_added_later_columns_land_with_nulls(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.write(LOAD, "1,12.50,first", "2,7.00,second")  # full load: no Op, 3 fields
    shop.write(CDC_OLD, "U,1,13.00,first again", "I,3,1.25,")  # Op + 3 fields
    shop.write(
        CDC_ONE,  # after ADD COLUMN channel: Op + 4 fields, and one record written before
        'I,4,2.00,fourth,""',
        'U,3,1.50,"third,\nwith a newline"',
        "I,5,3.00,fifth,web",
    )
    shop.write(
        CDC_TWO,  # after ADD COLUMN coupon: Op + 5 fields; too few, too many, every count
        "U,2,7.00",  # Op + 2: too few even before the columns were added
        'I,6,4.00,"six, with a comma",app,SPRING',
        "U,5,3.50,fifth,web",
        "U,1,14.00,first",
        "I,7,5.00,seven,web,WINTER,extra",  # Op + 6: more than the contract has
        "U,6,4.50,six,,",
    )
    shop.write(CDC_GZ, "U,7,5.00,seven", "U,4,2.50,fourth,shop,AUTUMN", "D,6,4.50,six,app")
    summary = shop.land()
    assert summary.stopped == {} and summary.files_failed == 0
    assert shop.rows(ROW_COLUMNS) == [
        (LOAD, 1, "I", 1, Decimal("12.50"), "first", None, None),
        (LOAD, 2, "I", 2, Decimal("7.00"), "second", None, None),
        (CDC_OLD, 1, "U", 1, Decimal("13.00"), "first again", None, None),
        (CDC_OLD, 2, "I", 3, Decimal("1.25"), None, None, None),
        (CDC_ONE, 1, "I", 4, Decimal("2.00"), "fourth", "", None),
        (CDC_ONE, 2, "U", 3, Decimal("1.50"), "third,\nwith a newline", None, None),
        (CDC_ONE, 3, "I", 5, Decimal("3.00"), "fifth", "web", None),
        (CDC_TWO, 2, "I", 6, Decimal("4.00"), "six, with a comma", "app", "SPRING"),
        (CDC_TWO, 3, "U", 5, Decimal("3.50"), "fifth", "web", None),
        (CDC_TWO, 4, "U", 1, Decimal("14.00"), "first", None, None),
        (CDC_TWO, 6, "U", 6, Decimal("4.50"), "six", None, None),
        (CDC_GZ, 1, "U", 7, Decimal("5.00"), "seven", None, None),
        (CDC_GZ, 2, "U", 4, Decimal("2.50"), "fourth", "shop", "AUTUMN"),
        (CDC_GZ, 3, "D", 6, Decimal("4.50"), "six", "app", None),
    ]
    assert shop.quarantined() == [
        (CDC_TWO, 1, "expected 4 to 6 fields, found 3", "U,2,7.00"),
        (CDC_TWO, 5, "expected 4 to 6 fields, found 7", "I,7,5.00,seven,web,WINTER,extra"),
    ]
    # a record lacking an added-later column is not drift: nothing to report or note
    assert "shop.orders" not in summary.columns
    assert not [n for n in summary.notes if "shop.orders" in n]
    assert (summary.rows_landed, summary.rows_quarantined) == (14, 2)


def test_full_load_files_with_op_and_the_new_columns(tmp_path: Path) -> None:
    """``include_op_for_full_load``: full-load records start with Op, like CDC records."""
    shop = Shop(tmp_path, AWS_DEFAULTS + "include_op_for_full_load: true\n")
    shop.write(LOAD, "I,1,12.50,first", "I,2,7.00,second,web,SPRING", "I,3,1.00,third,app")
    shop.write("shop/orders/LOAD00000002.csv", "I,4,2.00,fourth,shop,X", "I,5,3.00")
    shop.land()
    assert [row[3:] for row in shop.rows(ROW_COLUMNS)] == [
        (1, Decimal("12.50"), "first", None, None),
        (2, Decimal("7.00"), "second", "web", "SPRING"),
        (3, Decimal("1.00"), "third", "app", None),
        (4, Decimal("2.00"), "fourth", "shop", "X"),
    ]
    assert [(row, reason) for _, row, reason, _ in shop.quarantined()] == [
        (2, "expected 4 to 6 fields, found 3")
    ]


def test_without_added_later_the_field_count_is_still_exact(tmp_path: Path) -> None:
    """The negative control: the same files under a contract without the mark."""
    shop = Shop(tmp_path, contract=ORDERS.replace(", added_later: true", ""))
    shop.write(CDC_ONE, "I,4,2.00,fourth,web,X", "I,5,2.00,fifth,web", "U,3,1.50,third")
    shop.land()
    assert [row[3:] for row in shop.rows(ROW_COLUMNS)] == [
        (4, Decimal("2.00"), "fourth", "web", "X")
    ]
    assert [(row, reason) for _, row, reason, _ in shop.quarantined()] == [
        (2, "expected 6 fields, found 5"),
        (3, "expected 6 fields, found 4"),
    ]


def test_transaction_files_apply_the_same_rule(tmp_path: Path) -> None:
    shop = Shop(tmp_path, AWS_DEFAULTS + "cdc_path: cdc\n")
    txn = "cdc/CDC_TXN-20260301090000000.csv"
    shop.write(
        txn,
        "I,orders,shop,1,12.50,first",  # before both columns
        "U,orders,shop,1,13.00,,web",  # note null, channel given
        'I,orders,shop,2,1.00,two,"",CODE',
        "U,orders,shop,2,1.00",  # too few
        "I,orders,shop,3,1.00,three,web,X,extra",  # too many
    )
    summary = shop.land()
    assert summary.files_failed == 0
    assert shop.rows(ROW_COLUMNS) == [
        (txn, 1, "I", 1, Decimal("12.50"), "first", None, None),
        (txn, 2, "U", 1, Decimal("13.00"), None, "web", None),
        (txn, 3, "I", 2, Decimal("1.00"), "two", "", "CODE"),
    ]
    assert shop.quarantined() == [
        (txn, 4, "expected 6 to 8 fields, found 5", "U,orders,shop,2,1.00"),
        (txn, 5, "expected 6 to 8 fields, found 9", "I,orders,shop,3,1.00,three,web,X,extra"),
    ]


def test_files_with_a_header_name_their_columns_and_lack_them_quietly(tmp_path: Path) -> None:
    shop = Shop(tmp_path, "add_column_name: true\n")
    shop.write(CDC_OLD, "Op,order_id,amount,note", "I,1,1.00,one")
    shop.write(CDC_ONE, "Op,order_id,amount,note,coupon", "I,2,2.00,two,C2")
    summary = shop.land()
    assert [row[3:] for row in shop.rows(ROW_COLUMNS)] == [
        (1, Decimal("1.00"), "one", None, None),
        (2, Decimal("2.00"), "two", None, "C2"),
    ]
    assert "shop.orders" not in summary.columns  # an added-later column missing is no drift


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "  - {name: order_id, type: bigint}\n"
            "  - {name: channel, type: varchar, added_later: true}\n"
            "  - {name: note, type: varchar}\n",
            "column channel: added_later is only for the contract's last columns, but note "
            "after it is not added_later",
        ),
        (
            "  - {name: order_id, type: bigint, added_later: true}\n",
            "column order_id: a primary key column cannot be added_later",
        ),
        (
            "  - {name: order_id, type: bigint}\n  - {name: note, type: varchar, added_later: 1}\n",
            "column note: added_later must be true or false, got 1",
        ),
    ],
)
def test_added_later_columns_must_be_the_last_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], columns: str, message: str
) -> None:
    contract = f"table: orders\nprimary_key: [order_id]\ncolumns:\n{columns}"
    shop = Shop(tmp_path, contract=contract)
    path = shop.contracts_dir / "shop" / "orders.yml"
    with pytest.raises(UserError) as raised:
        load_contracts(shop.contracts_dir)
    assert str(raised.value).startswith(f"{path}: {message}")
    args = ["land", "--source", str(shop.root), "--lake", str(shop.lake)]
    assert main([*args, "--contracts", str(shop.contracts_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{path}: {message}" in err
    assert main(["models", "check", "--contracts", str(shop.contracts_dir)]) == 2


def test_the_run_report_has_no_drift_for_added_later_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = Shop(tmp_path)
    shop.write(CDC_OLD, "I,1,1.00,one")
    shop.write(CDC_ONE, "I,2,2.00,two,web,C2")
    args = ["land", "--source", str(shop.root), "--lake", str(shop.lake), "--json"]
    assert main([*args, "--contracts", str(shop.contracts_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["columns"] == {} and report["drift"] == {}
    assert report["rows_quarantined"] == 0


SHOP_ORDERS = ORDERS.replace("columns:", "description: Web shop orders.\ncolumns:", 1)


def _shop_project(root: Path) -> CopiedProject:
    """A pipeline on a copy of the project with the shop's contract added."""
    project = copy_project(root / "project")
    folder = project / "contracts" / "shop"
    folder.mkdir()
    (folder / "_dms_settings.yml").write_text(AWS_DEFAULTS)
    (folder / "orders.yml").write_text(SHOP_ORDERS)
    return CopiedProject(root / "run", project=project)


@pytest.mark.dbt
def test_silver_holds_null_where_the_column_did_not_exist_yet(tmp_path: Path) -> None:
    pipeline = _shop_project(tmp_path)
    generated = pipeline.run(str(Path(DBT).with_name("dmsw")), "models", "generate")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    pipeline.write("shop/orders/LOAD00000001.csv", "1,12.50,first\n2,7.00,second\n3,1.00,third\n")
    pipeline.write("shop/orders/20260301-090000001.csv", "U,2,7.50,second\n")
    pipeline.write("shop/orders/20260302-090000001.csv", "U,3,1.50,third,web\nI,4,2.00,four,app\n")
    pipeline.write("shop/orders/20260303-090000001.csv", "I,5,3.00,five,web,SPRING\nU,3,1.75,x\n")
    landing = pipeline.land()
    assert landing.rows_quarantined == 0 and landing.files_failed == 0
    pipeline.dbt("seed", "--select", "quality_codes")  # the rejects' codes are tested on it
    pipeline.dbt("build", "--select", "+slv_orders", "+slv_orders__rejects")
    assert pipeline.query(
        "select order_id, amount, note, channel, coupon from silver.slv_orders order by 1"
    ) == [
        (1, Decimal("12.50"), "first", None, None),
        (2, Decimal("7.50"), "second", None, None),
        (3, Decimal("1.75"), "x", None, None),  # its last change was written without them
        (4, Decimal("2.00"), "four", "app", None),
        (5, Decimal("3.00"), "five", "web", "SPRING"),
    ]


def test_infer_drafts_the_columns_only_later_headerless_files_have_as_added_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out, lake = tmp_path / "dms", tmp_path / "c", tmp_path / "lake"
    write(root, LOAD, csv_text([["1", "12.50", "first"], ["2", "7.00", "second"]]))
    write(root, CDC_OLD, csv_text([["U", "1", "13.00", "again"]]))
    write(root, CDC_ONE, csv_text([["I", "3", "1.00", "third", "web"]]))
    write(root, CDC_TWO, csv_text([["I", "4", "2.00", "fourth", "app", "SPRING"]]))
    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    text = (out / "shop" / "orders.yml").read_text()
    assert "added_later: true}  # text, longest 6 characters; to decide: added_later" in text
    assert "columns col_4, col_5: only later files (without a header) have them" in text
    contract = load_contracts(out)[("shop", "orders")]
    assert [(c.name, c.added_later) for c in contract.columns] == [
        ("col_1", False),
        ("col_2", False),
        ("col_3", False),
        ("col_4", True),
        ("col_5", True),
    ]
    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    assert [tuple(r[f"col_{i}"] for i in (1, 4, 5)) for r in raw_rows(lake, "shop", "orders")] == [
        (1, None, None),
        (2, None, None),
        (1, None, None),
        (3, "web", None),
        (4, "app", "SPRING"),
    ]


def test_infer_does_not_mark_columns_when_a_later_file_has_fewer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, LOAD, csv_text([["1", "12.50", "first", "web"]]))
    write(root, CDC_OLD, csv_text([["U", "1", "13.00", "again"]]))  # a column dropped?
    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    contract = load_contracts(out)[("shop", "orders")]
    assert not any(c.added_later for c in contract.columns)


def test_infer_proposes_added_later_for_an_edited_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, LOAD, csv_text([["1", "12.50", "first"], ["2", "7.00", "second"]]))
    write(root, CDC_OLD, csv_text([["U", "1", "13.00", "again"]]))
    infer = ["contracts", "infer", "--source", str(root), "--out", str(out)]
    assert run(capsys, *infer)[0] == 0
    contract = out / "shop" / "orders.yml"
    contract.write_text(contract.read_text().replace("col_1", "order_id"))  # the user's edit
    write(root, CDC_ONE, csv_text([["I", "3", "1.00", "third", "web"]]))  # ADD COLUMN
    code, printed = run(capsys, *infer)
    assert code == 0, printed
    proposal = yaml.safe_load(contract.with_name("orders.yml.proposed").read_text())
    assert proposal["columns"] == [
        {"name": "order_id", "type": "bigint"},
        {"name": "col_2", "type": "decimal(9,2)"},
        {"name": "col_3", "type": "varchar"},
        {"name": "col_4", "type": "varchar", "added_later": True},
    ]


def test_mixed_counts_over_many_reader_blocks_keep_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small reader blocks: the records read again join the rows around them, in file order."""
    monkeypatch.setattr("ingestion.formats.BLOCK_SIZE", 64)
    shop = Shop(tmp_path)
    records = []
    for n in range(1, 61):
        tail = ["", ",web", ",web,X", ",web,X,extra"][n % 4]  # 4 fields, 5, 6, and 7 (too many)
        records.append(f"I,{n},1.00,n{n}{tail}")
    shop.write(CDC_ONE, *records)
    shop.land()
    expected = [
        (n, ["web", None][n % 4 == 0], "X" if n % 4 == 2 else None)
        for n in range(1, 61)
        if n % 4 != 3
    ]
    assert [(r[3], r[6], r[7]) for r in shop.rows(ROW_COLUMNS)] == expected
    raw = f"read_parquet('{shop.lake}/raw/shop/orders/*.parquet')"  # one file, as written
    written = [row for (row,) in duckdb.sql(f"select _dms_row from {raw}").fetchall()]
    assert written == [n for n in range(1, 61) if n % 4 != 3]
    assert [row for _, row, _, _ in shop.quarantined()] == list(range(3, 61, 4))
