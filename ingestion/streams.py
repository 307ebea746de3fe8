"""Byte streams as landing reads them: any readable binary stream, hashed as it passes.

``HashingReader`` computes a file's content id (sha256) from the very bytes the parsers read,
so a file is read once; ``spool`` gives Parquet the random access it needs without holding a
large object in memory.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
from typing import IO, TYPE_CHECKING, BinaryIO, TypeAlias

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

ByteStream: TypeAlias = io.RawIOBase | io.BufferedIOBase
"""A readable binary stream as the parsers take it (a file, a hashing reader, gzip)."""
SPOOL_MEMORY = 64 << 20


class RawReader(io.RawIOBase):
    """Any object with ``read`` (a local file, an S3 body) as a raw stream, so that buffered,
    gzip and text readers can wrap it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        readinto = getattr(self._raw, "readinto", None)
        if readinto is not None:  # straight into the caller's buffer: no copy, no allocation
            n = readinto(view) or 0
            self._passed(view[:n])
        else:
            data = self._raw.read(len(view))
            n = len(data)
            view[:n] = data
            self._passed(data)
        self.bytes_read += n
        return n

    def _passed(self, data: bytes | memoryview) -> None:
        """Called with every chunk read (subclasses look at the bytes; a view is valid only
        during the call)."""


class HashingReader(RawReader):
    """A read-only stream that hashes every byte it passes on (the file's content id)."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(raw)
        self._sha = hashlib.sha256()

    def _passed(self, data: bytes | memoryview) -> None:
        self._sha.update(data)

    def drain(self) -> None:
        """Read to the end so the hash covers the whole file, whatever the parser read."""
        while self.read(1 << 20):
            pass

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()


def spool(stream: ByteStream) -> IO[bytes]:
    """Copy a stream to a temporary file (in memory up to SPOOL_MEMORY, then on disk).

    Parquet needs random access; this gives it without holding a large object in memory.
    """
    spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115
    shutil.copyfileobj(stream, spooled, 1 << 20)
    spooled.seek(0)
    return spooled
