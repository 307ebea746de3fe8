"""The staged outputs of one table for one DMS file: raw-zone rows and quarantine rows.

Batches are cast to the contract (``conform``); the rows that fit are written, with their
lineage, to a staged raw-zone Parquet file, the rows that do not to a staged quarantine file.
Nothing is visible until ``commit`` publishes both under the name the caller gives (derived
from the DMS file and its content); ``abort`` drops them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.conform import ColumnPlan, Conformer, plan_columns
from ingestion.contracts import TableContract
from ingestion.dmsfiles import DmsFile
from ingestion.formats import BadRecord
from ingestion.lake import Lake, ParquetFileWriter
from ingestion.quarantine import quarantine_rows, timestamp_scalar
from ingestion.schemas import QUARANTINE_SCHEMA, raw_schema


@dataclass(frozen=True)
class RunStamp:
    """What every row a run writes carries: the run id and the run's start (UTC)."""

    run_id: str
    started: datetime


class TableWriter:
    """The staged raw and quarantine files of one table for one DMS file."""

    def __init__(
        self,
        lake: Lake,
        stamp: RunStamp,
        conformer: Conformer,
        contract: TableContract,
        key: str,
        generation: int,
    ) -> None:
        self.lake = lake
        self.stamp = stamp
        self.generation = generation
        """The full load of the table the rows belong to (``generations``)."""
        self.conformer = conformer
        self.contract = contract
        self.key = key
        self.raw_dir = lake.table_dir("raw", contract.schema, contract.table)
        self.quarantine = ParquetFileWriter(
            lake, lake.table_dir("quarantine", contract.schema, contract.table), QUARANTINE_SCHEMA
        )
        self.raw: ParquetFileWriter | None = None
        self.plan: ColumnPlan | None = None
        self.max_commit: datetime | None = None
        self.problems: Counter[str] = Counter()
        """Per column, rows quarantined because a value does not fit its type."""

    def start(self, names: list[str], dms_file: DmsFile) -> ColumnPlan:
        """Map the file's columns onto the contract (FileRejectedError if they cannot be)."""
        self.plan = plan_columns(names, self.contract, dms_file)
        self.raw = ParquetFileWriter(
            self.lake, self.raw_dir, raw_schema(self.contract, self.plan.drift)
        )
        return self.plan

    def add(self, batch: pa.RecordBatch, positions: np.ndarray, dms_file: DmsFile) -> None:
        assert self.plan is not None and self.raw is not None, "start() first"
        conformed = self.conformer.conform(batch, positions, self.plan, self.contract)
        good, bad = conformed.good, conformed.bad
        self.problems.update(conformed.problems)
        n = good.num_rows
        good = good.rename_columns(["_dms_row" if c == "__row" else c for c in good.column_names])
        lineage = {
            "_dms_file": pa.scalar(self.key),
            "_dms_file_order": pa.scalar(dms_file.order_key),
            "_landing_run_id": pa.scalar(self.stamp.run_id),
            "_landed_at": timestamp_scalar(self.stamp.started),
            "_load_generation": pa.scalar(self.generation, pa.int32()),
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
            quarantine_rows(
                self.contract,
                self.key,
                rows,
                reasons,
                texts,
                run_id=self.stamp.run_id,
                landed_at=self.stamp.started,
            )
        )

    def add_bad_records(self, records: list[BadRecord]) -> None:
        if records:
            self.add_bad(
                [b.row for b in records], [b.reason for b in records], [b.text for b in records]
            )

    @property
    def rows(self) -> tuple[int, int]:
        """(rows landed, rows quarantined) so far."""
        return (self.raw.rows if self.raw else 0), self.quarantine.rows

    def commit(self, name: str) -> tuple[str | None, str | None]:
        """Publish the staged files as ``name``: (raw file, quarantine file), None if empty."""
        raw = self.raw.commit(name) if self.raw else None
        return raw, self.quarantine.commit(name)

    def abort(self) -> None:
        if self.raw is not None:
            self.raw.abort()
        self.quarantine.abort()
