"""Committed landing runs: the runs whose rows readers (dbt) may take, published in the lake.

A run's rows become visible in the raw zone file by file while it lands; a reader that took
some of them would move its watermark (the largest ``_landed_at`` it holds) past the files
still to come, and never read those. So readers take only the rows of committed runs. A
run commits at its end, after its last ledger record, by rewriting one small Parquet file
with every committed run (``_ledger/committed/runs.parquet``: run id, landing time, when and
by which run it was committed); the rewrite is atomic (a rename locally, a single PUT on
S3), so a reader sees the runs before or after the commit, never half of it.

A run killed midway commits nothing; its files are in the ledger and are not landed again,
so the next run that completes commits them too (it *adopts* the dead run's id). An old lake
(landed before commits existed) is adopted whole by its first run.

Landing times only grow: a run's ``landed_at`` is taken after it holds the lake's lock and is
later than every landing time in the ledger and in the committed runs (even with a clock
that went back or another host's clock), so a run committed later always has a later
landing time than everything a reader has already taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.lake import EMPTY_FILE, LEDGER, Lake, ParquetFileWriter
from ingestion.ledger import LedgerEntry

COMMITTED_DIR = f"{LEDGER}/committed"
COMMITTED_FILE = "runs.parquet"
COMMITTED = f"{COMMITTED_DIR}/{COMMITTED_FILE}"
SCHEMA = pa.schema(
    [
        pa.field("landing_run_id", pa.string()),
        pa.field("landed_at", pa.timestamp("us")),
        pa.field("committed_at", pa.timestamp("us")),
        pa.field("committed_by_run_id", pa.string()),
    ]
)
ONE_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class CommittedRun:
    run_id: str
    landed_at: datetime
    """UTC, without a zone (as the lake stores it)."""
    committed_at: datetime
    committed_by: str


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def read_committed(lake: Lake) -> list[CommittedRun]:
    """Every committed run (none for a lake that has not committed yet)."""
    data = lake.store.get_bytes(COMMITTED)
    if data is None:
        return []
    table = pq.read_table(pa.BufferReader(data), schema=SCHEMA)
    return [
        CommittedRun(
            row["landing_run_id"],
            row["landed_at"],
            row["committed_at"],
            row["committed_by_run_id"],
        )
        for row in table.to_pylist()
    ]


def ensure_committed_table(lake: Lake) -> None:
    """A zero-row file beside the runs file, so readers find the table before any commit."""
    lake.ensure_empty(f"{COMMITTED_DIR}/{EMPTY_FILE}", SCHEMA)


def uncommitted(entries: Iterable[LedgerEntry], committed: list[CommittedRun]) -> dict[str, str]:
    """Run id -> landing time of the runs with ledger records that are not committed (runs
    killed before their commit, or runs of a lake landed before commits existed)."""
    done = {run.run_id for run in committed}
    found: dict[str, str] = {}
    for entry in entries:
        if entry.landing_run_id not in done:
            found.setdefault(entry.landing_run_id, entry.landed_at)
    return found


def next_landed_at(
    now: datetime, entries: Iterable[LedgerEntry], committed: list[CommittedRun]
) -> datetime:
    """``now`` (UTC), or just after the latest landing time the lake knows, if later."""
    latest = [_naive_utc(run.landed_at) for run in committed]
    latest += [_naive_utc(datetime.fromisoformat(e.landed_at)) for e in entries]
    moment = _naive_utc(now)
    if latest and max(latest) >= moment:
        moment = max(latest) + ONE_TICK
    return moment.replace(tzinfo=UTC)


def commit(
    lake: Lake,
    runs: dict[str, datetime],
    committed: list[CommittedRun],
    by: str,
    now: datetime,
) -> None:
    """Publish ``runs`` (run id -> landing time) as committed by run ``by``, beside the
    runs committed before (one atomic rewrite of the runs file)."""
    rows = [
        {
            "landing_run_id": run.run_id,
            "landed_at": run.landed_at,
            "committed_at": run.committed_at,
            "committed_by_run_id": run.committed_by,
        }
        for run in committed
    ]
    rows += [
        {
            "landing_run_id": run_id,
            "landed_at": _naive_utc(landed_at),
            "committed_at": _naive_utc(now),
            "committed_by_run_id": by,
        }
        for run_id, landed_at in sorted(runs.items(), key=lambda item: item[1])
    ]
    writer = ParquetFileWriter(lake, COMMITTED_DIR, SCHEMA)
    writer.write(pa.Table.from_pylist(rows, schema=SCHEMA), allow_empty=True)
    writer.commit(COMMITTED_FILE)
