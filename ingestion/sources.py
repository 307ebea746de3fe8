"""Where DMS files come from. Landing only needs ``list`` and ``open``.

``LocalSource`` reads a folder laid out like the DMS bucket folder; ``ingestion.s3.S3Source``
reads a bucket prefix. ``open`` raises ObjectVanishedError when a listed object is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from ingestion.errors import ObjectVanishedError, UserError


@dataclass(frozen=True)
class SourceObject:
    key: str
    """Path relative to the DMS root, ``/``-separated."""
    size: int
    version: str
    """Changes when the object's content may have changed (mtime locally, ETag on S3)."""
    modified: str | None = None
    """Modification time (ISO 8601), when the source knows it."""


class FileSource(Protocol):
    def describe(self) -> str: ...

    def list(self) -> Iterator[SourceObject]: ...

    def open(self, key: str) -> BinaryIO: ...


class LocalSource:
    """A local folder holding ``<schema>/<table>/...`` as DMS writes them."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise UserError(f"DMS root {root} is not a folder (set --source or DMS_SOURCE)")
        self.root = root.resolve()

    def describe(self) -> str:
        return str(self.root)

    def list(self) -> Iterator[SourceObject]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue  # deleted while listing
                key = path.relative_to(self.root).as_posix()
                modified = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat()
                version = f"{stat.st_size}-{stat.st_mtime_ns}"
                yield SourceObject(key, stat.st_size, version, modified)

    def open(self, key: str) -> BinaryIO:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise UserError(f"key {key!r} points outside the DMS root")
        try:
            return path.open("rb")
        except FileNotFoundError as exc:
            raise ObjectVanishedError(f"{key} was listed but is gone") from exc
