"""What a DMS object key means: its table, whether it is full load or CDC, and its order.

Keys are relative to the DMS root (the BucketFolder): ``<schema>/<table>/[folders/]<file>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_LOAD = re.compile(r"^(?:SEGMENT(?P<segment>\d+)_)?LOAD(?P<counter>[0-9A-Fa-f]{8})$")
_CDC = re.compile(r"^(?P<date>\d{8})-(?P<time>\d{9,10})$")
_EXTENSIONS = {".csv": ("csv", False), ".csv.gz": ("csv", True), ".parquet": ("parquet", False)}
_SAFE_PART = re.compile(r"^[A-Za-z0-9_.=-]+$")


class NotADmsFileError(ValueError):
    """The key is not a name DMS writes."""


@dataclass(frozen=True)
class DmsFile:
    key: str
    schema: str
    table: str
    kind: Literal["load", "cdc"]
    format: Literal["csv", "parquet"]
    gzip: bool
    order_key: str
    """Sorts a table's files in the order DMS wrote them: full load first, then CDC by time."""

    @property
    def stem(self) -> str:
        """The key below the table folder without extension, safe as a file name."""
        parts = self.key.split("/")[2:]
        name = parts[-1]
        for ext in _EXTENSIONS:
            if name.endswith(ext):
                name = name[: -len(ext)]
        return "__".join([*parts[:-1], name])


def _split_extension(name: str) -> tuple[str, str]:
    for ext in sorted(_EXTENSIONS, key=len, reverse=True):
        if name.lower().endswith(ext):
            return name[: -len(ext)], ext
    raise NotADmsFileError(f"extension not one DMS writes (.csv, .csv.gz, .parquet): {name!r}")


def parse_key(key: str) -> DmsFile:
    """Classify a key, or raise NotADmsFileError saying why it is not one."""
    parts = key.split("/")
    if len(parts) < 3:
        raise NotADmsFileError(f"expected <schema>/<table>/<file>, got {key!r}")
    for part in parts:
        if part in ("", ".", "..") or not _SAFE_PART.match(part):
            raise NotADmsFileError(f"unsafe or unusual path component {part!r} in {key!r}")
    schema, table, name = parts[0], parts[1], parts[-1]
    base, ext = _split_extension(name)
    fmt, gz = _EXTENSIONS[ext]
    load = _LOAD.match(base)
    if load:
        segment = int(load.group("segment") or 0)
        folders = "/".join(parts[2:-1])
        order_key = f"0|{folders}|{segment:06d}|{load.group('counter').upper()}"
        return DmsFile(key, schema, table, "load", fmt, gz, order_key)  # type: ignore[arg-type]
    cdc = _CDC.match(base)
    if cdc:
        moment = cdc.group("date") + cdc.group("time").ljust(10, "0")
        order_key = f"1|{moment}|{base}"
        return DmsFile(key, schema, table, "cdc", fmt, gz, order_key)  # type: ignore[arg-type]
    raise NotADmsFileError(f"not a DMS file name (LOADxxxxxxxx or yyyymmdd-hhmmssfff): {name!r}")
