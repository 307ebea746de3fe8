"""Landing numbers each table's full loads (ingestion/generations.py): a LOAD file delivered
again begins the next one, CDC rows take the generation of the newest full load landed before
them, and a reload's rows never overwrite an earlier full load's. Files written by hand; what
silver makes of it is tests/python/test_reloads.py."""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import boto3
import pyarrow.parquet as pq
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.project import CONTRACTS

from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.s3 import S3Source, S3Store
from ingestion.sources import FileSource, LocalSource, SourceObject

CUSTOMERS = "core_banking/customers"


def csv(*ids: int, op: str = "I") -> str:
    return "\n".join([CUSTOMER_HEADER, *(customer_row(i, op=op) for i in ids)]) + "\n"


def deliver(source: Path, name: str, text: str | bytes) -> Path:
    path = source / CUSTOMERS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def land(source: FileSource | Path, lake: Path) -> RunSummary:
    files = LocalSource(source) if isinstance(source, Path) else source
    return Lander(files, Lake(lake), load_contracts(CONTRACTS), workers=2).run()


def raw(lake: Path) -> list[tuple[str, int, int]]:
    """(raw file, customer_id, generation) of every raw row, sorted."""
    rows = []
    for path in sorted((lake / "raw" / CUSTOMERS).glob("*.parquet")):
        table = pq.read_table(path, columns=["customer_id", "_load_generation"])
        ids, generations = table.column(0).to_pylist(), table.column(1).to_pylist()
        rows += [(path.name.split("__")[0], i, g) for i, g in zip(ids, generations, strict=True)]
    return sorted(rows)


def ledger_generations(lake: Path) -> list[tuple[str, int | None]]:
    records = [json.loads(p.read_text()) for p in (lake / "_ledger" / "files").rglob("*.json")]
    return sorted((r["key"].rsplit("/", 1)[1], r["load_generation"]) for r in records)


def test_a_load_file_delivered_again_begins_the_next_full_load(tmp_path: Path) -> None:
    source, lake = tmp_path / "dms", tmp_path / "lake"
    deliver(source, "LOAD00000001.csv", csv(1, 2))
    deliver(source, "LOAD00000002.csv", csv(3))
    deliver(source, "20260301-100000000.csv", csv(4))
    first = land(source, lake)
    assert first.files_landed == 3
    assert raw(lake) == [("20260301-100000000", 4, 1), ("LOAD00000001", 1, 1),
                         ("LOAD00000001", 2, 1), ("LOAD00000002", 3, 1)]  # fmt: skip

    # the task is reloaded: LOAD00000001 again (new content), and a CDC file after it
    deliver(source, "LOAD00000001.csv", csv(1, 5))
    deliver(source, "20260302-100000000.csv", csv(6))
    second = land(source, lake)
    assert second.files_landed == 2
    assert any("core_banking.customers: full load 2 begins" in n for n in second.notes)
    rows = raw(lake)
    assert ("LOAD00000001", 5, 2) in rows and ("20260302-100000000", 6, 2) in rows
    assert ("LOAD00000001", 1, 1) in rows and ("LOAD00000001", 1, 2) in rows  # both kept
    names = sorted(p.name for p in (lake / "raw" / CUSTOMERS).glob("LOAD00000001__*.parquet"))
    assert len(names) == 2 and names[0].endswith("__g2.parquet") != names[1].endswith(
        "__g2.parquet"
    )

    # the reload's second file, in a later run, with the same bytes as the first full load's:
    # it joins full load 2 (landed again, not a duplicate)
    os.utime(deliver(source, "LOAD00000002.csv", csv(3)), ns=(10**18, 10**18))
    third = land(source, lake)
    assert (third.files_landed, third.files_duplicate) == (1, 0)
    assert not any("begins" in n for n in third.notes)
    assert [r for r in raw(lake) if r[0] == "LOAD00000002"] == [
        ("LOAD00000002", 3, 1),
        ("LOAD00000002", 3, 2),
    ]
    # delivered again, even touched only: the next full load
    os.utime(source / CUSTOMERS / "LOAD00000001.csv", ns=(2 * 10**18, 2 * 10**18))
    fourth = land(source, lake)
    assert any("full load 3 begins" in n for n in fourth.notes)
    assert ledger_generations(lake) == [
        ("20260301-100000000.csv", 1), ("20260302-100000000.csv", 2),
        ("LOAD00000001.csv", 1), ("LOAD00000001.csv", 2), ("LOAD00000001.csv", 3),
        ("LOAD00000002.csv", 1), ("LOAD00000002.csv", 2),
    ]  # fmt: skip
    assert land(source, lake).files_landed == 0  # nothing new: nothing happens


