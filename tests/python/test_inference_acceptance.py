"""``dmsw contracts infer`` then ``dmsw land``, no hand edits, on DMS roots written by hand.

Each root is written here from shared/reference/dms-s3-format.md (not by the simulator), for
every combination of the settings that shape a file (header, Op in full load, timestamp
column, change sequence) and for gzip, date partitions, empty CDC files, Parquet and every
type. Each test checks that the drafted contract and settings are the ones a person would
write (written out by hand below), and that landing with them stores every record exactly:
the raw zone's values equal the file's text parsed independently (``handmade_dms``).
"""

from __future__ import annotations

import decimal
import gzip
import itertools
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.handmade_dms import (
    Field,
    contract_shape,
    csv_text,
    expected_contract,
    parse_value,
    quarantined,
    raw_rows,
    run,
    settings_of,
    write,
)

from ingestion.contracts import load_contracts
from ingestion.dms_settings import DmsSettings

LOAD_TS = "2026-03-01 07:00:00.000000"
ORDERS_LOAD: list[list[Field]] = [
    ["1", "12.50", "2026-02-28 09:15:00.123456", "first, with comma"],
    ["2", "-7.25", "2026-02-28 10:00:00.000001", None],
]
ORDERS_CDC: list[tuple[str, str, str, list[Field]]] = [
    # Op, commit timestamp, change sequence (35 digits), the table's fields
    (
        "U",
        "2026-03-01 08:00:00.000001",
        "20260301080000000000000000000000001",
        ["1", "12.60", "2026-02-28 09:15:00.123456", ""],
    ),
    (
        "I",
        "2026-03-01 08:00:00.000002",
        "20260301080000000000000000000000002",
        ["3", "0.10", "2026-03-01 07:59:59.999999", 'say "hi"\nbye'],
    ),
    (
        "D",
        "2026-03-01 08:00:00.000003",
        "20260301080000000000000000000000003",
        ["2", "-7.25", "2026-02-28 10:00:00.000001", None],
    ),
]
ORDER_TYPES = ["bigint", "decimal(9,2)", "timestamp", "varchar"]
ORDER_NAMES = ["order_id", "amount", "placed_at", "note"]


def _orders_files(header: bool, op_in_load: bool, ts: bool, seq: bool) -> dict[str, str]:
    """The full-load and CDC file of shop.orders as a DMS task with these settings writes."""
    names = (["commit_ts"] if ts else []) + ORDER_NAMES + (["change_seq"] if seq else [])
    load: list[list[Field]] = [(["Op"] if op_in_load else []) + names] if header else []
    for fields in ORDERS_LOAD:
        record: list[Field] = ["I"] if op_in_load else []
        load.append(record + ([LOAD_TS] if ts else []) + fields + ([None] if seq else []))
    cdc: list[list[Field]] = [["Op", *names]] if header else []
    for op, commit, sequence, fields in ORDERS_CDC:
        cdc.append([op] + ([commit] if ts else []) + fields + ([sequence] if seq else []))
    return {
        "shop/orders/LOAD00000001.csv": csv_text(load),
        "shop/orders/20260301-080000000.csv": csv_text(cdc),
    }


def _check_orders_landed(lake: Path, names: list[str], ts: bool, seq: bool) -> None:
    rows = raw_rows(lake, "shop", "orders")
    expected = [("I", LOAD_TS, None, fields) for fields in ORDERS_LOAD] + [
        (op, commit, sequence, fields) for op, commit, sequence, fields in ORDERS_CDC
    ]
    assert len(rows) == len(expected)
    for row, (op, commit, sequence, fields) in zip(rows, expected, strict=True):
        assert row["_dms_op"] == op
        assert row["_dms_commit_ts"] == (parse_value(commit, "timestamp") if ts else None)
        assert row["_dms_change_seq"] == (sequence if seq else None)
        got = [row[name] for name in names]
        want = [parse_value(v, t) for v, t in zip(fields, ORDER_TYPES, strict=True)]
        assert got == want
    assert quarantined(lake) == []


@pytest.mark.parametrize(
    ("header", "op_in_load", "ts", "seq"),
    list(itertools.product([True, False], repeat=4)),
    ids=lambda v: str(v),
)
def test_every_settings_combination_is_inferred_and_lands_exactly(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: bool,
    op_in_load: bool,
    ts: bool,
    seq: bool,
) -> None:
    root, out, lake = tmp_path / "dms", tmp_path / "contracts", tmp_path / "lake"
    for key, text in _orders_files(header, op_in_load, ts, seq).items():
        write(root, key, text)

    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed

    names = ORDER_NAMES if header else ["col_1", "col_2", "col_3", "col_4"]
    columns = "\n".join(
        f"  - {{name: {n}, type: '{t}'}}" for n, t in zip(names, ORDER_TYPES, strict=True)
    )
    by_hand = expected_contract(
        "shop",
        "",
        f"table: orders\nprimary_key: [{names[0]}]\ncolumns:\n{columns}\n",
        tmp_path,
    )
    drafted = load_contracts(out)[("shop", "orders")]
    assert contract_shape(drafted)["columns"] == contract_shape(by_hand)["columns"]
    assert drafted.primary_key == (names[0],)
    assert settings_of(out, "shop") == DmsSettings(
        add_column_name=header,
        include_op_for_full_load=op_in_load,
        timestamp_column_name=("commit_ts" if header else "dms_commit_ts") if ts else None,
        change_seq_column_name=("change_seq" if header else "dms_change_seq") if seq else None,
    )
    if not header:
        assert "col_1..col_4" in printed and "rename" in printed

    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    _check_orders_landed(lake, names, ts, seq)


TYPES_HEADER = [
    "Op",
    "dms_commit_ts",
    "id",
    "small",
    "medium",
    "big",
    "code",
    "dec4",
    "sci",
    "iso3",
    "day",
    "flag",
    "uid",
    "doc",
    "txt",
    "nothing",
    "dms_change_seq",
]
TYPES_ROWS: list[list[Field]] = [
    # id, small, medium, big, code, dec4, sci, iso3, day, flag, uid, doc, txt, nothing
    [
        "1",
        "-32768",
        "-2147483648",
        "9223372036854775807",
        "007",
        "1.2345",
        "+5.0656000000000000e+05",
        "2013-04-28T00:00:00.000Z",
        "2024-02-29",
        "true",
        "123e4567-e89b-12d3-a456-426614174000",
        '{"a": [1, 2], "b": "x,y"}',
        "",
        None,
    ],
    [
        "2",
        "32767",
        "2147483647",
        "-9223372036854775808",
        "01234",
        "-0.0001",
        "-1.2500000000000000e-03",
        "2013-04-28T10:11:12.345Z",
        "1900-01-01",
        "FALSE",
        "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        "[]",
        None,
        None,
    ],
    [
        "3",
        "0",
        "40000",
        "-1",
        "0",
        "100.5000",
        "0.0000000000000000e+00",
        "2013-04-28T23:59:59.999Z",
        "2026-12-31",
        "false",
        "00000000-0000-0000-0000-000000000000",
        '{"nested": {"q": "\\"quoted\\""}}',
        "x",
        None,
    ],
]
TYPES_BY_HAND = """table: kinds
primary_key: [id]
columns:
  - {name: id, type: bigint}
  - {name: small, type: bigint}
  - {name: medium, type: bigint}
  - {name: big, type: bigint}
  - {name: code, type: varchar}
  - {name: dec4, type: 'decimal(9,4)'}
  - {name: sci, type: double}
  - {name: iso3, type: timestamp(3)}
  - {name: day, type: date}
  - {name: flag, type: boolean}
  - {name: uid, type: uuid}
  - {name: doc, type: json}
  - {name: txt, type: varchar}
  - {name: nothing, type: varchar}
"""


