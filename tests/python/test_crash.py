"""Kill the landing process at every write step, rerun, and compare with an uninterrupted run.

``DMSW_CRASH_AFTER=<n>`` (``ingestion/faults.py``) makes a ``dmsw land`` process send itself
SIGKILL at its n-th write checkpoint (just before or just after each change the lake makes).
For every n until the run completes, a killed run followed by a normal rerun must leave the
same lake as one uninterrupted run. The killed runs are processes forked from a server that
has imported ingestion once (``support/landing_process.py``); the last test runs
``python -m ingestion`` itself.

"The same lake" means: the same set of files under the lake root, except the run reports in
``_ledger/runs/`` (one per run, so a rerun adds one); every Parquet file with the same rows;
every ledger record with the same content. The run id and landing time (``_landing_run_id``,
``_landed_at`` in the rows, ``landing_run_id``, ``landed_at`` in the quarantine and ledger)
name the run that did the landing, so they are left out of the comparison; no lock file and no
staged file may remain. The committed runs (``_ledger/committed/runs.parquet``) differ too (a
rerun commits the killed run's files as well): every run with rows or ledger records in the
lake must be among them, once.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.landing_process import dmsw_in_a_process
from support.project import CONTRACTS, PROJECT

from ingestion.cli import main
from ingestion.commits import COMMITTED
from ingestion.faults import ENV

VOLATILE = {"_landing_run_id", "_landed_at", "landing_run_id", "landed_at"}


def _state(files: dict[str, bytes]) -> dict[str, object]:
    state: dict[str, object] = {}
    landed_by: set[str] = set()  # every run with rows or ledger records in the lake
    for rel, data in sorted(files.items()):
        if rel.startswith("_ledger/runs/") or rel == COMMITTED:
            continue
        if rel.endswith(".parquet"):
            table = pq.read_table(pa.BufferReader(data))
            for name in ("_landing_run_id", "landing_run_id"):
                if name in table.column_names:
                    landed_by.update(table.column(name).to_pylist())
            table = table.drop_columns([c for c in table.column_names if c in VOLATILE])
            state[rel] = sorted(repr(row) for row in table.to_pylist())
        elif rel.endswith(".json"):
            record = json.loads(data)
            if rel.startswith("_ledger/files/"):
                landed_by.add(record["landing_run_id"])
            state[rel] = {k: v for k, v in record.items() if k not in VOLATILE}
        else:
            state[rel] = data
    # which runs committed differs (a rerun commits the killed run's files too), but every
    # run with rows or records in the lake must be committed, once
    committed = pq.read_table(pa.BufferReader(files[COMMITTED])).column(0).to_pylist()
    state["(committed runs)"] = {
        "all landed runs committed": landed_by <= set(committed),
        "each once": len(committed) == len(set(committed)),
    }
    return state


def snapshot(lake: Path) -> dict[str, object]:
    files = {p.relative_to(lake).as_posix(): p.read_bytes() for p in lake.rglob("*") if p.is_file()}
    return _state(files)


def s3_snapshot(bucket: str, prefix: str) -> dict[str, object]:
    s3 = boto3.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
    files = {
        item["Key"][len(prefix) + 1 :]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for page in pages
        for item in page.get("Contents", [])
    }
    return _state(files)


def source_files() -> dict[str, bytes]:
    return {
        "core_banking/customers/LOAD00000001.csv": (
            f"{CUSTOMER_HEADER}\n{customer_row(1)}\n{customer_row(2)}\n"
        ).encode(),
        "core_banking/customers/20260301-090000123.csv": (
            f"{CUSTOMER_HEADER}\n{customer_row(1, op='U')}\n{customer_row(3, dob='never')}\n"
        ).encode(),
        "core_banking/customers/20260301-090000124.csv.gz": gzip.compress(b"Op,x\nI,1\n")[:-9],
        "core_banking/customers/20260301-090000125.csv": b"",
    }


def write_source(root: Path) -> None:
    for key, content in source_files().items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def land_args(source: Path | str, lake: Path | str) -> list[str]:
    args = ["land", "--source", str(source), "--lake", str(lake), "--contracts", str(CONTRACTS)]
    return [*args, "--no-glue"]


def killed_run(source: Path | str, lake: Path | str, crash_after: int) -> int:
    """A landing process that the crash hook kills at its `crash_after`-th checkpoint (exit
    code -9), or that completes (0) when the run has fewer checkpoints."""
    env = {**os.environ, ENV: str(crash_after)}
    return dmsw_in_a_process(land_args(source, lake), env)


def crash_points(run: Callable[[int], int], step: int = 1) -> list[int]:
    """Run with a crash at checkpoint 1, 1 + step, ... (4 at a time) until a run completes."""
    killed: list[int] = []
    batch, n, finished = 4, 1, False
    with ThreadPoolExecutor(max_workers=batch) as pool:
        while not finished:
            points = list(range(n, n + batch * step, step))
            for point, code in zip(points, pool.map(run, points), strict=True):
                if code == 0:
                    finished = True  # past the last checkpoint: the run completed
                    continue
                assert code == -9, f"crash point {point}: exit {code}"
                killed.append(point)
            n += batch * step
            assert n < 200, "the run never completed"
    return killed


def test_a_run_killed_at_any_write_then_rerun_equals_an_uninterrupted_run(
    tmp_path: Path,
) -> None:
    source = tmp_path / "dms"
    write_source(source)
    reference = tmp_path / "reference"
    assert main(land_args(source, reference)) == 0
    expected = snapshot(reference)
    assert any(k.startswith("quarantine_files/") for k in expected)  # every kind of write
    assert any(k.startswith("raw/core_banking/customers/LOAD") for k in expected)

    killed = crash_points(lambda p: killed_run(source, tmp_path / f"l{p}", p))
    assert len(killed) >= 20  # lock, schema files, raw, quarantine, kept file, ledger, report
    for point in killed:
        lake = tmp_path / f"l{point}"
        assert main(land_args(source, lake)) == 0, f"rerun after crash point {point}"
        assert snapshot(lake) == expected, f"crash point {point}"
        assert not list(lake.rglob(".incoming-*"))
        assert not (lake / "_ledger" / "lock.json").exists()


@pytest.mark.s3
def test_an_s3_run_killed_at_any_write_then_rerun_equals_an_uninterrupted_run(
    buckets: tuple[str, str],
) -> None:
    source, lake = buckets
    s3 = boto3.client("s3")
    for key, content in source_files().items():
        s3.put_object(Bucket=source, Key=f"dms/{key}", Body=content)
    dms = f"s3://{source}/dms"
    assert main(land_args(dms, f"s3://{lake}/reference")) == 0
    expected = s3_snapshot(lake, "reference")
    assert any(k.startswith("quarantine_files/") for k in expected)

    # every third checkpoint (the local test above takes every one), to keep the suite quick
    killed = crash_points(lambda p: killed_run(dms, f"s3://{lake}/l{p}", p), step=3)
    assert len(killed) >= 10
    for point in killed:
        assert main(land_args(dms, f"s3://{lake}/l{point}")) == 0, f"rerun after {point}"
        state = s3_snapshot(lake, f"l{point}")
        assert state == expected, f"crash point {point}"
        assert "_ledger/lock.json" not in state


def test_the_crash_hook_is_inert_without_the_variable(tmp_path: Path) -> None:
    source = tmp_path / "dms"
    write_source(source)
    env = {k: v for k, v in os.environ.items() if k != ENV}
    command = [sys.executable, "-m", "ingestion", *land_args(source, tmp_path / "lake")]
    result = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, check=False)
    assert result.returncode == 0
    assert b"killed at" not in result.stderr
