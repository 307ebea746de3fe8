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
from ingestion.discovery import TableFile
from ingestion.dmsfiles import parse_key
from ingestion.generations import assign
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.ledger import LedgerEntry, Status
from ingestion.s3 import S3Source, S3Store
from ingestion.sources import FileSource, LocalSource, SourceObject

CUSTOMERS = "core_banking/customers"


def recorded(name: str, generation: int | None, status: Status = "landed") -> LedgerEntry:
    """A ledger record of a file of core_banking.customers (None: written before generations)."""
    kind = "load" if name.startswith("LOAD") else "cdc"
    return LedgerEntry(
        f"{CUSTOMERS}/{name}", "core_banking", "customers", kind, "", "v1", 1, "sha", status,
        1, 0, None, None, "run", "2026-03-01T00:00:00", load_generation=generation,
    )  # fmt: skip


def pending(*names: str) -> list[TableFile]:
    contract = load_contracts(CONTRACTS)[("core_banking", "customers")]
    files = []
    for name in names:
        key = f"{CUSTOMERS}/{name}"
        files.append(TableFile(SourceObject(key, 1, "v2"), parse_key(key), contract))
    return files


def numbered(entries: list[LedgerEntry], *names: str) -> tuple[dict[str, int], int, object]:
    """(generation per LOAD file name, the table's generation for CDC rows, begun)."""
    generations = assign(pending(*names), entries)
    files = {key.rsplit("/", 1)[1]: n for key, n in generations.files.items()}
    return files, generations.table("core_banking.customers"), generations.begun


def test_the_first_full_load_is_generation_one() -> None:
    assert numbered([], "LOAD00000001.csv", "LOAD00000002.csv", "20260301-100000000.csv") == (
        {"LOAD00000001.csv": 1, "LOAD00000002.csv": 1},
        1,
        {},
    )
    # a full load landed over several runs stays one
    assert numbered([recorded("LOAD00000001.csv", 1)], "LOAD00000002.csv")[:2] == (
        {"LOAD00000002.csv": 1},
        1,
    )


def test_a_load_key_landed_again_begins_the_next_generation_which_later_files_join() -> None:
    first = [recorded(n, 1) for n in ("LOAD00000001.csv", "LOAD00000002.csv", "20260301-1.csv")]
    reload = numbered(first, "LOAD00000001.csv", "LOAD00000002.csv", "20260302-100000000.csv")
    assert reload == (
        {"LOAD00000001.csv": 2, "LOAD00000002.csv": 2},
        2,
        {"core_banking.customers": (2, f"{CUSTOMERS}/LOAD00000001.csv")},
    )
    # a truncate: one new LOAD file in a run, the next in a later run: both in generation 2
    truncated = [*first, recorded("LOAD00000001.csv", 2)]
    assert numbered(truncated, "LOAD00000002.csv")[:2] == ({"LOAD00000002.csv": 2}, 2)
    # ... and the CDC rows of a run without LOAD files take the newest generation
    assert numbered(truncated, "20260303-100000000.csv")[1:] == (2, {})
    # records written before generations existed count as the first
    old = [recorded("LOAD00000001.csv", None), recorded("20260301-1.csv", None)]
    assert numbered(old, "LOAD00000001.csv")[0] == {"LOAD00000001.csv": 2}


def test_a_load_file_that_could_not_be_read_is_replaced_not_a_reload() -> None:
    unreadable = [recorded("LOAD00000001.csv", 1, "quarantined")]
    assert numbered(unreadable, "LOAD00000001.csv")[0] == {"LOAD00000001.csv": 1}
    # but one that landed rows, quarantined or not, is a reload when it comes again
    landed = [*unreadable, recorded("LOAD00000001.csv", 1)]
    assert numbered(landed, "LOAD00000001.csv")[0] == {"LOAD00000001.csv": 2}


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


def test_cdc_files_of_a_reload_whose_load_file_fails_land_in_the_new_full_load(
    tmp_path: Path,
) -> None:
    source, lake = tmp_path / "dms", tmp_path / "lake"
    deliver(source, "LOAD00000001.csv", csv(1))
    assert land(source, lake).files_landed == 1
    deliver(source, "LOAD00000001.csv", csv(1, 2))  # a reload ...
    deliver(source, "20260302-100000000.csv", csv(3))  # ... and a change after it
    failed = land(FailingLoads(LocalSource(source)), lake)
    assert (failed.files_failed, failed.files_landed) == (1, 1)
    assert any("full load 2 begins" in n for n in failed.notes)
    assert ("20260302-100000000", 3, 2) in raw(lake)  # after the reload, as DMS wrote it
    later = land(source, lake)  # the LOAD file joins the full load its CDC file is in
    assert later.files_landed == 1 and not any("begins" in n for n in later.notes)
    assert [r for r in raw(lake) if r[0] == "LOAD00000001"] == [
        ("LOAD00000001", 1, 1),
        ("LOAD00000001", 1, 2),
        ("LOAD00000001", 2, 2),
    ]


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
    records = s3.list_objects_v2(Bucket=lake, Prefix=f"lake/_ledger/files/{CUSTOMERS}/")
    assert len(records["Contents"]) == 2  # one per full load, neither overwritten
