"""Pieces of ``dmsw contracts infer``: type choice on edge values, header and settings
detection, key suggestion, transaction files, Parquet corner cases, errors."""

from __future__ import annotations

import gzip
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from support.handmade_dms import csv_text, raw_rows, run, settings_of, write
from support.project import PROJECT

from ingestion.column_types import parse_type
from ingestion.contracts import load_contracts
from ingestion.errors import UserError
from ingestion.inference.csvtypes import choose_type, misfit
from ingestion.inference.value_stats import value_stats


def _type(*values: str | None) -> str:
    return choose_type(value_stats(pa.array(list(values), pa.string()))).type


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "-32768", "32767"], "bigint"),  # integers are bigint: ids grow past a sample
        (["32768"], "bigint"),
        (["-2147483649"], "bigint"),
        (["9223372036854775807", "-9223372036854775808"], "bigint"),
        (["9223372036854775808"], "decimal(38,0)"),
        (["1" * 39], "varchar"),
        (["007", "12"], "varchar"),
        (["0", "0.5", "-0.25"], "decimal(9,2)"),
        (["00.5"], "varchar"),
        (["117300.00"], "decimal(9,2)"),
        (["1234567.891"], "decimal(18,3)"),
        (["12345678901234567.8"], "decimal(18,1)"),
        (["123456789012345678.9"], "decimal(38,1)"),
        (["1.2345", "-0.0001"], "decimal(9,4)"),
        (["+5.0656000000000000e+05", "1.5"], "double"),
        (["NaN", "1"], "double"),
        (["true", "False", "TRUE"], "boolean"),
        (["t", "f"], "varchar"),
        (["1", "0"], "bigint"),
        (["2024-02-29", "1900-01-01"], "date"),
        (["2026-02-30"], "varchar"),
        (["2024-02-29", "2024-03-01 10:00:00"], "timestamp"),
        (["1987-06-17 00:00:00"], "timestamp"),
        (["2013-04-28T00:00:00.000Z", "2013-04-28T00:00:00.120Z"], "timestamp(3)"),
        (["2026-03-01 08:00:00.123456"], "timestamp"),
        (["2026-03-01 08:00:00.1234567"], "varchar"),
        (["2026-03-01 25:00:00"], "varchar"),
        (["2026-03-01 10:00:00+02:00", "2026-03-01 10:00:00.5-0530"], "timestamp(1)"),
        (["123e4567-e89b-12d3-a456-426614174000"], "uuid"),
        (['{"a": 1}', "[1, 2]"], "json"),
        (['{"a": 1'], "varchar"),
        (["", "5"], "varchar"),
        (["", None], "varchar"),
        ([" 5"], "varchar"),
    ],
)
def test_the_narrowest_type_that_holds_every_value(values: list[str], expected: str) -> None:
    assert _type(*values) == expected


def test_all_null_is_varchar_and_undecided() -> None:
    choice = choose_type(value_stats(pa.array([None, None], pa.string())))
    assert (choice.type, choice.undecided) == ("varchar", True)


def test_stats_of_several_files_merge_to_one_type() -> None:
    first = value_stats(pa.array(["1", "2"], pa.string()))
    second = value_stats(pa.array(["2.50"], pa.string()))
    third = value_stats(pa.array(["70000"], pa.string()))
    assert choose_type(first).type == "bigint"
    assert choose_type(first.merge(third)).type == "bigint"
    assert choose_type(first.merge(second).merge(third)).type == "decimal(9,2)"


