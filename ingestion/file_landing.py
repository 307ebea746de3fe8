"""Land one DMS file and return what happened (``FileOutcome``); the run merges the outcomes.

For a table file: parse it (``formats``), cast each batch to the contract and stage the rows
that fit and the rows that do not (``table_writer``). For a PreserveTransactions file: split
its records by table (``txn``) and do the same per table. When the whole file has been read
(and hashed), publish the staged files under ``<stem>__<content id>.parquet`` and return the
ledger entry to record. A file already landed with the same content is a duplicate (nothing
published); a file that cannot be read at all is kept whole under ``quarantine_files/`` with
one quarantine row. The work writes only its own staged files: the ledger record, counts,
drift and progress are the run's (``run``), from the returned outcome.
"""

from __future__ import annotations

import gzip
import logging
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field

from ingestion.conform import ColumnPlan, Conformer
from ingestion.contracts import TableContract
from ingestion.discovery import Contracts, PendingFile, TableFile, TransactionFile
from ingestion.dmsfiles import DmsFile
from ingestion.errors import FileRejectedError, ObjectVanishedError, RunInterruptedError
from ingestion.formats import READ_ERRORS, open_file
from ingestion.generations import FIRST, Generations
from ingestion.lake import Lake
from ingestion.ledger import Ledger, LedgerEntry, Status
from ingestion.quarantine import unknown_contract
from ingestion.sources import FileSource
from ingestion.streams import ByteStream, HashingReader
from ingestion.summary import ColumnChanges, ColumnDrift, printable
from ingestion.table_writer import RunStamp, TableWriter
from ingestion.txn import read_transactions

log = logging.getLogger("ingestion")


@dataclass(frozen=True)
class RunContext:
    """What every file of a run reads and never changes."""

    source: FileSource
    lake: Lake
    contracts: Contracts
    ledger: Ledger
    """Read here (duplicates, new versions); records are written by the run."""
    stamp: RunStamp
    generations: Generations
    """The full load each file's rows belong to, per table."""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set when the run is interrupted: the file stops at its next batch, staging removed."""

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise RunInterruptedError("the run was interrupted")


@dataclass
class FileOutcome:
    """What landing one file gave: its ledger entry, or why it was left for the next run."""

    entry: LedgerEntry | None = None
    seconds: float = 0.0
    vanished: str | None = None
    error: str | None = None
    drift_columns: dict[str, list[str]] = field(default_factory=dict)
    """Per table, columns not in its contract that the file brought (landed as text)."""
    drift_notes: dict[str, list[str]] = field(default_factory=dict)
    """Per table, what the file's columns add to or miss from the contract."""
    columns: ColumnChanges = field(default_factory=dict)
    """Per table and column, how the landed file differed from the contract."""


