"""What the CSV values of one column look like (``ValueStats``), summarised per file and
mergeable across files, for ``csvtypes`` to choose a type from.

Values are text; NULL is an empty unquoted field, ``""`` is an empty string. Per family of
values (integers, plain numbers, numbers, booleans, dates, timestamps, uuids, json) the values
outside it are counted and the first kept as an example; numbers keep their range, digits
before and after the point; timestamps their fractional digits and offsets. Vectorised with
pyarrow; Python only for the few checks regular expressions cannot make: calendar validity,
JSON, exponent digits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

INTEGER = r"^[+-]?[0-9]+$"
PLAIN_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
EXPONENT = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+$"
SPECIAL_FLOAT = r"^[+-]?(?:[Nn][Aa][Nn]|[Ii][Nn][Ff](?:[Ii][Nn][Ii][Tt][Yy])?)$"
LEADING_ZERO = r"^[+-]?0[0-9]"
BOOLEAN = r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIMESTAMP = (
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[ T](?P<time>(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?(?P<zone>Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?)?$"
)
UUID = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
JSON_START = r"^[\[{]"
NUMBER_START = r"^[+\-.0-9NnIi]"
DIGIT_START = r"^[0-9]"
FAMILIES = (
    "integer",
    "plain_number",
    "number",
    "boolean",
    "date",
    "timestamp",
    "uuid",
    "json",
)


@dataclass
class ValueStats:
    """What the values of one column look like (mergeable across files)."""

    values: int = 0
    """Non-null values (empty strings included)."""
    nulls: int = 0
    empties: int = 0
    misses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAMILIES, 0))
    """Per family, how many values do not belong to it."""
    examples: dict[str, str] = field(default_factory=dict)
    """Per family, the first value seen that does not belong to it."""
    int_min: int | None = None
    int_max: int | None = None
    leading_zeros: str | None = None
    """A number written with leading zeros (kept as text), if any."""
    int_digits: int = 0
    """Most digits before the point (leading zeros not counted), plain or exponent notation."""
    scale: int = 0
    """Most digits after the point as written (plain notation)."""
    exact_scale: int = 0
    """Most decimals the values need exactly (exponent notation included)."""
    float_text: str | None = None
    """A value in floating-point notation (exponent, NaN, Infinity), if any."""
    special: str | None = None
    """A NaN or infinity, if any (no decimal holds it)."""
    fraction: int = 0
    """Most fractional second digits of a timestamp."""
    offsets: int = 0
    """Timestamp values carrying a UTC offset."""
    max_length: int = 0
    small_set: set[str] | None = field(default_factory=set)
    """The distinct values (lower case) while there are at most 8, else None."""

    def fits(self, family: str) -> bool:
        return self.values > 0 and self.misses[family] == 0

    def merge(self, other: ValueStats) -> ValueStats:
        merged = ValueStats(
            values=self.values + other.values,
            nulls=self.nulls + other.nulls,
            empties=self.empties + other.empties,
            misses={k: self.misses[k] + other.misses[k] for k in FAMILIES},
            examples={**other.examples, **self.examples},
            int_min=_pick(min, self.int_min, other.int_min),
            int_max=_pick(max, self.int_max, other.int_max),
            leading_zeros=self.leading_zeros or other.leading_zeros,
            int_digits=max(self.int_digits, other.int_digits),
            scale=max(self.scale, other.scale),
            exact_scale=max(self.exact_scale, other.exact_scale),
            float_text=self.float_text or other.float_text,
            special=self.special or other.special,
            fraction=max(self.fraction, other.fraction),
            offsets=self.offsets + other.offsets,
            max_length=max(self.max_length, other.max_length),
        )
        if self.small_set is None or other.small_set is None:
            merged.small_set = None
        else:
            union = self.small_set | other.small_set
            merged.small_set = union if len(union) <= 8 else None
        return merged


def _pick(how: Callable[[int, int], int], a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return how(a, b)


def _matches(values: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(values, pattern)


def _max_length(values: pa.Array) -> int:
    if len(values) == 0:
        return 0
    result = pc.max(pc.utf8_length(values)).as_py()
    return int(result or 0)


def _note_misses(stats: ValueStats, family: str, values: pa.Array, mask: pa.Array) -> None:
    """Count the values outside ``family`` (mask False) and keep the first as an example."""
    missing = pc.invert(mask)
    count = int(pc.sum(missing).as_py() or 0)
    stats.misses[family] += count
    if count and family not in stats.examples:
        stats.examples[family] = str(values.filter(missing)[0].as_py())


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _python_check(values: pa.Array, check: Callable[[str], bool]) -> pa.Array:
    """A boolean mask from a Python predicate, evaluated once per distinct value."""
    unique = pc.unique(values)
    good = {v for v in unique.to_pylist() if check(v)}
    return pc.is_in(values, pa.array(sorted(good), pa.string()))


def _numbers(stats: ValueStats, values: pa.Array) -> None:
    integer = _matches(values, INTEGER)
    _note_misses(stats, "integer", values, integer)
    plain = _matches(values, PLAIN_NUMBER)
    _note_misses(stats, "plain_number", values, plain)
    exponent = _matches(values, EXPONENT)
    special = _matches(values, SPECIAL_FLOAT)
    number = pc.or_(pc.or_(plain, exponent), special)
    _note_misses(stats, "number", values, number)
    zeros = values.filter(pc.and_(plain, _matches(values, LEADING_ZERO)))
    if len(zeros) and stats.leading_zeros is None:
        stats.leading_zeros = str(zeros[0].as_py())
    specials = values.filter(special)
    if len(specials) and stats.special is None:
        stats.special = str(specials[0].as_py())
    floats = values.filter(pc.or_(exponent, special))
    if len(floats) and stats.float_text is None:
        stats.float_text = str(floats[0].as_py())
    if pc.any(plain).as_py():
        parts = pc.extract_regex(
            values.filter(plain), r"^[+-]?0*(?P<whole>[0-9]*)(?:\.(?P<fraction>[0-9]*))?$"
        )
        stats.int_digits = max(stats.int_digits, _max_length(parts.field("whole")))
        scale = _max_length(parts.field("fraction"))
        stats.scale = max(stats.scale, scale)
        stats.exact_scale = max(stats.exact_scale, scale)
    if pc.any(integer).as_py():
        ints = [int(v) for v in pc.unique(values.filter(integer)).to_pylist()]
        stats.int_min = _pick(min, stats.int_min, min(ints))
        stats.int_max = _pick(max, stats.int_max, max(ints))
    for text in pc.unique(values.filter(exponent)).to_pylist():
        exact = Decimal(text)
        digits, exp = exact.normalize().as_tuple()[1:]
        assert isinstance(exp, int)
        stats.int_digits = max(stats.int_digits, max(len(digits) + exp, 0))
        stats.exact_scale = max(stats.exact_scale, max(-exp, 0))


def _calendar_days(values: pa.Array, shaped: pa.Array) -> pa.Array:
    """``shaped`` narrowed to values whose first 10 characters are a real calendar day."""
    days = pc.utf8_slice_codeunits(values, 0, 10)
    candidates = pc.unique(days.filter(shaped)).to_pylist()
    good = sorted(d for d in candidates if _valid_date(d))
    return pc.and_(shaped, pc.is_in(days, pa.array(good, pa.string())))


def _times(stats: ValueStats, values: pa.Array) -> None:
    """Dates and timestamps: the shape by regex, the calendar day checked once per day."""
    _note_misses(stats, "date", values, _calendar_days(values, _matches(values, DATE)))
    valid = _calendar_days(values, _matches(values, TIMESTAMP))
    _note_misses(stats, "timestamp", values, valid)
    if not pc.any(valid).as_py():
        return
    parts = pc.extract_regex(values.filter(valid), TIMESTAMP)
    stats.fraction = max(stats.fraction, _max_length(parts.field("fraction")))
    stats.offsets += int(pc.sum(pc.greater(pc.utf8_length(parts.field("zone")), 0)).as_py() or 0)


def value_stats(column: pa.Array) -> ValueStats:
    """Summarise one column of text values (NULLs counted apart)."""
    stats = ValueStats()
    column = column.cast(pa.string())
    stats.nulls = column.null_count
    values = column.drop_null()
    stats.values = len(values)
    if not stats.values:
        return stats
    stats.empties = int(pc.sum(pc.equal(values, "")).as_py() or 0)
    stats.max_length = _max_length(values)
    # most text columns start with a letter: skip the families they cannot belong to
    if pc.any(_matches(values, NUMBER_START)).as_py():
        _numbers(stats, values)
    else:
        for family in ("integer", "plain_number", "number"):
            _note_misses(stats, family, values, pc.is_null(values))
    if pc.any(_matches(values, DIGIT_START)).as_py():
        _times(stats, values)
    else:
        for family in ("date", "timestamp"):
            _note_misses(stats, family, values, pc.is_null(values))
    _note_misses(stats, "boolean", values, _matches(values, BOOLEAN))
    _note_misses(stats, "uuid", values, _matches(values, UUID))
    looks_json = _matches(values, JSON_START)
    if pc.all(looks_json).as_py():
        looks_json = _python_check(values, _is_json)
    _note_misses(stats, "json", values, looks_json)
    distinct = pc.unique(pc.utf8_lower(values))
    stats.small_set = set(distinct.to_pylist()) if len(distinct) <= 8 else None
    return stats
