"""Turn a DMS file's bytes into Arrow record batches, each row with its position in the file.

CSV is read with pyarrow's streaming reader with DMS's conventions: RFC 4180 quoting,
newlines inside quoted values, NULL as an empty unquoted field and ``""`` as an empty string.
Every column is read as text; ``conform`` casts to the contract. Records whose field count is
wrong are not dropped: they are returned as ``BadRecord`` for the quarantine.

One job, one module (about 330 lines): reading a DMS file, CSV or Parquet, into the same
``ParsedFile`` (``open_file`` picks the reader). The CSV reader is most of it: the header
decision, row positions past the records the reader skips, bad UTF-8 and NUL bytes.
"""

from __future__ import annotations

import csv
import decimal
import gzip
import io
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ingestion.contracts import TableContract
from ingestion.dmsfiles import DmsFile
from ingestion.errors import FileRejectedError
from ingestion.streams import ByteStream, spool

OP_COLUMN = "Op"
OPS = ("I", "U", "D")
READ_ERRORS = (pa.ArrowException, UnicodeDecodeError, OSError, EOFError, zlib.error)
BLOCK_SIZE = 16 << 20
# Python's csv module refuses fields over 128 KB; DMS fields can be as large as a block
csv.field_size_limit(max(csv.field_size_limit(), BLOCK_SIZE))
_PEEK = 1 << 20


@dataclass
class BadRecord:
    row: int | None
    reason: str
    text: str | None


@dataclass
class Layout:
    """The columns of a file, in order, and whether the first record is a header."""

    names: list[str]
    header: bool


@dataclass
class ParsedFile:
    layout: Layout
    batches: Iterator[tuple[pa.RecordBatch, np.ndarray]]
    bad_records: list[BadRecord] = field(default_factory=list)


def expected_columns(contract: TableContract, dms_file: DmsFile, with_op: bool) -> list[str]:
    """The column order DMS writes without a header: Op, timestamp, table columns, extras."""
    settings = contract.settings
    names = [OP_COLUMN] if with_op else []
    if settings.timestamp_column_name:
        names.append(settings.timestamp_column_name)
    names.extend(contract.column_names)
    if settings.change_seq_column_name:
        names.append(settings.change_seq_column_name)
    return names


def _first_record(prefix: bytes, delimiter: str = ",") -> list[str] | None:
    text = prefix.decode("utf-8", errors="replace")
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (StopIteration, csv.Error):
        return None


