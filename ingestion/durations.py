"""Durations as operators write and read them: ``90m``, ``6h``, ``2d``, ``1h30m``."""

from __future__ import annotations

import re
from datetime import timedelta

from ingestion.errors import UserError

UNITS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")


def parse_duration(text: str, option: str = "duration") -> timedelta:
    """``90m``, ``6h``, ``2d``, ``1h30m``, ``45s``, ``1w``: a positive duration, else UserError."""
    compact = text.strip().lower().replace(" ", "")
    parts = _PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise UserError(
            f"{option} {text!r} is not a duration: write a number and a unit, s m h d or w "
            "(90m, 6h, 2d, 1h30m)"
        )
    seconds = sum(float(number) * UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise UserError(f"{option} {text!r} must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The largest unit and the next, e.g. ``2d 3h``, ``5h 12m``, ``4m 3s``, ``12s``, ``2d``
    (2 days and 5 minutes); a ``-`` in front when negative."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    left = abs(seconds)
    counts = []
    for unit in ("d", "h", "m", "s"):
        count, left = divmod(left, UNITS[unit])
        counts.append((count, unit))
    first = next((i for i, (count, _) in enumerate(counts) if count), len(counts) - 1)
    shown = [f"{c}{u}" for c, u in counts[first : first + 2] if c or u == counts[first][1]]
    return sign + " ".join(shown)
