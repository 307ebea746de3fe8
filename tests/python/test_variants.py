"""Every DMS output variant lands, for a table that is only a contract file (no code).

Each test writes a few hand-made files the way a DMS task with certain endpoint settings
writes them, lands them with that schema's ``_dms_settings.yml``, and checks the typed rows
and their lineage.
"""

from __future__ import annotations

import decimal
import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from ingestion.contracts import TableContract, load_contracts
from ingestion.dmsfiles import partition_date
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource
from ingestion.status import lake_status

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
ROW_1 = f'1,12.50,{TS},"first, with comma"'
ROW_2 = f"2,7.00,{TS},"


# The made-up DMS task behind ``shop``: a header, Op in full load, both metadata columns.
# Each test states the settings it changes; AWS's defaults are tested on their own.
SHOP_TASK = {
    "add_column_name": True,
    "include_op_for_full_load": True,
    "timestamp_column_name": "dms_commit_ts",
    "change_seq_column_name": "dms_change_seq",
}


class Shop:
    """A DMS root and contracts folder for the made-up source schema ``shop``."""

    def __init__(
        self, tmp_path: Path, settings: str = "", task: dict[str, object] | None = None
    ) -> None:
        self.root = tmp_path / "dms"
        self.lake = tmp_path / "lake"
        folder = tmp_path / "contracts" / "shop"
        folder.mkdir(parents=True)
        (folder / "orders.yml").write_text(ORDERS)
        (folder / "order_lines.yml").write_text(LINES)
        merged = {**(SHOP_TASK if task is None else task), **(yaml.safe_load(settings) or {})}
        (folder / "_dms_settings.yml").write_text(yaml.safe_dump(merged))
        self.contracts: dict[tuple[str, str], TableContract] = load_contracts(folder.parent)

    def write(self, key: str, content: str | bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)

    def land(self) -> RunSummary:
        self.root.mkdir(exist_ok=True)
        return Lander(LocalSource(self.root), Lake(self.lake), self.contracts).run()

    def rows(self, columns: str, table: str = "orders") -> list[tuple[object, ...]]:
        source = f"read_parquet('{self.lake}/raw/shop/{table}/*.parquet', union_by_name = true)"
        order = "_dms_commit_ts, _dms_change_seq, _dms_file_order, _dms_row"
        return duckdb.sql(f"select {columns} from {source} order by {order}").fetchall()

    def count(self, table: str = "orders") -> int:
        source = f"read_parquet('{self.lake}/raw/shop/{table}/*.parquet', union_by_name = true)"
        (row,) = duckdb.sql(f"select count(*) from {source}").fetchall()
        return int(row[0])

    def quarantine(self) -> list[tuple[object, ...]]:
        source = f"read_parquet('{self.lake}/quarantine/**/*.parquet', union_by_name = true)"
        return duckdb.sql(
            f"select table_name, dms_file, dms_row, reason from {source} order by all"
        ).fetchall()


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("header", [True, False])
def test_with_and_without_header(tmp_path: Path, header: bool) -> None:
    shop = Shop(tmp_path, f"add_column_name: {str(header).lower()}\n")
    head = ["Op,dms_commit_ts,order_id,amount,placed_at,note,dms_change_seq"] if header else []
    shop.write("shop/orders/20260301-080000000.csv", lines(*head, f"I,{TS},{ROW_1},00001"))
    summary = shop.land()
    assert (summary.files_landed, summary.rows_quarantined) == (1, 0)
    assert shop.rows("_dms_op, order_id, amount, note, _dms_change_seq") == [
        ("I", 1, decimal.Decimal("12.50"), "first, with comma", "00001")
    ]


@pytest.mark.parametrize("with_op", [True, False])
def test_full_load_with_and_without_op(tmp_path: Path, with_op: bool) -> None:
    shop = Shop(
        tmp_path, f"add_column_name: false\ninclude_op_for_full_load: {str(with_op).lower()}\n"
    )
    op = "I," if with_op else ""
    shop.write("shop/orders/LOAD00000001.csv", lines(f"{op}{TS},{ROW_1},1", f"{op}{TS},{ROW_2},2"))
    summary = shop.land()
    assert summary.rows_quarantined == 0
    assert shop.rows("_dms_op, order_id, note") == [
        ("I", 1, "first, with comma"),
        ("I", 2, None),
    ]