@pytest.mark.parametrize(
    ("values", "declared", "problem"),
    [
        (["12.7"], "bigint", "not integers, e.g. '12.7'"),
        (["abc", "7"], "bigint", "1 value(s) are not integers, e.g. 'abc'"),
        (["x"], "date", "not dates"),
        (["x"], "timestamp", "not timestamps"),
        (["40000"], "smallint", "outside smallint"),
        (["1.234"], "decimal(18,2)", "3 decimals"),
        (["+5.0656000000000000e+05"], "decimal(6,0)", None),
        (["+5.0656000000000000e+05"], "decimal(5,0)", "6 digits before the point"),
        (["1.5e-3"], "decimal(18,4)", None),
        (["1.5e-3"], "decimal(18,3)", "4 decimals"),
        (["2026-03-01 08:00:00.123"], "timestamp(0)", "3 fractional second digits"),
        (["abcd"], "char(3)", "4 characters"),
        (["1", "0", "t"], "boolean", None),
        (["yes"], "boolean", "not true/false"),
    ],
)
def test_values_that_do_not_fit_a_declared_type(
    values: list[str], declared: str, problem: str | None
) -> None:
    found = misfit(value_stats(pa.array(values, pa.string())), parse_type(declared))
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def _infer(capsys: pytest.CaptureFixture[str], root: Path, out: Path) -> str:
    code, printed = run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    assert code == 0, printed
    return printed


def test_an_all_text_first_record_without_confirmation_is_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Names or values? Nothing confirms a header: read as data, and said so."""
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/t/LOAD00000001.csv", csv_text([["alpha", "beta"], ["gamma", "delta"]]))
    printed = _infer(capsys, root, out)
    assert "looks like names but nothing confirms a header" in printed
    columns = yaml.safe_load((out / "s" / "t.yml").read_text())["columns"]
    assert [c["name"] for c in columns] == ["col_1", "col_2"]  # no key: CDC files only


def test_a_header_repeated_across_files_is_a_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/t/LOAD00000001.csv", csv_text([["name", "city"], ["Ann", "Brno"]]))
    write(root, "s/t/LOAD00000002.csv", csv_text([["name", "city"], ["Bob", "Linz"]]))
    _infer(capsys, root, out)
    assert load_contracts(out)[("s", "t")].column_names == ("name", "city")
    assert settings_of(out, "s").add_column_name is True


def test_without_any_key_the_contract_says_so_and_landing_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only CDC files: no full load to find a key in. The draft must not land silently."""
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/t/20260301-080000000.csv", csv_text([["I", "1", "a"], ["U", "1", "b"]]))
    printed = _infer(capsys, root, out)
    assert "primary key: no full-load rows; fill primary_key before landing" in printed
    assert "primary_key: []  # NOT DECIDED" in (out / "s" / "t.yml").read_text()
    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(tmp_path / "lake"),
        "--contracts", str(out),
    )  # fmt: skip
    assert code == 2 and "primary_key must list one or more" in printed


