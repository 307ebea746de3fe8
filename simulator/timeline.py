"""Simulated time: the task start, the CDC batch windows and microsecond arithmetic.

All times are int64 microseconds since 1970-01-01, naive (DMS timestamps carry no zone).
CDC batch w (1-based) covers commits in the half-open window (lo(w), hi(w)].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from simulator.types import F64, I64

MILLISECOND = 1_000
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
BATCH_INTERVAL = DAY
NEVER = int(np.iinfo(np.int64).max)
"""Slot time of a change that does not happen."""

_EPOCH = datetime(1970, 1, 1)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of a naive datetime."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_us(micros: int) -> datetime:
    """Naive datetime of a microsecond count."""
    return _EPOCH + timedelta(microseconds=micros)


def truncate(times: I64, unit: int) -> I64:
    """Round times down to a multiple of `unit` microseconds."""
    result: I64 = (times // unit) * unit
    return result


@dataclass(frozen=True)
class Timeline:
    """The full-load instant and the CDC windows that follow it."""

    start: int
    batches: int
    step: int = BATCH_INTERVAL

    @property
    def end(self) -> int:
        """End of the last CDC window: the instant the ground truth describes."""
        return self.start + self.batches * self.step

    def lo(self, window: int) -> int:
        """Exclusive lower bound of window `window`."""
        return self.start + (window - 1) * self.step

    def hi(self, window: int) -> int:
        """Inclusive upper bound of window `window`."""
        return self.start + window * self.step

    def window_of(self, times: I64) -> I64:
        """Window number of each time: 0 at or before the start, > batches after the end."""
        after = np.maximum(times - self.start, 0)
        windows: I64 = np.where(after > 0, (after - 1) // self.step + 1, 0)
        return windows

    def in_window(self, anchor: I64, window: I64, fraction: float | F64) -> I64:
        """A time `fraction` of the way from max(anchor, window start) to the window end."""
        lower = np.maximum(anchor, self.start + (window - 1) * self.step)
        upper = self.start + window * self.step
        placed: I64 = lower + 1 + ((upper - lower - 2) * fraction).astype(np.int64)
        return placed