def test_every_type_is_inferred_narrowest_and_lands_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out, lake = tmp_path / "dms", tmp_path / "contracts", tmp_path / "lake"
    load = [TYPES_HEADER] + [["I", LOAD_TS, *row, None] for row in TYPES_ROWS[:2]]
    cdc = [TYPES_HEADER, ["U", "2026-03-01 08:00:00.000001", *TYPES_ROWS[2], "1" * 35]]
    write(root, "shop/kinds/LOAD00000001.csv", csv_text(load))
    write(root, "shop/kinds/20260301-080000000.csv", csv_text(cdc))

    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    settings = (
        "add_column_name: true\ninclude_op_for_full_load: true\n"
        "timestamp_column_name: dms_commit_ts\nchange_seq_column_name: dms_change_seq\n"
    )
    by_hand = expected_contract("shop", settings, TYPES_BY_HAND, tmp_path)
    drafted = load_contracts(out)[("shop", "kinds")]
    assert contract_shape(drafted) == contract_shape(by_hand)
    assert "nothing: all NULL in the sample: type undecided" in printed
    assert "leading zeros" in (out / "shop" / "kinds.yml").read_text()

    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    rows = raw_rows(lake, "shop", "kinds")
    types = [c.sql_type for c in by_hand.columns]
    for row, fields in zip(rows, TYPES_ROWS, strict=True):
        assert [row[c.name] for c in by_hand.columns] == [
            parse_value(v, t) for v, t in zip(fields, types, strict=True)
        ]
    assert rows[0]["txt"] == "" and rows[1]["txt"] is None  # "" and NULL stay apart
    assert rows[1]["big"] == -(2**63) and rows[0]["code"] == "007"
    assert quarantined(lake) == []


OFFSETS = ["2026-03-01 10:00:00.123456+02:00", "2026-03-01 23:30:00.000001-05:30"]


def test_timestamps_with_offsets_land_as_utc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out, lake = tmp_path / "dms", tmp_path / "contracts", tmp_path / "lake"
    records: list[list[Field]] = [["1", OFFSETS[0]], ["2", OFFSETS[1]]]
    write(root, "shop/zones/LOAD00000001.csv", csv_text(records))
    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    drafted = load_contracts(out)[("shop", "zones")]
    assert [(c.name, c.sql_type) for c in drafted.columns] == [
        ("col_1", "bigint"),
        ("col_2", "timestamp"),
    ]
    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    got = [row["col_2"] for row in raw_rows(lake, "shop", "zones")]
    assert got == [parse_value(v, "timestamp") for v in OFFSETS]


ITEMS_LOAD: list[list[Field]] = [["10", "bolt", "0.25"], ["11", "nut, hex", "0.05"]]
ITEMS_CDC: list[list[Field]] = [["I", "12", "washer", "0.01"], ["U", "10", "bolt", "0.30"]]


