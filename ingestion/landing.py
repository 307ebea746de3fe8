"""One landing run: every DMS file not yet in the ledger lands in the raw zone, once.

For each new file: parse it (``formats``, or ``txn`` for PreserveTransactions files), cast
each batch to its table's contract (``conform``), stage the rows that fit for the raw zone and
the rows that do not for the quarantine, with their reasons; when the whole file has been
read, make the outputs visible under names derived from the file and its content, then record
the file in the ledger. A run killed at any point leaves either nothing visible for that file
or outputs the rerun overwrites with the same content, so no row is lost or doubled. A file
that cannot be read at all is kept whole under ``quarantine_files/`` and listed in the
quarantine. Nothing is dropped silently.
"""

from __future__ import annotations

import gzip
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.conform import (
    QUARANTINE_SCHEMA,
    ColumnPlan,
    Conformer,
    plan_columns,
    raw_schema,
)
from ingestion.contracts import DmsSettings, TableContract
from ingestion.dmsfiles import DmsFile, NotADmsFileError, parse_key
from ingestion.errors import FileRejectedError, ObjectVanishedError, UserError
from ingestion.formats import READ_ERRORS, BadRecord, HashingReader, open_file
from ingestion.lake import LEDGER, Lake, ParquetFileWriter
from ingestion.ledger import Ledger, LedgerEntry, Status
from ingestion.lock import RunLock
from ingestion.sources import FileSource, SourceObject
from ingestion.txn import UNKNOWN, read_transactions

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


@dataclass
class TableTotals:
    files: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0


@dataclass
class RunSummary:
    run_id: str
    source: str
    lake: str
    started_at: str
    finished_at: str = ""
    duration_s: float = 0.0
    files_seen: int = 0
    files_already_landed: int = 0
    files_landed: int = 0
    files_duplicate: int = 0
    files_quarantined: int = 0
    files_failed: int = 0
    files_vanished: int = 0
    glue_failed: bool = False
    tables: dict[str, TableTotals] = field(default_factory=dict)
    drift: dict[str, list[str]] = field(default_factory=dict)
    """Per table, the schema drift found: columns added or missing, per file."""
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def totals(self, table: str) -> TableTotals:
        return self.tables.setdefault(table, TableTotals())

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables.values())

    @property
    def rows_landed(self) -> int:
        return sum(t.rows_landed for t in self.tables.values())


