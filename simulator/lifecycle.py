"""The life of a simulated row: change slots and id layout (the designated patterns that
every batch shows are ``patterns``).

Every row (customer, account, transaction, event document) owns a fixed set of *slots*, one
per change it can undergo: its insert, a few kinds of update, a delete and a re-insert.
A table's plan() gives each slot a commit time (NEVER when the change does not happen),
a pure function of (seed, id). The state of a row at instant t is the result of every slot
whose time is <= t, so the full load (state at the task start), each CDC batch (the slots
whose time falls in the batch window) and the ground truth (state at the end of the last
window) are three independent streaming passes that agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.hashrng import Rng
from simulator.timeline import NEVER, Timeline
from simulator.types import F64, I64, BoolArray

INSERT, UPDATE, DELETE = "I", "U", "D"

LOAD_DESIGNATIONS_PER_WINDOW = 4
"""Designated full-load rows per batch window (``patterns`` gives them their roles)."""

LATE_RATE = 0.01
"""Share of rows whose changes of one batch window are written to the next batch's file."""

INSERT_SPREAD = 0.9
"""Inserts of a batch are spread over this share of the window, leaving room for updates."""


@dataclass(frozen=True)
class Slots:
    """The change slots of a table: their Op and the role of the special ones."""

    ops: tuple[str, ...]
    delete: int
    reinsert: int
    insert: int = 0

    @property
    def updates(self) -> tuple[int, ...]:
        return tuple(i for i, op in enumerate(self.ops) if op == UPDATE)

    def __len__(self) -> int:
        return len(self.ops)


def applied(times: I64, asof: I64) -> BoolArray:
    """Which slots have happened at each row's `asof` instant."""
    done: BoolArray = times <= asof[:, None]
    return done


def exists(times: I64, asof: I64, slots: Slots) -> BoolArray:
    """Whether each row is present in the table at its `asof` instant."""
    done = applied(times, asof)
    deleted = done[:, slots.delete] & ~done[:, slots.reinsert]
    present: BoolArray = done[:, slots.insert] & ~deleted
    return present


def last_touch(times: I64, done: BoolArray, slots: Slots) -> I64:
    """Time of the latest applied insert/update/re-insert (the row's updated_at)."""
    touching = [i for i, op in enumerate(slots.ops) if op != DELETE]
    candidates = np.where(done[:, touching], times[:, touching], np.iinfo(np.int64).min)
    latest: I64 = candidates.max(axis=1)
    return latest


def finalize(times: I64, slots: Slots) -> None:
    """Drop changes that cannot follow a delete; a re-insert needs a delete before it."""
    deleted_at = times[:, slots.delete]
    for slot in slots.updates:
        times[:, slot] = np.where(times[:, slot] >= deleted_at, NEVER, times[:, slot])
    reinsert = times[:, slots.reinsert]
    valid = (deleted_at != NEVER) & (reinsert > deleted_at)
    times[:, slots.reinsert] = np.where(valid, reinsert, NEVER)


@dataclass(frozen=True)
class IdLayout:
    """How a table's ids are laid out: the full load, then one block of inserts per batch.

    Index i (0-based) is the row's position in the id space; the key is base + i. Indexes
    below n_load exist at the task start, the block [n_load + (w-1)*per_batch, ...) is
    inserted during batch w.
    """

    n_load: int
    per_batch: int
    batches: int

    @property
    def total(self) -> int:
        return self.n_load + self.batches * self.per_batch

    def limit(self, window: int) -> int:
        """Ids that can exist by the end of `window`."""
        return self.n_load + window * self.per_batch

    def insert_window(self, idx: I64) -> I64:
        """Batch in which each id is inserted (0 for the full load)."""
        windows: I64 = np.where(
            idx < self.n_load, 0, (idx - self.n_load) // max(self.per_batch, 1) + 1
        )
        return windows

    def position(self, idx: I64) -> I64:
        """Position of each id inside its batch's insert block (-1 for the full load)."""
        positions: I64 = np.where(
            idx < self.n_load, -1, (idx - self.n_load) % max(self.per_batch, 1)
        )
        return positions

    def first_of_batch(self, window: int) -> int:
        return self.n_load + (window - 1) * self.per_batch

    def load_designation(self, idx: I64) -> tuple[I64, I64]:
        """(window, designation) of designated full-load ids; window 0 when not designated.

        Designations are counted down from the newest full-load id, four per window, and only
        in the newer half of the load so that small tables still have undesignated rows.
        """
        rank = self.n_load - 1 - idx
        window = rank // LOAD_DESIGNATIONS_PER_WINDOW + 1
        valid = (rank >= 0) & (rank < self.n_load // 2) & (window <= self.batches)
        designation: I64 = rank % LOAD_DESIGNATIONS_PER_WINDOW
        windows: I64 = np.where(valid, window, 0)
        return windows, designation

    def insert_times(self, rng: Rng, name: str, idx: I64, timeline: Timeline, history: int) -> I64:
        """Commit time of each row's insert.

        Full-load rows were inserted over `history` microseconds before the start, in id order;
        each batch's new rows over the first INSERT_SPREAD of its window, also in id order.
        """
        jitter = rng.uniform(name + ":insert", idx)
        load_fraction = (idx + jitter) / max(self.n_load, 1)
        loaded = timeline.start - history + (load_fraction * (history - 1)).astype(np.int64)
        window = self.insert_window(idx)
        batch_fraction = (self.position(idx) + jitter) / max(self.per_batch, 1)
        offset = (batch_fraction * INSERT_SPREAD * timeline.step).astype(np.int64)
        inserted = timeline.start + (window - 1) * timeline.step + 1 + offset
        times: I64 = np.where(window == 0, loaded, inserted)
        return times


def rate_event(rng: Rng, name: str, idx: I64, after: I64, rate: float, timeline: Timeline) -> I64:
    """A change that happens in each CDC window with probability `rate`, at most once.

    The first window considered is the one of `after` (or window 1 for rows that exist at
    the start); the change lands strictly after `after`. NEVER when it falls past the last
    window.
    """
    if rate <= 0.0 or timeline.batches == 0:
        return np.full(len(idx), NEVER, dtype=np.int64)
    first = np.maximum(timeline.window_of(after), 1)
    gap = np.minimum(rng.uniform(name + ":window", idx) / rate, timeline.batches + 1.0)
    window = first + gap.astype(np.int64)
    fraction = rng.uniform(name + ":at", idx)
    placed = np.maximum(timeline.in_window(after, window, fraction), after + 1)
    times: I64 = np.where(window <= timeline.batches, placed, NEVER)
    return times


def within(anchor: I64, upper: I64 | int, fraction: float | F64) -> I64:
    """A time `fraction` of the way from anchor to upper."""
    placed: I64 = anchor + ((upper - anchor) * fraction).astype(np.int64)
    return placed


def late_rows(
    rng: Rng,
    name: str,
    idx: I64,
    window: int,
    timeline: Timeline,
    forced: BoolArray,
    exempt: BoolArray,
) -> BoolArray:
    """Rows whose changes committed in `window` are written to the next batch's file."""
    if window >= timeline.batches:
        return np.zeros(len(idx), dtype=np.bool_)
    drawn = rng.chance(f"{name}:late:{window}", idx, LATE_RATE)
    late: BoolArray = (drawn & ~exempt) | forced
    return late