@pytest.mark.parametrize(
    ("folder", "sequence", "delimiter"),
    [
        ("2026/03/01", "YYYYMMDD", "SLASH"),
        ("2026-03-01", "YYYYMMDD", "DASH"),
        ("2026030108", "YYYYMMDDHH", "NONE"),
        ("01_03_2026", "DDMMYYYY", "UNDERSCORE"),
    ],
)
def test_gzip_date_partitions_and_an_empty_cdc_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    folder: str,
    sequence: str,
    delimiter: str,
) -> None:
    """AWS's defaults (no header, no Op in full load, no extra columns), gzip, date folders."""
    root, out, lake = tmp_path / "dms", tmp_path / "contracts", tmp_path / "lake"
    write(root, "shop/items/LOAD00000001.csv.gz", gzip.compress(csv_text(ITEMS_LOAD).encode()))
    cdc = gzip.compress(csv_text(ITEMS_CDC).encode())
    write(root, f"shop/items/{folder}/20260301-080000000.csv.gz", cdc)
    write(root, f"shop/items/{folder}/20260301-090000000.csv.gz", gzip.compress(b""))

    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    assert settings_of(out, "shop") == DmsSettings(
        add_column_name=False,
        include_op_for_full_load=False,
        timestamp_column_name=None,
        change_seq_column_name=None,
        date_partition_enabled=True,
        date_partition_sequence=sequence,
        date_partition_delimiter=delimiter,
    )
    by_hand = expected_contract(
        "shop",
        "",
        "table: items\nprimary_key: [col_1]\ncolumns:\n  - {name: col_1, type: bigint}\n"
        "  - {name: col_2, type: varchar}\n  - {name: col_3, type: 'decimal(9,2)'}\n",
        tmp_path,
    )
    drafted = load_contracts(out)[("shop", "items")]
    assert contract_shape(drafted)["columns"] == contract_shape(by_hand)["columns"]
    assert "1 empty file(s)" in printed

    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    rows = raw_rows(lake, "shop", "items")
    expected = [["I", *r] for r in ITEMS_LOAD] + ITEMS_CDC
    assert [[r["_dms_op"], r["col_1"], r["col_2"], r["col_3"]] for r in rows] == [
        [op, int(i), name, decimal.Decimal(price)] for op, i, name, price in expected
    ]
    assert quarantined(lake) == []


def _write_parquet(root: Path, key: str, table: pa.Table) -> None:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


PARQUET_VALUES = {
    "id": pa.array([1, 2, 3], pa.int64()),
    "qty": pa.array([5, -3, 0], pa.int32()),
    "amount": pa.array(
        [decimal.Decimal("12.50"), decimal.Decimal("-0.01"), decimal.Decimal("9999999999.99")],
        pa.decimal128(12, 2),
    ),
    "created_ms": pa.array([1_700_000_000_123, 1_700_000_001_000, 0], pa.timestamp("ms", "UTC")),
    "updated_us": pa.array([1_700_000_000_123_456, None, 1], pa.timestamp("us")),
    "born": pa.array([19000, None, -1], pa.date32()),
    "note": pa.array(["", None, "x, y"], pa.string()),
    "flag": pa.array([True, False, None], pa.bool_()),
    "ratio": pa.array([0.5, 1e-300, None], pa.float64()),
}
PARQUET_BY_HAND = """table: parts
primary_key: [id]
columns:
  - {name: id, type: bigint}
  - {name: qty, type: integer}
  - {name: amount, type: 'decimal(12,2)'}
  - {name: created_ms, type: timestamp(3)}
  - {name: updated_us, type: timestamp}
  - {name: born, type: date}
  - {name: note, type: varchar}
  - {name: flag, type: boolean}
  - {name: ratio, type: double}
"""


