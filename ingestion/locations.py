"""Open a DMS source or a lake from where it is: a local folder or ``s3://bucket/prefix``.

A location that looks like a URL but is not ``s3://...`` (``S3://b``, ``s3:/b``,
``s3a://b``, ``https://...``) is refused rather than taken for a local folder of that name.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingestion.errors import UserError
from ingestion.lake import Lake
from ingestion.sources import FileSource, LocalSource

_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")


def is_s3_url(location: str) -> bool:
    return location.startswith("s3://")


def check_location(location: str, option: str) -> str:
    """``location`` unless it is empty or a URL other than ``s3://bucket/prefix``."""
    if not location.strip():
        raise UserError(f"{option} is empty: give a folder or s3://bucket/prefix")
    if not is_s3_url(location) and _URL_LIKE.match(location):
        raise UserError(
            f"{option} {location!r} is neither a folder nor an S3 location: "
            "write S3 locations as s3://bucket/prefix (lower-case s3, two slashes)"
        )
    return location


def open_lake(location: str) -> Lake:
    check_location(location, "--lake (env LAKE_DIR)")
    if is_s3_url(location):
        from ingestion.s3 import S3Store  # boto3 is imported only when S3 is used

        return Lake(S3Store(location))
    return Lake(Path(location))


def open_source(location: str) -> FileSource:
    check_location(location, "--source (env DMS_SOURCE)")
    if is_s3_url(location):
        from ingestion.s3 import S3Source

        return S3Source(location)
    return LocalSource(Path(location))


def overlap(source: str, lake: str) -> bool:
    """The lake is the source, or one holds the other (landing would read its own output)."""
    if is_s3_url(source) != is_s3_url(lake):
        return False
    if is_s3_url(source):
        a, b = source.rstrip("/") + "/", lake.rstrip("/") + "/"
    else:
        a, b = f"{Path(source).resolve()}/", f"{Path(lake).resolve()}/"
    return a.startswith(b) or b.startswith(a)
