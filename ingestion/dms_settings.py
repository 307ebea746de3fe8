"""The DMS S3 endpoint settings of a schema (``<schema>/_dms_settings.yml``, or a table
contract's ``settings:``): what shaped its files, checked when read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ingestion.errors import UserError
from ingestion.identifiers import check_identifier

PARTITION_SEQUENCES = ("YYYYMMDD", "YYYYMMDDHH", "YYYYMM", "MMYYYYDD", "DDMMYYYY")
PARTITION_DELIMITERS = {"SLASH": "/", "DASH": "-", "UNDERSCORE": "_", "NONE": ""}
_CDC_PATH = re.compile(r"^[A-Za-z0-9_.=-]+(?:/[A-Za-z0-9_.=-]+)*$")


@dataclass(frozen=True)
class DmsSettings:
    """The S3 endpoint settings that decide a file's layout (see dms-s3-format.md).

    Names follow the endpoint settings in snake case: ``add_column_name`` (AddColumnName),
    ``include_op_for_full_load``, ``timestamp_column_name``, the change sequence column added
    by a transformation rule, ``csv_delimiter`` (CsvDelimiter), ``date_partition_enabled``,
    ``date_partition_sequence``, ``date_partition_delimiter`` and ``cdc_path`` (set when
    PreserveTransactions is on: the folder below the DMS root holding ``CDC_TXN-*`` files).
    The defaults are AWS DMS's own: no header, no Op in full-load files, no timestamp or
    change-sequence column, comma, no date partitions.
    """

    add_column_name: bool = False
    include_op_for_full_load: bool = False
    timestamp_column_name: str | None = None
    change_seq_column_name: str | None = None
    csv_delimiter: str = ","
    date_partition_enabled: bool = False
    date_partition_sequence: str = "YYYYMMDD"
    date_partition_delimiter: str = "SLASH"
    cdc_path: str | None = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any], origin: str) -> DmsSettings:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise UserError(
                f"{origin}: unknown setting(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        defaults = cls()

        def flag(name: str) -> bool:
            value = data.get(name, getattr(defaults, name))
            if not isinstance(value, bool):
                raise UserError(f"{origin}: {name} must be true or false, got {value!r}")
            return value

        def text(name: str) -> str | None:
            value = data.get(name, getattr(defaults, name))
            return str(value) if value not in (None, "") else None

        sequence = str(text("date_partition_sequence")).upper()
        delimiter = str(text("date_partition_delimiter")).upper()
        csv_delimiter = data.get("csv_delimiter", defaults.csv_delimiter)
        settings = cls(
            add_column_name=flag("add_column_name"),
            include_op_for_full_load=flag("include_op_for_full_load"),
            timestamp_column_name=text("timestamp_column_name"),
            change_seq_column_name=text("change_seq_column_name"),
            csv_delimiter=str(csv_delimiter),
            date_partition_enabled=flag("date_partition_enabled"),
            date_partition_sequence=sequence,
            date_partition_delimiter=delimiter,
            cdc_path=(text("cdc_path") or "").strip("/") or None,
        )
        for name in (settings.timestamp_column_name, settings.change_seq_column_name):
            if name is not None:
                check_identifier(name, f"{origin}: column")
        if len(settings.csv_delimiter) != 1 or settings.csv_delimiter in '"\r\n':
            raise UserError(f"{origin}: csv_delimiter must be one character other than a quote")
        if sequence not in PARTITION_SEQUENCES:
            raise UserError(
                f"{origin}: date_partition_sequence {sequence!r} is not one of "
                f"{', '.join(PARTITION_SEQUENCES)}"
            )
        if delimiter not in PARTITION_DELIMITERS:
            raise UserError(
                f"{origin}: date_partition_delimiter {delimiter!r} is not one of "
                f"{', '.join(PARTITION_DELIMITERS)}"
            )
        if settings.cdc_path is not None and (
            not _CDC_PATH.match(settings.cdc_path) or ".." in settings.cdc_path.split("/")
        ):
            raise UserError(f"{origin}: cdc_path {settings.cdc_path!r} is not a plain folder path")
        return settings
