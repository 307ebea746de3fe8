"""The ledger: one JSON record per landed file version, kept in the lake.

A file version already in the ledger is never landed again. A key whose content changed
(same key, new bytes) is landed as a new version; the same bytes seen again under a new
modification time are recorded as a duplicate and not landed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from ingestion.lake import Lake, write_json_atomic
from ingestion.sources import SourceObject

Status = Literal["landed", "empty", "quarantined", "duplicate"]


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


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Ledger:
    def __init__(self, lake: Lake) -> None:
        self.directory = lake.ledger_dir / "files"
        self.entries: list[LedgerEntry] = []
        if self.directory.exists():
            for path in sorted(self.directory.rglob("*.json")):
                self.entries.append(LedgerEntry(**json.loads(path.read_text(encoding="utf-8"))))
        self._versions = {(e.key, e.version) for e in self.entries}
        self._contents = {(e.key, e.sha256) for e in self.entries}

    def seen(self, obj: SourceObject) -> bool:
        """This exact version of the object was handled by an earlier run."""
        return (obj.key, obj.version) in self._versions

    def has_content(self, key: str, sha256: str) -> bool:
        return (key, sha256) in self._contents

    def record(self, entry: LedgerEntry) -> Path:
        name = f"{_short(entry.key)}-{entry.sha256[:16]}-{_short(entry.version)}.json"
        path = self.directory / entry.schema / entry.table / name
        write_json_atomic(path, asdict(entry))
        self.entries.append(entry)
        self._versions.add((entry.key, entry.version))
        self._contents.add((entry.key, entry.sha256))
        return path