def printable(text: str) -> str:
    """``text`` with control characters escaped, safe to print to a terminal or a log."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def _timestamp(now: datetime) -> pa.Scalar:
    return pa.scalar(now.replace(tzinfo=None), pa.timestamp("us"))


@dataclass
class Progress:
    """What a progress display is told after each file."""

    done: int
    total: int
    rows: int
    message: str


@dataclass
class _Outcome:
    """What landing one file gave: its ledger entry, or why it was left for the next run."""

    entry: LedgerEntry | None = None
    seconds: float = 0.0
    vanished: str | None = None
    error: str | None = None


class _TableOutput:
    """The staged raw and quarantine files of one table for one DMS file."""

    def __init__(self, lander: Lander, contract: TableContract, obj: SourceObject) -> None:
        self.lander = lander
        self.contract = contract
        self.obj = obj
        lake = lander.lake
        self.raw_dir = lake.table_dir("raw", contract.schema, contract.table)
        self.quarantine = ParquetFileWriter(
            lake, lake.table_dir("quarantine", contract.schema, contract.table), QUARANTINE_SCHEMA
        )
        self.raw: ParquetFileWriter | None = None
        self.plan: ColumnPlan | None = None
        self.max_commit: datetime | None = None

    def start(self, names: list[str], dms_file: DmsFile) -> ColumnPlan:
        self.plan = plan_columns(names, self.contract, dms_file)
        if self.plan.drift:
            self.lander.note_drift_columns(self.contract.qualified_name, self.plan.drift)
        self.raw = ParquetFileWriter(
            self.lander.lake, self.raw_dir, raw_schema(self.contract, self.plan.drift)
        )
        return self.plan

    def add(self, batch: pa.RecordBatch, positions: np.ndarray, dms_file: DmsFile) -> None:
        assert self.plan is not None and self.raw is not None
        good, bad = self.lander.conformer.conform(batch, positions, self.plan, self.contract)
        n = good.num_rows
        good = good.rename_columns(["_dms_row" if c == "__row" else c for c in good.column_names])
        lineage = {
            "_dms_file": pa.scalar(self.obj.key),
            "_dms_file_order": pa.scalar(dms_file.order_key),
            "_landing_run_id": pa.scalar(self.lander.summary.run_id),
            "_landed_at": self.lander.landed_at,
        }
        for name, value in lineage.items():
            good = good.append_column(name, pa.repeat(value, n))
        if n:
            newest = pc.max(good.column("_dms_commit_ts")).as_py()
            if newest is not None and (self.max_commit is None or newest > self.max_commit):
                self.max_commit = newest
        self.raw.write(good.select(self.raw.schema.names))
        if bad.num_rows:
            self.add_bad(
                bad.column("__row").to_pylist(),
                bad.column("__reason").to_pylist(),
                bad.column("__raw").to_pylist(),
            )

    def add_bad(self, rows: list[int | None], reasons: list[str], texts: list[str | None]) -> None:
        self.quarantine.write(
            self.lander.quarantine_table(
                self.contract.schema, self.contract.table, self.obj.key, rows, reasons, texts
            )
        )

    def add_bad_records(self, records: list[BadRecord]) -> None:
        if records:
            self.add_bad(
                [b.row for b in records], [b.reason for b in records], [b.text for b in records]
            )

    @property
    def rows(self) -> tuple[int, int]:
        return (self.raw.rows if self.raw else 0), self.quarantine.rows

    def commit(self, name: str) -> tuple[str | None, str | None]:
        raw = self.raw.commit(name) if self.raw else None
        return raw, self.quarantine.commit(name)

    def abort(self) -> None:
        if self.raw is not None:
            self.raw.abort()
        self.quarantine.abort()


class Lander:
    """Lands files into one lake; one instance per run."""

    def __init__(
        self,
        source: FileSource,
        lake: Lake,
        contracts: dict[tuple[str, str], TableContract],
        *,
        progress: Callable[[Progress], None] | None = None,
        workers: int | None = None,
    ) -> None:
        self.source = source
        self.workers = workers or default_workers()
        self.lake = lake
        self.contracts = contracts
        self.progress = progress or (lambda update: None)
        now = datetime.now(UTC)
        self.now = now
        self.landed_at = _timestamp(now)
        self.summary = RunSummary(
            new_run_id(now), source.describe(), lake.describe(), now.isoformat()
        )
        self.connection = duckdb.connect(":memory:")
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()  # files land in parallel threads
        self.drift_columns: dict[str, list[str]] = {}
        """Per table, the columns not in its contract that this run landed (as text)."""
        self.settings: dict[str, DmsSettings] = {}
        for contract in contracts.values():
            self.settings.setdefault(contract.schema, contract.settings)
        self.cdc_paths = {s.cdc_path: s for s in self.settings.values() if s.cdc_path is not None}

    def note_drift_columns(self, table: str, columns: list[str]) -> None:
        """Remember columns not in ``table``'s contract that this run lands (as text)."""
        with self._lock:
            known = self.drift_columns.setdefault(table, [])
            known.extend(c for c in columns if c not in known)

    def note_drift(self, table: str, notes: list[str]) -> None:
        """Report schema drift of ``table`` (kept sorted: files land in any order)."""
        with self._lock:
            self.summary.drift[table] = sorted([*self.summary.drift.get(table, []), *notes])

    @property
    def conformer(self) -> Conformer:
        """This thread's conformer (a DuckDB cursor of the run's connection per thread)."""
        conformer: Conformer | None = getattr(self._local, "conformer", None)
        if conformer is None:
            cursor = self.connection.cursor()
            with self._lock:
                self._cursors.append(cursor)
            conformer = self._local.conformer = Conformer(cursor)
        return conformer

    def quarantine_table(
        self,
        schema: str,
        table: str,
        key: str,
        rows: list[int | None],
        reasons: list[str],
        texts: list[str | None],
    ) -> pa.Table:
        n = len(rows)
        return pa.table(
            {
                "schema_name": pa.repeat(pa.scalar(schema), n),
                "table_name": pa.repeat(pa.scalar(table), n),
                "dms_file": pa.repeat(pa.scalar(key), n),
                "dms_row": pa.array(rows, pa.int64()),
                "reason": pa.array(reasons, pa.string()),
                "raw_record": pa.array(texts, pa.string()),
                "landing_run_id": pa.repeat(pa.scalar(self.summary.run_id), n),
                "landed_at": pa.repeat(self.landed_at, n),
            },
            schema=QUARANTINE_SCHEMA,
        )

    # -- discovery -----------------------------------------------------------------------
    def classify(self, key: str) -> DmsFile:
        schema = key.split("/", 1)[0]
        return parse_key(key, self.settings.get(schema), self.cdc_paths)

    def discover(self, ledger: Ledger) -> list[tuple[SourceObject, DmsFile, TableContract | None]]:
        """New DMS files with a contract, in DMS order; the rest is reported."""
        todo: list[tuple[SourceObject, DmsFile, TableContract | None]] = []
        unknown_tables: Counter[str] = Counter()
        for obj in self.source.list():
            self.summary.files_seen += 1
            try:
                dms_file = self.classify(obj.key)
            except NotADmsFileError as exc:
                self.summary.skipped.append(f"{printable(obj.key[:300])}: {exc}")
                continue
            contract = self.contracts.get((dms_file.schema, dms_file.table))
            if contract is None and dms_file.kind != "txn":
                unknown_tables[dms_file.table_name] += 1
                continue
            if ledger.seen(obj):
                self.summary.files_already_landed += 1
                continue
            todo.append((obj, dms_file, contract))
        for table, count in sorted(unknown_tables.items()):
            self.summary.skipped.append(
                f"{count} file(s) for {table}: no contract "
                f"(add contracts/{table.replace('.', '/')}.yml)"
            )
        todo.sort(key=lambda item: (item[1].schema, item[1].table, item[1].order_key, item[0].key))
        return todo

    # -- one file ------------------------------------------------------------------------
    def _outputs_of_table_file(
        self, reader: BinaryIO, obj: SourceObject, dms_file: DmsFile, contract: TableContract
    ) -> list[_TableOutput]:
        output = _TableOutput(self, contract, obj)
        outputs = [output]
        try:
            parsed = open_file(reader, contract, dms_file)
            if parsed.layout.names:
                plan = output.start(parsed.layout.names, dms_file)
                if plan.drift or plan.missing:
                    notes = [f"{obj.key}: {note}" for note in plan.notes]
                    self.note_drift(contract.qualified_name, notes)
                for batch, positions in parsed.batches:
                    output.add(batch, positions, dms_file)
            output.add_bad_records(parsed.bad_records)
        except BaseException:
            output.abort()
            raise
        return outputs

    def _outputs_of_txn_file(
        self, reader: BinaryIO, obj: SourceObject, dms_file: DmsFile
    ) -> list[_TableOutput]:
        settings = self.cdc_paths["/".join(dms_file.folders)]
        outputs: dict[tuple[str, str], _TableOutput] = {}
        stream: BinaryIO = reader
        try:
            if dms_file.gzip:
                stream = gzip.GzipFile(fileobj=reader, mode="rb")  # type: ignore[assignment]
            chunks = read_transactions(stream, settings, self.contracts, dms_file)
            for chunk in chunks:
                key = (chunk.schema, chunk.table)
                output = outputs.get(key)
                if output is None:
                    contract = self.contracts.get(key) or _unknown_contract()
                    output = outputs[key] = _TableOutput(self, contract, obj)
                if chunk.batch is not None:
                    if output.plan is None:
                        output.start(chunk.batch.schema.names, _as_cdc(dms_file, output.contract))
                    output.add(chunk.batch, chunk.positions, dms_file)
                output.add_bad_records(chunk.bad)
        except READ_ERRORS as exc:
            for output in outputs.values():
                output.abort()
            raise FileRejectedError(f"cannot read: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            for output in outputs.values():
                output.abort()
            raise
        return [outputs[k] for k in sorted(outputs)]

    def land_file(
        self,
        obj: SourceObject,
        dms_file: DmsFile,
        contract: TableContract | None,
        ledger: Ledger,
    ) -> LedgerEntry:
        with self.source.open(obj.key) as stream:
            reader = HashingReader(stream)
            try:
                if contract is None:
                    outputs = self._outputs_of_txn_file(reader, obj, dms_file)  # type: ignore[arg-type]
                else:
                    outputs = self._outputs_of_table_file(reader, obj, dms_file, contract)  # type: ignore[arg-type]
                reader.drain()
            except FileRejectedError as exc:
                return self._reject_file(obj, dms_file, contract, ledger, str(exc))
        sha = reader.sha256
        if ledger.has_content(obj.key, sha):
            for output in outputs:
                output.abort()
            return self._record(obj, dms_file, sha, "duplicate", outputs=[], ledger=ledger)
        notes = []
        if ledger.has_key(obj.key):
            notes.append("new content under an already landed key: landed as a new version")
        name = f"{dms_file.stem}__{sha[:16]}.parquet"
        committed = [(output, *output.commit(name)) for output in outputs]
        landed = sum(o.rows[0] for o in outputs)
        quarantined = sum(o.rows[1] for o in outputs)
        status: Status = "landed" if landed or quarantined else "empty"
        return self._record(
            obj, dms_file, sha, status, outputs=committed, ledger=ledger, notes=notes
        )

    def _reject_file(
        self,
        obj: SourceObject,
        dms_file: DmsFile,
        contract: TableContract | None,
        ledger: Ledger,
        reason: str,
    ) -> LedgerEntry:
        with self.source.open(obj.key) as stream:
            reader = HashingReader(stream)
            kept = self.lake.keep_original(obj.key, reader)  # type: ignore[arg-type]
        output = _TableOutput(self, contract or _unknown_contract(), obj)
        output.add_bad([None], [f"file not readable: {reason}; kept at {kept}"], [None])
        name = f"{dms_file.stem}__{reader.sha256[:16]}.parquet"
        _, path = output.commit(name)
        return self._record(
            obj,
            dms_file,
            reader.sha256,
            "quarantined",
            outputs=[],
            ledger=ledger,
            quarantine_file=path,
            notes=[reason],
        )

    def _record(
        self,
        obj: SourceObject,
        dms_file: DmsFile,
        sha: str,
        status: Status,
        *,
        outputs: list[tuple[_TableOutput, str | None, str | None]],
        ledger: Ledger,
        quarantine_file: str | None = None,
        notes: list[str] | None = None,
    ) -> LedgerEntry:
        notes = list(notes or [])
        newest = [o.max_commit for o, _, _ in outputs if o.max_commit is not None]
        tables: dict[str, list[int]] = {}
        for output, _, _ in outputs:
            if output.plan is not None:
                notes.extend(output.plan.notes)
            if dms_file.kind == "txn":
                tables[output.contract.qualified_name] = list(output.rows)
        raw_files = [raw for _, raw, _ in outputs if raw]
        quarantine_files = [q for _, _, q in outputs if q]
        entry = LedgerEntry(
            key=obj.key,
            schema=dms_file.schema,
            table=dms_file.table,
            kind=dms_file.kind,
            order_key=dms_file.order_key,
            version=obj.version,
            size=obj.size,
            sha256=sha,
            status=status,
            rows_landed=sum(o.rows[0] for o, _, _ in outputs),
            rows_quarantined=sum(o.rows[1] for o, _, _ in outputs),
            raw_file=",".join(raw_files) or None,
            quarantine_file=quarantine_file or ",".join(quarantine_files) or None,
            landing_run_id=self.summary.run_id,
            landed_at=self.now.isoformat(),
            notes=notes,
            source_modified=obj.modified,
            max_commit_ts=max(newest).isoformat(sep=" ") if newest else None,
            tables=tables,
        )
        ledger.record(entry)
        return entry

    # -- the run -------------------------------------------------------------------------
    def prepare(self) -> None:
        """Zero-row files for every table and the quarantine, so readers always find them."""
        for contract in self.contracts.values():
            self.lake.ensure_table(contract, raw_schema(contract))
        self.lake.ensure_quarantine(QUARANTINE_SCHEMA)

    def run(self) -> RunSummary:
        """Land every new file, holding the lake's lock (LockHeldError if another run has it)."""
        lock = RunLock(self.lake, self.summary.run_id)
        note = lock.acquire()
        if note:
            self.summary.notes.append(note)
        try:
            return self._run()
        finally:
            for cursor in self._cursors:
                cursor.close()
            self.connection.close()
            lock.release()

    def _run(self) -> RunSummary:
        started = time.perf_counter()
        removed = self.lake.store.clean_staging()
        if removed:
            self.summary.notes.append(f"removed {removed} staged file(s) of an interrupted run")
        self.prepare()
        ledger = Ledger(self.lake)
        todo = self.discover(ledger)
        # Files land in parallel (parsing, casting and Parquet writing release the GIL); the
        # results are taken in DMS order, so the summary reads the same for any worker count.
        # One worker lands in this thread, each file after the previous one's progress report.
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="land") as pool:
            mapper = map if self.workers == 1 else pool.map
            outcomes = mapper(lambda item: self._land_one(item, ledger), todo)
            try:
                self._take(todo, outcomes)
            except BaseException:  # Ctrl-C, a failing progress display: start no more files
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        finished = datetime.now(UTC)
        self.summary.finished_at = finished.isoformat()
        self.summary.duration_s = round(time.perf_counter() - started, 3)
        self.lake.write_json(f"{LEDGER}/runs/{self.summary.run_id}.json", report(self.summary))
        return self.summary

    def _take(
        self,
        todo: list[tuple[SourceObject, DmsFile, TableContract | None]],
        outcomes: Iterator[_Outcome],
    ) -> None:
        """Count each file's outcome into the summary and report progress, in DMS order."""
        rows = 0
        for index, (item, outcome) in enumerate(zip(todo, outcomes, strict=True), start=1):
            obj = item[0]
            if outcome.vanished:
                self.summary.files_vanished += 1
                self.summary.notes.append(outcome.vanished)
            if outcome.error:
                self.summary.files_failed += 1
                self.summary.errors.append(outcome.error)
            entry = outcome.entry
            if entry is None:
                continue
            self._count(entry)
            rows += entry.rows_landed
            self.progress(
                Progress(
                    index,
                    len(todo),
                    rows,
                    f"{obj.key}: {entry.status}, {entry.rows_landed} rows"
                    + (f", {entry.rows_quarantined} quarantined" if entry.rows_quarantined else "")
                    + f" ({outcome.seconds:.1f}s)"
                    + "".join(f"\n    note: {n}" for n in entry.notes),
                )
            )

    def _land_one(
        self, item: tuple[SourceObject, DmsFile, TableContract | None], ledger: Ledger
    ) -> _Outcome:
        """Land one file (in a worker thread); a failure leaves the file for the next run."""
        obj, dms_file, contract = item
        started = time.perf_counter()
        try:
            entry = self.land_file(obj, dms_file, contract, ledger)
            return _Outcome(entry, time.perf_counter() - started)
        except ObjectVanishedError as exc:
            return _Outcome(vanished=f"{obj.key}: {exc}; not landed (a later run will see it)")
        except Exception as exc:  # an unexpected failure: leave the file for the next run
            log.exception("failed to land %s", obj.key)
            return _Outcome(error=f"{obj.key}: {type(exc).__name__}: {exc}")

    def _count(self, entry: LedgerEntry) -> None:
        if entry.status == "duplicate":
            self.summary.files_duplicate += 1
            self.summary.notes.append(f"{entry.key}: same content as an already landed version")
            return
        for table, (landed, quarantined) in entry.per_table().items():
            totals = self.summary.totals(table)
            totals.files += 1
            totals.rows_landed += landed
            totals.rows_quarantined += quarantined
        if entry.status == "quarantined":
            self.summary.files_quarantined += 1
        else:
            self.summary.files_landed += 1
        self.summary.notes.extend(f"{entry.key}: {note}" for note in entry.notes)


def report(summary: RunSummary) -> dict[str, object]:
    """The run report as JSON-ready data (also what ``--report`` writes)."""
    data = asdict(summary)
    data["rows_landed"] = summary.rows_landed
    data["rows_quarantined"] = summary.rows_quarantined
    return data


def _unknown_contract() -> TableContract:
    """Where rows of tables without a contract go in the quarantine (never the raw zone)."""
    from ingestion.contracts import Column

    return TableContract(*UNKNOWN, (Column("record", "varchar"),), ("record",))


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