@pytest.mark.parametrize(
    ("settings", "row", "expected"),
    [
        ("timestamp_column_name: ''\n", f"U,{ROW_1},00007", (None, "00007")),
        ("change_seq_column_name: ''\n", f"U,{TS},{ROW_1}", ("2026-03-01 08:00:00", None)),
        (
            "timestamp_column_name: ''\nchange_seq_column_name: ''\n",
            f"U,{ROW_1}",
            (None, None),
        ),
    ],
)
def test_with_and_without_timestamp_and_change_sequence_columns(
    tmp_path: Path, settings: str, row: str, expected: tuple[object, object]
) -> None:
    shop = Shop(tmp_path, "add_column_name: false\n" + settings)
    shop.write("shop/orders/20260301-080000000.csv", lines(row))
    summary = shop.land()
    assert summary.rows_quarantined == 0
    ((commit, seq, order_id),) = shop.rows("_dms_commit_ts, _dms_change_seq, order_id")
    assert (None if commit is None else str(commit), seq) == expected
    assert order_id == 1


def test_gzip_csv_and_a_custom_delimiter(tmp_path: Path) -> None:
    shop = Shop(tmp_path, "add_column_name: false\ncsv_delimiter: '|'\n")
    text = lines(f"I|{TS}|1|12.50|{TS}|a, b|1", f"D|{TS}|2|7.00|{TS}||2")
    shop.write("shop/orders/20260301-080000000.csv.gz", gzip.compress(text.encode()))
    summary = shop.land()
    assert summary.rows_quarantined == 0
    assert shop.rows("_dms_op, order_id, note") == [("I", 1, "a, b"), ("D", 2, None)]


def test_parquet_with_fixed_length_decimals_and_string_timestamps(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    amounts = [decimal.Decimal("12.50"), decimal.Decimal("-7.25")]
    annotated = pa.table(
        {
            "Op": ["I", "U"],
            "dms_commit_ts": [TS, "2026-03-01 08:00:01.000000"],  # DMS writes it as a string
            "order_id": pa.array([1, 2], pa.int64()),
            "amount": pa.array(amounts, pa.decimal128(12, 2)),  # FIXED_LEN_BYTE_ARRAY + DECIMAL
            "placed_at": pa.array([TS, TS], pa.string()),
            "note": ["", None],  # empty string and NULL stay distinct
            "dms_change_seq": ["1", "2"],
        }
    )
    path = shop.root / "shop/orders/20260301-080000000.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(annotated, path)
    assert "fixed_len_byte_array" in str(pq.ParquetFile(path).schema)
    # the same decimals as bare fixed-length bytes (no decimal annotation)
    raw = [int(a.scaleb(2)).to_bytes(6, "big", signed=True) for a in amounts]
    bare = annotated.set_column(3, "amount", pa.array(raw, pa.binary(6)))
    pq.write_table(bare, shop.root / "shop/orders/20260301-080000001.parquet")
    summary = shop.land()
    assert (summary.files_landed, summary.rows_quarantined) == (2, 0)
    rows = shop.rows("order_id, amount, note, _dms_commit_ts, _dms_file")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (1, decimal.Decimal("12.50"), ""),
        (1, decimal.Decimal("12.50"), ""),
        (2, decimal.Decimal("-7.25"), None),
        (2, decimal.Decimal("-7.25"), None),
    ]
    assert str(rows[-1][3]) == "2026-03-01 08:00:01"