def detect_layout(prefix: bytes, contract: TableContract, dms_file: DmsFile) -> Layout:
    """Decide header/no header and the column order from the file's first record."""
    first = _first_record(prefix, contract.settings.csv_delimiter)
    if first is None:
        return Layout(expected_columns(contract, dms_file, with_op=True), header=False)
    known = {n.lower() for n in expected_columns(contract, dms_file, with_op=True)}
    if first and sum(f.strip().lower() in known for f in first) >= max(1, len(first) // 2):
        return Layout([f.strip() for f in first], header=True)
    with_op = expected_columns(contract, dms_file, with_op=True)
    without_op = expected_columns(contract, dms_file, with_op=False)
    if dms_file.kind == "load" and len(first) == len(without_op) and first[0] not in OPS:
        return Layout(without_op, header=False)
    if dms_file.kind == "load" and not contract.settings.include_op_for_full_load:
        return Layout(without_op, header=False)
    return Layout(with_op, header=False)


def _positions(first_record: int, start: int, count: int, skipped: list[int]) -> np.ndarray:
    """1-based data-record numbers of kept rows ``start..start+count`` (0-based ordinals).

    ``skipped`` holds the record numbers (header counted as record 1 when present) the CSV
    reader dropped; kept row k has record number ``first_record + k + #(skipped before it)``.
    """
    ordinals = np.arange(start, start + count, dtype=np.int64)
    if not skipped:
        return ordinals + first_record
    s = np.sort(np.asarray(skipped, dtype=np.int64))
    thresholds = s - first_record - np.arange(len(s), dtype=np.int64)
    return ordinals + first_record + np.searchsorted(thresholds, ordinals, side="right")


def _has_nul(column: pa.Array) -> bool:
    data = column.buffers()[2]
    # the smallest byte is 0 exactly when there is a NUL: a reduction, no array of the data's size
    return data is not None and data.size > 0 and int(np.frombuffer(data, np.uint8).min()) == 0


def _problem(value: bytes) -> str | None:
    at = value.find(b"\x00")
    if at >= 0:
        return f"contains a NUL byte (at {at})"
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"is not valid UTF-8 (byte {exc.start})"
    return None


def as_text(
    batch: pa.RecordBatch, positions: np.ndarray, bad: list[BadRecord]
) -> tuple[pa.RecordBatch, np.ndarray]:
    """Decode every column as UTF-8 text.

    Records with invalid UTF-8 or a NUL byte (which Redshift and many tools refuse) go to
    ``bad`` with a reason, the record shown with the odd bytes escaped.
    """
    try:
        if not any(_has_nul(column) for column in batch.columns):
            columns = [column.cast(pa.string()) for column in batch.columns]
            return pa.RecordBatch.from_arrays(columns, names=batch.schema.names), positions
    except pa.ArrowInvalid:
        pass
    keep = np.ones(batch.num_rows, dtype=bool)
    for index, column in enumerate(batch.columns):
        for row, value in enumerate(column.to_pylist()):
            if value is None or not keep[row]:
                continue
            problem = _problem(value)
            if problem is None:
                continue
            keep[row] = False
            record = [
                ""
                if v is None
                else v.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")
                for v in (c[row].as_py() for c in batch.columns)
            ]
            bad.append(
                BadRecord(int(positions[row]), f"field {index + 1} {problem}", ",".join(record))
            )
    kept = batch.filter(pa.array(keep))
    columns = [column.cast(pa.string()) for column in kept.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names), positions[keep]


class InvalidRows:
    """pyarrow's invalid-row handler for one file: records with the wrong field count.

    pyarrow decodes such a record's text as UTF-8 before it calls the handler; when the text
    is not UTF-8 that decoding fails inside pyarrow, which cannot skip the record and stops
    the file, and Python reports the failure as ``Exception ignored in: ...
    UnicodeDecodeError`` on stderr. ``_quiet_hook`` counts those here instead of printing
    them, so the file's rejection can say why (the file is kept whole in the quarantine).
    The hook is installed when a CSV file is first read (pytest replaces hooks at start).
    """

    def __init__(self, header_offset: int) -> None:
        self.header_offset = header_offset
        self.bad: list[BadRecord] = []
        self.skipped: list[int] = []
        """Record numbers the reader dropped (header counted as record 1 when present)."""
        self.undecodable = 0

    def __call__(self, row: pacsv.InvalidRow) -> str:
        number = None if row.number is None else int(row.number)
        if number is not None:
            self.skipped.append(number)
        reason = f"expected {row.expected_columns} fields, found {row.actual_columns}"
        data_row = None if number is None else number - self.header_offset
        self.bad.append(BadRecord(data_row, reason, row.text))
        return "skip"

    def rejection(self, exc: BaseException) -> FileRejectedError:
        if self.undecodable:
            return FileRejectedError(
                "cannot read as CSV: a record with the wrong number of fields is not valid "
                f"UTF-8, which the CSV reader cannot skip ({exc})"
            )
        return FileRejectedError(f"cannot read as CSV: {exc}")


class QuietHook:
    """``sys.unraisablehook`` that gives pyarrow's undecodable invalid rows to their handler
    (``InvalidRows``) and passes anything else to the hook it replaced."""

    def __init__(self, previous: Callable[[sys.UnraisableHookArgs], object]) -> None:
        self.previous = previous

    def __call__(self, unraisable: sys.UnraisableHookArgs) -> None:
        handler = unraisable.object
        if isinstance(handler, InvalidRows) and isinstance(
            unraisable.exc_value, UnicodeDecodeError
        ):
            handler.undecodable += 1
            return
        self.previous(unraisable)


def read_csv(stream: ByteStream, contract: TableContract, dms_file: DmsFile) -> ParsedFile:
    """Stream a DMS CSV file (already decompressed) as text batches with row positions."""
    buffered = io.BufferedReader(stream, buffer_size=_PEEK)
    prefix = buffered.peek(_PEEK)[:_PEEK]
    if not prefix.strip():
        return ParsedFile(Layout([], header=False), iter(()))
    layout = detect_layout(prefix, contract, dms_file)
    header_offset = 1 if layout.header else 0
    on_invalid = InvalidRows(header_offset)
    bad, skipped = on_invalid.bad, on_invalid.skipped
    if not isinstance(sys.unraisablehook, QuietHook):  # installed once, where first needed
        sys.unraisablehook = QuietHook(sys.unraisablehook)

    try:
        reader = pacsv.open_csv(
            buffered,
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(layout.names))],
                skip_rows=header_offset,
                block_size=BLOCK_SIZE,
                use_threads=False,  # the reader then reports record numbers of bad rows
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=contract.settings.csv_delimiter,
                newlines_in_values=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                # bytes first: a record with bad UTF-8 is quarantined, not the whole file
                column_types={f"c{i}": pa.binary() for i in range(len(layout.names))},
                # NULL is an empty unquoted field, nothing else: pyarrow would also take
                # 'NA', 'N/A', 'null', 'NaN'... for NULL (Namibia's country code is NA)
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except READ_ERRORS as exc:
        raise on_invalid.rejection(exc) from exc

    def batches() -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
        kept = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except READ_ERRORS as exc:
                raise on_invalid.rejection(exc) from exc
            # data rows are numbered from 1; the reader counts the header as a record
            positions = _positions(1 + header_offset, kept, batch.num_rows, skipped) - header_offset
            kept += batch.num_rows
            text, positions = as_text(batch, positions, bad)
            yield text.rename_columns(layout.names), positions

    return ParsedFile(layout, batches(), bad)


