"""PreserveTransactions files: ``<cdc path>/CDC_TXN-<time>.csv`` with rows of many tables.

Each record is ``Op,table_name,schema_name`` followed by that table's fields in the order a
headerless per-table file has them without ``Op``: the timestamp column (if configured), the
table's columns, the change sequence column (if configured); a record may lack the table's
trailing ``added_later`` columns (null), as in a headerless table file. Records are grouped
per table into text batches, keeping each record's position in the whole file, so every
table's rows land with the file's lineage. Records of tables without a contract, and records
whose field count does not fit their table, are returned as bad records for the quarantine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ingestion.contracts import TableContract
from ingestion.dms_settings import DmsSettings
from ingestion.dmsfiles import DmsFile
from ingestion.errors import FileRejectedError
from ingestion.formats import BadRecord, Layout, expected_columns
from ingestion.quarantine import UNKNOWN
from ingestion.streams import ByteStream

CHUNK_ROWS = 65_536


@dataclass
class TableChunk:
    """Some records of one table from a transaction file (or bad records of unknown tables)."""

    schema: str
    table: str
    batch: pa.RecordBatch | None
    positions: np.ndarray
    bad: list[BadRecord] = field(default_factory=list)


def _is_header(record: list[str]) -> bool:
    return [f.strip().lower() for f in record[:3]] == ["op", "table_name", "schema_name"]


class _Lines:
    """The lines a ``csv.reader`` takes from a text stream, kept until the record they make is
    read: the record's text as written, from which ``_quoted`` tells ``""`` from NULL."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline()
        if not line:
            raise StopIteration
        self.taken.append(line)
        return line

    def record_text(self) -> str:
        """The text of the record just read (and forget it)."""
        text = "".join(self.taken)
        self.taken.clear()
        return text


def _quoted(text: str, delimiter: str) -> list[bool]:
    """Which fields of one CSV record (text the csv module read with ``strict``) are quoted:
    an empty quoted field is an empty string, an empty unquoted one NULL. Python's csv module
    (3.11) reads both as ``''``. As in that module, a quote opens a quoted field only at the
    field's start and is a plain character elsewhere; ``""`` inside quotes is one quote."""
    flags: list[bool] = []
    quoted = in_quotes = closed = False
    start = True
    for char in text:
        if in_quotes:
            if char == '"':
                in_quotes, closed = False, True
        elif char == '"' and (start or closed):  # a field's opening quote, or a doubled one
            quoted = in_quotes = True
            start = closed = False
        elif char == delimiter:
            flags.append(quoted)
            quoted = closed = False
            start = True
        elif char in "\r\n":
            break
        else:
            start = closed = False
    flags.append(quoted)
    return flags


def _plus_two(counts: str) -> str:
    """A table's field counts (``7`` or ``7 to 9``) as counts of a transaction record, which
    adds ``table_name`` and ``schema_name``."""
    return " to ".join(str(int(n) + 2) for n in counts.split(" to "))


def read_transactions(
    stream: ByteStream,
    settings: DmsSettings,
    contracts: dict[tuple[str, str], TableContract],
    dms_file: DmsFile,
) -> Generator[TableChunk, None, None]:
    """Split a transaction file's records by table, ``CHUNK_ROWS`` at a time."""
    buffered = io.BufferedReader(stream)
    text = io.TextIOWrapper(buffered, encoding="utf-8", errors="surrogateescape", newline="")
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=settings.csv_delimiter, strict=True)
    pending: dict[tuple[str, str], tuple[list[list[str | None]], list[int]]] = {}
    layouts = {
        key: Layout(
            expected_columns(contract, dms_file, with_op=True),
            header=False,
            added_later=list(contract.added_later_columns),
        )
        for key, contract in contracts.items()
    }
    unknown: list[BadRecord] = []
    position = 0

    def flush(key: tuple[str, str]) -> TableChunk:
        rows, positions = pending.pop(key)
        names = layouts[key].names
        columns = [pa.array([row[i] for row in rows], pa.string()) for i in range(len(names))]
        batch = pa.RecordBatch.from_arrays(columns, names=names)
        return TableChunk(key[0], key[1], batch, np.asarray(positions, dtype=np.int64))

    try:
        for record in reader:
            raw = lines.record_text()
            if position == 0 and _is_header(record):
                continue
            position += 1
            line = settings.csv_delimiter.join(record)
            try:
                line.encode("utf-8")
            except UnicodeEncodeError as exc:
                shown = line.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                unknown.append(BadRecord(position, f"not valid UTF-8 (at {exc.start})", shown))
                continue
            if len(record) < 3:
                unknown.append(BadRecord(position, "expected Op,table_name,schema_name,...", line))
                continue
            key = (record[2], record[1])
            layout = layouts.get(key)
            if layout is None:
                unknown.append(
                    BadRecord(
                        position, f"no contract for table {record[2][:80]}.{record[1][:80]}", line
                    )
                )
                continue
            fields = [record[0], *record[3:]]
            names = layout.names_for(len(fields))  # added-later columns may be lacking
            if names is None:
                yield TableChunk(
                    key[0],
                    key[1],
                    None,
                    np.empty(0, dtype=np.int64),
                    [
                        BadRecord(
                            position,
                            f"expected {_plus_two(layout.expected_fields)} fields, "
                            f"found {len(record)}",
                            line,
                        )
                    ],
                )
                continue
            values: list[str | None] = list(fields)
            if "" in fields:  # NULL is an empty unquoted field, ``""`` an empty string
                quoted = _quoted(raw, settings.csv_delimiter)
                values = [
                    None if f == "" and not q else f
                    for f, q in zip(fields, [quoted[0], *quoted[3:]], strict=True)
                ]
            if len(names) < len(layout.names):  # null in the columns the record lacks
                by_name = dict(zip(names, values, strict=True))
                values = [by_name.get(name) for name in layout.names]
            rows, positions = pending.setdefault(key, ([], []))
            rows.append(values)
            positions.append(position)
            if len(rows) >= CHUNK_ROWS:
                yield flush(key)
        for key in sorted(pending):
            yield flush(key)
        if unknown:
            yield TableChunk(*UNKNOWN, None, np.empty(0, dtype=np.int64), unknown)
    except csv.Error as exc:
        raise FileRejectedError(f"cannot read as CSV near record {position + 1}: {exc}") from exc
    finally:
        text.detach()  # leave the caller's stream open (it hashes the rest of the file)
        buffered.detach()
