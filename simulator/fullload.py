"""The full load: every row present at the task start, written to LOAD files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.csvwriter import LoadFileWriter, commit_timestamp_text, rows_text
from simulator.lifecycle import INSERT, exists
from simulator.model import TableModel
from simulator.types import I64


def id_chunks(limit: int, chunk: int) -> list[I64]:
    """Consecutive index ranges [0, limit) of at most `chunk` ids."""
    return [
        np.arange(begin, min(begin + chunk, limit), dtype=np.int64)
        for begin in range(0, limit, chunk)
    ]


def write_full_load(
    model: TableModel, directory: Path, rows_per_file: int, chunk: int
) -> tuple[list[Path], int]:
    """Write the table's full load; returns the files written and the number of rows.

    Every row carries Op = I and the task start as dms_commit_ts
    (UseTaskStartTimeForFullLoadTimestamp); dms_change_seq is NULL.
    """
    start = model.world.timeline.start
    start_text = commit_timestamp_text(np.array([start], dtype=np.int64))[0]
    writer = LoadFileWriter(directory, model.arrow_schema.names, rows_per_file)
    try:
        for begin in range(0, model.load_limit(), chunk):
            idx = np.arange(begin, min(begin + chunk, model.load_limit()), dtype=np.int64)
            times = model.plan(idx)
            asof = np.full(len(idx), start, dtype=np.int64)
            present = exists(times, asof, model.slots)
            data = model.render(idx[present], times[present], asof[present])
            writer.write(rows_text(INSERT, start_text, data, ""))
    finally:
        writer.close()
    return writer.files, writer.rows
