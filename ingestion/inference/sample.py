"""Read the first records of one DMS file: CSV (plain or gzip) as text, Parquet as typed.

CSV follows DMS's conventions, like landing (``ingestion.formats``): RFC 4180 quoting,
newlines inside quoted values, NULL as an empty unquoted field and ``""`` as an empty
string. Nothing is decided here about headers or columns: every record, the first included,
comes back as text, one Arrow array per field.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ingestion.dmsfiles import DmsFile
from ingestion.errors import ObjectVanishedError
from ingestion.formats import READ_ERRORS
from ingestion.sources import FileSource
from ingestion.streams import ByteStream, RawReader, spool

DELIMITERS = (",", "|", "\t", ";")
BLOCK_SIZE = 16 << 20
"""As landing: a record (with its quoted newlines) must fit in one block."""
_PEEK = 1 << 20


@dataclass
class CsvSample:
    """The first records of a CSV file, every field as text (NULL kept apart from "")."""

    file: DmsFile
    delimiter: str
    fields: list[pa.Array]
    """One string array per field position; row 0 is the file's first record."""
    limit: int = 0
    """Data records to use (the first record may be a header, so one more was read)."""
    other_counts: int = 0
    """Records skipped because their field count differs from the first record's."""
    problems: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.fields[0]) if self.fields else 0

    def first_record(self) -> list[str | None]:
        return [f[0].as_py() for f in self.fields] if self.records else []


@dataclass
class ParquetSample:
    """A Parquet file's schema (read exactly) and its first rows."""

    file: DmsFile
    schema: pa.Schema
    table: pa.Table
    problems: list[str] = field(default_factory=list)


Sample = CsvSample | ParquetSample


def _first_record(prefix: bytes, delimiter: str) -> list[str] | None:
    text = prefix.decode("utf-8", errors="replace")
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (StopIteration, csv.Error):
        return None


def _records(prefix: bytes, delimiter: str, count: int) -> list[list[str]]:
    text = prefix.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= count:
                break
    except csv.Error:
        pass
    return rows


def sniff_delimiter(prefix: bytes) -> str:
    """``,`` unless another delimiter splits the first records evenly and ``,`` does not.

    DMS writes ``,`` unless the task sets CsvDelimiter: a delimiter is even when every one
    of the first records has the same number (more than one) of fields with it.
    """

    def even(candidate: str) -> bool:
        counts = {len(r) for r in _records(prefix, candidate, 20)}
        return len(counts) == 1 and counts.pop() > 1

    if even(","):
        return ","
    return next((c for c in DELIMITERS[1:] if even(c)), ",")


def _as_text(column: pa.Array, problems: list[str], index: int) -> pa.Array:
    try:
        return column.cast(pa.string())
    except pa.ArrowInvalid:
        problems.append(f"field {index + 1} holds bytes that are not UTF-8 (shown replaced)")
        values = [
            None if v is None else v.decode("utf-8", errors="replace") for v in column.to_pylist()
        ]
        return pa.array(values, pa.string())


def read_csv_sample(stream: ByteStream, dms_file: DmsFile, rows: int) -> CsvSample:
    """The first ``rows`` + 1 records (one more, in case the first is a header)."""
    buffered = io.BufferedReader(stream, buffer_size=_PEEK)
    prefix = buffered.peek(_PEEK)[:_PEEK]
    delimiter = sniff_delimiter(prefix)
    first = _first_record(prefix, delimiter) if prefix.strip() else None
    if not first:
        return CsvSample(dms_file, delimiter, [])
    names = [f"c{i}" for i in range(len(first))]
    others = 0

    def on_invalid(row: pacsv.InvalidRow) -> str:
        nonlocal others
        others += 1
        return "skip"

    reader = pacsv.open_csv(
        buffered,
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=BLOCK_SIZE, use_threads=False
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.binary()),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    batches: list[pa.RecordBatch] = []
    wanted = rows + 1
    have = 0
    while have < wanted:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        batches.append(batch)
        have += batch.num_rows
    table = pa.Table.from_batches(batches, schema=reader.schema).slice(0, wanted)
    problems: list[str] = []
    fields = [_as_text(table.column(i).combine_chunks(), problems, i) for i in range(len(names))]
    return CsvSample(dms_file, delimiter, fields, rows, others, problems)


