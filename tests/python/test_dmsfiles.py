from __future__ import annotations

import pytest

from ingestion.dms_settings import DmsSettings
from ingestion.dmsfiles import NotADmsFileError, parse_key


@pytest.mark.parametrize(
    ("key", "kind", "fmt", "gz"),
    [
        ("core_banking/customers/LOAD00000001.csv", "load", "csv", False),
        ("core_banking/customers/LOAD0000000A.csv.gz", "load", "csv", True),
        ("core_banking/customers/SEGMENT2_LOAD00000001.parquet", "load", "parquet", False),
        ("core_banking/customers/p1/LOAD00000001.csv", "load", "csv", False),
        ("core_banking/customers/20240809-192717787.csv", "cdc", "csv", False),
        ("core_banking/customers/20240809-1927177871.csv", "cdc", "csv", False),
        ("core_banking/customers/2024/08/09/20240809-192717787.csv", "cdc", "csv", False),
    ],
)
def test_dms_names_are_recognised(key: str, kind: str, fmt: str, gz: bool) -> None:
    parsed = parse_key(key)
    assert (parsed.schema, parsed.table) == ("core_banking", "customers")
    assert (parsed.kind, parsed.format, parsed.gzip) == (kind, fmt, gz)


def test_hex_load_counters_sort_after_nine_and_cdc_after_load() -> None:
    keys = [
        "s/t/20240809-192717788.csv",
        "s/t/LOAD0000000A.csv",
        "s/t/20240809-1927177870.csv",
        "s/t/LOAD00000009.csv",
        "s/t/20240101-000000000.csv",
    ]
    ordered = sorted(keys, key=lambda k: parse_key(k).order_key)
    assert ordered == [
        "s/t/LOAD00000009.csv",
        "s/t/LOAD0000000A.csv",
        "s/t/20240101-000000000.csv",
        "s/t/20240809-1927177870.csv",
        "s/t/20240809-192717788.csv",
    ]


@pytest.mark.parametrize(
    "key",
    [
        "core_banking/customers/notes.txt",
        "core_banking/customers/LOAD1.csv",
        "core_banking/LOAD00000001.csv",
        "core_banking/customers/../x/LOAD00000001.csv",
        "core_banking/cust omers/LOAD00000001.csv",
        "core_banking/customers/20240809-1927.csv",
    ],
)
def test_other_names_are_refused_with_a_reason(key: str) -> None:
    with pytest.raises(NotADmsFileError) as error:
        parse_key(key)
    assert str(error.value)


def test_stem_is_a_safe_file_name() -> None:
    assert parse_key("s/t/2024/08/09/20240809-192717787.csv.gz").stem == (
        "2024__08__09__20240809-192717787"
    )


def test_date_partition_folders_must_match_the_settings() -> None:
    settings = DmsSettings(date_partition_enabled=True, date_partition_delimiter="DASH")
    assert parse_key("s/t/2026-03-01/20260301-090000000.csv", settings).kind == "cdc"
    for folder in ("2026/03/01", "2026-13-01", "2026-02-30", "01-03-2026", "x"):
        with pytest.raises(NotADmsFileError, match="is not a date partition"):
            parse_key(f"s/t/{folder}/20260301-090000000.csv", settings)
    # without date partitioning, folders are kept as they are (parallel-load partitions)
    assert parse_key("s/t/2026/13/01/20260301-090000000.csv").stem.startswith("2026__13__01__")


def test_transaction_files_only_in_their_cdc_path() -> None:
    parsed = parse_key("cdc/CDC_TXN-20201117153046033.csv", cdc_paths={"cdc"})
    assert (parsed.kind, parsed.schema, parsed.stem) == (
        "txn",
        "",
        "cdc__CDC_TXN-20201117153046033",
    )
    assert parsed.order_key < parse_key("s/t/20201117-153046034.csv").order_key
    with pytest.raises(NotADmsFileError, match="outside a configured cdc_path"):
        parse_key("other/CDC_TXN-20201117153046033.csv", cdc_paths={"cdc"})
    with pytest.raises(NotADmsFileError, match="CSV only"):
        parse_key("cdc/CDC_TXN-20201117153046033.parquet", cdc_paths={"cdc"})
