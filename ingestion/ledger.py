"""The ledger: one JSON record per landed file version, kept in the lake.

A file version already in the ledger is never landed again. A key whose content changed
(same key, new bytes) is landed as a new version; the same bytes seen again under a new
modification time (or ETag) are recorded as a duplicate and not landed, except a LOAD file:
delivered again, even with the same bytes, it belongs to a new full load of its table
(``generations``), and lands. The record is written
after the file's Parquet outputs are visible: it is what makes a file count as landed, so a run
killed before it leaves the file to the next run, which rewrites the same outputs.

A PreserveTransactions file has one record (under ``_transactions/``) whose ``tables`` gives
the rows it landed per table.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass, field
from typing import Literal

from ingestion.lake import LEDGER, Lake
from ingestion.sources import SourceObject

Status = Literal["landed", "empty", "quarantined", "duplicate"]
FILES = f"{LEDGER}/files"


@dataclass
class LedgerEntry:
    key: str
    schema: str
    table: str
    kind: str
    order_key: str
    version: str
    size: int
    sha256: str
    status: Status
    rows_landed: int
    rows_quarantined: int
    raw_file: str | None
    quarantine_file: str | None
    landing_run_id: str
    landed_at: str
    notes: list[str] = field(default_factory=list)
    source_modified: str | None = None
    """The object's modification time at the source (S3 LastModified)."""
    max_commit_ts: str | None = None
    """The newest commit timestamp among the rows landed (for ``dmsw status``)."""
    tables: dict[str, list[int]] = field(default_factory=dict)
    """For a transaction file: ``schema.table`` -> [rows landed, rows quarantined]."""
    load_generation: int | None = None
    """For a LOAD or CDC file: the table's full load it belongs to (``generations``); None in
    records written before generations existed (the first)."""

    def per_table(self) -> dict[str, tuple[int, int]]:
        if self.tables or not self.schema:
            return {name: (counts[0], counts[1]) for name, counts in self.tables.items()}
        return {f"{self.schema}.{self.table}": (self.rows_landed, self.rows_quarantined)}


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Ledger:
    def __init__(self, lake: Lake) -> None:
        self.lake = lake
        self.entries: list[LedgerEntry] = []
        records = [rel for rel in lake.store.list(FILES) if rel.endswith(".json")]
        for data in lake.read_json_many(records):
            self.entries.append(LedgerEntry(**data))
        self._modified: dict[tuple[str, str], set[str | None]] = {}
        for e in self.entries:
            self._modified.setdefault((e.key, e.version), set()).add(e.source_modified)
        self._contents = {(e.key, e.sha256) for e in self.entries}
        self._keys = {e.key for e in self.entries}
        self._lock = threading.Lock()  # files land in parallel threads

    def seen(self, obj: SourceObject, *, same_time: bool = False) -> bool:
        """This exact version of the object was handled by an earlier run; with
        ``same_time``, also with the same modification time (an S3 object written again with
        the same bytes keeps its ETag, not its LastModified), where both sides know it."""
        times = self._modified.get((obj.key, obj.version))
        if times is None:
            return False
        return not same_time or obj.modified is None or None in times or obj.modified in times

    def has_content(self, key: str, sha256: str) -> bool:
        return (key, sha256) in self._contents

    def has_key(self, key: str) -> bool:
        """Some version of ``key`` was landed before."""
        return key in self._keys

    def record(self, entry: LedgerEntry) -> str:
        name = f"{_short(entry.key)}-{entry.sha256[:16]}-{_short(entry.version)}"
        if (entry.load_generation or 1) > 1:  # a LOAD file again, maybe with the same bytes
            name += f"-g{entry.load_generation}"
        name += ".json"
        folder = f"{entry.schema}/{entry.table}" if entry.schema else "_transactions"
        path = f"{FILES}/{folder}/{name}"
        self.lake.write_json(path, asdict(entry))
        with self._lock:
            self.entries.append(entry)
            self._modified.setdefault((entry.key, entry.version), set()).add(entry.source_modified)
            self._contents.add((entry.key, entry.sha256))
            self._keys.add(entry.key)
        return path
