"""Where the lake keeps its files: a local folder, or S3 (``ingestion.s3.S3Store``).

The lake only needs these operations, each on a ``/``-separated path relative to the lake
root. A file becomes visible only when it is complete: ``publish`` renames a finished local
file into place (local) or uploads it under its final key (S3), and ``put_bytes`` does the
same for small records. ``create_exclusive`` creates a file only if it does not exist (the run
lock). Every change passes ``faults.checkpoint`` (inert unless a crash test sets it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ingestion import faults
from ingestion.errors import UserError

_SAFE_RELATIVE = re.compile(r"^[A-Za-z0-9_.=-]+(?:/[A-Za-z0-9_.=-]+)*$")
STAGING_PREFIX = ".incoming-"


def check_relative(rel: str) -> str:
    """``rel`` if it is a plain relative path that cannot leave the lake, else UserError."""
    if not _SAFE_RELATIVE.match(rel) or any(p in (".", "..") for p in rel.split("/")):
        raise UserError(f"refusing to write outside the lake or to an odd path: {rel[:200]!r}")
    return rel


class LakeStore(Protocol):
    def describe(self) -> str: ...

    def url(self, rel: str) -> str:
        """Where a reader (DuckDB, Athena) finds ``rel``."""
        ...

    def staging(self, rel: str) -> Path:
        """A local path to write the future content of ``rel`` into."""
        ...

    def publish(self, staged: Path, rel: str) -> None:
        """Make a finished staged file visible as ``rel`` in one step."""
        ...

    def put_bytes(self, rel: str, data: bytes) -> None: ...

    def get_bytes(self, rel: str) -> bytes | None:
        """The content of ``rel``, or None if it does not exist."""
        ...

    def list(self, prefix: str) -> Iterator[str]:
        """Relative paths of the files under ``prefix`` (a folder), staging files excluded."""
        ...

    def delete(self, rel: str) -> None: ...

    def check_writable(self) -> None:
        """Raise UserError, saying what to change, when the lake cannot be written."""
        ...

    def exists(self) -> bool:
        """The lake's root is there (S3: something is stored under the prefix)."""
        ...

    def has_files(self) -> bool:
        """Something is stored under the lake's root."""
        ...

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        """Create ``rel`` with ``data`` unless it exists; False if it did."""
        ...

    def clean_staging(self) -> int:
        """Remove staging files a killed run left behind; returns how many."""
        ...


class LocalStore:
    """The lake in a local folder; staged files sit beside their final name."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._counter = 0

    def describe(self) -> str:
        return str(self.root)

    def path(self, rel: str) -> Path:
        path = (self.root / check_relative(rel)).resolve()
        if not path.is_relative_to(self.root):
            raise UserError(f"refusing to write outside the lake: {rel!r}")
        return path

    def url(self, rel: str) -> str:
        return str(self.root / rel) if rel else str(self.root)

    def staging(self, rel: str) -> Path:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._counter += 1
        return target.with_name(f"{STAGING_PREFIX}{os.getpid()}-{self._counter}.tmp")

    def publish(self, staged: Path, rel: str) -> None:
        target = self.path(rel)
        faults.checkpoint(f"before publishing {rel}")
        staged.replace(target)
        faults.checkpoint(f"after publishing {rel}")

    def put_bytes(self, rel: str, data: bytes) -> None:
        staged = self.staging(rel)
        staged.write_bytes(data)
        self.publish(staged, rel)

    def get_bytes(self, rel: str) -> bytes | None:
        try:
            return self.path(rel).read_bytes()
        except FileNotFoundError:
            return None

    def list(self, prefix: str) -> Iterator[str]:
        folder = self.path(prefix) if prefix else self.root
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(STAGING_PREFIX):
                yield path.relative_to(self.root).as_posix()

    def delete(self, rel: str) -> None:
        faults.checkpoint(f"before deleting {rel}")
        self.path(rel).unlink(missing_ok=True)
        faults.checkpoint(f"after deleting {rel}")

    def check_writable(self) -> None:
        """Create the lake folder if needed and write a probe file: a file in the way, a
        read-only file system or missing permissions are said here, with the fix, before
        anything else is written."""
        fix = "give --lake (env LAKE_DIR) a folder you can write to"
        if self.root.exists() and not self.root.is_dir():
            raise UserError(f"the lake {self.root} is a file, not a folder: {fix}")
        for parent in self.root.parents:
            if parent.exists() and not parent.is_dir():
                raise UserError(f"the lake {self.root} cannot be made, {parent} is a file: {fix}")
        probe = self.root / f"{STAGING_PREFIX}probe-{os.getpid()}.tmp"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise UserError(f"cannot write to the lake {self.root}: {reason}: {fix}") from exc

    def exists(self) -> bool:
        return self.root.is_dir()

    def has_files(self) -> bool:
        return self.root.is_dir() and any(self.root.iterdir())

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        """Written to a staged file, then hard-linked under ``rel``: the link fails if ``rel``
        exists, and a reader never sees the file half written."""
        target = self.path(rel)
        staged = self.staging(rel)
        staged.write_bytes(data)
        faults.checkpoint(f"before creating {rel}")
        try:
            os.link(staged, target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: exclusive create, then write
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        finally:
            staged.unlink(missing_ok=True)
        faults.checkpoint(f"after creating {rel}")
        return True

    def clean_staging(self) -> int:
        removed = 0
        if self.root.is_dir():
            for path in self.root.rglob(f"{STAGING_PREFIX}*"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed
