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
    added_later: list[str] = field(default_factory=list)
    """Without a header: the contract's trailing ``added_later`` columns, which a record
    written before the source gained them lacks (the last j of them, j = 1..k)."""

    def names_for(self, count: int) -> list[str] | None:
        """The columns of a record of ``count`` fields: all of them, or all but the last j
        added-later columns; None when no layout has that many fields."""
        later = self.added_later
        for j in range(len(later) + 1):
            lacking = set(later[len(later) - j :])
            names = [n for n in self.names if n not in lacking]
            if len(names) == count:
                return names
        return None

    @property
    def expected_fields(self) -> str:
        """The field counts a record may have, for a reason: ``7`` or ``7 to 9``."""
        full = len(self.names)
        if not self.added_later:
            return str(full)
        return f"{full - len(self.added_later)} to {full}"


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
    later = list(contract.added_later_columns)
    if first is None:
        return Layout(expected_columns(contract, dms_file, with_op=True), False, later)
    known = {n.lower() for n in expected_columns(contract, dms_file, with_op=True)}
    if first and sum(f.strip().lower() in known for f in first) >= max(1, len(first) // 2):
        return Layout([f.strip() for f in first], header=True)
    with_op = Layout(expected_columns(contract, dms_file, with_op=True), False, later)
    without_op = Layout(expected_columns(contract, dms_file, with_op=False), False, later)
    fits_without_op = without_op.names_for(len(first)) is not None
    if dms_file.kind == "load" and fits_without_op and first[0] not in OPS:
        return without_op
    if dms_file.kind == "load" and not contract.settings.include_op_for_full_load:
        return without_op
    return with_op


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

    def __init__(self, header_offset: int, layout: Layout | None = None) -> None:
        self.header_offset = header_offset
        self.layout = layout
        """Without a header and with added-later columns: the layout records may fit."""
        self.bad: list[BadRecord] = []
        self.skipped: list[int] = []
        """Record numbers the reader dropped (header counted as record 1 when present)."""
        self.undecodable = 0
        self.fitting: dict[int, list[tuple[int, str]]] = {}
        """Per field count, records (number, text) of another count than the reader's that
        the layout fits (lacking added-later columns, or not): read again by ``_refit``."""

    def __call__(self, row: pacsv.InvalidRow) -> str:
        number = None if row.number is None else int(row.number)
        if number is not None:
            self.skipped.append(number)
        count = row.actual_columns
        if self.layout is not None and number is not None and self.layout.names_for(count):
            self.fitting.setdefault(count, []).append((number, row.text))
            return "skip"
        expected = row.expected_columns if self.layout is None else self.layout.expected_fields
        reason = f"expected {expected} fields, found {count}"
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


def _csv_options(
    count: int, delimiter: str, on_invalid: Callable[[pacsv.InvalidRow], str], skip_rows: int = 0
) -> dict[str, object]:
    """pyarrow's CSV options for records of ``count`` fields, every field read as bytes."""
    return {
        "read_options": pacsv.ReadOptions(
            column_names=[f"c{i}" for i in range(count)],
            skip_rows=skip_rows,
            block_size=BLOCK_SIZE,
            use_threads=False,  # the reader then reports record numbers of bad rows
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        "convert_options": pacsv.ConvertOptions(
            # bytes first: a record with bad UTF-8 is quarantined, not the whole file
            column_types={f"c{i}": pa.binary() for i in range(count)},
            # NULL is an empty unquoted field, nothing else: pyarrow would also take
            # 'NA', 'N/A', 'null', 'NaN'... for NULL (Namibia's country code is NA)
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    }


def _padded(batch: pa.RecordBatch, names: list[str]) -> pa.RecordBatch:
    """``batch`` with the columns ``names``: one it lacks (added later) is null text."""
    if batch.schema.names == names:
        return batch
    columns = [
        batch.column(n) if n in batch.schema.names else pa.nulls(batch.num_rows, pa.string())
        for n in names
    ]
    return pa.RecordBatch.from_arrays(columns, names=names)


def _refit(
    on_invalid: InvalidRows, layout: Layout, delimiter: str
) -> list[tuple[pa.RecordBatch, np.ndarray]]:
    """The records the reader skipped for another field count that ``layout`` fits (lacking
    added-later columns), read again from their text and padded to the layout's columns."""
    parts = []
    for count, records in sorted(on_invalid.fitting.items()):
        names = layout.names_for(count)
        assert names is not None
        data = b"".join(text.encode("utf-8") + b"\n" for _, text in records)
        again = InvalidRows(0)
        try:
            table = pacsv.read_csv(io.BytesIO(data), **_csv_options(count, delimiter, again))
        except READ_ERRORS as exc:
            raise on_invalid.rejection(exc) from exc
        if table.num_rows != len(records) or again.bad:  # the same text, read the same way
            raise FileRejectedError(f"cannot read as CSV: {count}-field records read differently")
        batch = pa.RecordBatch.from_arrays(
            [column.combine_chunks() for column in table.columns], names=table.column_names
        )
        rows = np.array([n for n, _ in records], dtype=np.int64) - on_invalid.header_offset
        text, rows = as_text(batch, rows, on_invalid.bad)
        parts.append((_padded(text.rename_columns(names), layout.names), rows))
    on_invalid.fitting.clear()
    return parts


Parts = list[tuple[pa.RecordBatch, np.ndarray]]


def _before(parts: Parts, last: int | None) -> tuple[Parts, Parts]:
    """``parts``' rows before position ``last``, and the others (all of them when None)."""
    if last is None:
        return [], parts
    ready, later = [], []
    for batch, positions in parts:
        early = positions < last
        if early.any():
            ready.append((batch.filter(pa.array(early)), positions[early]))
        if not early.all():
            later.append((batch.filter(pa.array(~early)), positions[~early]))
    return ready, later


def _in_file_order(
    parts: list[tuple[pa.RecordBatch, np.ndarray]],
) -> tuple[pa.RecordBatch, np.ndarray]:
    """One batch of ``parts``' rows, in the order of their positions in the file."""
    if len(parts) == 1:
        return parts[0]
    table = pa.Table.from_batches([b for b, _ in parts]).combine_chunks()
    positions = np.concatenate([p for _, p in parts])
    order = np.argsort(positions, kind="stable")
    batch = pa.RecordBatch.from_arrays(
        [column.combine_chunks() for column in table.columns], names=table.column_names
    ).take(pa.array(order))
    return batch, positions[order]


def read_csv(stream: ByteStream, contract: TableContract, dms_file: DmsFile) -> ParsedFile:
    """Stream a DMS CSV file (already decompressed) as text batches with row positions.

    Without a header, a contract with ``added_later`` columns lets a record lack the last of
    them: the reader takes the first record's field count, records of another count that the
    layout fits are read again from their text (``_refit``), and every batch has all the
    layout's columns (null where a record lacks them), in file order.
    """
    buffered = io.BufferedReader(stream, buffer_size=_PEEK)
    prefix = buffered.peek(_PEEK)[:_PEEK]
    if not prefix.strip():
        return ParsedFile(Layout([], header=False), iter(()))
    layout = detect_layout(prefix, contract, dms_file)
    header_offset = 1 if layout.header else 0
    delimiter = contract.settings.csv_delimiter
    read_names = layout.names
    refits = not layout.header and bool(layout.added_later)
    if refits:
        first = _first_record(prefix, delimiter) or []
        read_names = layout.names_for(len(first)) or layout.names
    on_invalid = InvalidRows(header_offset, layout if refits else None)
    bad, skipped = on_invalid.bad, on_invalid.skipped
    if not isinstance(sys.unraisablehook, QuietHook):  # installed once, where first needed
        sys.unraisablehook = QuietHook(sys.unraisablehook)

    try:
        reader = pacsv.open_csv(
            buffered, **_csv_options(len(read_names), delimiter, on_invalid, header_offset)
        )
    except READ_ERRORS as exc:
        raise on_invalid.rejection(exc) from exc

    held: list[tuple[pa.RecordBatch, np.ndarray]] = []
    """Records read again, not yet given: the reader's batches have not reached them."""

    def batches() -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
        kept = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except READ_ERRORS as exc:
                raise on_invalid.rejection(exc) from exc
            # data rows are numbered from 1; the reader counts the header as a record
            positions = _positions(1 + header_offset, kept, batch.num_rows, skipped) - header_offset
            kept += batch.num_rows
            text, positions = as_text(batch, positions, bad)
            text = text.rename_columns(read_names)
            if refits:
                held.extend(_refit(on_invalid, layout, delimiter))
                # the reader may have parsed records past this batch: they wait for theirs
                last = int(positions[-1]) if len(positions) else None
                ready, later = _before(held, last)
                held[:] = later
                yield _in_file_order([(_padded(text, layout.names), positions), *ready])
            else:
                yield text, positions
        if refits:
            held.extend(_refit(on_invalid, layout, delimiter))
            if held:
                yield _in_file_order(held)

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
