"""Strict types: a value lands only if it converts exactly to its contract type.

For each contract column this builds two DuckDB SQL expressions over the file's column: the
converted value, and the problem (NULL when the conversion is exact, else the quarantine
reason naming the column, the value and the type). ``conform`` puts them in one SELECT per
batch, so the checks are vectorised. DuckDB's own casts are not enough: ``try_cast`` rounds
('12.7' becomes 13 as bigint, 4 decimals are rounded into decimal(18,2)), drops time-zone
offsets from timestamps and a time of day from dates, and accepts words such as 'yes' as
booleans and 'infinity' as a timestamp. The rules (docs/landing.md, "Strict types"):

- integers (smallint, integer, bigint): a whole number (``12``, ``+12``, ``0012``, ``12.00``
  and ``1.2e1`` are exact; ``12.7`` has a fraction), within the type's range;
- decimal(p,s): at most s digits after the point once trailing zeros are removed (``5.000``
  fits decimal(18,2)), at most p-s before it; exponents are read exactly;
- double: any number DuckDB reads; one too large (becomes infinity) or too small (becomes 0)
  is quarantined; ``nan``, ``inf``, ``infinity`` are taken as written;
- boolean: ``true``/``false``/``t``/``f``/``1``/``0``, any letter case, nothing else;
- date: ``YYYY-MM-DD``, or a timestamp at exactly midnight (after converting an offset);
- timestamp(p): ``YYYY-MM-DD[ HH:MM:SS[.f]]`` with a space or ``T``; an offset (``Z``,
  ``+02:00``, ``+0200``, ``+02``) or a zone name is converted to UTC, never dropped; at most p
  fractional second digits once trailing zeros are removed;
- varchar(n), char(n): at most n characters (Unicode code points); shorter char values land
  as written (no padding added or removed);
- uuid: 8-4-4-4-12 hexadecimal digits (any case), landed as written;
- json: must parse as JSON, landed as written;
- binary: from text, hexadecimal digits in pairs, optionally prefixed ``\\x`` or ``0x``.

A typed Parquet column whose type is exactly the contract's storage type lands as it is. Any
other typed column is read through its exact text form (DuckDB prints integers, decimals,
dates and timestamps exactly, a double as its shortest round-trip decimal, a zoned timestamp
with its offset) and the rules above apply: a double lands in a decimal column only when its
shortest decimal form fits, an int64 in an integer column only within range, a zoned
timestamp is converted to UTC, nanoseconds are kept only when they are zeros.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from ingestion.contracts import ColumnType

PREVIEW = 60
"""Characters of a value shown in a quarantine reason."""
_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,6})?"
_NUMBER_PARTS = r"^[+-]?([0-9]*)\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?$"
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_HEX = r"(\\x|0x)?([0-9a-fA-F]{2})*"
_HEX_PREFIX = r"^(\\x|0x)"
_TIMESTAMP_FORMATS = (
    "['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', "
    "'%Y-%m-%dT%H:%M:%S', '%Y-%m-%d']"
)
BOOLEAN_WORDS = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False}
_INTEGER_TYPES = {"smallint", "integer", "bigint"}


@dataclass(frozen=True)
class Conversion:
    """SQL for one column: the value to land and the problem (NULL when exact)."""

    value: str
    problem: str


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _shown(name: str, text: str) -> str:
    """SQL text ``<name>: '<value>'`` (the value cut to PREVIEW characters)."""
    return f"{_literal(name + ': ' + chr(39))} || left({text}, {PREVIEW}) || ''''"


def _invalid(name: str, what: str, text: str, hint: str = "") -> str:
    return f"{_shown(name, text)} || {_literal(f' is not a valid {what}{hint}')}"


def _inexact(name: str, what: str, text: str, why: str) -> str:
    return f"{_shown(name, text)} || {_literal(f' does not fit {what}: ')} || {why}"


def _when(cases: list[tuple[str, str]]) -> str:
    return "case " + " ".join(f"when {c} then {r}" for c, r in cases) + " end"


# -- exact number analysis (slow path: only for values the fast check did not accept) ----
def _parts(text: str) -> tuple[str, str, str]:
    extracted = f"regexp_extract(trim({text}), {_literal(_NUMBER_PARTS)}, ['i', 'f', 'e'])"
    digits = f"({extracted}.i || {extracted}.f)"
    point = f"(length({extracted}.i) + coalesce(try_cast(nullif({extracted}.e, '') as integer), 0))"
    significant = f"length(ltrim({digits}, '0'))"
    return digits, point, significant


def _fraction_digits(text: str) -> str:
    """Digits a number needs after the decimal point (trailing zeros and exponent counted)."""
    digits, point, significant = _parts(text)
    trailing = f"(length({digits}) - length(rtrim({digits}, '0')))"
    return (
        f"(case when {significant} = 0 then 0 "
        f"else greatest(0, length({digits}) - {trailing} - {point}) end)"
    )


def _integer_digits(text: str) -> str:
    """Digits a number needs before the decimal point."""
    digits, point, significant = _parts(text)
    leading = f"(length({digits}) - {significant})"
    return f"(case when {significant} = 0 then 0 else greatest(0, {point} - {leading}) end)"


def _is_number(text: str) -> str:
    return f"regexp_full_match(trim({text}), {_literal(_NUMBER)})"


def _second_fraction_digits(text: str) -> str:
    """Fractional second digits of a timestamp text, trailing zeros removed."""
    fraction = f"regexp_extract({text}, ':[0-9]{{2}}[.,]([0-9]+)', 1)"
    return f"length(rtrim({fraction}, '0'))"


def _starts_with_digit(text: str) -> str:
    # DuckDB's parsers also take words ('infinity', 'epoch'): a date starts with a digit
    return f"ascii({text}) between 48 and 57"


def timestamp_value(text: str) -> str:
    """A timestamp text as UTC wall-clock time: the DMS format fast, offsets converted."""
    parsed = f"try_strptime({text}, {_TIMESTAMP_FORMATS})"
    zoned = f"try_cast({text} as timestamptz)::timestamp"
    return f"case when {_starts_with_digit(text)} then coalesce({parsed}, {zoned}) end"


# -- the rules, for a text value ---------------------------------------------------------
def _integer(name: str, ctype: ColumnType, s: str) -> Conversion:
    value = f"try_cast({s} as {ctype.name})"
    problem = _when(
        [
            (f"{s} is null or cast({value} as varchar) = {s}", "null"),
            (f"not {_is_number(s)}", _invalid(name, str(ctype), s)),
            (f"{_fraction_digits(s)} > 0", _inexact(name, str(ctype), s, "'it has a fraction'")),
            (f"{value} is null", _inexact(name, str(ctype), s, "'out of range'")),
        ]
    )
    return Conversion(value, problem)


def _decimal(name: str, ctype: ColumnType, s: str) -> Conversion:
    assert ctype.precision is not None and ctype.scale is not None
    scale, whole = ctype.scale, ctype.precision - ctype.scale
    value = f"try_cast({s} as {ctype})"
    problem = _when(
        [
            (f"{s} is null or cast({value} as varchar) = {s}", "null"),
            (f"not {_is_number(s)}", _invalid(name, str(ctype), s)),
            (
                f"{_fraction_digits(s)} > {scale}",
                _inexact(name, str(ctype), s, _literal(f"more than {scale} decimal places")),
            ),
            (
                f"{_integer_digits(s)} > {whole}",
                _inexact(
                    name, str(ctype), s, _literal(f"more than {whole} digits before the point")
                ),
            ),
            (f"{value} is null", _invalid(name, str(ctype), s)),
        ]
    )
    return Conversion(value, problem)


def _double(name: str, ctype: ColumnType, s: str) -> Conversion:
    value = f"try_cast({s} as double)"
    problem = _when(
        [
            (f"{s} is null", "null"),
            (f"{value} is null", _invalid(name, str(ctype), s)),
            (
                f"isinf({value}) and not regexp_full_match(lower(trim({s})), '[+-]?inf(inity)?')",
                _inexact(name, str(ctype), s, "'out of range'"),
            ),
            (
                f"{value} = 0 and regexp_matches({s}, '^[^eE]*[1-9]')",
                _inexact(name, str(ctype), s, "'too small (it would become 0)'"),
            ),
        ]
    )
    return Conversion(value, problem)


def _boolean(name: str, ctype: ColumnType, s: str) -> Conversion:
    true = ", ".join(_literal(w) for w, v in BOOLEAN_WORDS.items() if v)
    false = ", ".join(_literal(w) for w, v in BOOLEAN_WORDS.items() if not v)
    value = (
        f"case when lower({s}) in ({true}) then true when lower({s}) in ({false}) then false end"
    )
    hint = " (one of " + "/".join(BOOLEAN_WORDS) + ")"
    problem = _when(
        [(f"{s} is not null and ({value}) is null", _invalid(name, "boolean", s, hint))]
    )
    return Conversion(value, problem)


def _date(name: str, ctype: ColumnType, s: str) -> Conversion:
    plain = f"case when {_starts_with_digit(s)} then try_strptime({s}, '%Y-%m-%d') end"
    moment = timestamp_value(s)
    value = f"coalesce(cast({plain} as date), cast({moment} as date))"
    problem = _when(
        [
            (f"{s} is null or {plain} is not null", "null"),
            (f"{moment} is null", _invalid(name, "date", s)),
            (
                f"{moment} <> date_trunc('day', {moment}) or {_second_fraction_digits(s)} > 0",
                _inexact(name, "date", s, "'it has a time of day'"),
            ),
        ]
    )
    return Conversion(value, problem)


def _timestamp(name: str, ctype: ColumnType, s: str, invalid: str | None = None) -> Conversion:
    digits = 6 if ctype.precision is None else ctype.precision
    value = timestamp_value(s)
    problem = _when(
        [
            (f"{s} is null", "null"),
            (f"{value} is null", invalid or _invalid(name, str(ctype), s)),
            (
                f"length({s}) > {20 + digits} and {_second_fraction_digits(s)} > {digits}",
                _inexact(
                    name, str(ctype), s, _literal(f"more than {digits} fractional second digits")
                ),
            ),
        ]
    )
    return Conversion(value, problem)


def _text(name: str, ctype: ColumnType, s: str) -> Conversion:
    cases: list[tuple[str, str]] = []
    if ctype.length is not None:
        n = ctype.length
        why = f"'longer than {n} characters (' || length({s}) || ')'"
        cases.append(
            (f"strlen({s}) > {n} and length({s}) > {n}", _inexact(name, str(ctype), s, why))
        )
    if ctype.name == "uuid":
        hint = " (8-4-4-4-12 hexadecimal digits)"
        cases.append((f"not regexp_full_match({s}, '{_UUID}')", _invalid(name, "uuid", s, hint)))
    if ctype.name == "json":
        cases.append((f"not json_valid({s})", _invalid(name, "json", s, " (it does not parse)")))
    problem = _when([(f"{s} is not null and {c}", r) for c, r in cases]) if cases else "null"
    return Conversion(f"cast({s} as varchar)", problem)


def _binary(name: str, ctype: ColumnType, s: str) -> Conversion:
    matches = f"regexp_full_match({s}, {_literal(_HEX)})"
    digits = f"regexp_replace({s}, {_literal(_HEX_PREFIX)}, '')"
    value = f"case when {matches} then unhex({digits}) end"
    hint = " (hexadecimal, optionally prefixed \\x or 0x)"
    problem = _when([(f"{s} is not null and not {matches}", _invalid(name, "binary", s, hint))])
    return Conversion(value, problem)


def _from_text(name: str, ctype: ColumnType, s: str) -> Conversion:
    if ctype.name in _INTEGER_TYPES:
        return _integer(name, ctype, s)
    rules: dict[str, Callable[[str, ColumnType, str], Conversion]] = {
        "decimal": _decimal,
        "double": _double,
        "boolean": _boolean,
        "date": _date,
        "timestamp": _timestamp,
        "binary": _binary,
    }
    return rules.get(ctype.name, _text)(name, ctype, s)


def _is_text(arrow: pa.DataType) -> bool:
    return bool(pa.types.is_string(arrow) or pa.types.is_large_string(arrow))


def conversion(name: str, ctype: ColumnType, source: str, source_type: pa.DataType) -> Conversion:
    """How the file's column ``source`` (SQL) of Arrow type ``source_type`` lands as ``name``."""
    if _is_text(source_type):
        return _from_text(name, ctype, source)
    if source_type == ctype.arrow_type and not ctype.is_text:
        return Conversion(f"cast({source} as {ctype.duckdb_type})", "null")
    if ctype.name == "binary" and (
        pa.types.is_binary(source_type) or pa.types.is_large_binary(source_type)
    ):
        return Conversion(f"cast({source} as blob)", "null")
    return _from_text(name, ctype, f"cast({source} as varchar)")


def commit_timestamp(name: str, source: str, source_type: pa.DataType) -> Conversion:
    """The DMS commit timestamp column (``_dms_commit_ts``): timestamp rules, UTC."""
    ctype = ColumnType("timestamp", precision=6)
    if pa.types.is_timestamp(source_type) and source_type.tz is None and source_type.unit == "us":
        return Conversion(f"cast({source} as timestamp)", "null")
    text = source if _is_text(source_type) else f"cast({source} as varchar)"
    invalid = f"{_shown(name, text)} || ' is not a timestamp'"
    return _timestamp(name, ctype, text, invalid)
