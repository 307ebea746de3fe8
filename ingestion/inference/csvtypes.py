"""The narrowest contract type that holds every CSV value seen, exactly.

A column's values (text; NULL is an empty unquoted field, ``""`` is an empty string) are
summarised per file in ``ValueStats`` (module ``value_stats``). The stats of all files of a
table are merged, then ``choose_type`` picks, in this order:

- ``boolean`` for ``true``/``false`` (any case);
- ``bigint`` for integers (not ``smallint``/``integer`` by the sample's range: ids and
  counters grow, and a CDC insert past a sampled range would be quarantined; DuckDB's and
  Spark's CSV readers draft BIGINT alike); beyond bigint ``decimal(38,0)``;
- ``decimal(p,s)``: ``s`` = the most decimals written (``117300.00`` has 2: the source's
  scale), ``p`` rounded up to 9, 18 or 38 (as integers round up to their type's range: a
  sample rarely holds the largest value; ``s`` is exact because more decimals would round);
- ``double`` only for floating-point text (``+5.0656000000000000e+05``, ``NaN``,
  ``Infinity``), DMS's rendering of float columns;
- ``date``; ``timestamp(p)`` with p = the most fractional digits (``timestamp`` when 6, and
  when no value has a fraction: DMS leaves out a zero fraction, so whole seconds say nothing
  of the precision), ISO ``T`` and offsets (``Z``, ``+02:00``) accepted (landing converts
  offsets to UTC);
- ``uuid``; ``json`` (every value an object or array that parses);
- ``varchar`` otherwise, without a length: a sample's longest value is not the source's
  limit, and a length taken from it would quarantine the next longer value (lengths come
  from DDL). Text with leading zeros (``007``) stays ``varchar``: a number would lose them.

A column with no value at all in the sample (all NULL) is ``varchar``, reported undecided.

"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.column_types import ColumnType, parse_type
from ingestion.inference.value_stats import ValueStats

SMALLINT = (-(2**15), 2**15 - 1)
INT = (-(2**31), 2**31 - 1)
BIGINT = (-(2**63), 2**63 - 1)
DECIMAL_BUCKETS = (9, 18, 38)
BOOLEAN_WORDS = {"true", "false", "t", "f", "1", "0"}


@dataclass(frozen=True)
class TypeChoice:
    """The type chosen for a column and why; ``undecided`` when the sample could not tell."""

    type: str
    reason: str
    undecided: bool = False


def _integer_type(low: int, high: int) -> str | None:
    """``bigint`` when every value fits it (module docstring: no narrower drafts)."""
    lo, hi = BIGINT
    return "bigint" if lo <= low and high <= hi else None


def decimal_type(int_digits: int, scale: int) -> str | None:
    """``decimal(p,s)`` with p rounded up to 9, 18 or 38, or None beyond 38 digits."""
    needed = max(int_digits + scale, 1)
    for precision in DECIMAL_BUCKETS:
        if needed <= precision:
            return f"decimal({precision},{scale})"
    return None


def choose_type(stats: ValueStats) -> TypeChoice:
    """The narrowest type that holds every value seen exactly (see the module docstring)."""
    if stats.values == 0:
        return TypeChoice("varchar", "all NULL in the sample: type undecided", undecided=True)
    if stats.fits("boolean"):
        return TypeChoice("boolean", "true/false")
    numeric = stats.fits("plain_number") or stats.fits("number")
    if numeric and stats.leading_zeros is not None:
        return TypeChoice("varchar", f"numbers with leading zeros ({stats.leading_zeros!r}): text")
    if stats.fits("integer"):
        assert stats.int_min is not None and stats.int_max is not None
        name = _integer_type(stats.int_min, stats.int_max)
        if name:
            return TypeChoice(name, f"integers {stats.int_min}..{stats.int_max}")
        wide = decimal_type(stats.int_digits, 0)
        if wide:
            return TypeChoice(wide, f"integers beyond bigint ({stats.int_digits} digits)")
        return TypeChoice("varchar", f"integers of {stats.int_digits} digits: text")
    if stats.fits("plain_number"):
        chosen = decimal_type(stats.int_digits, stats.scale)
        if chosen:
            return TypeChoice(
                chosen,
                f"decimals, at most {stats.int_digits} digit(s) before the point and "
                f"{stats.scale} after",
            )
        return TypeChoice("varchar", "numbers of more than 38 digits: text")
    if stats.fits("number"):
        return TypeChoice("double", f"floating-point text ({stats.float_text!r})")
    if stats.fits("date"):
        return TypeChoice("date", "dates")
    if stats.fits("timestamp"):
        if stats.fraction > 6:
            return TypeChoice(
                "varchar", f"timestamps with {stats.fraction} fractional digits (more than 6): text"
            )
        if stats.fraction == 0:
            # DMS (like PostgreSQL) leaves out a zero fraction: whole seconds do not show
            # the source's precision, and timestamp (6 digits) holds any
            chosen, reason = "timestamp", "timestamps, no fractional seconds seen"
        else:
            chosen = str(parse_type(f"timestamp({stats.fraction})"))
            reason = f"timestamps, {stats.fraction} fractional digits"
        if stats.offsets:
            reason += f", {stats.offsets} with a UTC offset (landed as UTC)"
            if stats.offsets < stats.values:
                reason += ", others without: read as UTC"
        return TypeChoice(chosen, reason)
    if stats.fits("uuid"):
        return TypeChoice("uuid", "UUIDs")
    if stats.fits("json"):
        return TypeChoice("json", "JSON objects/arrays")
    empty = f", {stats.empties} empty string(s)" if stats.empties else ""
    return TypeChoice("varchar", f"text, longest {stats.max_length} characters{empty}")


def misfit(stats: ValueStats, column_type: ColumnType) -> str | None:
    """Why some sampled values do not fit ``column_type`` exactly, or None when all do."""
    if stats.values == 0:
        return None
    name = column_type.name

    def family(key: str, what: str) -> str | None:
        if stats.misses[key]:
            return f"{stats.misses[key]} value(s) are not {what}, e.g. {stats.examples[key]!r}"
        return None

    if name in ("smallint", "integer", "bigint"):
        problem = family("integer", "integers")
        if problem:
            return problem
        low, high = {"smallint": SMALLINT, "integer": INT, "bigint": BIGINT}[name]
        assert stats.int_min is not None and stats.int_max is not None
        if stats.int_min < low or stats.int_max > high:
            return f"values {stats.int_min}..{stats.int_max} are outside {name}"
        return None
    if name == "decimal":
        problem = family("number", "numbers")
        if problem:
            return problem
        if stats.special is not None:
            return f"{stats.special!r} is not a decimal"
        assert column_type.precision is not None and column_type.scale is not None
        if stats.exact_scale > column_type.scale:
            return f"values have {stats.exact_scale} decimals, more than {column_type}"
        if stats.int_digits > column_type.precision - column_type.scale:
            return (
                f"values have {stats.int_digits} digits before the point, too many for "
                f"{column_type}"
            )
        return None
    if name == "double":
        return family("number", "numbers")
    if name == "boolean":
        if stats.small_set is not None and stats.small_set <= BOOLEAN_WORDS:
            return None
        return "values are not true/false (or t/f, 1/0)"
    if name == "date":
        return family("date", "dates (yyyy-mm-dd)")
    if name == "timestamp":
        problem = family("timestamp", "timestamps")
        if problem:
            return problem
        precision = 6 if column_type.precision is None else column_type.precision
        if stats.fraction > precision:
            return f"values have {stats.fraction} fractional second digits, more than {column_type}"
        return None
    if name in ("varchar", "char") and column_type.length is not None:
        if stats.max_length > column_type.length:
            return f"a value has {stats.max_length} characters, more than {column_type}"
        return None
    if name == "uuid":
        return family("uuid", "UUIDs")
    if name == "json":
        return family("json", "JSON")
    return None
