"""Ground truth: each table's final state after the last batch, as typed parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from simulator.lifecycle import exists
from simulator.model import TableModel


def truth_path(truth_dir: Path, model: TableModel) -> Path:
    return truth_dir / model.schema / f"{model.table}.parquet"


def write_truth(model: TableModel, truth_dir: Path, chunk: int) -> int:
    """Write the rows present at the end of the last CDC window; returns their number."""
    path = truth_path(truth_dir, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    end = model.world.timeline.end
    limit = model.scan_limit(model.world.timeline.batches)
    rows = 0
    # Dictionary encoding costs more time than it saves space on these columns.
    with pq.ParquetWriter(path, model.arrow_schema, use_dictionary=False) as writer:
        for begin in range(0, limit, chunk):
            idx = np.arange(begin, min(begin + chunk, limit), dtype=np.int64)
            times = model.plan(idx)
            asof = np.full(len(idx), end, dtype=np.int64)
            present = exists(times, asof, model.slots)
            if present.any():
                data = model.render(idx[present], times[present], asof[present])
                writer.write_table(data)
                rows += data.num_rows
    return rows