def test_a_composite_key_is_suggested_when_no_column_is_unique(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    rows = [["Op", "order_id", "line_no", "sku"]] + [
        ["I", str(o), str(n), "x"] for o in (1, 2) for n in (1, 2)
    ]
    write(root, "s/lines/LOAD00000001.csv", csv_text(rows))
    printed = _infer(capsys, root, out)
    assert load_contracts(out)[("s", "lines")].primary_key == ("order_id", "line_no")
    assert "a guess from the full load" in printed


def test_a_pipe_delimited_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, out, lake = tmp_path / "dms", tmp_path / "c", tmp_path / "lake"
    write(root, "s/t/LOAD00000001.csv", csv_text([["1", "a,b"], ["2", "c"]], delimiter="|"))
    _infer(capsys, root, out)
    assert settings_of(out, "s").csv_delimiter == "|"
    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    assert [(r["col_1"], r["col_2"]) for r in raw_rows(lake, "s", "t")] == [(1, "a,b"), (2, "c")]


def test_preserve_transactions_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CDC_TXN files: their folder is the cdc_path; their rows count for each table."""
    root, out, lake = tmp_path / "dms", tmp_path / "c", tmp_path / "lake"
    write(root, "shop/orders/LOAD00000001.csv", csv_text([["1", "5"]]))
    txn = csv_text([["U", "orders", "shop", "1", "5.25"], ["I", "orders", "shop", "2", "7"]])
    write(root, "txn/CDC_TXN-20260301080000000.csv", txn)
    printed = _infer(capsys, root, out)
    assert settings_of(out, "shop").cdc_path == "txn"
    contract = load_contracts(out)[("shop", "orders")]
    assert [c.sql_type for c in contract.columns] == ["bigint", "decimal(9,2)"], printed
    code, printed = run(
        capsys, "land", "--source", str(root), "--lake", str(lake), "--contracts", str(out)
    )
    assert code == 0, printed
    assert [r["_dms_op"] for r in raw_rows(lake, "shop", "orders")] == ["I", "U", "I"]


def test_bare_fixed_length_bytes_are_binary_and_undecided(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    path = root / "s" / "t" / "LOAD00000001.parquet"
    path.parent.mkdir(parents=True)
    raw = [(1250).to_bytes(6, "big", signed=True), (-725).to_bytes(6, "big", signed=True)]
    pq.write_table(pa.table({"id": [1, 2], "amount": pa.array(raw, pa.binary(6))}), path)
    printed = _infer(capsys, root, out)
    assert [c.sql_type for c in load_contracts(out)[("s", "t")].columns] == ["bigint", "binary"]
    assert "without a decimal annotation" in printed and "to decide" in printed


def test_drift_across_files_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(
        root, "s/t/LOAD00000001.csv", csv_text([["Op", "id", "qty", "old"], ["I", "1", "5", "x"]])
    )
    write(
        root,
        "s/t/20260301-080000000.csv.gz",
        gzip.compress(csv_text([["Op", "id", "qty", "new"], ["U", "70000", "5.5", "y"]]).encode()),
    )
    printed = _infer(capsys, root, out)
    assert "column id: the values' type changes" not in printed  # a wider range is no change
    assert "column new appears in s/t/20260301-080000000.csv.gz" in printed
    assert "column old is not in the files after s/t/LOAD00000001.csv" in printed
    assert "column qty: the values' type changes across files (integer from s/t/LOAD" in printed
    columns = [(c.name, c.sql_type) for c in load_contracts(out)[("s", "t")].columns]
    assert columns == [
        ("id", "bigint"),
        ("qty", "decimal(9,1)"),
        ("old", "varchar"),
        ("new", "varchar"),
    ]


def test_parquet_types_widened_across_files_get_the_narrowest_type_holding_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A decimal widened at the source (decimal(8,2) then decimal(10,1): up to 9 digits before
    the point, 2 after), timestamps in milliseconds then microseconds
    (ParquetTimestampInMillisecond changed) and a smallint widened to integer: one type holds
    both files' values exactly, as for CSV files; text only when none does."""
    root, out = tmp_path / "dms", tmp_path / "c"
    folder = root / "s" / "t"
    folder.mkdir(parents=True)
    first = {
        "id": pa.array([1], pa.int16()),
        "fee": pa.array([Decimal("123456.78")], pa.decimal128(8, 2)),
        "at": pa.array([datetime(2026, 3, 1, 8, 0, 0, 123000)], pa.timestamp("ms")),
        "code": pa.array([7], pa.int64()),
    }
    second = {
        "Op": ["U"],
        "id": pa.array([1], pa.int32()),
        "fee": pa.array([Decimal("123456789.5")], pa.decimal128(10, 1)),
        "at": pa.array([datetime(2026, 3, 1, 8, 0, 0, 123456)], pa.timestamp("us")),
        "code": ["x7"],  # text now: no number type holds it
    }
    pq.write_table(pa.table(first), folder / "LOAD00000001.parquet")
    pq.write_table(pa.table(second), folder / "20260301-080000000.parquet")
    printed = _infer(capsys, root, out)
    columns = [(c.name, c.sql_type) for c in load_contracts(out)[("s", "t")].columns]
    assert columns == [
        ("id", "integer"),
        ("fee", "decimal(11,2)"),
        ("at", "timestamp"),
        ("code", "varchar"),
    ]
    assert "files disagree (bigint in some, varchar in others)" in printed


def test_header_names_that_are_not_identifiers_stop_that_table_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/bad/LOAD00000001.csv", csv_text([["Op", "order id"], ["I", "1"]]))
    write(root, "s/good/LOAD00000001.csv", csv_text([["1"]]))
    printed = _infer(capsys, root, out)
    assert "s.bad: NOT DRAFTED: column names that are not plain identifiers" in printed
    assert not (out / "s" / "bad.yml").exists() and (out / "s" / "good.yml").exists()


LETTERS = "letters, digits, _"


@pytest.mark.parametrize("name", ["2fa_enabled", "größe", "prénom"])
def test_a_header_with_a_leading_digit_or_a_non_ascii_name_is_a_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Sources allow such names (quoted in SQL). The header must not be drafted as a data
    record (it would land as a row): the table is not drafted, saying why and what to do."""
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/t/LOAD00000001.csv", csv_text([["id", name], ["1", "x"], ["2", "y"]]))
    printed = _infer(capsys, root, out)
    assert (
        f"s.t: NOT DRAFTED: column names that are not plain identifiers ({LETTERS}): ['{name}']"
        in printed
    )
    assert "transformation rule" in printed
    assert not (out / "s" / "t.yml").exists()


def test_a_first_record_of_numbers_with_leading_digits_stays_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Names may start with a digit, but a record without letters is not a header."""
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/t/LOAD00000001.csv", csv_text([["007", "2024-01-01"], ["12", "2024-01-02"]]))
    _infer(capsys, root, out)
    assert load_contracts(out)[("s", "t")].column_names == ("col_1", "col_2")
    assert settings_of(out, "s").add_column_name is False


def test_a_table_folder_a_contract_cannot_name_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "shop/order-lines/LOAD00000001.csv", csv_text([["id"], ["1"]]))
    printed = _infer(capsys, root, out)
    assert (
        "shop/order-lines: table folder 'order-lines' is not a plain identifier (letters, "
        "digits, _), which a contract cannot name; rename the table in the DMS task" in printed
    )


