"""Open a DMS source or a lake from where it is: a local folder or ``s3://bucket/prefix``."""

from __future__ import annotations

from pathlib import Path

from ingestion.lake import Lake
from ingestion.sources import FileSource, LocalSource


def is_s3_url(location: str) -> bool:
    return location.startswith("s3://")


def open_lake(location: str) -> Lake:
    if is_s3_url(location):
        from ingestion.s3 import S3Store  # boto3 is imported only when S3 is used

        return Lake(S3Store(location))
    return Lake(Path(location))


def open_source(location: str) -> FileSource:
    if is_s3_url(location):
        from ingestion.s3 import S3Source

        return S3Source(location)
    return LocalSource(Path(location))
