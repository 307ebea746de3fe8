"""The lake's layout and its atomic writes.

    raw/<schema>/<table>/<dms file stem>__<content id>.parquet   landed rows
    raw/<schema>/<table>/_schema.parquet                          zero rows, the contract
    quarantine/<schema>/<table>/<stem>__<content id>.parquet      rows that did not fit
    quarantine_files/<dms key>                                    files that could not be read
    _ledger/files/...json                                         one record per landed file
    _ledger/runs/<run id>.json                                    one report per run

Every file is written beside its final name and renamed into place, so a reader never sees a
half-written file. Names are built only from validated identifiers and DMS file stems.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.contracts import TableContract, check_identifier
from ingestion.errors import UserError

ROW_GROUP_SIZE = 1_000_000
EMPTY_FILE = "_schema.parquet"


class Lake:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def describe(self) -> str:
        return str(self.root)

    def inside(self, path: Path) -> Path:
        """``path`` if it lies inside the lake, else an error (never write outside)."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise UserError(f"refusing to write outside the lake: {path}")
        return resolved

    def table_dir(self, zone: str, schema: str, table: str) -> Path:
        check_identifier(schema, "schema")
        check_identifier(table, "table")
        return self.inside(self.root / zone / schema / table)

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    @property
    def ledger_dir(self) -> Path:
        return self.root / "_ledger"

    def ensure_table(self, contract: TableContract, schema: pa.Schema) -> None:
        """Create the table's folder with a zero-row file so readers see an empty table."""
        directory = self.table_dir("raw", contract.schema, contract.table)
        directory.mkdir(parents=True, exist_ok=True)
        empty = directory / EMPTY_FILE
        existing = pq.read_schema(empty) if empty.exists() else None
        if existing is None or not existing.equals(schema):
            write_parquet_atomic(empty, schema.empty_table())

    def ensure_quarantine(self, schema: pa.Schema) -> None:
        directory = self.inside(self.root / "quarantine")
        directory.mkdir(parents=True, exist_ok=True)
        empty = directory / EMPTY_FILE
        if not empty.exists():
            write_parquet_atomic(empty, schema.empty_table())

    def keep_original(self, key: str, stream: BinaryIO) -> Path:
        """Copy a file that could not be read, so it survives DMS deleting its copy."""
        target = self.inside(self.root / "quarantine_files" / key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        with tmp.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        tmp.replace(target)
        return target


class ParquetFileWriter:
    """Writes batches to ``<final>.tmp`` and renames to the final name on ``commit``."""

    def __init__(self, directory: Path, schema: pa.Schema) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.schema = schema
        self.tmp = directory / f".incoming-{os.getpid()}-{id(self)}.parquet.tmp"
        self._writer: pq.ParquetWriter | None = None
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp, self.schema, compression="snappy")
        self._writer.write_table(table.cast(self.schema), row_group_size=ROW_GROUP_SIZE)
        self.rows += table.num_rows

    def commit(self, name: str) -> Path | None:
        """Move the file into place as ``name``; nothing is written for zero rows."""
        if self._writer is None:
            return None
        self._writer.close()
        self._writer = None
        final = self.directory / name
        self.tmp.replace(final)
        return final

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.tmp.unlink(missing_ok=True)


def write_parquet_atomic(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="snappy")
    tmp.replace(path)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")
    tmp.replace(path)
