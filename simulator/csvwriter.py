"""CSV exactly as the DMS S3 target writes it.

Delimiter ',', row delimiter '\\n', header row, RFC 4180 quoting only where needed (a field
holding a comma, a double quote, CR or LF is double-quoted with inner quotes doubled), NULL as
an empty unquoted field and the empty string as "". Values print as PostgreSQL prints them:
numeric(18,2) with two decimals, dates as 1987-06-17, timestamps as 2024-08-09 19:27:17 or
with six fractional digits when they have a fraction.

pyarrow.csv.write_csv is not used: its quoting_style="needed" quotes every string value and
the header, which DMS does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.textops import TIMESTAMP_TYPE
from simulator.types import I64

OP_COLUMN = "Op"
TIMESTAMP_COLUMN = "dms_commit_ts"
CHANGE_SEQ_COLUMN = "dms_change_seq"
_NEEDS_QUOTES = r'[",\r\n]'


def header(columns: list[str]) -> bytes:
    """The header row: Op, the timestamp column, the table's columns, the change sequence."""
    names = [OP_COLUMN, TIMESTAMP_COLUMN, *columns, CHANGE_SEQ_COLUMN]
    return (",".join(names) + "\n").encode()


def quote_strings(values: Any) -> Any:
    """DMS text of a string column: quoted where needed, "" for empty, empty for NULL."""
    needs = pc.fill_null(
        pc.or_(pc.match_substring_regex(values, _NEEDS_QUOTES), pc.equal(values, "")), False
    )
    if pc.any(needs).as_py():
        chosen = values.filter(needs)
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(chosen, '"', '""'), '"', "")
        values = pc.replace_with_mask(values, needs, quoted)
    return pc.fill_null(values, "")


def commit_timestamp_text(micros: I64) -> Any:
    """dms_commit_ts text: always six fractional digits."""
    return pc.cast(pa.array(micros.view("datetime64[us]"), TIMESTAMP_TYPE), pa.string())


def change_seq_text(commit_micros: I64, counter: I64) -> Any:
    """$AR_H_CHANGE_SEQ: yyyyMMddHHmmss + hundredths of the commit, then a 19-digit counter."""
    digits = pc.replace_substring_regex(commit_timestamp_text(commit_micros), "[^0-9]", "")
    prefix = pc.utf8_slice_codeunits(digits, 0, 16)
    sequence = pc.utf8_lpad(
        pc.cast(pa.array(counter, pa.int64()), pa.string()), width=19, padding="0"
    )
    return pc.binary_join_element_wise(prefix, sequence, "")


def value_text(values: Any) -> Any:
    """DMS text of one data column (never null: NULL becomes the empty string)."""
    kind = values.type
    if pa.types.is_string(kind):
        return quote_strings(values)
    if pa.types.is_timestamp(kind):
        text = pc.replace_substring_regex(pc.cast(values, pa.string()), r"\.000000$", "")
    elif pa.types.is_integer(kind) or pa.types.is_decimal(kind) or pa.types.is_date(kind):
        text = pc.cast(values, pa.string())
    else:
        raise TypeError(f"no DMS text format for {kind}")
    return pc.fill_null(text, "")


def rows_text(op: Any, commit_ts: Any, data: Any, change_seq: Any) -> Any:
    """One CSV line (with its trailing newline) per row of `data`.

    op, commit_ts and change_seq are string arrays or scalars; data is an Arrow table.
    """
    columns = [value_text(column.combine_chunks()) for column in data.columns]
    if data.num_rows == 0:
        return pa.array([], pa.string())
    line = pc.binary_join_element_wise(op, commit_ts, *columns, change_seq, ",")
    return pc.binary_join_element_wise(line, "\n", "")


def write_lines(sink: BinaryIO, lines: Any) -> None:
    """Write the bytes of a string array of complete lines without copying row by row."""
    if isinstance(lines, pa.ChunkedArray):
        for chunk in lines.chunks:
            write_lines(sink, chunk)
        return
    if len(lines) == 0:
        return
    _validity, offsets_buffer, data = lines.buffers()
    width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)
    first, last = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    sink.write(memoryview(data)[first:last])


class LoadFileWriter:
    """Full-load files LOAD00000001.csv, LOAD00000002.csv, ... (8 hex digits, upper case),
    a new file every `rows_per_file` rows."""

    def __init__(self, directory: Path, columns: list[str], rows_per_file: int) -> None:
        self.directory = directory
        self.header = header(columns)
        self.rows_per_file = rows_per_file
        self.files: list[Path] = []
        self.rows = 0
        self._sink: BinaryIO | None = None
        self._rows_in_file = 0

    def write(self, lines: Any) -> None:
        position = 0
        while position < len(lines):
            if self._sink is None or self._rows_in_file == self.rows_per_file:
                self._open_next()
            room = self.rows_per_file - self._rows_in_file
            part = lines.slice(position, room)
            write_lines(self._current(), part)
            self._rows_in_file += len(part)
            self.rows += len(part)
            position += len(part)

    def _current(self) -> BinaryIO:
        if self._sink is None:
            raise RuntimeError("no open load file")
        return self._sink

    def _open_next(self) -> None:
        self.close()
        path = self.directory / f"LOAD{len(self.files) + 1:08X}.csv"
        self._sink = path.open("wb")
        self._sink.write(self.header)
        self.files.append(path)
        self._rows_in_file = 0

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None
