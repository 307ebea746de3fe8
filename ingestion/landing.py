"""One landing run: every DMS file not yet in the ledger lands in the raw zone, once.

For each new file: parse it (``formats``), cast each batch to the contract (``conform``),
write the rows that fit to the raw zone and the rows that do not to the quarantine, with
their reasons, then record the file in the ledger. A file that cannot be read at all is kept
whole under ``quarantine_files/`` and listed in the quarantine. Nothing is dropped silently.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.conform import QUARANTINE_SCHEMA, Conformer, plan_columns, raw_schema
from ingestion.contracts import TableContract
from ingestion.dmsfiles import DmsFile, NotADmsFileError, parse_key
from ingestion.errors import FileRejectedError
from ingestion.formats import HashingReader, open_file
from ingestion.lake import Lake, ParquetFileWriter, write_json_atomic
from ingestion.ledger import Ledger, LedgerEntry
from ingestion.sources import FileSource, SourceObject

log = logging.getLogger("ingestion")


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
    tables: dict[str, TableTotals] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def totals(self, table: str) -> TableTotals:
        return self.tables.setdefault(table, TableTotals())

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables.values())


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def _timestamp(now: datetime) -> pa.Scalar:
    return pa.scalar(now.replace(tzinfo=None), pa.timestamp("us"))


class Lander:
    """Lands files into one lake; one instance per run."""

    def __init__(
        self,
        source: FileSource,
        lake: Lake,
        contracts: dict[tuple[str, str], TableContract],
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.source = source
        self.lake = lake
        self.contracts = contracts
        self.progress = progress or (lambda message: None)
        now = datetime.now(UTC)
        self.now = now
        self.summary = RunSummary(
            new_run_id(now), source.describe(), lake.describe(), now.isoformat()
        )
        self.connection = duckdb.connect(":memory:")
        self.conformer = Conformer(self.connection)

    # -- discovery -----------------------------------------------------------------------
    def discover(self, ledger: Ledger) -> list[tuple[SourceObject, DmsFile, TableContract]]:
        """New DMS files with a contract, in DMS order per table; the rest is reported."""
        todo = []
        unknown_tables: Counter[str] = Counter()
        for obj in self.source.list():
            self.summary.files_seen += 1
            try:
                dms_file = parse_key(obj.key)
            except NotADmsFileError as exc:
                self.summary.skipped.append(f"{obj.key}: {exc}")
                continue
            contract = self.contracts.get((dms_file.schema, dms_file.table))
            if contract is None:
                unknown_tables[f"{dms_file.schema}.{dms_file.table}"] += 1
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
        todo.sort(key=lambda item: (item[1].schema, item[1].table, item[1].order_key))
        return todo

    # -- one file ------------------------------------------------------------------------
    def land_file(
        self, obj: SourceObject, dms_file: DmsFile, contract: TableContract, ledger: Ledger
    ) -> LedgerEntry | None:
        run_id = self.summary.run_id
        landed_at = _timestamp(self.now)
        raw_dir = self.lake.table_dir("raw", contract.schema, contract.table)
        quarantine_dir = self.lake.table_dir("quarantine", contract.schema, contract.table)
        notes: list[str] = []
        raw_writer: ParquetFileWriter | None = None
        quarantine_writer = ParquetFileWriter(quarantine_dir, QUARANTINE_SCHEMA)

        def quarantine(rows: list[int | None], reasons: list[str], texts: list[str | None]) -> None:
            n = len(rows)
            quarantine_writer.write(
                pa.table(
                    {
                        "schema_name": pa.repeat(pa.scalar(contract.schema), n),
                        "table_name": pa.repeat(pa.scalar(contract.table), n),
                        "dms_file": pa.repeat(pa.scalar(obj.key), n),
                        "dms_row": pa.array(rows, pa.int64()),
                        "reason": pa.array(reasons, pa.string()),
                        "raw_record": pa.array(texts, pa.string()),
                        "landing_run_id": pa.repeat(pa.scalar(run_id), n),
                        "landed_at": pa.repeat(landed_at, n),
                    },
                    schema=QUARANTINE_SCHEMA,
                )
            )

        with self.source.open(obj.key) as stream:
            reader = HashingReader(stream)
            try:
                parsed = open_file(reader, contract, dms_file)  # type: ignore[arg-type]
                if parsed.layout.names:
                    plan = plan_columns(parsed.layout.names, contract, dms_file)
                    notes.extend(plan.notes)
                    schema = raw_schema(contract, plan.drift)
                    raw_writer = ParquetFileWriter(raw_dir, schema)
                    for batch, positions in parsed.batches:
                        good, bad = self.conformer.conform(batch, positions, plan, contract)
                        n = good.num_rows
                        good = good.rename_columns(
                            [name if name != "__row" else "_dms_row" for name in good.column_names]
                        )
                        good = good.append_column("_dms_file", pa.repeat(pa.scalar(obj.key), n))
                        good = good.append_column(
                            "_dms_file_order", pa.repeat(pa.scalar(dms_file.order_key), n)
                        )
                        good = good.append_column(
                            "_landing_run_id", pa.repeat(pa.scalar(run_id), n)
                        )
                        good = good.append_column("_landed_at", pa.repeat(landed_at, n))
                        raw_writer.write(good.select(schema.names))
                        if bad.num_rows:
                            quarantine(
                                bad.column("__row").to_pylist(),
                                bad.column("__reason").to_pylist(),
                                bad.column("__raw").to_pylist(),
                            )
                if parsed.bad_records:
                    quarantine(
                        [b.row for b in parsed.bad_records],
                        [b.reason for b in parsed.bad_records],
                        [b.text for b in parsed.bad_records],
                    )
                reader.drain()
            except FileRejectedError as exc:
                if raw_writer is not None:
                    raw_writer.abort()
                quarantine_writer.abort()
                return self._reject_file(obj, dms_file, contract, ledger, str(exc))
            except BaseException:
                if raw_writer is not None:
                    raw_writer.abort()
                quarantine_writer.abort()
                raise
        sha = reader.sha256
        if ledger.has_content(obj.key, sha):
            if raw_writer is not None:
                raw_writer.abort()
            quarantine_writer.abort()
            return self._record(obj, dms_file, sha, "duplicate", 0, 0, None, None, notes, ledger)
        name = f"{dms_file.stem}__{sha[:16]}.parquet"
        raw_path = raw_writer.commit(name) if raw_writer is not None else None
        rows_landed = raw_writer.rows if raw_writer is not None else 0
        rows_quarantined = quarantine_writer.rows
        quarantine_path = quarantine_writer.commit(name)
        status = "landed" if rows_landed or rows_quarantined else "empty"
        return self._record(
            obj,
            dms_file,
            sha,
            status,
            rows_landed,
            rows_quarantined,
            raw_path,
            quarantine_path,
            notes,
            ledger,
        )

    def _reject_file(
        self,
        obj: SourceObject,
        dms_file: DmsFile,
        contract: TableContract,
        ledger: Ledger,
        reason: str,
    ) -> LedgerEntry:
        with self.source.open(obj.key) as stream:
            reader = HashingReader(stream)
            kept = self.lake.keep_original(obj.key, reader)  # type: ignore[arg-type]
        writer = ParquetFileWriter(
            self.lake.table_dir("quarantine", contract.schema, contract.table), QUARANTINE_SCHEMA
        )
        writer.write(
            pa.table(
                {
                    "schema_name": [contract.schema],
                    "table_name": [contract.table],
                    "dms_file": [obj.key],
                    "dms_row": pa.array([None], pa.int64()),
                    "reason": [f"file not readable: {reason}; kept at {self.lake.relative(kept)}"],
                    "raw_record": pa.array([None], pa.string()),
                    "landing_run_id": [self.summary.run_id],
                    "landed_at": pa.array([_timestamp(self.now).as_py()], pa.timestamp("us")),
                },
                schema=QUARANTINE_SCHEMA,
            )
        )
        path = writer.commit(f"{dms_file.stem}__{reader.sha256[:16]}.parquet")
        return self._record(
            obj, dms_file, reader.sha256, "quarantined", 0, 0, None, path, [reason], ledger
        )

    def _record(
        self,
        obj: SourceObject,
        dms_file: DmsFile,
        sha: str,
        status: str,
        rows_landed: int,
        rows_quarantined: int,
        raw_path: Path | None,
        quarantine_path: Path | None,
        notes: list[str],
        ledger: Ledger,
    ) -> LedgerEntry:
        entry = LedgerEntry(
            key=obj.key,
            schema=dms_file.schema,
            table=dms_file.table,
            kind=dms_file.kind,
            order_key=dms_file.order_key,
            version=obj.version,
            size=obj.size,
            sha256=sha,
            status=status,  # type: ignore[arg-type]
            rows_landed=rows_landed,
            rows_quarantined=rows_quarantined,
            raw_file=self.lake.relative(raw_path) if raw_path else None,
            quarantine_file=self.lake.relative(quarantine_path) if quarantine_path else None,
            landing_run_id=self.summary.run_id,
            landed_at=self.now.isoformat(),
            notes=notes,
        )
        ledger.record(entry)
        return entry

    # -- the run -------------------------------------------------------------------------
    def run(self) -> RunSummary:
        started = time.perf_counter()
        for contract in self.contracts.values():
            self.lake.ensure_table(contract, raw_schema(contract))
        self.lake.ensure_quarantine(QUARANTINE_SCHEMA)
        ledger = Ledger(self.lake)
        todo = self.discover(ledger)
        for index, (obj, dms_file, contract) in enumerate(todo, start=1):
            file_started = time.perf_counter()
            try:
                entry = self.land_file(obj, dms_file, contract, ledger)
            except Exception as exc:  # an unexpected failure: leave the file for the next run
                log.exception("failed to land %s", obj.key)
                self.summary.files_failed += 1
                self.summary.errors.append(f"{obj.key}: {type(exc).__name__}: {exc}")
                continue
            if entry is None:
                continue
            self._count(entry, contract)
            self.progress(
                f"[{index}/{len(todo)}] {obj.key}: {entry.status}, {entry.rows_landed} rows"
                + (f", {entry.rows_quarantined} quarantined" if entry.rows_quarantined else "")
                + f" ({time.perf_counter() - file_started:.1f}s)"
                + "".join(f"\n    note: {n}" for n in entry.notes)
            )
        finished = datetime.now(UTC)
        self.summary.finished_at = finished.isoformat()
        self.summary.duration_s = round(time.perf_counter() - started, 3)
        self.connection.close()
        report = self.lake.ledger_dir / "runs" / f"{self.summary.run_id}.json"
        write_json_atomic(report, asdict(self.summary))
        return self.summary

    def _count(self, entry: LedgerEntry, contract: TableContract) -> None:
        totals = self.summary.totals(contract.qualified_name)
        if entry.status == "duplicate":
            self.summary.files_duplicate += 1
            self.summary.notes.append(f"{entry.key}: same content as an already landed version")
            return
        totals.files += 1
        totals.rows_landed += entry.rows_landed
        totals.rows_quarantined += entry.rows_quarantined
        if entry.status == "quarantined":
            self.summary.files_quarantined += 1
        else:
            self.summary.files_landed += 1
        self.summary.notes.extend(f"{entry.key}: {note}" for note in entry.notes)
