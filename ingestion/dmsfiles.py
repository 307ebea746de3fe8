"""What a DMS object key means: its table, whether it is full load or CDC, and its order.

Keys are relative to the DMS root (the BucketFolder): ``<schema>/<table>/[folders/]<file>``,
or ``<cdc path>/CDC_TXN-<yyyymmddhhmmssfff>.csv`` for PreserveTransactions files, which hold
the changes of several tables. A file's order comes from its name and folders only (never from
when it arrived): full load before CDC, LOAD files by partition folder, segment and counter,
CDC files by the time in their name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ingestion.dms_settings import PARTITION_DELIMITERS, DmsSettings

_LOAD = re.compile(r"^(?:SEGMENT(?P<segment>\d+)_)?LOAD(?P<counter>[0-9A-Fa-f]{8})$")
_CDC = re.compile(r"^(?P<date>\d{8})-(?P<time>\d{9,10})$")
_TXN = re.compile(r"^CDC_TXN-(?P<date>\d{8})(?P<time>\d{9,10})$")
Format = Literal["csv", "parquet"]
_EXTENSIONS: dict[str, tuple[Format, bool]] = {
    ".csv": ("csv", False),
    ".csv.gz": ("csv", True),
    ".parquet": ("parquet", False),
}
_SAFE_PART = re.compile(r"^[A-Za-z0-9_.=-]+$")
_TOKENS = {"YYYYMMDD": "YMD", "YYYYMMDDHH": "YMDH", "YYYYMM": "YM", "MMYYYYDD": "MYD"}
_TOKENS["DDMMYYYY"] = "DMY"
_WIDTH = {"Y": 4, "M": 2, "D": 2, "H": 2}

Kind = Literal["load", "cdc", "txn"]


class NotADmsFileError(ValueError):
    """The key is not a name DMS writes."""


@dataclass(frozen=True)
class DmsFile:
    key: str
    schema: str
    """Empty for a PreserveTransactions file: its rows name their tables."""
    table: str
    kind: Kind
    format: Format
    gzip: bool
    order_key: str
    """Sorts files in the order DMS wrote them: full load first, then CDC by time."""
    folders: tuple[str, ...] = ()
    """Folders between the table folder (or the CDC path) and the file name."""

    @property
    def stem(self) -> str:
        """The key below the table folder without extension, safe as a file name."""
        name = self.key.split("/")[-1]
        base, _ = _split_extension(name)
        return "__".join([*self.folders, base])

    @property
    def table_name(self) -> str:
        return f"{self.schema}.{self.table}"


def _split_extension(name: str) -> tuple[str, str]:
    for ext in sorted(_EXTENSIONS, key=len, reverse=True):
        if name.lower().endswith(ext):
            return name[: -len(ext)], ext
    raise NotADmsFileError(f"extension not one DMS writes (.csv, .csv.gz, .parquet): {name!r}")


def _moment(date: str, time: str) -> str:
    """``yyyymmdd`` + ``hhmmssfff[f]`` as 18 sortable digits (9-digit times padded)."""
    return date + time.ljust(10, "0")


def partition_date(folders: tuple[str, ...], settings: DmsSettings) -> str | None:
    """The ``yyyymmdd[hh]`` a date-partition folder path stands for, or None if it is not one.

    The folder layout follows DatePartitionSequence and DatePartitionDelimiter: with SLASH
    each part is a folder (``2026/03/01``), otherwise one folder joins them (``2026-03-01``,
    ``20260301``).
    """
    tokens = _TOKENS[settings.date_partition_sequence]
    separator = PARTITION_DELIMITERS[settings.date_partition_delimiter]
    if separator == "/":
        parts = list(folders)
    elif len(folders) == 1:
        parts = folders[0].split(separator) if separator else []
        if not separator:
            text, parts = folders[0], []
            for token in tokens:
                parts.append(text[: _WIDTH[token]])
                text = text[_WIDTH[token] :]
            if text:
                return None
    else:
        return None
    if len(parts) != len(tokens):
        return None
    values: dict[str, str] = {}
    for token, part in zip(tokens, parts, strict=True):
        if len(part) != _WIDTH[token] or not part.isdigit():
            return None
        values[token] = part
    try:
        moment = datetime(
            int(values["Y"]),
            int(values["M"]),
            int(values.get("D", "01")),
            int(values.get("H", "0")),
        )
    except ValueError:
        return None
    return moment.strftime("%Y%m%d%H")


def parse_key(
    key: str,
    settings: DmsSettings | None = None,
    cdc_paths: Collection[str] = (),
) -> DmsFile:
    """Classify a key, or raise NotADmsFileError saying why it is not one.

    ``settings`` (of the key's schema) decide whether CDC folders must be date partitions;
    ``cdc_paths`` are the folders that hold PreserveTransactions files.
    """
    parts = key.split("/")
    for part in parts:
        if part in ("", ".", "..") or not _SAFE_PART.match(part):
            raise NotADmsFileError(f"unsafe or unusual path component {part[:80]!r} in {key!r}")
    folder, name = "/".join(parts[:-1]), parts[-1]
    base, ext = _split_extension(name)
    fmt, gz = _EXTENSIONS[ext]
    txn = _TXN.match(base)
    if txn:
        if folder not in cdc_paths:
            raise NotADmsFileError(
                f"CDC_TXN file outside a configured cdc_path ({sorted(cdc_paths)}): {key!r}"
            )
        if fmt != "csv":
            raise NotADmsFileError(f"PreserveTransactions files are read as CSV only: {key!r}")
        order_key = f"1|{_moment(txn.group('date'), txn.group('time'))}|{base}"
        folders = tuple(folder.split("/"))
        return DmsFile(key, "", "", "txn", "csv", gz, order_key, folders)
    if len(parts) < 3:
        raise NotADmsFileError(f"expected <schema>/<table>/<file>, got {key!r}")
    schema, table, folders = parts[0], parts[1], tuple(parts[2:-1])
    settings = settings or DmsSettings()
    date = (
        partition_date(folders, settings) if folders and settings.date_partition_enabled else None
    )
    load = _LOAD.match(base)
    if load:
        segment = int(load.group("segment") or 0)
        where = date or "/".join(folders)
        order_key = f"0|{where}|{segment:06d}|{load.group('counter').upper()}"
        return DmsFile(key, schema, table, "load", fmt, gz, order_key, folders)
    cdc = _CDC.match(base)
    if cdc:
        if settings.date_partition_enabled and folders and date is None:
            raise NotADmsFileError(
                f"folder {'/'.join(folders)!r} is not a date partition "
                f"({settings.date_partition_sequence}, {settings.date_partition_delimiter}): "
                f"{key!r}"
            )
        order_key = f"1|{_moment(cdc.group('date'), cdc.group('time'))}|{base}"
        return DmsFile(key, schema, table, "cdc", fmt, gz, order_key, folders)
    raise NotADmsFileError(f"not a DMS file name (LOADxxxxxxxx or yyyymmdd-hhmmssfff): {name!r}")
