"""The first records of new CSV files: what checks before landing look at.

Per table and kind (LOAD, CDC) the first ``SAMPLE_FILES`` new CSV files in DMS order are
opened (in parallel) and their first ``SAMPLE_BYTES``, decompressed, are split into at most
``SAMPLE_RECORDS`` complete records. A file that cannot be opened or read is left out: its
landing will say why.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ingestion.discovery import PendingFile, TableFile
from ingestion.errors import DmswError
from ingestion.sources import FileSource

SAMPLE_BYTES = 256 << 10
SAMPLE_RECORDS = 50
SAMPLE_FILES = 8
"""Files sampled per table and kind (the first new ones, in DMS order)."""


@dataclass(frozen=True)
class Sample:
    """The start of one new file: its decompressed bytes and the complete records in them."""

    pending: TableFile
    prefix: bytes
    records: list[list[str]]


def read_sample(source: FileSource, pending: TableFile) -> Sample | None:
    """The first records of a CSV file, or None when it cannot be read (landing says why)."""
    settings = pending.contract.settings
    try:
        with source.open(pending.obj.key) as stream:
            if pending.dms_file.gzip:
                with gzip.GzipFile(fileobj=stream) as unzipped:
                    prefix = unzipped.read(SAMPLE_BYTES + 1)
            else:
                prefix = stream.read(SAMPLE_BYTES + 1)
    except (DmswError, OSError, EOFError, zlib.error):
        return None
    complete = len(prefix) <= SAMPLE_BYTES
    text = prefix[:SAMPLE_BYTES].decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=settings.csv_delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > SAMPLE_RECORDS:
                break
    except csv.Error:
        pass
    if not complete and records and len(records) <= SAMPLE_RECORDS:
        records.pop()  # the last record may be cut by the sample's end
    return Sample(pending, prefix[:SAMPLE_BYTES], records[: SAMPLE_RECORDS + 1])


def sample_files(
    pending: list[PendingFile], source: FileSource, workers: int = 1
) -> dict[str, list[Sample]]:
    """Samples of the first new CSV files of each table and kind, per table."""
    chosen: list[TableFile] = []
    taken: Counter[tuple[str, str]] = Counter()
    for item in pending:
        if not isinstance(item, TableFile) or item.dms_file.format != "csv":
            continue
        slot = (item.contract.qualified_name, item.dms_file.kind)
        if taken[slot] < SAMPLE_FILES:
            taken[slot] += 1
            chosen.append(item)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        sampled = list(pool.map(lambda item: read_sample(source, item), chosen))
    by_table: dict[str, list[Sample]] = {}
    for sample in sampled:
        if sample is not None:
            by_table.setdefault(sample.pending.contract.qualified_name, []).append(sample)
    return by_table
