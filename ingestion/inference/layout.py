"""What a table's files show of its DMS settings and columns: per file (``FileLayout``: which
field is Op, the timestamp, the change sequence, each table column) and for the table
(``TableLayout``: the settings, with the reason for each, and its columns).

``csv_layout`` decides it from CSV records, ``parquet_layout`` from Parquet schemas and
values; both recognise the timestamp and change-sequence columns by the values below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

DMS_TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}$"
CHANGE_SEQ = r"^[0-9]{35}$"
DEFAULT_TIMESTAMP_NAME = "dms_commit_ts"
DEFAULT_CHANGE_SEQ_NAME = "dms_change_seq"


@dataclass
class FileLayout:
    """How one file's fields map to the table."""

    key: str
    kind: str
    header: list[str] | None
    field_count: int
    op: bool
    timestamp: bool = False
    change_seq: bool = False
    columns: dict[str, int] = field(default_factory=dict)
    """Table column name -> field position in this file's records."""

    @property
    def data_start(self) -> int:
        return 1 if self.header is not None else 0


@dataclass
class TableLayout:
    """The table's settings as its files show them, and its columns."""

    files: list[FileLayout]
    columns: list[str]
    header: bool | None
    """True: some file has a header; None: no CSV file (Parquet, or no rows)."""
    header_reason: str = ""
    op_in_load: bool | None = None
    """None: no full-load file with records to tell."""
    op_reason: str = ""
    timestamp_name: str | None = None
    timestamp_reason: str = ""
    change_seq_name: str | None = None
    change_seq_reason: str = ""
    delimiter: str = ","
    generated_names: bool = False
    """Names are ``col_1..col_n`` (no header, no DDL): the user should rename them."""
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Problems that stop a contract being drafted for the table."""
    empty_files: list[str] = field(default_factory=list)
    added_later: list[str] = field(default_factory=list)
    """Without a header: the trailing columns only later files have (their field count never
    falls from one file to the next): drafted ``added_later`` (a source appends a column)."""


def all_match(values: pa.Array, pattern: str, allow_null: bool = False) -> bool:
    if values.null_count and not allow_null:
        return False
    present = values.drop_null()
    if len(present) == 0:
        return allow_null
    return bool(pc.all(pc.match_substring_regex(present, pattern)).as_py())


def data_positions(file: FileLayout) -> list[int]:
    start = int(file.op) + int(file.timestamp)
    end = file.field_count - int(file.change_seq)
    return list(range(start, end))
