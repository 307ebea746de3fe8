"""Committed landing runs (ingestion/commits.py): a run commits its files at its end, the next
run commits the files of a run that could not, and landing times only grow. The interleaving
with dbt is tests/python/test_snapshot.py; killing runs at every write, test_crash.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.project import CONTRACTS

from ingestion.commits import COMMITTED
from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource

CUSTOMERS = "core_banking/customers"


def deliver(source: Path, name: str, *ids: int) -> None:
    path = source / CUSTOMERS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([CUSTOMER_HEADER, *(customer_row(i) for i in ids)]) + "\n")


def land(source: Path, lake: Path, at: datetime) -> RunSummary:
    contracts = load_contracts(CONTRACTS)
    return Lander(LocalSource(source), Lake(lake), contracts, clock=lambda: at).run()


def committed(lake: Path) -> list[dict[str, object]]:
    return pq.read_table(lake / COMMITTED).to_pylist()


def raw_runs(lake: Path) -> dict[str, set[datetime]]:
    """Run id -> the landing times its raw rows carry."""
    found: dict[str, set[datetime]] = {}
    for path in (lake / "raw" / CUSTOMERS).glob("*.parquet"):
        for row in pq.read_table(path, columns=["_landing_run_id", "_landed_at"]).to_pylist():
            found.setdefault(row["_landing_run_id"], set()).add(row["_landed_at"])
    return found


def test_a_run_commits_its_files_and_a_run_with_nothing_new_commits_nothing(
    tmp_path: Path,
) -> None:
    source, lake = tmp_path / "dms", tmp_path / "lake"
    deliver(source, "LOAD00000001.csv", 1, 2)
    first = land(source, lake, datetime(2026, 3, 1, 9, tzinfo=UTC))
    rows = committed(lake)
    assert [(r["landing_run_id"], r["committed_by_run_id"]) for r in rows] == [
        (first.run_id, first.run_id)
    ]
    assert rows[0]["landed_at"] == datetime(2026, 3, 1, 9)
    assert raw_runs(lake) == {first.run_id: {datetime(2026, 3, 1, 9)}}
    before = (lake / COMMITTED).read_bytes()
    again = land(source, lake, datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert again.files_landed == 0
    assert (lake / COMMITTED).read_bytes() == before


def test_landing_times_only_grow_even_when_the_clock_goes_back(tmp_path: Path) -> None:
    source, lake = tmp_path / "dms", tmp_path / "lake"
    deliver(source, "LOAD00000001.csv", 1)
    first = land(source, lake, datetime(2026, 3, 1, 9, tzinfo=UTC))
    deliver(source, "20260301-100000000.csv", 2)
    # another host, its clock an hour behind
    second = land(source, lake, datetime(2026, 3, 1, 8, tzinfo=UTC))
    times = {r["landing_run_id"]: r["landed_at"] for r in committed(lake)}
    assert times[second.run_id] == times[first.run_id] + timedelta(microseconds=1)
    assert raw_runs(lake)[second.run_id] == {times[second.run_id]}


def test_the_next_run_commits_files_a_run_landed_without_committing(tmp_path: Path) -> None:
    source, lake = tmp_path / "dms", tmp_path / "lake"
    deliver(source, "LOAD00000001.csv", 1, 2)
    first = land(source, lake, datetime(2026, 3, 1, 9, tzinfo=UTC))
    # as if the run had been killed after its last ledger record, before its commit (or the
    # lake had been landed before commits existed)
    (lake / COMMITTED).unlink()
    deliver(source, "20260301-100000000.csv", 3)
    second = land(source, lake, datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert second.files_landed == 1 and second.files_already_landed == 1
    by = {r["landing_run_id"]: r["committed_by_run_id"] for r in committed(lake)}
    assert by == {first.run_id: second.run_id, second.run_id: second.run_id}
    assert set(raw_runs(lake)) == set(by)
    assert any("committed 1 file(s) landed by 1 earlier run(s)" in n for n in second.notes)
