"""Strict types: a value lands only if it converts exactly to its contract type.

One test per inexact conversion: a hand-written file with good rows and the rows that do not
fit; the misfits are quarantined with a reason naming the column, the value and the type, and
every other row lands with exactly the value computed here in plain Python.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource

SETTINGS = (  # a header, no Op in LOAD files, no timestamp or change-sequence column
    "add_column_name: true\ninclude_op_for_full_load: false\n"
    "timestamp_column_name: ''\nchange_seq_column_name: ''\n"
)


class Items:
    """A table ``shop.items`` with ``id bigint`` and the given columns, and its lake."""

    def __init__(self, tmp_path: Path, **types: str) -> None:
        self.root, self.lake = tmp_path / "dms", tmp_path / "lake"
        self.columns = list(types)
        folder = tmp_path / "contracts" / "shop"
        folder.mkdir(parents=True)
        lines = [f"  - {{name: {n}, type: '{t}'}}" for n, t in types.items()]
        (folder / "items.yml").write_text(
            "table: items\nprimary_key: [id]\ncolumns:\n  - {name: id, type: bigint}\n"
            + "\n".join(lines)
            + "\n"
        )
        (folder / "_dms_settings.yml").write_text(SETTINGS)
        self.contracts = load_contracts(tmp_path / "contracts")
        (self.root / "shop" / "items").mkdir(parents=True)

    def land_csv(self, *rows: tuple[object, ...]) -> RunSummary:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["id", *self.columns])
        writer.writerows(rows)
        (self.root / "shop" / "items" / "LOAD00000001.csv").write_text(text.getvalue())
        return self._land()

    def land_parquet(self, table: pa.Table) -> RunSummary:
        pq.write_table(table, self.root / "shop" / "items" / "LOAD00000001.parquet")
        return self._land()

    def _land(self) -> RunSummary:
        return Lander(LocalSource(self.root), Lake(self.lake), self.contracts).run()

    def landed(self) -> dict[int, tuple[object, ...]]:
        source = f"read_parquet('{self.lake}/raw/shop/items/*.parquet', union_by_name = true)"
        columns = ", ".join(f'"{c}"' for c in self.columns)
        rows = duckdb.sql(f"select id, {columns} from {source}").fetchall()
        return {int(r[0]): tuple(r[1:]) for r in rows}

    def quarantined(self) -> dict[int, str]:
        source = f"read_parquet('{self.lake}/quarantine/**/*.parquet', union_by_name = true)"
        rows = duckdb.sql(f"select dms_row, reason from {source}").fetchall()
        return {int(r[0]): str(r[1]) for r in rows}


def test_a_fraction_is_not_rounded_into_an_integer(tmp_path: Path) -> None:
    items = Items(tmp_path, qty="bigint")
    items.land_csv((1, "12"), (2, "12.7"), (3, "12.00"), (4, "-0012"), (5, "1.5e1"), (6, "0.5"))
    assert items.quarantined() == {
        2: "qty: '12.7' does not fit bigint: it has a fraction",
        6: "qty: '0.5' does not fit bigint: it has a fraction",
    }
    assert items.landed() == {1: (12,), 3: (12,), 4: (-12,), 5: (15,)}


def test_more_decimals_than_the_scale_are_not_rounded_and_trailing_zeros_land(
    tmp_path: Path,
) -> None:
    items = Items(tmp_path, amount="decimal(18,2)")
    tiny = "0." + "1".rjust(23, "0")  # 23 decimals: beyond any fast path's precision
    values = ["117300.00", "5.000", "5.1234", "-0.5", "0.005", "1.25e1", "3", tiny, "1.1"]
    items.land_csv(*((n, v) for n, v in enumerate(values, start=1)))
    assert items.quarantined() == {
        3: "amount: '5.1234' does not fit decimal(18,2): more than 2 decimal places",
        5: "amount: '0.005' does not fit decimal(18,2): more than 2 decimal places",
        8: f"amount: '{tiny}' does not fit decimal(18,2): more than 2 decimal places",
    }
    expected = {
        n: (Decimal(v).quantize(Decimal("0.01")),)
        for n, v in enumerate(values, start=1)
        if n not in (3, 5, 8)
    }
    assert items.landed() == expected
    assert expected[2] == (Decimal("5.00"),) and expected[6] == (Decimal("12.50"),)


def test_integers_out_of_range_overflow_nothing(tmp_path: Path) -> None:
    items = Items(tmp_path, small="smallint", big="bigint")
    items.land_csv(
        (1, 2**15 - 1, 2**63 - 1),
        (2, 2**15, 1),
        (3, -(2**15), -(2**63)),
        (4, 1, 2**63),
    )
    assert items.quarantined() == {
        2: f"small: '{2**15}' does not fit smallint: out of range",
        4: f"big: '{2**63}' does not fit bigint: out of range",
    }
    assert items.landed() == {1: (2**15 - 1, 2**63 - 1), 3: (-(2**15), -(2**63))}


def test_decimals_beyond_their_precision_are_quarantined(tmp_path: Path) -> None:
    items = Items(tmp_path, amount="decimal(5,2)")
    items.land_csv((1, "999.99"), (2, "1000.00"), (3, "-999.99"), (4, "0999.990"))
    assert items.quarantined() == {
        2: "amount: '1000.00' does not fit decimal(5,2): more than 3 digits before the point"
    }
    assert items.landed() == {
        1: (Decimal("999.99"),),
        3: (Decimal("-999.99"),),
        4: (Decimal("999.99"),),
    }


def test_text_longer_than_varchar_or_char_is_quarantined(tmp_path: Path) -> None:
    items = Items(tmp_path, code="char(2)", name="varchar(5)")
    items.land_csv(
        (1, "CZ", "Ærøbæ"),  # 5 characters, 8 bytes: fits
        (2, "CZE", "Anna"),
        (3, "C", "Annabel"),
        (4, "DE", None),
    )
    assert items.quarantined() == {
        2: "code: 'CZE' does not fit char(2): longer than 2 characters (3)",
        3: "name: 'Annabel' does not fit varchar(5): longer than 5 characters (7)",
    }
    assert items.landed() == {1: ("CZ", "Ærøbæ"), 4: ("DE", None)}


def test_a_time_zone_offset_is_converted_to_utc_not_dropped(tmp_path: Path) -> None:
    items = Items(tmp_path, at="timestamp")
    values = [
        "2026-03-01 08:00:00.123456",
        "2026-03-01T10:00:00+02:00",
        "2013-04-28T00:00:00.000Z",
        "2026-03-01 08:00:00-05:30",
        "2026-03-01 08:00:00+0100",
        "2026-03-01 08:00:00 Europe/Prague",  # a zone name: CET in March, UTC+1
        "2026-03-01 08:00:00.123456000",  # DMS's 9 digits, the last three zeros
    ]
    items.land_csv(*((n, v) for n, v in enumerate(values, start=1)))
    expected = {
        1: datetime(2026, 3, 1, 8, 0, 0, 123456),
        2: datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=2))),
        3: datetime(2013, 4, 28, tzinfo=UTC),
        4: datetime(2026, 3, 1, 8, 0, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        5: datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=1))),
        6: datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=1))),
        7: datetime(2026, 3, 1, 8, 0, 0, 123456),
    }
    utc = {
        n: (t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t,) for n, t in expected.items()
    }
    assert items.quarantined() == {}
    assert items.landed() == utc
    assert utc[2] == (datetime(2026, 3, 1, 8, 0),) and utc[4] == (datetime(2026, 3, 1, 13, 30),)


def test_fractional_seconds_beyond_the_precision_are_quarantined(tmp_path: Path) -> None:
    items = Items(tmp_path, at="timestamp(3)", at_us="timestamp")
    items.land_csv(
        (1, "2026-03-01 08:00:00.123", "2026-03-01 08:00:00.1234560"),
        (2, "2026-03-01 08:00:00.1234", "2026-03-01 08:00:00"),
        (3, "2026-03-01 08:00:00.120000", "2026-03-01 08:00:00.1234567"),
    )
    assert items.quarantined() == {
        2: "at: '2026-03-01 08:00:00.1234' does not fit timestamp(3): "
        "more than 3 fractional second digits",
        3: "at_us: '2026-03-01 08:00:00.1234567' does not fit timestamp: "
        "more than 6 fractional second digits",
    }
    assert items.landed() == {
        1: (datetime(2026, 3, 1, 8, 0, 0, 123000), datetime(2026, 3, 1, 8, 0, 0, 123456))
    }


def test_a_date_with_a_time_of_day_is_quarantined(tmp_path: Path) -> None:
    items = Items(tmp_path, day="date")
    items.land_csv(
        (1, "1987-06-17"),
        (2, "1987-06-17 00:00:00"),  # midnight: exact
        (3, "1987-06-17 10:30:00"),
        (4, "1987-06-17T00:00:00Z"),
        (5, "1987-13-01"),
    )
    assert items.quarantined() == {
        3: "day: '1987-06-17 10:30:00' does not fit date: it has a time of day",
        5: "day: '1987-13-01' is not a valid date",
    }
    assert items.landed() == {n: (date(1987, 6, 17),) for n in (1, 2, 4)}


def test_booleans_come_only_from_the_documented_words(tmp_path: Path) -> None:
    items = Items(tmp_path, flag="boolean")
    words = ["true", "FALSE", "t", "F", "1", "0", "yes", "no", "2"]
    items.land_csv(*((n, w) for n, w in enumerate(words, start=1)))
    truth = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False}
    assert items.landed() == {
        n: (truth[w.lower()],) for n, w in enumerate(words, start=1) if w.lower() in truth
    }
    hint = "is not a valid boolean (one of true/false/t/f/1/0)"
    assert items.quarantined() == {
        7: f"flag: 'yes' {hint}",
        8: f"flag: 'no' {hint}",
        9: f"flag: '2' {hint}",
    }


def test_uuid_json_and_binary_are_checked(tmp_path: Path) -> None:
    items = Items(tmp_path, ref="uuid", doc="json", blob="binary")
    good_uuid = "123e4567-e89b-12d3-a456-426614174000"
    items.land_csv(
        (1, good_uuid, '{"a": [1, 2]}', "\\xDEADbeef"),
        (2, good_uuid.upper(), "[]", "0x00ff"),
        (3, good_uuid.replace("-", ""), "1", ""),
        (4, good_uuid, "{a: 1}", "00"),
        (5, good_uuid, "null", "abc"),
    )
    assert items.quarantined() == {
        3: f"ref: '{good_uuid.replace('-', '')}' is not a valid uuid "
        "(8-4-4-4-12 hexadecimal digits)",
        4: "doc: '{a: 1}' is not a valid json (it does not parse)",
        5: "blob: 'abc' is not a valid binary (hexadecimal, optionally prefixed \\x or 0x)",
    }
    assert items.landed() == {
        1: (good_uuid, '{"a": [1, 2]}', bytes.fromhex("deadbeef")),
        2: (good_uuid.upper(), "[]", bytes.fromhex("00ff")),
    }


def test_numbers_a_double_cannot_hold_are_quarantined(tmp_path: Path) -> None:
    items = Items(tmp_path, ratio="double")
    items.land_csv((1, "+5.0656000000000000e+05"), (2, "1e400"), (3, "1e-400"), (4, "-0.25"))
    assert items.quarantined() == {
        2: "ratio: '1e400' does not fit double: out of range",
        3: "ratio: '1e-400' does not fit double: too small (it would become 0)",
    }
    assert items.landed() == {1: (float("5.0656e5"),), 4: (-0.25,)}


def test_parquet_doubles_land_in_a_decimal_only_when_their_shortest_form_fits(
    tmp_path: Path,
) -> None:
    items = Items(tmp_path, amount="decimal(18,2)")
    doubles = [0.1, 12.5, 0.125, 1 / 3, 1e-5, 117300.0]
    items.land_parquet(pa.table({"id": list(range(1, 7)), "amount": doubles}))
    fits = {n: Decimal(repr(d)) for n, d in enumerate(doubles, start=1)}
    fits = {n: d for n, d in fits.items() if d == d.quantize(Decimal("0.01"))}
    assert set(fits) == {1, 2, 6}  # repr() is the shortest round-trip form
    assert items.landed() == {n: (d.quantize(Decimal("0.01")),) for n, d in fits.items()}
    assert items.quarantined() == {
        3: "amount: '0.125' does not fit decimal(18,2): more than 2 decimal places",
        4: f"amount: '{1 / 3!r}' does not fit decimal(18,2): more than 2 decimal places",
        5: "amount: '1e-05' does not fit decimal(18,2): more than 2 decimal places",
    }


def test_parquet_integers_and_decimals_narrower_in_the_contract_are_checked(
    tmp_path: Path,
) -> None:
    items = Items(tmp_path, qty="integer", amount="decimal(18,2)", whole="bigint")
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "qty": pa.array([2**31 - 1, 2**31, 7], pa.int64()),
            "amount": pa.array(
                [Decimal("1.2500"), Decimal("1.0000"), Decimal("1.2345")], pa.decimal128(10, 4)
            ),
            "whole": pa.array([12.0, 1.0, 12.7], pa.float64()),
        }
    )
    items.land_parquet(table)
    assert items.quarantined() == {
        2: f"qty: '{2**31}' does not fit integer: out of range",
        3: "amount: '1.2345' does not fit decimal(18,2): more than 2 decimal places; "
        "whole: '12.7' does not fit bigint: it has a fraction",
    }
    assert items.landed() == {1: (2**31 - 1, Decimal("1.25"), 12)}


def test_parquet_zoned_and_nanosecond_timestamps_keep_their_exact_instant(
    tmp_path: Path,
) -> None:
    items = Items(tmp_path, at="timestamp", at_ns="timestamp")
    zoned = [
        datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
    ]
    table = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "at": pa.array(zoned, pa.timestamp("ms", tz="Europe/Prague")),
            "at_ns": pa.array(
                [1_772_359_200_123_456_000, 1_772_359_200_123_456_789], pa.timestamp("ns")
            ),
        }
    )
    items.land_parquet(table)
    assert items.quarantined() == {
        2: "at_ns: '2026-03-01 10:00:00.123456789' does not fit timestamp: "
        "more than 6 fractional second digits"
    }
    instant = datetime(2026, 3, 1, 10, 0)
    assert items.landed() == {1: (instant, instant + timedelta(microseconds=123456))}
    assert zoned[1].astimezone(UTC).replace(tzinfo=None) == instant


def test_parquet_microseconds_into_a_millisecond_column_keep_the_precision_rule(
    tmp_path: Path,
) -> None:
    """A Parquet file in microseconds (ParquetTimestampInMillisecond off) into a
    ``timestamp(3)`` column: as in CSV, sub-millisecond digits that are zeros land, others are
    quarantined, never truncated."""
    items = Items(tmp_path, at="timestamp(3)", at0="timestamp(0)")
    base = datetime(2026, 3, 1, 7, 0)
    ms = base + timedelta(microseconds=124000)
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "at": pa.array([ms, base + timedelta(microseconds=124500), ms], pa.timestamp("us")),
            "at0": pa.array(
                [base, base, base + timedelta(seconds=1, microseconds=1)], pa.timestamp("us")
            ),
        }
    )
    items.land_parquet(table)
    assert items.quarantined() == {
        2: "at: '2026-03-01 07:00:00.1245' does not fit timestamp(3): "
        "more than 3 fractional second digits",
        3: "at0: '2026-03-01 07:00:01.000001' does not fit timestamp(0): "
        "more than 0 fractional second digits",
    }
    assert items.landed() == {1: (ms, base)}
