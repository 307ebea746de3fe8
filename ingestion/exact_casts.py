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

Cost: every check has a cheap test that settles the usual value (it prints as written, a
plain number within the wider decimal, a timestamp without ``+``/``-``/space after its
date, trailing zero digits); only the values it does not settle go through the exact digit
counting (regular expressions). One module on purpose (about 380 lines): the SQL pieces are
shared across types (a number's parts and fraction digits by integers, decimals, dates and
timestamps; the timestamp reading by dates; the quarantine reasons by all), and the rules of
every type read side by side, in the order docs/landing.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from ingestion.column_types import ColumnType

PREVIEW = 60
"""Characters of a value shown in a quarantine reason."""
_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,6})?"
_NUMBER_PARTS = r"^[+-]?([0-9]*)\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?$"
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_HEX = r"(\\x|0x)?([0-9a-fA-F]{2})*"
_HEX_PREFIX = r"^(\\x|0x)"
BOOLEAN_WORDS = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False}
_INTEGER_TYPES = {"smallint", "integer", "bigint"}


VALUE = "\u27e8value\u27e9"
"""Stands for the converted value in SQL (no identifier or literal can hold it)."""
PARTS = "\u27e8parts\u27e9"
"""Stands for a number's parts (digits before and after the point, exponent) in SQL."""


@dataclass(frozen=True)
class Conversion:
    """SQL for one column: the value to land and the problem (NULL when exact).

    The problem refers to the converted value as ``VALUE`` and, for numbers, to the text's
    parts as ``PARTS``: NULL when ``fast`` (SQL over ``VALUE`` and the text) already shows
    the value exact, else ``parts`` (one regular expression, so only for the values the
    fast test does not settle). ``problem_of`` puts in the columns that hold them (each
    computed once per row), or their SQL itself.
    """

    value: str
    problem: str
    parts: str | None = None
    fast: str | None = None

    def lazy_parts(self, value: str) -> str:
        """SQL of the parts, NULL where the fast test settles the value."""
        assert self.parts is not None and self.fast is not None
        return f"case when {self.fast.replace(VALUE, value)} then null else {self.parts} end"

    def problem_of(self, value: str | None = None, parts: str | None = None) -> str:
        value = f"({self.value})" if value is None else value
        if self.parts is not None and parts is None:
            parts = f"({self.lazy_parts(value)})"
        return self.problem.replace(VALUE, value).replace(PARTS, parts or "")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _shown(name: str, text: str) -> str:
    """SQL text ``<name>: '<value>'`` (the value cut to PREVIEW characters)."""
    return f"{_literal(name + ': ' + chr(39))} || left({text}, {PREVIEW}) || ''''"


def _invalid(name: str, what: str, text: str, hint: str = "") -> str:
    return f"{_shown(name, text)} || {_literal(f' is not a valid {what}{hint}')}"


def _inexact(name: str, what: str, text: str, why: str) -> str:
    return f"{_shown(name, text)} || {_literal(f' does not fit {what}: ')} || {why}"


def _when(cases: list[tuple[str, str]], otherwise: str | None = None) -> str:
    whens = " ".join(f"when {c} then {r}" for c, r in cases)
    return f"case {whens}" + (f" else {otherwise}" if otherwise else "") + " end"


# -- exact number analysis (slow path: only for values the fast check did not accept) ----
def _number_parts(text: str) -> str:
    """SQL: the digits before and after the point and the exponent, as a struct (i, f, e)."""
    return f"regexp_extract(trim({text}), {_literal(_NUMBER_PARTS)}, ['i', 'f', 'e'])"


def _parts() -> tuple[str, str, str]:
    digits = f"({PARTS}.i || {PARTS}.f)"
    point = f"(length({PARTS}.i) + coalesce(try_cast(nullif({PARTS}.e, '') as integer), 0))"
    significant = f"length(ltrim({digits}, '0'))"
    return digits, point, significant


def _fraction_digits() -> str:
    """Digits a number needs after the decimal point (trailing zeros and exponent counted)."""
    digits, point, significant = _parts()
    trailing = f"(length({digits}) - length(rtrim({digits}, '0')))"
    return (
        f"(case when {significant} = 0 then 0 "
        f"else greatest(0, length({digits}) - {trailing} - {point}) end)"
    )


def _integer_digits() -> str:
    """Digits a number needs before the decimal point."""
    digits, point, significant = _parts()
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


def _offset_free(text: str) -> str:
    """No ``+``, no ``-`` after the date and no space after the date's separator: nothing
    DuckDB's TIMESTAMP parser could take for an offset or a zone and drop. (A zone name
    needs a space; glued to the time, both parsers refuse it: reported, not dropped. A
    ``Z`` means UTC: dropping it changes nothing.)"""
    return (
        f"(strpos({text}, '+') = 0 and strpos(substr({text}, 11), '-') = 0 "
        f"and strpos(substr({text}, 12), ' ') = 0)"
    )


