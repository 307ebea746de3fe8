"""``dmsw status``: per table what was landed and how fresh it is, from the ledger alone (so it
works the same on S3), with the lake's source roots and its lock.

Per table: files landed (empty ones included), files quarantined whole (unreadable, kept in
``quarantine_files/``), duplicates, rows landed and rows quarantined; the newest DMS commit
timestamp landed and the replication lag (now minus that commit). A table whose files carry
no commit timestamp (no ``timestamp_column_name``) has no lag: its freshness is the newest
file's time instead (when DMS wrote it, as the source reports it, else when it landed).
Tables are stale when that newest time is older than ``stale_after`` (``--fail-if-stale``).

A location that is not a lake is an error (exit 2), not an empty status: a missing folder,
a folder without ``_ledger/`` that holds other things, an empty S3 prefix. An empty local
folder is an empty lake: nothing landed yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingestion.durations import format_duration
from ingestion.errors import UserError
from ingestion.lake import LEDGER, Lake
from ingestion.ledger import Ledger, LedgerEntry
from ingestion.lock import LockState, inspect_lock
from ingestion.source_root import SourceRecord, recorded_sources

TRANSACTION_FILES = "_transactions"
"""Where a PreserveTransactions file quarantined whole is counted (its tables are unknown);
not a table, so never stale."""


def _utc(text: str) -> datetime:
    """A ledger time as aware UTC (commit timestamps are naive UTC wall-clock times)."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _newest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate > current else current


@dataclass
class TableStatus:
    table: str
    files_landed: int = 0
    files_quarantined: int = 0
    """Files that could not be read at all: kept whole, one quarantine row each."""
    files_duplicate: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    newest_commit: datetime | None = None
    """The newest DMS commit timestamp among the rows landed (UTC)."""
    newest_file: datetime | None = None
    """When the newest file was written at the source (else landed), UTC."""
    age: timedelta | None = None
    """Now minus the newest commit (the replication lag), or minus the newest file's time
    when the table has no commit timestamps."""
    stale: bool | None = None
    """Older than the ``--fail-if-stale`` limit (None without one)."""

    @property
    def lag(self) -> timedelta | None:
        return self.age if self.newest_commit is not None else None

    def add(self, entry: LedgerEntry, landed: int, quarantined: int) -> None:
        if entry.status == "duplicate":
            self.files_duplicate += 1
            return
        if entry.status == "quarantined":
            self.files_quarantined += 1
        else:
            self.files_landed += 1
        self.rows_landed += landed
        self.rows_quarantined += quarantined
        if entry.max_commit_ts and (not entry.tables or landed):
            self.newest_commit = _newest(self.newest_commit, _utc(entry.max_commit_ts))
        self.newest_file = _newest(self.newest_file, _utc(entry.source_modified or entry.landed_at))


@dataclass
class LakeStatus:
    lake: str
    checked_at: datetime
    tables: list[TableStatus]
    sources: list[SourceRecord] = field(default_factory=list)
    lock: LockState | None = None
    stale_after: timedelta | None = None
    empty_folder: bool = False
    """The lake's folder exists and is empty: nothing was landed yet."""

    @property
    def stale(self) -> list[TableStatus]:
        return [t for t in self.tables if t.stale]

    @property
    def fails_freshness(self) -> bool:
        """``--fail-if-stale`` was given and a table is stale, or nothing landed at all."""
        return self.stale_after is not None and (not self.tables or bool(self.stale))


def _per_table(entries: list[LedgerEntry]) -> dict[str, TableStatus]:
    tables: dict[str, TableStatus] = {}
    for entry in entries:
        counts = entry.per_table() or {TRANSACTION_FILES: (0, 0)}
        for table, (landed, quarantined) in counts.items():
            tables.setdefault(table, TableStatus(table)).add(entry, landed, quarantined)
    return tables


def check_is_lake(lake: Lake) -> bool:
    """True for a lake, False for an empty local folder; UserError for anything else."""
    store = lake.store
    where = lake.describe()
    fix = "check --lake (env LAKE_DIR); dmsw land creates a lake"
    if not store.exists():
        if where.startswith("s3://"):
            raise UserError(f"no lake at {where}: nothing is stored under that prefix; {fix}")
        if Path(where).exists():
            raise UserError(f"{where} is a file, not a lake; {fix}")
        raise UserError(f"no lake at {where}: no such folder; {fix}")
    if next(iter(store.list(LEDGER)), None) is not None:
        return True
    if store.has_files():
        raise UserError(
            f"{where} is not a lake: it has no {LEDGER}/ folder (a lake holds raw/, "
            f"quarantine/ and {LEDGER}/); {fix}"
        )
    return False


