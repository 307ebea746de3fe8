"""Per-table landing status from the ledger and the raw zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from ingestion.lake import Lake
from ingestion.ledger import Ledger


@dataclass
class TableStatus:
    table: str
    files: int
    rows_landed: int
    rows_quarantined: int
    newest_commit: datetime | None
    lag: str | None


def table_status(lake: Lake, now: datetime | None = None) -> list[TableStatus]:
    ledger = Ledger(lake)
    tables: dict[str, list[int]] = {}
    for entry in ledger.entries:
        counts = tables.setdefault(f"{entry.schema}.{entry.table}", [0, 0, 0])
        if entry.status != "duplicate":
            counts[0] += 1
        counts[1] += entry.rows_landed
        counts[2] += entry.rows_quarantined
    now = now or datetime.now()
    result = []
    with duckdb.connect() as connection:
        for table, (files, landed, quarantined) in sorted(tables.items()):
            schema, name = table.split(".")
            folder = lake.table_dir("raw", schema, name)
            newest = connection.execute(
                "select max(_dms_commit_ts) from read_parquet(?, union_by_name = true)",
                [str(folder / "*.parquet")],
            ).fetchone()
            commit = newest[0] if newest else None
            lag = str(now - commit).split(".")[0] if commit else None
            result.append(TableStatus(table, files, landed, quarantined, commit, lag))
    return result
