"""One landing run: every DMS file not yet in the ledger lands in the raw zone, once.

The run checks that the lake can be written, holds the lake's lock, lists the new files
(``discovery``), checks the source root against the one the lake was landed from
(``source_root``), removes what a killed run staged, writes the zero-row schema files,
numbers each table's full loads (``generations``: a LOAD file again is a reload) and lands
the new files in parallel threads
(``file_landing``, one outcome per file). It takes the outcomes in DMS order and, for each,
records the ledger entry (after the file's outputs are visible: that is what makes a file
count as landed), counts it into the ``RunSummary``, merges its drift and reports progress.
So the lake, the ledger and the report are the same for any number of workers. A run killed
at any point leaves either nothing visible for a file or outputs the rerun overwrites with
the same content: no row is lost or doubled. Ctrl-C (or SIGTERM, which ``dmsw`` turns into
the same) stops the run cleanly: files in progress stop at their next batch and their staged
outputs are removed, what was recorded stays, the lock is released, and
``RunInterruptedError`` says how far it got.

The run's landing time is taken once it holds the lock, later than any before
(``commits.next_landed_at``). At its end, after its last ledger record, the run commits its
files, and those of runs killed before their commit (``commits``): readers take only rows of
committed runs, so they never see half a run.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import duckdb

from ingestion.commits import (
    CommittedRun,
    commit,
    ensure_committed_table,
    next_landed_at,
    read_committed,
    uncommitted,
)
from ingestion.conform import Conformer
from ingestion.discovery import Contracts, PendingFile, TableFile, discover
from ingestion.errors import RunInterruptedError, RunTerminatedError, SignalStop, UserError
from ingestion.file_landing import FileLanding, FileOutcome, RunContext
from ingestion.generations import assign
from ingestion.lake import LEDGER, Lake
from ingestion.ledger import Ledger
from ingestion.lock import RunLock
from ingestion.progress import Progress
from ingestion.schemas import QUARANTINE_SCHEMA, raw_schema
from ingestion.settings_check import check_settings
from ingestion.source_root import SourceCheck, settle_source
from ingestion.sources import FileSource
from ingestion.summary import RunSummary, report
from ingestion.table_writer import RunStamp

log = logging.getLogger("ingestion")

WORKERS_ENV = "DMSW_LAND_WORKERS"


def default_workers() -> int:
    """Files landed at once: one per core, at most 4 (env DMSW_LAND_WORKERS overrides)."""
    configured = os.environ.get(WORKERS_ENV)
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise UserError(f"{WORKERS_ENV} must be a whole number >= 1, not {configured!r}")
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


class Lander:
    """Lands files into one lake; one instance per run.

    ``clock`` (UTC now) and ``run_id`` can be given to make a run's stamps reproducible
    (tests, comparisons); by default they are the real time and a new id.
    ``allow_other_source`` lands a source root other than the lake's recorded one, on purpose.
    """

    def __init__(
        self,
        source: FileSource,
        lake: Lake,
        contracts: Contracts,
        *,
        progress: Callable[[Progress], None] | None = None,
        workers: int | None = None,
        clock: Callable[[], datetime] = utc_now,
        run_id: str | None = None,
        allow_other_source: bool = False,
    ) -> None:
        self.source = source
        self.allow_other_source = allow_other_source
        self.workers = workers or default_workers()
        self.lake = lake
        self.contracts = contracts
        self.progress = progress or (lambda update: None)
        self.clock = clock
        now = clock()
        self.stamp = RunStamp(run_id or new_run_id(now), now)
        self.summary = RunSummary(
            self.stamp.run_id, source.describe(), lake.describe(), now.isoformat()
        )
        self.drift_columns: dict[str, list[str]] = {}
        """Per table, the columns not in its contract that this run landed (as text)."""
        self._connection = duckdb.connect(":memory:")
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursors_lock = threading.Lock()
        self._stop = threading.Event()
        """Set when the run is interrupted: files in progress stop at their next batch."""
        self._recorded = 0

    def _conformer(self) -> Conformer:
        """This thread's conformer (a DuckDB cursor of the run's connection per thread)."""
        conformer: Conformer | None = getattr(self._local, "conformer", None)
        if conformer is None:
            cursor = self._connection.cursor()
            with self._cursors_lock:
                self._cursors.append(cursor)
            conformer = self._local.conformer = Conformer(cursor)
        return conformer

    def prepare(self) -> None:
        """Zero-row files for every table, the quarantine and the committed runs, so readers
        always find them."""
        for contract in self.contracts.values():
            self.lake.ensure_table(contract, raw_schema(contract))
        self.lake.ensure_quarantine(QUARANTINE_SCHEMA)
        ensure_committed_table(self.lake)

    def run(self) -> RunSummary:
        """Land every new file, holding the lake's lock (LockHeldError if another run has it)."""
        self.lake.store.check_writable()
        lock = RunLock(self.lake, self.summary.run_id)
        note = lock.acquire()
        if note:
            self.summary.lake_notes.append(note)
        interrupted = False
        try:
            return self._run()
        except KeyboardInterrupt as stop:
            interrupted = True
            raise self._interrupted(stop) from None
        finally:
            for cursor in self._cursors:
                cursor.close()
            self._connection.close()
            if interrupted:  # what the stopped files staged (a killed run's: next run)
                self.lake.store.clean_staging()
            lock.release()

    def _interrupted(self, stop: KeyboardInterrupt) -> RunInterruptedError:
        error = RunTerminatedError if isinstance(stop, SignalStop) else RunInterruptedError
        what = "terminated (SIGTERM)" if error is RunTerminatedError else "interrupted (Ctrl-C)"
        return error(
            f"{what}: {self._recorded} file(s) landed and recorded before the stop stay landed; "
            "the files not recorded land on the next run; the lock was released"
        )

    def _run(self) -> RunSummary:
        started = time.perf_counter()
        ledger = Ledger(self.lake)
        committed = read_committed(self.lake)
        # the landing time is taken now that the run holds the lock, later than any before
        landed_at = next_landed_at(self.clock(), ledger.entries, committed)
        self.stamp = RunStamp(self.stamp.run_id, landed_at)
        found = discover(self.source, self.contracts, ledger)
        if found.files_seen == 0:  # not an error: the lake's tables exist, empty, for dbt
            self.summary.lake_notes.append(
                f"no files under {self.source.describe()} yet; if you expected some, check "
                "--source (env DMS_SOURCE): the DMS task's bucket folder, with <schema>/<table>/"
            )
        self.summary.lake_notes.extend(
            settle_source(
                SourceCheck(
                    self.lake,
                    self.source.describe(),
                    self.stamp.run_id,
                    self.stamp.started.isoformat(),
                    landed_before=bool(ledger.entries),
                    will_land=bool(found.pending),
                    allow_other=self.allow_other_source,
                )
            )
        )
        removed = self.lake.store.clean_staging()
        if removed:
            self.summary.notes.append(f"removed {removed} staged file(s) of an interrupted run")
        self.prepare()
        self.summary.files_seen = found.files_seen
        self.summary.files_already_landed = found.already_landed
        self.summary.skipped.extend(found.skipped)
        checked = check_settings(found.pending, self.source, self.workers)
        self.summary.stopped.update(checked.stopped)
        self.summary.notes.extend(checked.notes)
        pending = [p for p in found.pending if not _stopped(p, checked.stopped)]
        self.summary.files_stopped = len(found.pending) - len(pending)
        generations = assign(pending, ledger.entries)  # which full load each file is in
        self.summary.notes.extend(generations.notes())
        context = RunContext(
            self.source, self.lake, self.contracts, ledger, self.stamp, generations, self._stop
        )

        def land(pending: PendingFile) -> FileOutcome:
            return FileLanding(pending, context, self._conformer()).land()

        # Files land in parallel (parsing, casting and Parquet writing release the GIL); the
        # outcomes are taken in DMS order, so the summary reads the same for any worker count.
        # One worker lands in this thread, each file after the previous one's progress report.
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="land") as pool:
            outcomes = map(land, pending) if self.workers == 1 else pool.map(land, pending)
            try:
                self._merge(pending, outcomes, ledger)
            except BaseException:  # Ctrl-C, a failing progress display: start no more files
                self._stop.set()  # and the files in progress stop at their next batch
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        self._commit(ledger, committed)
        self.summary.finished_at = self.clock().isoformat()
        self.summary.duration_s = round(time.perf_counter() - started, 3)
        self.lake.write_json(f"{LEDGER}/runs/{self.summary.run_id}.json", report(self.summary))
        return self.summary

    def _commit(self, ledger: Ledger, committed: list[CommittedRun]) -> None:
        """Commit this run's files, and those of runs killed before their commit."""
        runs = uncommitted(ledger.entries, committed)
        if not runs:
            return
        adopted = sorted(run for run in runs if run != self.stamp.run_id)
        if adopted:
            files = sum(1 for e in ledger.entries if e.landing_run_id in adopted)
            self.summary.notes.append(
                f"committed {files} file(s) landed by {len(adopted)} earlier run(s) that did "
                f"not commit (interrupted, or landed before commits existed): {', '.join(adopted)}"
            )
        times = {run: datetime.fromisoformat(landed_at) for run, landed_at in runs.items()}
        commit(self.lake, times, committed, self.stamp.run_id, self.clock())

    def _merge(
        self, pending: list[PendingFile], outcomes: Iterator[FileOutcome], ledger: Ledger
    ) -> None:
        """Record, count and report each file's outcome, in DMS order."""
        summary = self.summary
        rows = 0
        for index, (item, outcome) in enumerate(zip(pending, outcomes, strict=True), start=1):
            if outcome.vanished:
                summary.files_vanished += 1
                summary.notes.append(outcome.vanished)
            if outcome.error:
                summary.files_failed += 1
                summary.errors.append(outcome.error)
            for table, columns in outcome.drift_columns.items():
                known = self.drift_columns.setdefault(table, [])
                known.extend(c for c in columns if c not in known)
            for table, notes in outcome.drift_notes.items():
                summary.add_drift_notes(table, notes)
            summary.add_column_changes(outcome.columns)
            entry = outcome.entry
            if entry is None:
                continue
            try:
                ledger.record(entry)
            except Exception as exc:  # the outputs stay; the next run lands the file again
                log.exception("failed to record %s", entry.key)
                summary.files_failed += 1
                summary.errors.append(f"{entry.key}: {type(exc).__name__}: {exc}")
                continue
            summary.add_entry(entry)
            self._recorded += 1
            rows += entry.rows_landed
            self.progress(
                Progress(
                    index,
                    len(pending),
                    rows,
                    f"{item.obj.key}: {entry.status}, {entry.rows_landed} rows"
                    + (f", {entry.rows_quarantined} quarantined" if entry.rows_quarantined else "")
                    + f" ({outcome.seconds:.1f}s)"
                    + "".join(f"\n    note: {n}" for n in entry.notes),
                )
            )


def _stopped(pending: PendingFile, stopped: dict[str, str]) -> bool:
    return isinstance(pending, TableFile) and pending.contract.qualified_name in stopped
