"""Per-table landing status, from the ledger alone (so it works the same on S3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

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
    """Files and rows landed per table, the newest commit timestamp landed and its lag."""
    files: dict[str, int] = {}
    rows: dict[str, list[int]] = {}
    newest: dict[str, datetime] = {}
    for entry in Ledger(lake).entries:
        for table, (landed, quarantined) in entry.per_table().items():
            counts = rows.setdefault(table, [0, 0])
            counts[0] += landed
            counts[1] += quarantined
            files[table] = files.get(table, 0) + (entry.status != "duplicate")
            if entry.max_commit_ts and (entry.tables == {} or landed):
                commit = datetime.fromisoformat(entry.max_commit_ts)
                if table not in newest or commit > newest[table]:
                    newest[table] = commit
    now = now if now is not None else datetime.now(UTC).replace(tzinfo=None)
    result = []
    for table in sorted(rows):
        latest = newest.get(table)
        lag = str(now - latest).split(".")[0] if latest else None
        result.append(TableStatus(table, files[table], rows[table][0], rows[table][1], latest, lag))
    return result
