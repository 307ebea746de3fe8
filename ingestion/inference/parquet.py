"""The contract type of a Parquet column, read exactly from the file's schema.

DMS writes decimals as fixed-length byte arrays with the decimal annotation (pyarrow reads
them as ``decimal128(p,s)``), timestamps in microseconds (milliseconds with
ParquetTimestampInMillisecond, possibly UTC-adjusted), text as strings. A fixed-length byte
column without the annotation holds a number whose scale the file does not say: it is
drafted as ``binary`` (bytes land unchanged) and reported, for the user to declare
``decimal(p,s)`` from the source.
"""

from __future__ import annotations

import pyarrow as pa

from ingestion.column_types import ColumnType, parse_type
from ingestion.inference.csvtypes import TypeChoice

_UNITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def parquet_type(kind: pa.DataType) -> TypeChoice:
    """The contract type holding every value of an Arrow type exactly."""
    if pa.types.is_boolean(kind):
        return TypeChoice("boolean", "Parquet boolean")
    if pa.types.is_integer(kind):
        bits = kind.bit_width + (1 if pa.types.is_unsigned_integer(kind) else 0)
        for name, width in (("smallint", 16), ("integer", 32), ("bigint", 64)):
            if bits <= width:
                return TypeChoice(name, f"Parquet {kind}")
        return TypeChoice("decimal(20,0)", f"Parquet {kind}")
    if pa.types.is_floating(kind):
        return TypeChoice("double", f"Parquet {kind}")
    if pa.types.is_decimal(kind):
        if kind.precision > 38:
            return TypeChoice("varchar", f"Parquet {kind}: more than 38 digits, text")
        return TypeChoice(f"decimal({kind.precision},{kind.scale})", f"Parquet {kind}")
    if pa.types.is_timestamp(kind):
        digits = _UNITS[kind.unit]
        zone = f", UTC-adjusted ({kind.tz})" if kind.tz else ""
        if digits > 6:
            return TypeChoice(
                "timestamp",
                f"Parquet {kind}{zone}: contracts hold microseconds; nanoseconds would not land",
                undecided=True,
            )
        name = "timestamp" if digits == 6 else f"timestamp({digits})"
        return TypeChoice(name, f"Parquet {kind}{zone}")
    if pa.types.is_date(kind):
        return TypeChoice("date", f"Parquet {kind}")
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return TypeChoice("varchar", "Parquet string")
    if pa.types.is_fixed_size_binary(kind):
        return TypeChoice(
            "binary",
            f"Parquet fixed-length bytes ({kind.byte_width}) without a decimal annotation: "
            "probably a decimal whose scale the file does not say; declare decimal(p,s)",
            undecided=True,
        )
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return TypeChoice("binary", "Parquet binary")
    return TypeChoice("varchar", f"Parquet {kind}: no matching contract type, text", True)


_RANK = {"smallint": 0, "integer": 1, "bigint": 2}


def wider(a: TypeChoice, b: TypeChoice) -> TypeChoice:
    """One type for a column whose type differs between files (schema drift): the narrower
    of the two that holds both (a widened integer or decimal, finer timestamps), or a decimal
    with the digits of both on either side of the point; text when no type holds both."""
    if a.type == b.type:
        return a
    first, second = parse_type(a.type), parse_type(b.type)
    if holds(first, second):
        return TypeChoice(a.type, f"{a.reason}; {b.type} in other files", a.undecided)
    if holds(second, first):
        return TypeChoice(b.type, f"{b.reason}; {a.type} in other files", b.undecided)
    if first.name == "decimal" and second.name == "decimal":
        assert first.precision is not None and first.scale is not None
        assert second.precision is not None and second.scale is not None
        scale = max(first.scale, second.scale)
        digits = max(first.precision - first.scale, second.precision - second.scale) + scale
        if digits <= 38:
            return TypeChoice(
                f"decimal({digits},{scale})",
                f"files widen it ({a.type} in some, {b.type} in others): holds both",
            )
    return TypeChoice(
        "varchar",
        f"files disagree ({a.type} in some, {b.type} in others): text until you decide",
        undecided=True,
    )


_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}


def _fraction_digits(column_type: ColumnType) -> int:
    return 6 if column_type.precision is None else column_type.precision


def holds(declared: ColumnType, read: ColumnType) -> bool:
    """Does ``declared`` hold every value a column read as ``read`` can have, exactly?

    For types known without values (Parquet schemas): wider integers, decimals with as many
    digits on both sides of the point, finer timestamps; any text type for plain text.
    """
    if declared == read:
        return True
    if declared.name in _RANK and read.name in _RANK:
        return _RANK[declared.name] >= _RANK[read.name]
    if declared.name == "decimal" and read.name in _DIGITS:
        assert declared.precision is not None and declared.scale is not None
        return declared.precision - declared.scale >= _DIGITS[read.name]
    if declared.name == "decimal" and read.name == "decimal":
        assert declared.precision is not None and declared.scale is not None
        assert read.precision is not None and read.scale is not None
        return declared.scale >= read.scale and (
            declared.precision - declared.scale >= read.precision - read.scale
        )
    if declared.name == "timestamp" and read.name == "timestamp":
        return _fraction_digits(declared) >= _fraction_digits(read)
    return declared.is_text and read.name == "varchar" and read.length is None