def read_parquet_sample(stream: ByteStream, dms_file: DmsFile, rows: int) -> ParquetSample:
    parquet = pq.ParquetFile(spool(stream))
    schema = parquet.schema_arrow
    batches = parquet.iter_batches(batch_size=max(rows, 1))
    first = next(batches, None)
    table = pa.Table.from_batches([first] if first is not None else [], schema=schema)
    return ParquetSample(dms_file, schema, table)


def read_sample(source: FileSource, dms_file: DmsFile, rows: int) -> Sample:
    """The first ``rows`` records of a file; a file that cannot be read says why."""
    try:
        with source.open(dms_file.key) as opened:
            stream = RawReader(opened)
            if dms_file.format == "parquet":
                return read_parquet_sample(stream, dms_file, rows)
            if dms_file.gzip:
                with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
                    return read_csv_sample(unzipped, dms_file, rows)
            return read_csv_sample(stream, dms_file, rows)
    except (*READ_ERRORS, ObjectVanishedError) as exc:
        sample = CsvSample(dms_file, ",", [])
        sample.problems.append(f"cannot read: {type(exc).__name__}: {exc}")
        return sample


def column_texts(sample: ParquetSample, name: str) -> pa.Array:
    """A Parquet column of the sample as text (for the DMS columns held as strings)."""
    column = sample.table.column(name).combine_chunks()
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.cast(pa.string())
    return pc.cast(column, pa.string())


def read_transaction_samples(
    source: FileSource, dms_file: DmsFile, rows: int
) -> dict[tuple[str, str], CsvSample]:
    """The records of a PreserveTransactions file, per table, as headerless CDC records.

    A record ``Op,table_name,schema_name,<fields>`` becomes ``Op,<fields>``: what the table's
    own headerless CDC file would hold. The Python CSV reader used here (as by landing for
    these files) reads an empty field as NULL.
    """
    grouped: dict[tuple[str, str], list[list[str | None]]] = {}
    try:
        with source.open(dms_file.key) as raw:
            stream: ByteStream = RawReader(raw)
            if dms_file.gzip:
                stream = gzip.GzipFile(fileobj=stream, mode="rb")
            buffered = io.BufferedReader(stream)
            text = io.TextIOWrapper(buffered, encoding="utf-8", errors="replace", newline="")
            for number, record in enumerate(csv.reader(text)):
                if number == 0 and [f.strip().lower() for f in record[:3]] == [
                    "op",
                    "table_name",
                    "schema_name",
                ]:
                    continue
                if len(record) < 4:
                    continue
                key = (record[2], record[1])
                group = grouped.setdefault(key, [])
                if len(group) < rows:
                    group.append([record[0], *(v if v != "" else None for v in record[3:])])
    except (*READ_ERRORS, ObjectVanishedError, csv.Error):
        return {}
    samples: dict[tuple[str, str], CsvSample] = {}
    for (schema, table), records in grouped.items():
        width = max({len(r) for r in records}, key=[len(r) for r in records].count)
        kept = [r for r in records if len(r) == width]
        fields = [pa.array([r[i] for r in kept], pa.string()) for i in range(width)]
        table_file = DmsFile(
            dms_file.key, schema, table, "cdc", "csv", dms_file.gzip, dms_file.order_key,
            dms_file.folders,
        )  # fmt: skip
        samples[(schema, table)] = CsvSample(
            table_file, ",", fields, rows, len(records) - len(kept)
        )
    return samples