def test_a_load_file_that_could_not_be_read_is_replaced_in_the_same_full_load(
    tmp_path: Path,
) -> None:
    source, lake = tmp_path / "dms", tmp_path / "lake"
    deliver(source, "LOAD00000001.csv", csv(1))
    deliver(source, "LOAD00000002.csv.gz", b"not gzip at all")
    assert land(source, lake).files_quarantined == 1
    (source / CUSTOMERS / "LOAD00000002.csv.gz").unlink()
    deliver(source, "LOAD00000002.csv.gz", gzip.compress(csv(2).encode()))
    fixed = land(source, lake)
    assert fixed.files_landed == 1 and not any("begins" in n for n in fixed.notes)
    assert raw(lake) == [("LOAD00000001", 1, 1), ("LOAD00000002", 2, 1)]


class FailingLoads:
    """A source whose LOAD files fail when landing reads them (an unexpected failure, not bad
    content); the settings check's first look at them still works."""

    def __init__(self, inner: LocalSource) -> None:
        self.inner = inner
        self.opened: dict[str, int] = {}

    def describe(self) -> str:
        return self.inner.describe()

    def list(self) -> Iterator[SourceObject]:
        return self.inner.list()

    def open(self, key: str) -> BinaryIO:
        self.opened[key] = self.opened.get(key, 0) + 1
        if "/LOAD" in key and self.opened[key] > 1:
            raise RuntimeError("the disk went away")
        return self.inner.open(key)


def test_cdc_files_wait_while_a_load_file_of_their_table_does_not_land(tmp_path: Path) -> None:
    source, lake = tmp_path / "dms", tmp_path / "lake"
    deliver(source, "LOAD00000001.csv", csv(1))
    assert land(source, lake).files_landed == 1
    deliver(source, "LOAD00000001.csv", csv(1, 2))  # a reload ...
    deliver(source, "20260302-100000000.csv", csv(3))  # ... and a change after it
    failed = land(FailingLoads(LocalSource(source)), lake)
    assert (failed.files_failed, failed.files_landed) == (1, 0)
    assert any("CDC files of core_banking.customers wait" in n for n in failed.notes)
    later = land(source, lake)
    assert later.files_landed == 2
    assert ("20260302-100000000", 3, 2) in raw(lake)  # after the reload, as DMS wrote it


@pytest.mark.s3
def test_an_s3_load_file_written_again_with_the_same_bytes_is_a_new_full_load(
    buckets: tuple[str, str],
) -> None:
    source, lake = buckets
    s3 = boto3.client("s3")
    key = f"dms/{CUSTOMERS}/LOAD00000001.csv"
    s3.put_object(Bucket=source, Key=key, Body=csv(1).encode())

    def run() -> RunSummary:
        contracts = load_contracts(CONTRACTS)
        lander = Lander(
            S3Source(f"s3://{source}/dms"), Lake(S3Store(f"s3://{lake}/lake")), contracts
        )
        return lander.run()

    assert run().files_landed == 1
    time.sleep(1.1)  # a new LastModified; the same ETag
    s3.put_object(Bucket=source, Key=key, Body=csv(1).encode())
    again = run()
    assert again.files_landed == 1
    assert any("full load 2 begins" in n for n in again.notes)
    listed = s3.list_objects_v2(Bucket=lake, Prefix=f"lake/raw/{CUSTOMERS}/LOAD")["Contents"]
    assert len(listed) == 2
