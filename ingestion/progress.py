"""How a landing run reports progress: a one-line bar on a terminal, or a line per file."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

WIDTH = 30


@dataclass
class Progress:
    """What a progress display is told after each file."""

    done: int
    total: int
    rows: int
    message: str


class ProgressBar:
    """Redraws ``[#####     ] 12/40 files  1,234,567 rows  3.2s`` on one line of ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.perf_counter()
        self.drawn = False

    def __call__(self, update: Progress) -> None:
        share = update.done / update.total if update.total else 1.0
        filled = int(share * WIDTH)
        seconds = time.perf_counter() - self.started
        rate = update.rows / seconds if seconds > 0 else 0.0
        line = (
            f"\r[{'#' * filled}{' ' * (WIDTH - filled)}] {update.done}/{update.total} files "
            f"{update.rows:>12,} rows {rate:>10,.0f} rows/s {seconds:6.1f}s"
        )
        self.stream.write(line)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


class LinePrinter:
    """One line per file (the default when the output is not a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, update: Progress) -> None:
        print(f"[{update.done}/{update.total}] {update.message}", file=self.stream, flush=True)
