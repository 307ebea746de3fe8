"""Designated patterns: fixed change shapes placed at fixed ids, so that every CDC batch shows
them whatever the scale: I,U,D,I / I,U / I,U,U on rows inserted in the batch, a full-load row
deleted and one updated twice, and a row whose changes are written one file late. A table's
plan() draws its rows' changes (``lifecycle``), then ``designate`` overwrites the designated
rows' plans with their pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.lifecycle import IdLayout, within
from simulator.timeline import NEVER, Timeline
from simulator.types import F64, I64, BoolArray

# Positions, inside each CDC batch's block of newly inserted ids, that carry a fixed pattern so
# that every batch shows it whatever the scale: I,U,D,I / I,U / I,U,U in one file, and a row
# whose changes are written one file late. Event documents use the next four positions of the
# transactions' block.
POS_IUDI, POS_IU, POS_IUU, POS_LATE = 0, 1, 2, 3
EVENT_POS_OFFSET = 4
# Designated full-load rows per batch (counted from the newest load id down): one deleted and
# one updated twice in that batch; event documents use designations 2 and 3.
LOAD_DELETE, LOAD_UU = 0, 1
EVENT_LOAD_OFFSET = 2


@dataclass(frozen=True)
class Patterns:
    """Slot fractions of the designated patterns of one table.

    Inserted-row patterns place their slots between the row's insert and its window's end;
    full-load patterns between the start and the end of their window.
    """

    iudi: dict[int, float]
    iu: dict[int, float]
    iuu: dict[int, float]
    load_delete: dict[int, float]
    load_uu: dict[int, float]
    keep: tuple[int, ...] = ()
    """Slots (besides the insert) that a pattern leaves as planned, e.g. pre-start touches."""


PATTERN_JITTER = 0.08
"""Random shift of a pattern's fractions (smaller than their spacing, so order is kept)."""


def apply_pattern(
    times: I64,
    mask: BoolArray,
    anchor: I64,
    upper: I64,
    fractions: dict[int, float],
    keep: tuple[int, ...],
    jitter: F64,
) -> None:
    """Replace the planned changes of the masked rows by a fixed pattern."""
    if not mask.any():
        return
    rows = times[mask]
    for slot in range(rows.shape[1]):
        if slot != 0 and slot not in keep:
            rows[:, slot] = NEVER
    for slot, fraction in fractions.items():
        rows[:, slot] = within(anchor[mask], upper[mask], fraction + jitter[mask])
    times[mask] = rows


def designate(
    times: I64,
    idx: I64,
    layout: IdLayout,
    timeline: Timeline,
    patterns: Patterns,
    jitter: F64,
    position_offset: int = 0,
    load_offset: int = 0,
    row_mask: BoolArray | None = None,
) -> None:
    """Overwrite the plans of the designated rows with their patterns (in place).

    `jitter` (per row, in [0, PATTERN_JITTER)) shifts each row's pattern a little.
    """
    eligible = np.ones(len(idx), dtype=np.bool_) if row_mask is None else row_mask
    window = layout.insert_window(idx)
    position = layout.position(idx) - position_offset
    window_end = timeline.start + window * timeline.step
    inserted = eligible & (window > 0)
    anchor = times[:, 0]
    for pos, fractions in (
        (POS_IUDI, patterns.iudi),
        (POS_IU, patterns.iu),
        (POS_IUU, patterns.iuu),
    ):
        apply_pattern(
            times,
            inserted & (position == pos),
            anchor,
            window_end,
            fractions,
            patterns.keep,
            jitter,
        )
    load_window, designation = layout.load_designation(idx)
    designated = eligible & (load_window > 0)
    load_lo = timeline.start + (load_window - 1) * timeline.step
    load_hi = load_lo + timeline.step
    for number, fractions in ((LOAD_DELETE, patterns.load_delete), (LOAD_UU, patterns.load_uu)):
        mask = designated & (designation == number + load_offset)
        apply_pattern(times, mask, load_lo, load_hi, fractions, patterns.keep, jitter)


def pattern_rows(idx: I64, layout: IdLayout, position_offset: int = 0) -> BoolArray:
    """Rows that carry an insert pattern or the full-load U,U pattern (their status flow is
    fixed by the pattern rather than drawn)."""
    position = layout.position(idx) - position_offset
    inserted = (layout.insert_window(idx) > 0) & (position >= 0) & (position <= POS_IUU)
    load_window, designation = layout.load_designation(idx)
    loaded = (load_window > 0) & (designation <= LOAD_UU)
    flagged: BoolArray = inserted | loaded
    return flagged


def designated_lateness(
    idx: I64, layout: IdLayout, window: int, position_offset: int = 0
) -> tuple[BoolArray, BoolArray]:
    """(forced late, never late) rows for `window` from the insert-block positions."""
    position = layout.position(idx) - position_offset
    in_window = layout.insert_window(idx) == window
    forced: BoolArray = in_window & (position == POS_LATE)
    exempt: BoolArray = in_window & (position >= 0) & (position < POS_LATE)
    return forced, exempt