def _decimal_from_bytes(column: pa.Array, target: pa.Decimal128Type) -> pa.Array:
    """Fixed-length big-endian two's complement bytes (no decimal annotation) as decimals."""
    scale = decimal.Decimal(1).scaleb(-target.scale)
    values = [
        None if raw is None else decimal.Decimal(int.from_bytes(raw, "big", signed=True)) * scale
        for raw in column.to_pylist()
    ]
    return pa.array(values, target)


def _normalize_parquet(batch: pa.RecordBatch, contract: TableContract) -> pa.RecordBatch:
    """Make the Parquet types DMS writes castable: unannotated fixed-length decimals."""
    types = {c.name.lower(): c.arrow_type for c in contract.columns}
    columns = []
    changed = False
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        target = types.get(name.lower())
        if pa.types.is_fixed_size_binary(column.type) and isinstance(target, pa.Decimal128Type):
            column = _decimal_from_bytes(column, target)
            changed = True
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names) if changed else batch


def read_parquet(stream: IO[bytes], contract: TableContract) -> ParsedFile:
    """Stream a DMS Parquet file; columns keep their Parquet types until ``conform``."""
    try:
        parquet = pq.ParquetFile(stream)
    except READ_ERRORS as exc:
        raise FileRejectedError(f"cannot read as Parquet: {exc}") from exc
    names = list(parquet.schema_arrow.names)

    def batches() -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
        start = 1
        try:
            for batch in parquet.iter_batches(batch_size=262_144):
                positions = np.arange(start, start + batch.num_rows, dtype=np.int64)
                yield _normalize_parquet(batch, contract), positions
                start += batch.num_rows
        except READ_ERRORS as exc:
            raise FileRejectedError(f"cannot read as Parquet: {exc}") from exc

    return ParsedFile(Layout(names, header=True), batches())


def open_file(stream: ByteStream, contract: TableContract, dms_file: DmsFile) -> ParsedFile:
    """Parse any DMS file variant (CSV, gzip CSV, Parquet)."""
    try:
        if dms_file.format == "parquet":
            return read_parquet(spool(stream), contract)
        if dms_file.gzip:
            unzipped = gzip.GzipFile(fileobj=stream, mode="rb")
            return read_csv(unzipped, contract, dms_file)
        return read_csv(stream, contract, dms_file)
    except READ_ERRORS as exc:
        raise FileRejectedError(f"cannot read: {type(exc).__name__}: {exc}") from exc