def test_hex_load_counters_and_segments_keep_dms_order(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    head = "Op,dms_commit_ts,order_id,amount,placed_at,note,dms_change_seq"
    names = [
        "SEGMENT2_LOAD00000001",
        "LOAD0000000A",
        "SEGMENT1_LOAD00000002",
        "LOAD00000009",
        "SEGMENT1_LOAD00000001",
    ]
    for number, name in enumerate(names, start=1):
        shop.write(f"shop/orders/{name}.csv", lines(head, f"I,{TS},{number},1.00,{TS},{name},"))
    shop.land()
    assert [r[0] for r in shop.rows("note")] == [
        "LOAD00000009",
        "LOAD0000000A",
        "SEGMENT1_LOAD00000001",
        "SEGMENT1_LOAD00000002",
        "SEGMENT2_LOAD00000001",
    ]


def test_nine_and_ten_digit_cdc_names_keep_time_order(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    head = "Op,dms_commit_ts,order_id,amount,placed_at,note"  # no change sequence: file order
    names = ["20260301-0800000011", "20260301-080000002", "20260301-080000001"]
    for name in names:
        shop.write(f"shop/orders/{name}.csv", lines(head, f"U,{TS},1,1.00,{TS},{name}"))
    shop.land()
    assert [r[0] for r in shop.rows("note")] == [
        "20260301-080000001",
        "20260301-0800000011",
        "20260301-080000002",
    ]


SEQUENCES = {
    "YYYYMMDD": ["2026", "03", "01"],
    "YYYYMMDDHH": ["2026", "03", "01", "09"],
    "YYYYMM": ["2026", "03"],
    "MMYYYYDD": ["03", "2026", "01"],
    "DDMMYYYY": ["01", "03", "2026"],
}
DELIMITERS = {"SLASH": "/", "DASH": "-", "UNDERSCORE": "_", "NONE": ""}


@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("sequence", SEQUENCES)
def test_date_partitioned_folders(tmp_path: Path, sequence: str, delimiter: str) -> None:
    shop = Shop(
        tmp_path,
        "date_partition_enabled: true\n"
        f"date_partition_sequence: {sequence}\ndate_partition_delimiter: {delimiter}\n",
    )
    folder = DELIMITERS[delimiter].join(SEQUENCES[sequence])
    head = "Op,dms_commit_ts,order_id,amount,placed_at,note,dms_change_seq"
    shop.write(f"shop/orders/{folder}/20260301-090000000.csv", lines(head, f"I,{TS},{ROW_1},1"))
    shop.write(f"shop/orders/{folder}/20260301-090000001.csv", lines(head, f"D,{TS},{ROW_1},2"))
    shop.write("shop/orders/1999-99/20260301-090000002.csv", lines(head, f"U,{TS},{ROW_1},3"))
    summary = shop.land()
    assert summary.files_landed == 2
    assert [r[0] for r in shop.rows("_dms_op")] == ["I", "D"]
    assert any("is not a date partition" in s and "1999-99" in s for s in summary.skipped)
    settings = shop.contracts[("shop", "orders")].settings
    expected = "2026030109" if sequence == "YYYYMMDDHH" else "2026030100"
    if sequence == "YYYYMM":
        expected = "2026030100"
    parts = tuple(folder.split("/"))
    assert partition_date(parts, settings) == expected


def test_preserve_transactions_file_lands_into_each_table(tmp_path: Path) -> None:
    shop = Shop(tmp_path, "add_column_name: false\ncdc_path: changes/txn\n")
    records = [
        f"I,orders,shop,{TS},{ROW_1},10",
        f"I,order_lines,shop,{TS},1,1,SKU-1,11",
        f"I,order_lines,shop,{TS},1,2,SKU-2,12",
        f"U,orders,shop,{TS},1,13.00,{TS},changed,13",
        f"I,invoices,shop,{TS},99,14",  # no contract: quarantined, not lost
        f"D,order_lines,shop,{TS},1,2,SKU-2,15",
    ]
    key = "changes/txn/CDC_TXN-20201117153046033.csv"
    shop.write(key, lines(*records))
    summary = shop.land()
    assert summary.files_landed == 1
    assert summary.tables["shop.orders"].rows_landed == 2
    assert summary.tables["shop.order_lines"].rows_landed == 3
    assert shop.rows("_dms_op, order_id, amount, _dms_file, _dms_row") == [
        ("I", 1, decimal.Decimal("12.50"), key, 1),
        ("U", 1, decimal.Decimal("13.00"), key, 4),
    ]
    assert shop.rows("_dms_op, line_no, sku, _dms_row", "order_lines") == [
        ("I", 1, "SKU-1", 2),
        ("I", 2, "SKU-2", 3),
        ("D", 2, "SKU-2", 6),
    ]
    assert shop.quarantine() == [("_unknown", key, 5, "no contract for table shop.invoices")]
    again = shop.land()
    assert (again.files_landed, again.files_already_landed) == (0, 1)


def test_empty_cdc_files_land_no_rows(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.write("shop/orders/20260301-080000000.csv", "")
    shop.write("shop/orders/20260301-080000001.csv.gz", gzip.compress(b""))
    summary = shop.land()
    assert summary.files_landed == 2
    assert shop.count() == 0


def test_arrival_order_does_not_change_the_result(tmp_path: Path) -> None:
    head = "Op,dms_commit_ts,order_id,amount,placed_at,note"
    files = {  # same commit time: only file order and row position decide
        "shop/orders/20260301-080000002.csv": lines(head, f"U,{TS},1,3.00,{TS},third"),
        "shop/orders/20260301-080000001.csv": lines(
            head, f"U,{TS},1,1.00,{TS},first", f"U,{TS},1,2.00,{TS},second"
        ),
        "shop/orders/LOAD00000001.csv": lines(head, f"I,{TS},1,0.00,{TS},load"),
    }
    at_once = Shop(tmp_path / "a")
    for key, text in files.items():
        at_once.write(key, text)
    at_once.land()
    one_by_one = Shop(tmp_path / "b")
    for key, text in files.items():  # newest first, one run each
        one_by_one.write(key, text)
        one_by_one.land()
    expected = [("load",), ("first",), ("second",), ("third",)]
    assert at_once.rows("note") == expected
    assert one_by_one.rows("note") == expected
    columns = "note, _dms_file, _dms_file_order, _dms_row"
    assert at_once.rows(columns) == one_by_one.rows(columns)


def test_preserve_transactions_gzip_bad_records_and_status(tmp_path: Path) -> None:
    shop = Shop(tmp_path, "add_column_name: false\ncdc_path: cdc\n")
    records = [
        "op,table_name,schema_name",  # a header line is skipped
        f"I,orders,shop,{TS},{ROW_1},10",
        f"I,order_lines,shop,{TS},1,1,11",  # one field short
        "I,orders",  # not even Op,table_name,schema_name
        f"I,order_lines,shop,{TS},1,2,SKU-2,12",
    ]
    key = "cdc/CDC_TXN-20201117153046033.csv.gz"
    shop.write(key, gzip.compress(lines(*records).encode()))
    summary = shop.land()
    assert summary.files_landed == 1
    assert summary.tables["shop.orders"].rows_landed == 1
    assert summary.tables["shop.order_lines"].rows_landed == 1
    assert summary.rows_quarantined == 2
    assert shop.quarantine() == [
        ("_unknown", key, 3, "expected Op,table_name,schema_name,..."),
        ("order_lines", key, 2, "expected 8 fields, found 7"),
    ]
    status = {row.table: row for row in lake_status(Lake(shop.lake)).tables}
    assert (status["shop.orders"].files_landed, status["shop.orders"].rows_landed) == (1, 1)
    assert status["shop.order_lines"].rows_quarantined == 1
    assert str(status["shop.orders"].newest_commit) == "2026-03-01 08:00:00+00:00"


def test_preserve_transactions_keep_an_empty_string_apart_from_null(tmp_path: Path) -> None:
    """In a CDC_TXN file as in a table's own files, NULL is an empty unquoted field and ``""``
    an empty string (shared/reference/dms-s3-format.md, CSV details)."""
    shop = Shop(tmp_path, "add_column_name: false\ncdc_path: CdcPath\n")
    records = [
        f'I,orders,shop,{TS},1,12.50,{TS},"",10',  # empty string
        f"I,orders,shop,{TS},2,7.00,{TS},,11",  # NULL
        f'I,order_lines,shop,{TS},2,1,"",12',  # empty string in a middle field
        f'I,orders,shop,{TS},3,1.00,{TS},"two\nlines, ""quoted""",13',  # a record over 2 lines
        f'U,orders,shop,{TS},3,1.00,{TS},"",14',  # after it: still an empty string
        f'U,orders,shop,{TS},2,"7.00",{TS},,15',  # a quoted number; NULL note
    ]
    key = "CdcPath/CDC_TXN-20260301090000000.csv"
    shop.write(key, lines(*records))
    summary = shop.land()
    assert (summary.files_landed, summary.rows_quarantined) == (1, 0)
    assert shop.rows("order_id, note, _dms_change_seq, _dms_row") == [
        (1, "", "10", 1),
        (2, None, "11", 2),
        (3, 'two\nlines, "quoted"', "13", 4),
        (3, "", "14", 5),
        (2, None, "15", 6),
    ]
    assert shop.rows("order_id, line_no, sku", "order_lines") == [(2, 1, "")]