class FileLanding:
    """Lands one pending file with one thread's conformer; ``land`` returns the outcome."""

    def __init__(self, pending: PendingFile, context: RunContext, conformer: Conformer) -> None:
        self.pending = pending
        self.context = context
        self.conformer = conformer
        self.outcome = FileOutcome()

    def land(self) -> FileOutcome:
        """Land the file; a failure leaves it for the next run and is said in the outcome."""
        key = self.pending.obj.key
        started = time.perf_counter()
        try:
            self.outcome.entry = self._land()
            self.outcome.seconds = time.perf_counter() - started
        except ObjectVanishedError as exc:
            self.outcome.vanished = f"{key}: {exc}; not landed (a later run will see it)"
        except RunInterruptedError:  # the run is stopping (Ctrl-C, SIGTERM): not a failure
            raise
        except Exception as exc:  # an unexpected failure: leave the file for the next run
            log.exception("failed to land %s", key)
            self.outcome.error = f"{key}: {type(exc).__name__}: {exc}"
        return self.outcome

    def _land(self) -> LedgerEntry:
        obj, dms_file = self.pending.obj, self.pending.dms_file
        with self.context.source.open(obj.key) as stream:
            reader = HashingReader(stream)
            try:
                if isinstance(self.pending, TransactionFile):
                    writers = self._write_transaction_file(reader, self.pending)
                else:
                    writers = self._write_table_file(reader, self.pending.contract)
                reader.drain()
            except FileRejectedError as exc:
                return self._reject(printable(str(exc)))
        sha = reader.sha256
        ledger = self.context.ledger
        is_load = dms_file.kind == "load"
        if ledger.has_content(obj.key, sha) and not is_load:
            for writer in writers:
                writer.abort()
            return self._entry(sha, "duplicate", [])
        notes = []
        if ledger.has_key(obj.key) and not is_load:
            notes.append("new content under an already landed key: landed as a new version")
        name = f"{dms_file.stem}__{sha[:16]}.parquet"
        generation = self._generation()
        if is_load and generation > FIRST:  # the same bytes may be in an earlier full load
            name = f"{dms_file.stem}__{sha[:16]}__g{generation}.parquet"
        committed = [(writer, *writer.commit(name)) for writer in writers]
        for writer in writers:
            self._note_columns(writer)
        landed = sum(w.rows[0] for w in writers)
        quarantined = sum(w.rows[1] for w in writers)
        status: Status = "landed" if landed or quarantined else "empty"
        return self._entry(sha, status, committed, notes=notes)

    def _note_columns(self, writer: TableWriter) -> None:
        """Columns the landed file added, lacked, or had values of another type in."""
        changes = {}
        if writer.plan is not None:
            changes.update({c: ColumnDrift(added_in_files=1) for c in writer.plan.drift})
            changes.update({c: ColumnDrift(missing_in_files=1) for c in writer.plan.missing_drift})
        for column, rows in writer.problems.items():
            changes.setdefault(column, ColumnDrift()).rows_not_fitting_type += rows
        if changes:
            self.outcome.columns[writer.contract.qualified_name] = changes

    def _generation(self, table: str | None = None) -> int:
        """The full load the rows of ``table`` (default: the file's table) belong to."""
        if table is None:
            table = (
                self.pending.contract.qualified_name if isinstance(self.pending, TableFile) else ""
            )
        return self.context.generations.of(self.pending, table)

    def _writer(self, contract: TableContract) -> TableWriter:
        context = self.context
        generation = self._generation(contract.qualified_name)
        return TableWriter(
            context.lake, context.stamp, self.conformer, contract, self.pending.obj.key, generation
        )

    def _start(self, writer: TableWriter, names: list[str], dms_file: DmsFile) -> ColumnPlan:
        plan = writer.start(names, dms_file)
        if plan.drift:
            known = self.outcome.drift_columns.setdefault(writer.contract.qualified_name, [])
            known.extend(c for c in plan.drift if c not in known)
        return plan

    def _write_table_file(
        self, reader: HashingReader, contract: TableContract
    ) -> list[TableWriter]:
        dms_file = self.pending.dms_file
        writer = self._writer(contract)
        try:
            parsed = open_file(reader, contract, dms_file)
            if parsed.layout.names:
                plan = self._start(writer, parsed.layout.names, dms_file)
                if plan.drift or plan.missing_drift:
                    notes = self.outcome.drift_notes.setdefault(contract.qualified_name, [])
                    notes.extend(f"{self.pending.obj.key}: {note}" for note in plan.notes)
                for batch, positions in parsed.batches:
                    self.context.check_stop()
                    writer.add(batch, positions, dms_file)
            writer.add_bad_records(parsed.bad_records)
        except BaseException:
            writer.abort()
            raise
        return [writer]

    def _write_transaction_file(
        self, reader: HashingReader, pending: TransactionFile
    ) -> list[TableWriter]:
        dms_file, contracts = pending.dms_file, self.context.contracts
        writers: dict[tuple[str, str], TableWriter] = {}
        stream: ByteStream = reader
        try:
            if dms_file.gzip:
                stream = gzip.GzipFile(fileobj=reader, mode="rb")
            chunks = read_transactions(stream, pending.settings, contracts, dms_file)
            with closing(chunks):  # a stopped file's reader is finished here, not by the GC
                for chunk in chunks:
                    self.context.check_stop()
                    key = (chunk.schema, chunk.table)
                    writer = writers.get(key)
                    if writer is None:
                        contract = contracts.get(key) or unknown_contract()
                        writer = writers[key] = self._writer(contract)
                    if chunk.batch is not None:
                        if writer.plan is None:
                            as_cdc = _as_cdc(dms_file, writer.contract)
                            self._start(writer, chunk.batch.schema.names, as_cdc)
                        writer.add(chunk.batch, chunk.positions, dms_file)
                    writer.add_bad_records(chunk.bad)
        except READ_ERRORS as exc:
            for writer in writers.values():
                writer.abort()
            raise FileRejectedError(f"cannot read: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        return [writers[k] for k in sorted(writers)]

    def _reject(self, reason: str) -> LedgerEntry:
        """Keep an unreadable file whole and list it in the quarantine with the reason."""
        obj, dms_file = self.pending.obj, self.pending.dms_file
        with self.context.source.open(obj.key) as stream:
            reader = HashingReader(stream)
            kept = self.context.lake.keep_original(obj.key, reader)
        contract = self.pending.contract if isinstance(self.pending, TableFile) else None
        writer = self._writer(contract or unknown_contract())
        writer.add_bad([None], [f"file not readable: {reason}; kept at {kept}"], [None])
        _, path = writer.commit(f"{dms_file.stem}__{reader.sha256[:16]}.parquet")
        return self._entry(reader.sha256, "quarantined", [], quarantine_file=path, notes=[reason])

    def _entry(
        self,
        sha: str,
        status: Status,
        outputs: list[tuple[TableWriter, str | None, str | None]],
        *,
        quarantine_file: str | None = None,
        notes: list[str] | None = None,
    ) -> LedgerEntry:
        """The ledger entry of this file (the run records it)."""
        obj, dms_file = self.pending.obj, self.pending.dms_file
        notes = list(notes or [])
        newest = [w.max_commit for w, _, _ in outputs if w.max_commit is not None]
        tables: dict[str, list[int]] = {}
        for writer, _, _ in outputs:
            if writer.plan is not None:
                notes.extend(writer.plan.notes)
            if dms_file.kind == "txn":
                tables[writer.contract.qualified_name] = list(writer.rows)
        raw_files = [raw for _, raw, _ in outputs if raw]
        quarantine_files = [q for _, _, q in outputs if q]
        return LedgerEntry(
            key=obj.key,
            schema=dms_file.schema,
            table=dms_file.table,
            kind=dms_file.kind,
            order_key=dms_file.order_key,
            version=obj.version,
            size=obj.size,
            sha256=sha,
            status=status,
            rows_landed=sum(w.rows[0] for w, _, _ in outputs),
            rows_quarantined=sum(w.rows[1] for w, _, _ in outputs),
            raw_file=",".join(raw_files) or None,
            quarantine_file=quarantine_file or ",".join(quarantine_files) or None,
            landing_run_id=self.context.stamp.run_id,
            landed_at=self.context.stamp.started.isoformat(),
            notes=notes,
            source_modified=obj.modified,
            max_commit_ts=max(newest).isoformat(sep=" ") if newest else None,
            tables=tables,
            load_generation=self._generation() if isinstance(self.pending, TableFile) else None,
        )


def _as_cdc(dms_file: DmsFile, contract: TableContract) -> DmsFile:
    """A transaction file seen as one table's CDC file (for the column plan)."""
    return DmsFile(
        dms_file.key,
        contract.schema,
        contract.table,
        "cdc",
        "csv",
        dms_file.gzip,
        dms_file.order_key,
        dms_file.folders,
    )