def test_names_the_models_cannot_use_are_drafted_renamed_to_decide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reserved words (order, GROUP, raw) and the generated models' own columns (landed_at)
    are fine for landing but not as the models' names: the draft renames them (to decide), so
    `dmsw models generate` takes it as it is."""
    root, out = tmp_path / "dms", tmp_path / "c"
    records = [["order", "GROUP", "raw", "landed_at", "note"], ["1", "2", "r", "x", "n"]]
    write(root, "shop/t/LOAD00000001.csv", csv_text(records))
    printed = _infer(capsys, root, out)
    contract = load_contracts(out)[("shop", "t")]
    assert contract.column_names == ("order", "GROUP", "raw", "landed_at", "note")
    assert [c.rename for c in contract.columns] == [
        "order_value", "group_value", "raw_value", "landed_at_value", None,
    ]  # fmt: skip
    assert "column GROUP: 'group' is a reserved word in SQL: drafted rename: group_value" in printed
    assert "column landed_at: the generated models add a column of this name" in printed


@pytest.mark.parametrize("name", ["op", "_dms_file"])
def test_a_column_named_like_a_dms_or_raw_zone_column_is_not_drafted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "shop/t/LOAD00000001.csv", csv_text([["id", name], ["1", "x"], ["2", "y"]]))
    printed = _infer(capsys, root, out)
    assert f"shop.t: NOT DRAFTED: column {name}: " in printed and "DMS task" in printed
    assert not (out / "shop" / "t.yml").exists()


def test_one_table_name_in_two_schemas_is_drafted_with_distinct_entities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sales.customers and crm.customers (and the project's core_banking.customers already in
    --out) would all be slv_customers: the drafts name their entities, to decide."""
    root, out = tmp_path / "dms", tmp_path / "c"
    for schema in ("sales", "crm"):
        write(root, f"{schema}/customers/LOAD00000001.csv", csv_text([["id"], ["1"], ["2"]]))
    write(root, "shop/Orders/LOAD00000001.csv", csv_text([["id"], ["1"], ["2"]]))
    write(
        out,
        "core_banking/orders.yml",
        "table: orders\nprimary_key: [id]\ncolumns: [{name: id, type: bigint}]\n",
    )
    printed = _infer(capsys, root, out)
    contracts = load_contracts(out)
    assert contracts[("sales", "customers")].entity == "sales_customers"
    assert contracts[("crm", "customers")].entity == "crm_customers"
    assert contracts[("shop", "Orders")].entity == "shop_orders"
    assert "entity sales_customers: the same table name as crm.customers" in printed
    assert "entity shop_orders: the same table name as core_banking.orders" in printed


