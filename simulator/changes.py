"""CDC changes: which change slots commit in which batch window, and in what order.

A change is (row index, slot, commit time). Within a DMS task (all tables of one source) the
changes of a window are put in commit order (ties broken by table, row, slot) and numbered
with the task's running counter, the 19-digit tail of $AR_H_CHANGE_SEQ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.model import TableModel
from simulator.timeline import Timeline
from simulator.types import I64, BoolArray


@dataclass(frozen=True)
class Changes:
    """Changes of one table, as parallel arrays."""

    idx: I64
    slot: I64
    commit: I64
    counter: I64

    def __len__(self) -> int:
        return len(self.idx)

    @classmethod
    def empty(cls) -> Changes:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing, nothing, nothing)

    @classmethod
    def concat(cls, parts: Sequence[Changes]) -> Changes:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.idx for p in parts]),
            np.concatenate([p.slot for p in parts]),
            np.concatenate([p.commit for p in parts]),
            np.concatenate([p.counter for p in parts]),
        )

    def select(self, rows: I64 | BoolArray) -> Changes:
        return Changes(self.idx[rows], self.slot[rows], self.commit[rows], self.counter[rows])


def collect(
    model: TableModel, timeline: Timeline, windows: range, chunk: int
) -> dict[int, Changes]:
    """The changes of `model` committed in each of `windows`, by one scan over its ids."""
    lo, hi = timeline.lo(windows[0]), timeline.hi(windows[-1])
    parts: dict[int, list[Changes]] = {w: [] for w in windows}
    limit = model.scan_limit(windows[-1])
    for begin in range(0, limit, chunk):
        idx = np.arange(begin, min(begin + chunk, limit), dtype=np.int64)
        times = model.plan(idx)
        rows, slots = np.nonzero((times > lo) & (times <= hi))
        if len(rows) == 0:
            continue
        commit = times[rows, slots]
        window = timeline.window_of(commit)
        for w in windows:
            mine = window == w
            if mine.any():
                parts[w].append(
                    Changes(
                        idx[rows[mine]],
                        slots[mine].astype(np.int64),
                        commit[mine],
                        np.full(int(mine.sum()), -1),
                    )
                )
    return {w: Changes.concat(parts[w]) for w in windows}


def sequence(per_table: Sequence[Changes], first_counter: int) -> tuple[list[Changes], int]:
    """Number one window's changes of all tables of a task in commit order.

    Returns each table's changes sorted by that order, and the next free counter value.
    """
    table_no = np.concatenate(
        [np.full(len(c), n, dtype=np.int64) for n, c in enumerate(per_table)]
        or [np.zeros(0, np.int64)]
    )
    merged = Changes.concat(list(per_table))
    order = np.lexsort((merged.slot, merged.idx, table_no, merged.commit))
    counter = np.empty(len(merged), dtype=np.int64)
    counter[order] = first_counter + np.arange(len(merged), dtype=np.int64)
    numbered = Changes(merged.idx, merged.slot, merged.commit, counter)
    result = []
    for n in range(len(per_table)):
        mine = numbered.select(table_no == n)
        result.append(mine.select(np.argsort(mine.counter, kind="stable")))
    return result, first_counter + len(merged)
