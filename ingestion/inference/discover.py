"""Find every table folder under a DMS root, its files in DMS order, and the folder layout.

Keys are classified with ``ingestion.dmsfiles`` (the names landing accepts). Two settings
are read off the folder layout itself, per schema:

- date partitions: CDC files in folders below the table folder whose path is a date in one
  of the DatePartitionSequence/DatePartitionDelimiter forms (AWS's default, ``YYYY/MM/DD``,
  tried first);
- PreserveTransactions: ``CDC_TXN-<time>.csv`` files; their folder is the ``cdc_path``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ingestion.dms_settings import PARTITION_DELIMITERS, PARTITION_SEQUENCES, DmsSettings
from ingestion.dmsfiles import DmsFile, NotADmsFileError, parse_key, partition_date
from ingestion.sources import FileSource

_TXN_NAME = re.compile(r"^CDC_TXN-\d{17,18}\.csv(?:\.gz)?$")


@dataclass(frozen=True)
class Partitioning:
    """The date-partition form a schema's CDC folders follow."""

    sequence: str
    delimiter: str
    example: str
    """One folder path seen, e.g. ``2026/03/01``."""


@dataclass
class Discovery:
    tables: dict[tuple[str, str], list[DmsFile]] = field(default_factory=dict)
    """(schema, table) -> its files, in DMS order."""
    partitioning: dict[str, Partitioning] = field(default_factory=dict)
    odd_folders: dict[str, str] = field(default_factory=dict)
    """Schema -> a CDC folder that is not a date in any DMS form (listed, not landed)."""
    transaction_files: dict[str, list[DmsFile]] = field(default_factory=dict)
    """cdc_path -> its CDC_TXN files, in order."""
    skipped: list[str] = field(default_factory=list)


def _partitioning(folders: set[tuple[str, ...]]) -> Partitioning | None:
    """The first DMS date-partition form every folder path matches, or None."""
    for sequence in PARTITION_SEQUENCES:
        for delimiter in PARTITION_DELIMITERS:
            settings = DmsSettings(
                date_partition_enabled=True,
                date_partition_sequence=sequence,
                date_partition_delimiter=delimiter,
            )
            if all(partition_date(f, settings) is not None for f in folders):
                example = "/".join(sorted(folders)[0])
                return Partitioning(sequence, delimiter, example)
    return None


def discover(source: FileSource) -> Discovery:
    """Group the source's DMS files by table; list what is not a DMS file, with why."""
    found = Discovery()
    keys = [obj.key for obj in source.list()]
    table_keys: dict[str, list[str]] = defaultdict(list)
    txn_keys: dict[str, list[str]] = defaultdict(list)
    cdc_folders: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for key in keys:
        parts = key.split("/")
        if _TXN_NAME.match(parts[-1]) and len(parts) > 1:
            txn_keys["/".join(parts[:-1])].append(key)
            continue
        try:
            dms_file = parse_key(key)
        except NotADmsFileError as exc:
            found.skipped.append(f"{key}: {exc}")
            continue
        table_keys[dms_file.schema].append(key)
        if dms_file.kind == "cdc" and dms_file.folders:
            cdc_folders[dms_file.schema].add(dms_file.folders)
    for schema, keys_of_schema in sorted(table_keys.items()):
        settings = DmsSettings()
        folders = cdc_folders.get(schema)
        if folders:
            form = _partitioning(folders)
            if form is None:
                found.odd_folders[schema] = "/".join(sorted(folders)[0])
            else:
                found.partitioning[schema] = form
                settings = DmsSettings(
                    date_partition_enabled=True,
                    date_partition_sequence=form.sequence,
                    date_partition_delimiter=form.delimiter,
                )
        for key in keys_of_schema:
            dms_file = parse_key(key, settings)
            found.tables.setdefault((dms_file.schema, dms_file.table), []).append(dms_file)
    for files in found.tables.values():
        files.sort(key=lambda f: (f.order_key, f.key))
    for folder, keys_of_folder in sorted(txn_keys.items()):
        parsed = []
        for key in keys_of_folder:
            try:
                parsed.append(parse_key(key, cdc_paths={folder}))
            except NotADmsFileError as exc:
                found.skipped.append(f"{key}: {exc}")
        found.transaction_files[folder] = sorted(parsed, key=lambda f: (f.order_key, f.key))
    found.tables = dict(sorted(found.tables.items()))
    return found