def test_usage_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed = run(capsys, "contracts", "infer", "--out", str(tmp_path))
    assert code == 2 and "give --source" in printed
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(tmp_path / "nope"), "--out", str(tmp_path)
    )
    assert code == 2 and "is not a folder" in printed
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(tmp_path), "--out", str(tmp_path),
        "--sample-rows", "0",
    )  # fmt: skip
    assert code == 2 and "--sample-rows" in printed
    (tmp_path / "file").write_text("x")
    write(tmp_path, "dms/s/t/LOAD00000001.csv", "1\n")
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(tmp_path / "dms"), "--out",
        str(tmp_path / "file"),
    )  # fmt: skip
    assert code == 2 and "cannot write" in printed
    assert "Traceback" not in printed


def test_the_sample_is_every_file_not_only_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/t/LOAD00000001.csv", csv_text([[str(i), "1"] for i in range(50)]))
    write(root, "s/t/20260301-080000000.csv", csv_text([["U", "3", "2.5"]]))
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(root), "--out", str(out),
        "--sample-rows", "10",
    )  # fmt: skip
    assert code == 0, printed
    assert [c.sql_type for c in load_contracts(out)[("s", "t")].columns] == [
        "bigint",
        "decimal(9,1)",
    ]
    assert "11 record(s) sampled" in printed  # 10 of the full load, 1 of the CDC file


def test_unknown_type_words_raise() -> None:
    with pytest.raises(UserError):
        parse_type("decimal(9,x)")


DOCS = PROJECT / "docs" / "onboarding.md"


def test_the_walkthrough_uses_only_flags_that_exist(capsys: pytest.CaptureFixture[str]) -> None:
    """Every flag docs/onboarding.md gives ``dmsw contracts infer`` or ``dmsw land`` exists."""
    import re

    text = DOCS.read_text().replace("\\\n", " ")
    seen = 0
    for command in ("contracts infer", "land"):
        with pytest.raises(SystemExit):
            run(capsys, *command.split(), "--help")
        usage = capsys.readouterr().out
        for line in re.findall(rf"dmsw {command}([^\n`]*)", text):
            for flag in re.findall(r"(--[a-z-]+)", line):
                seen += 1
                assert flag in usage, f"docs/onboarding.md: dmsw {command} ... {flag}"
    assert seen >= 8


def test_a_change_sequence_out_of_order_is_still_one_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    rows = [["U", "1", "a", "2" * 35], ["U", "2", "b", "1" * 35]]
    write(root, "s/t/20260301-080000000.csv", csv_text(rows))
    printed = _infer(capsys, root, out)
    assert settings_of(out, "s").change_seq_column_name == "dms_change_seq"
    assert "does not increase within the file" in printed
    columns = yaml.safe_load((out / "s" / "t.yml").read_text())["columns"]
    assert [c["name"] for c in columns] == ["col_1", "col_2"]  # no key: CDC files only


def test_segment_and_hex_counter_load_files_are_all_sampled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "c"
    names = ["SEGMENT1_LOAD00000001", "SEGMENT2_LOAD00000001", "LOAD0000000A", "LOAD00000009"]
    for number, name in enumerate(names, start=1):
        write(root, f"s/t/{name}.csv", csv_text([[str(number), f"{number}.5"]]))
    printed = _infer(capsys, root, out)
    assert "4 file(s) (4 LOAD; csv), 4 record(s) sampled" in printed
    assert [c.sql_type for c in load_contracts(out)[("s", "t")].columns] == [
        "bigint",
        "decimal(9,1)",
    ]


def test_settings_at_aws_defaults_are_written_only_while_landing_assumes_otherwise() -> None:
    """Once landing's defaults are AWS's, _dms_settings.yml lists only what differs."""
    from ingestion.dms_settings import DmsSettings
    from ingestion.inference.settings import AWS_DEFAULTS, worth_writing

    for name, aws in AWS_DEFAULTS.items():
        assert worth_writing(name, aws) == (getattr(DmsSettings(), name) != aws), name
    assert worth_writing("add_column_name", not AWS_DEFAULTS["add_column_name"])
    assert worth_writing("csv_delimiter", "|")
