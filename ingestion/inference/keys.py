"""Suggest a primary key from the full load: a column (or two) unique and never null there.

Only full-load rows count: CDC files hold several changes of one key. The suggestion is a
guess from a sample, so the contract says so and the user confirms it; types that make poor
keys (double, boolean, json, timestamps, decimals with a fraction, binary) are not tried.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.column_types import parse_type

PAIR_WINDOW = 5
"""Pairs are tried among the first few eligible columns (keys usually come first)."""


@dataclass(frozen=True)
class KeySuggestion:
    columns: tuple[str, ...]
    rows: int
    """Full-load rows sampled."""


def _eligible(type_text: str) -> bool:
    column_type = parse_type(type_text)
    if column_type.name == "decimal":
        return column_type.scale == 0
    return column_type.name in ("smallint", "integer", "bigint", "varchar", "char", "uuid", "date")


def _unique(values: pa.Array) -> bool:
    return bool(values.null_count == 0 and pc.count_distinct(values).as_py() == len(values))


def suggest_key(load_values: dict[str, pa.Array], types: dict[str, str]) -> KeySuggestion | None:
    """The leftmost eligible column unique and non-null in the full-load sample, else a pair."""
    names = [n for n in load_values if _eligible(types[n])]
    if not names:
        return None
    rows = len(load_values[names[0]])
    if rows == 0:
        return None
    for name in names:
        if _unique(load_values[name]):
            return KeySuggestion((name,), rows)
    window = names[:PAIR_WINDOW]
    for i, first in enumerate(window):
        for second in window[i + 1 :]:
            a, b = load_values[first], load_values[second]
            if a.null_count or b.null_count:
                continue
            joined = pc.binary_join_element_wise(a.cast(pa.string()), b.cast(pa.string()), "\x1f")
            if _unique(joined):
                return KeySuggestion((first, second), rows)
    return None
