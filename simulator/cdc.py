"""CDC batch files: one file per table per batch, named by time, rows in commit order."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator import textops as tx
from simulator.changes import Changes, collect, sequence
from simulator.csvwriter import (
    change_seq_text,
    commit_timestamp_text,
    header,
    rows_text,
    write_lines,
)
from simulator.lifecycle import exists
from simulator.model import TableModel, World
from simulator.timeline import MILLISECOND, SECOND, from_us

WINDOWS_PER_SCAN = 8
"""Windows collected per scan over the ids (bounds the change arrays held in memory)."""
FIRST_COUNTER = 1


def cdc_file_name(world: World, model: TableModel, window: int) -> str:
    """YYYYMMDD-HHMMSSmmm.csv, a second or so after the window closes."""
    offset = world.rng.below(
        f"cdc_file:{model.qualified_name}", np.array([window], dtype=np.int64), 59_000
    )
    written = from_us(world.timeline.hi(window) + SECOND + int(offset[0]) * MILLISECOND)
    return f"{written:%Y%m%d-%H%M%S}{written.microsecond // 1000:03d}.csv"


def write_changes(model: TableModel, changes: Changes, path: Path, chunk: int) -> None:
    """Write one CDC file: header, then the changes in the given (commit) order.

    I and U rows show the row right after the change, D rows the row right before it.
    """
    is_delete = changes.slot == model.slots.delete
    with path.open("wb") as sink:
        sink.write(header(model.arrow_schema.names))
        for begin in range(0, len(changes), chunk):
            part = slice(begin, begin + chunk)
            idx, commit = changes.idx[part], changes.commit[part]
            asof = commit - is_delete[part]
            times = model.plan(idx)
            if not exists(times, asof, model.slots).all():
                raise RuntimeError(f"{model.qualified_name}: change to a row that is absent")
            data = model.render(idx, times, asof)
            lines = rows_text(
                tx.pick(model.slots.ops, changes.slot[part]),
                commit_timestamp_text(commit),
                data,
                change_seq_text(commit, changes.counter[part]),
            )
            write_lines(sink, lines)


def write_cdc(
    world: World, models: tuple[TableModel, ...], out_dir: Path, scan_chunk: int, render_chunk: int
) -> tuple[list[Path], dict[str, int]]:
    """Write every batch file of one DMS task (the tables of one source).

    Rows of a few entities are late: committed in window w, written to file w + 1, first in
    that file since they committed before everything else in it.
    """
    timeline = world.timeline
    files: list[Path] = []
    rows = {model.qualified_name: 0 for model in models}
    carried = {model.qualified_name: Changes.empty() for model in models}
    counter = FIRST_COUNTER
    for first in range(1, timeline.batches + 1, WINDOWS_PER_SCAN):
        windows = range(first, min(timeline.batches, first + WINDOWS_PER_SCAN - 1) + 1)
        collected = [collect(model, timeline, windows, scan_chunk) for model in models]
        for window in windows:
            ordered, counter = sequence([c[window] for c in collected], counter)
            for model, changes in zip(models, ordered, strict=True):
                name = model.qualified_name
                late = model.late(changes.idx, window)
                batch = Changes.concat([carried[name], changes.select(~late)])
                carried[name] = changes.select(late)
                path = out_dir / model.schema / model.table / cdc_file_name(world, model, window)
                write_changes(model, batch, path, render_chunk)
                files.append(path)
                rows[name] += len(batch)
    return files, rows