def lake_status(
    lake: Lake, now: datetime | None = None, stale_after: timedelta | None = None
) -> LakeStatus:
    """The lake's tables, source roots and lock; UserError when ``lake`` is not a lake."""
    now = now or datetime.now(UTC)
    if not check_is_lake(lake):
        status = LakeStatus(lake.describe(), now, [], stale_after=stale_after, empty_folder=True)
        return status
    tables = _per_table(Ledger(lake).entries)
    for table in tables.values():
        newest = table.newest_commit or table.newest_file
        table.age = now - newest if newest else None
        if stale_after is not None and table.table != TRANSACTION_FILES:
            table.stale = table.age is None or table.age > stale_after
    return LakeStatus(
        lake.describe(),
        now,
        [tables[name] for name in sorted(tables)],
        recorded_sources(lake),
        inspect_lock(lake, now),
        stale_after,
    )


def _time(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def freshness(table: TableStatus) -> str:
    """The lag, or what stands for it when the table has no commit timestamps."""
    if table.lag is not None:
        return format_duration(table.lag)
    if table.age is not None:
        return f"no commit timestamps; newest file {format_duration(table.age)} ago"
    return "no commit timestamps"


def render(status: LakeStatus) -> list[str]:
    """The status as text lines (times in UTC)."""
    lines = [f"lake {status.lake}"]
    for source in status.sources:
        lines.append(f"  source {source.root} ({source.how})")
    if status.empty_folder:
        lines.append("  empty folder: nothing landed yet (dmsw land fills it)")
    elif not status.tables:
        lines.append("  nothing landed yet")
    else:
        lines.append(
            f"  {'table':34} {'files':>6} {'rows':>11} {'files quar.':>11} {'rows quar.':>10}"
            f"  {'newest commit (UTC)':19}  lag"
        )
        for t in status.tables:
            lines.append(
                f"  {t.table:34} {t.files_landed:>6} {t.rows_landed:>11} "
                f"{t.files_quarantined:>11} {t.rows_quarantined:>10}  "
                f"{_time(t.newest_commit) or '-':19}  {freshness(t)}"
                + ("  STALE" if t.stale else "")
            )
    if status.lock is not None:
        held = "a landing run holds the lock" if status.lock.alive is not False else "stale lock"
        lines.append(f"  {held}: {status.lock.describe()}; {status.lock.why}")
    if status.stale_after is not None:
        limit = format_duration(status.stale_after)
        stale = status.stale
        lines.append(
            f"  stale (newest data older than {limit}): "
            + (", ".join(t.table for t in stale) if stale else "none")
            if status.tables
            else f"  stale: nothing landed, so nothing is newer than {limit}"
        )
    return lines


def _seconds(delta: timedelta | None) -> float | None:
    return round(delta.total_seconds(), 3) if delta is not None else None


def as_json(status: LakeStatus) -> dict[str, Any]:
    """The status as JSON-ready data (``dmsw status --json``), times ISO 8601 in UTC."""
    lock = status.lock
    return {
        "lake": status.lake,
        "checked_at": status.checked_at.isoformat(),
        "empty_folder": status.empty_folder,
        "sources": [
            {"root": s.root, "how": s.how, "recorded_at": s.landed_at} for s in status.sources
        ],
        "lock": None
        if lock is None
        else {
            "holder": lock.describe(),
            "run_id": lock.holder.run_id if lock.holder else None,
            "pid": lock.holder.process.pid if lock.holder else None,
            "host": lock.holder.process.host if lock.holder else None,
            "since": lock.holder.started_at.isoformat() if lock.holder else None,
            "alive": lock.alive,
            "why": lock.why,
        },
        "stale_after_seconds": _seconds(status.stale_after),
        "fails_freshness": status.fails_freshness,
        "stale_tables": [t.table for t in status.stale],
        "tables": [
            {
                "table": t.table,
                "files_landed": t.files_landed,
                "files_quarantined": t.files_quarantined,
                "files_duplicate": t.files_duplicate,
                "rows_landed": t.rows_landed,
                "rows_quarantined": t.rows_quarantined,
                "newest_commit": t.newest_commit.isoformat() if t.newest_commit else None,
                "lag_seconds": _seconds(t.lag),
                "newest_file": t.newest_file.isoformat() if t.newest_file else None,
                "freshness_basis": "commit" if t.newest_commit else "file",
                "age_seconds": _seconds(t.age),
                "stale": t.stale,
            }
            for t in status.tables
        ],
    }