def timestamp_value(text: str) -> str:
    """A timestamp text as UTC wall-clock time.

    Text without an offset is read by DuckDB's TIMESTAMP parser (fast, with or without
    fractional seconds, space or ``T``). Text with one (``+02:00``, ``-0530``, a zone name)
    is read as TIMESTAMPTZ, which applies it, and shown in UTC (the session's zone): an
    offset is never dropped, as the TIMESTAMP parser would drop it.
    """
    zoned = f"try_cast({text} as timestamptz)::timestamp"
    parsed = f"case when {_offset_free(text)} then try_cast({text} as timestamp) else {zoned} end"
    return f"case when {_starts_with_digit(text)} then {parsed} end"


def _too_many_fraction_digits(text: str, digits: int) -> str:
    """More than ``digits`` fractional second digits once trailing zeros are removed (fast
    when the digits after the allowed ones are all zeros, as in DMS's 9-digit values)."""
    dot = f"strpos({text}, '.')"
    zeros = f"coalesce(try_cast(substr({text}, {dot} + {digits + 1}) as ubigint), 1) = 0"
    # nested CASEs: each test runs only where the cheaper one before it did not decide
    return _when(
        [
            (f"{dot} = 0 or length({text}) - {dot} <= {digits}", "false"),
            (zeros, "false"),
            ("true", f"{_second_fraction_digits(text)} > {digits}"),
        ]
    )


# -- the rules, for a text value ---------------------------------------------------------
def _integer(name: str, ctype: ColumnType, s: str) -> Conversion:
    value = f"try_cast({s} as {ctype.name})"
    fast = f"{s} is null or cast({VALUE} as varchar) = {s}"
    problem = _when(
        [
            (f"{PARTS} is null", "null"),
            (f"not {_is_number(s)}", _invalid(name, str(ctype), s)),
            (f"{_fraction_digits()} > 0", _inexact(name, str(ctype), s, "'it has a fraction'")),
            (f"{VALUE} is null", _inexact(name, str(ctype), s, "'out of range'")),
        ]
    )
    return Conversion(value, problem, _number_parts(s), fast)


def _decimal(name: str, ctype: ColumnType, s: str) -> Conversion:
    assert ctype.precision is not None and ctype.scale is not None
    scale, whole = ctype.scale, ctype.precision - ctype.scale
    value = f"try_cast({s} as {ctype})"
    # Fast: the value prints as written, or a plain number short enough that DECIMAL(38, ..)
    # holds all its decimals reads the same (12.3 into decimal(18,2)); else count digits.
    wide = 38 - whole
    same_when_wide = _when(
        [
            (f"length({s}) > {wide + 1} or contains(lower({s}), 'e')", "false"),
            ("true", f"{VALUE} = try_cast({s} as decimal(38, {wide}))"),
        ]
    )
    fast = _when([(f"{s} is null or cast({VALUE} as varchar) = {s}", "true")], same_when_wide)
    problem = _when(
        [
            (f"{PARTS} is null", "null"),
            (f"not {_is_number(s)}", _invalid(name, str(ctype), s)),
            (
                f"{_fraction_digits()} > {scale}",
                _inexact(name, str(ctype), s, _literal(f"more than {scale} decimal places")),
            ),
            (
                f"{_integer_digits()} > {whole}",
                _inexact(
                    name, str(ctype), s, _literal(f"more than {whole} digits before the point")
                ),
            ),
            (f"{VALUE} is null", _invalid(name, str(ctype), s)),
        ]
    )
    return Conversion(value, problem, _number_parts(s), fast)


def _double(name: str, ctype: ColumnType, s: str) -> Conversion:
    value = f"try_cast({s} as double)"
    problem = _when(
        [
            (f"{s} is null", "null"),
            (f"{VALUE} is null", _invalid(name, str(ctype), s)),
            (
                f"isinf({VALUE}) and not regexp_full_match(lower(trim({s})), '[+-]?inf(inity)?')",
                _inexact(name, str(ctype), s, "'out of range'"),
            ),
            (
                f"{VALUE} = 0 and regexp_matches({s}, '^[^eE]*[1-9]')",
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
        [(f"{s} is not null and ({VALUE}) is null", _invalid(name, "boolean", s, hint))]
    )
    return Conversion(value, problem)


def _date(name: str, ctype: ColumnType, s: str) -> Conversion:
    plain = f"case when length({s}) = 10 and {_starts_with_digit(s)} then try_cast({s} as date) end"
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
            (f"{VALUE} is null", invalid or _invalid(name, str(ctype), s)),
            (
                _too_many_fraction_digits(s, digits),
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
        "timestamp": _timestamp,
        "decimal": _decimal,
        "double": _double,
        "boolean": _boolean,
        "date": _date,
        "binary": _binary,
    }
    return rules.get(ctype.name, _text)(name, ctype, s)


def _is_text(arrow: pa.DataType) -> bool:
    return bool(pa.types.is_string(arrow) or pa.types.is_large_string(arrow))


def conversion(name: str, ctype: ColumnType, source: str, source_type: pa.DataType) -> Conversion:
    """How the file's column ``source`` (SQL) of Arrow type ``source_type`` lands as ``name``."""
    if _is_text(source_type):
        return _from_text(name, ctype, source)
    # stored as the contract stores it; a timestamp(p) with p < 6 is stored in microseconds
    # too, so its values are checked for digits beyond p through their text
    coarser = ctype.name == "timestamp" and ctype.precision is not None and ctype.precision < 6
    if source_type == ctype.arrow_type and not ctype.is_text and not coarser:
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