@pytest.mark.parametrize("dms_columns", [False, True])
def test_parquet_schemas_are_read_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dms_columns: bool
) -> None:
    """Fixed-length byte decimals, ms (UTC-adjusted) and us timestamps, "" vs NULL."""
    root, out, lake = tmp_path / "dms", tmp_path / "contracts", tmp_path / "lake"
    load = pa.table({k: v.slice(0, 2) for k, v in PARQUET_VALUES.items()})
    cdc = pa.table({k: v.slice(2) for k, v in PARQUET_VALUES.items()})
    cdc = cdc.add_column(0, "Op", pa.array(["U"]))
    if dms_columns:  # Op in full load, the timestamp column (a string), a change sequence
        load = load.add_column(0, "Op", pa.array(["I", "I"]))
        load = load.add_column(1, "dms_ts", pa.array([LOAD_TS, LOAD_TS]))
        load = load.append_column("seq", pa.array([None, None], pa.string()))
        cdc = cdc.add_column(1, "dms_ts", pa.array(["2026-03-01 08:00:00.000001"]))
        cdc = cdc.append_column("seq", pa.array(["2" * 35]))
    _write_parquet(root, "shop/parts/LOAD00000001.parquet", load)
    _write_parquet(root, "shop/parts/20260301-080000000.parquet", cdc)
    assert (
        "fixed_len_byte_array"
        in str(pq.ParquetFile(root / "shop/parts/LOAD00000001.parquet").schema).lower()
    )

    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    by_hand = expected_contract("shop", "", PARQUET_BY_HAND, tmp_path)
    drafted = load_contracts(out)[("shop", "parts")]
    assert contract_shape(drafted)["columns"] == contract_shape(by_hand)["columns"]
    assert drafted.primary_key == ("id",)
    settings = settings_of(out, "shop")
    assert settings.include_op_for_full_load is dms_columns
    assert settings.timestamp_column_name == ("dms_ts" if dms_columns else None)
    assert settings.change_seq_column_name == ("seq" if dms_columns else None)

    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    rows = raw_rows(lake, "shop", "parts")
    expected = pa.table(PARQUET_VALUES).to_pylist()
    for row, want in zip(rows, expected, strict=True):
        got = {k: row[k] for k in want}
        if want["created_ms"] is not None:
            want["created_ms"] = want["created_ms"].replace(tzinfo=None)
        assert got == want
    assert [r["_dms_op"] for r in rows] == ["I", "I", "U"]
    assert quarantined(lake) == []


def test_tables_of_one_schema_with_different_settings_get_an_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two tasks wrote into one schema folder: the odd table says so in its contract."""
    root, out, lake = tmp_path / "dms", tmp_path / "contracts", tmp_path / "lake"
    for table in ("a", "b"):
        header = ["Op", "id", "name"]
        write(root, f"crm/{table}/LOAD00000001.csv", csv_text([header, ["I", "1", "x"]]))
    write(root, "crm/c/LOAD00000001.csv", csv_text([["1", "x"], ["2", "y"]]))
    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    contracts = load_contracts(out)
    assert contracts[("crm", "a")].settings.add_column_name is True
    assert contracts[("crm", "a")].settings.include_op_for_full_load is True
    odd = contracts[("crm", "c")]
    assert (odd.settings.add_column_name, odd.settings.include_op_for_full_load) == (False, False)
    assert "differs from _dms_settings.yml" in (out / "crm" / "c.yml").read_text()
    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    assert [(r["col_1"], r["col_2"]) for r in raw_rows(lake, "crm", "c")] == [(1, "x"), (2, "y")]
    assert [(r["id"], r["name"]) for r in raw_rows(lake, "crm", "a")] == [(1, "x")]


def test_header_in_full_load_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seen in real output: the LOAD file has a header, the CDC files none."""
    root, out, lake = tmp_path / "dms", tmp_path / "contracts", tmp_path / "lake"
    write(root, "shop/t/LOAD00000001.csv", csv_text([["id", "city"], ["1", "Brno"], ["2", None]]))
    write(root, "shop/t/20260301-080000000.csv", csv_text([["U", "2", "Praha"], ["D", "1", ""]]))
    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    drafted = load_contracts(out)[("shop", "t")]
    assert [(c.name, c.sql_type) for c in drafted.columns] == [
        ("id", "bigint"),
        ("city", "varchar"),
    ]
    assert settings_of(out, "shop") == DmsSettings(
        add_column_name=True,
        include_op_for_full_load=False,
        timestamp_column_name=None,
        change_seq_column_name=None,
    )
    assert "header in 1 of 2 file(s)" in printed
    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    assert [(r["_dms_op"], r["id"], r["city"]) for r in raw_rows(lake, "shop", "t")] == [
        ("I", 1, "Brno"),
        ("I", 2, None),
        ("U", 2, "Praha"),
        ("D", 1, ""),
    ]
