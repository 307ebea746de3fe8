"""Landing from S3 into an S3 lake, through the production boto3 code, against a loopback
S3-protocol server (moto in server mode; see the ``s3_endpoint`` fixture). Nothing is patched.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.project import CONTRACTS

from ingestion.aws import client
from ingestion.cli import main
from ingestion.contracts import load_contracts
from ingestion.errors import AwsError, FilesFailedError, UserError
from ingestion.glue import GlueCatalog
from ingestion.lake import Lake
from ingestion.landing import Lander, Progress
from ingestion.lock import LOCK, RunLock
from ingestion.s3 import S3Source, S3Store

pytestmark = pytest.mark.s3

CUSTOMERS = "dms/core_banking/customers"


def put(bucket: str, key: str, text: str) -> None:
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=text.encode())


def csv(*rows: str) -> str:
    return "\n".join([CUSTOMER_HEADER, *rows]) + "\n"


def keys(bucket: str, prefix: str = "") -> list[str]:
    pages = (
        boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    )
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def read_parquet(bucket: str, key: str) -> pa.Table:
    body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return pq.read_table(pa.BufferReader(body))


def land_args(source: str, lake: str, *extra: str) -> list[str]:
    return ["land", "--source", source, "--lake", lake, "--contracts", str(CONTRACTS), *extra]


def test_land_from_s3_into_an_s3_lake_with_glue_tables(
    buckets: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, lake = buckets
    put(source, f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1), customer_row(2)))
    put(source, f"{CUSTOMERS}/20260301-090000123.csv", csv(customer_row(1, op="U")))
    put(source, f"{CUSTOMERS}/20260301-090000124.csv", csv(customer_row(3, dob="never")))
    report = tmp_path / "report.json"
    args = land_args(f"s3://{source}/dms", f"s3://{lake}/lake", "--report", str(report))
    assert main([*args, "--glue-database", "raw_test"]) == 0
    landed = keys(lake, "lake/raw/core_banking/customers/")
    assert len([k for k in landed if not k.endswith("_schema.parquet")]) == 2  # 124: none fit
    rows = sum(read_parquet(lake, k).num_rows for k in landed)
    assert rows == 3
    (quarantined,) = [k for k in keys(lake, "lake/quarantine/core_banking/") if "124" in k]
    assert read_parquet(lake, quarantined).column("reason").to_pylist() == [
        "date_of_birth: 'never' is not a valid date"
    ]
    # the ledger records key, ETag, size and modification time of every file
    ledger = [k for k in keys(lake, "lake/_ledger/files/") if k.endswith(".json")]
    entry = json.loads(boto3.client("s3").get_object(Bucket=lake, Key=ledger[0])["Body"].read())
    head = boto3.client("s3").head_object(Bucket=source, Key=f"dms/{entry['key']}")
    assert entry["version"] == head["ETag"].strip('"')
    assert entry["size"] == head["ContentLength"]
    assert entry["source_modified"]
    # the run report
    data = json.loads(report.read_text())
    assert data["tables"]["core_banking.customers"] == {
        "files": 3,
        "rows_landed": 3,
        "rows_quarantined": 1,
        "files_quarantined": 0,
        "newest_commit_ts": "2026-03-01 08:00:00",
    }
    assert data["duration_s"] >= 0 and data["rows_landed"] == 3
    # Glue: raw tables and the quarantine, typed, at their S3 location
    glue = boto3.client("glue")
    table = glue.get_table(DatabaseName="raw_test", Name="core_banking__customers")["Table"]
    descriptor = table["StorageDescriptor"]
    assert descriptor["Location"] == f"s3://{lake}/lake/raw/core_banking/customers/"
    columns = {c["Name"]: c["Type"] for c in descriptor["Columns"]}
    assert columns["customer_id"] == "bigint"
    assert columns["date_of_birth"] == "date"
    assert columns["_dms_commit_ts"] == "timestamp"
    names = {t["Name"] for t in glue.get_tables(DatabaseName="raw_test")["TableList"]}
    assert {
        "landing_quarantine",
        "landing_committed_runs",
        "core_banking__transactions",
        "events__transaction_events",
    } <= names
    committed = glue.get_table(DatabaseName="raw_test", Name="landing_committed_runs")["Table"]
    assert committed["StorageDescriptor"]["Location"] == f"s3://{lake}/lake/_ledger/committed/"
    assert [c["Name"] for c in committed["StorageDescriptor"]["Columns"]] == [
        "landing_run_id",
        "landed_at",
        "committed_at",
        "committed_by_run_id",
    ]
    # status reads the S3 lake; a rerun lands nothing
    capsys.readouterr()
    assert main(["status", "--lake", f"s3://{lake}/lake"]) == 0
    out = capsys.readouterr().out
    assert "core_banking.customers" in out and "2026-03-01 08:00:00" in out
    assert main([*args, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["files_landed"], again["files_already_landed"]) == (0, 3)


def test_landing_into_an_s3_lake_leaves_no_staging_folder_behind(
    buckets: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Parquet file bound for an S3 lake is staged in a local folder first: a run leaves
    none behind (a scheduled `dmsw land` would leave one per run in /tmp), and a store that
    stages nothing makes none."""
    source, lake = buckets
    put(source, f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1), customer_row(2)))
    local_tmp = tmp_path / "tmp"
    local_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(local_tmp))
    assert main(land_args(f"s3://{source}/dms", f"s3://{lake}/lake")) == 0
    gc.collect()
    assert keys(lake, "lake/raw/core_banking/customers/")  # it did stage and upload files
    assert list(local_tmp.iterdir()) == []
    store = S3Store(f"s3://{lake}/lake")
    assert list(local_tmp.iterdir()) == []
    store.staging("raw/x.parquet").write_bytes(b"x")
    (folder,) = local_tmp.iterdir()
    assert folder.name.startswith("dmsw-staging-")
    store.close()
    assert list(local_tmp.iterdir()) == []


def test_listing_is_paginated(buckets: tuple[str, str]) -> None:
    source, _ = buckets
    for n in range(7):
        put(source, f"{CUSTOMERS}/2026030{n}-090000123.csv", csv(customer_row(n + 1)))
    s3 = S3Source(f"s3://{source}/dms", page_size=2)
    assert len(list(s3.list())) == 7
    assert s3.pages == 4


def test_drift_reaches_the_glue_table(buckets: tuple[str, str]) -> None:
    source, lake = buckets
    header = CUSTOMER_HEADER + ",loyalty_tier"
    put(source, f"{CUSTOMERS}/20260301-090000123.csv", header + "\n" + customer_row(1) + ",gold\n")
    assert main([*land_args(f"s3://{source}/dms", f"s3://{lake}"), "--glue-database", "drift"]) == 0
    table = boto3.client("glue").get_table(DatabaseName="drift", Name="core_banking__customers")
    columns = [c["Name"] for c in table["Table"]["StorageDescriptor"]["Columns"]]
    assert "loyalty_tier" in columns


def _lander(source: str, lake: str, progress: Any = None) -> Lander:
    # one file at a time when a test acts between files from the progress hook
    return Lander(
        S3Source(f"s3://{source}/dms"),
        Lake(S3Store(f"s3://{lake}/lake")),
        load_contracts(CONTRACTS),
        progress=progress,
        workers=1 if progress else None,
    )


def test_an_object_that_disappears_or_changes_after_listing_is_left_for_later(
    buckets: tuple[str, str],
) -> None:
    source, lake = buckets
    put(source, f"{CUSTOMERS}/20260301-090000001.csv", csv(customer_row(1)))
    put(source, f"{CUSTOMERS}/20260301-090000002.csv", csv(customer_row(2)))
    put(source, f"{CUSTOMERS}/20260301-090000003.csv", csv(customer_row(3)))
    client = boto3.client("s3")

    def meddle(update: Progress) -> None:  # runs after the first file landed
        if update.done == 1:
            client.delete_object(Bucket=source, Key=f"{CUSTOMERS}/20260301-090000002.csv")
            put(source, f"{CUSTOMERS}/20260301-090000003.csv", csv(customer_row(3, op="U")))

    summary = _lander(source, lake, meddle).run()
    assert (summary.files_landed, summary.files_vanished, summary.files_failed) == (1, 2, 0)
    notes = "\n".join(summary.notes)
    assert "20260301-090000002.csv was listed but is gone" in notes
    assert "20260301-090000003.csv changed since it was listed" in notes
    second = _lander(source, lake).run()
    assert second.files_landed == 1  # the new version of file 3; file 2 is gone
    assert second.tables["core_banking.customers"].rows_landed == 1


def test_redelivery_same_content_is_skipped_new_content_is_a_new_version(
    buckets: tuple[str, str],
) -> None:
    source, lake = buckets
    # a CDC file (a LOAD file delivered again is a new full load: test_generations.py)
    key = f"{CUSTOMERS}/20260301-090000001.csv"
    put(source, key, csv(customer_row(1)))
    assert _lander(source, lake).run().files_landed == 1
    put(source, key, csv(customer_row(1)))  # re-delivered: same bytes, same ETag
    same = _lander(source, lake).run()
    assert (same.files_landed, same.files_already_landed) == (0, 1)
    put(source, key, csv(customer_row(1), customer_row(2)))
    changed = _lander(source, lake).run()
    assert changed.files_landed == 1
    assert f"{key[4:]}: new content under an already landed key: landed as a new version" in (
        changed.notes
    )
    raw = [k for k in keys(lake, "lake/raw/core_banking/customers/") if "20260301" in k]
    assert len(raw) == 2  # both versions, named by content
    assert sorted(read_parquet(lake, k).num_rows for k in raw) == [1, 2]


def test_a_second_run_on_the_same_s3_lake_stops_with_exit_code_3(
    buckets: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, lake = buckets
    put(source, f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1)))
    holder = RunLock(Lake(S3Store(f"s3://{lake}/lake")), "the-other-run")
    assert holder.acquire() is None
    args = land_args(f"s3://{source}/dms", f"s3://{lake}/lake")
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "another landing run holds the lake: run the-other-run" in err
    assert not [k for k in keys(lake) if "/raw/core_banking/customers/LOAD" in k]
    holder.release()
    assert main(args) == 0
    assert f"lake/{LOCK}" not in keys(lake)


def test_a_stale_lock_of_a_dead_process_is_taken_over(buckets: tuple[str, str]) -> None:
    source, lake = buckets
    put(source, f"{CUSTOMERS}/LOAD00000001.csv", csv(customer_row(1)))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    holder = RunLock(Lake(S3Store(f"s3://{lake}/lake")), "crashed-run")
    holder.acquire()
    lock = json.loads(boto3.client("s3").get_object(Bucket=lake, Key=f"lake/{LOCK}")["Body"].read())
    lock["pid"] = int(dead.stdout)
    put(lake, f"lake/{LOCK}", json.dumps(lock))
    summary = _lander(source, lake).run()
    assert summary.files_landed == 1
    assert summary.lake_notes == [
        f"took over the lock of run crashed-run (pid {lock['pid']} on {lock['host']}, since "
        f"{lock['started_at'][:10]} {lock['started_at'][11:19]} UTC): process {lock['pid']} "
        "is not running"
    ]


def test_bad_s3_locations_are_clear_errors(
    s3_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(land_args("s3://no-such-bucket-here/dms", str(tmp_path / "lake"))) == 2
    assert "source bucket 'no-such-bucket-here'" in capsys.readouterr().err
    assert main(land_args("s3://", str(tmp_path / "lake"))) == 2
    assert "no bucket" in capsys.readouterr().err
    assert main([*land_args(str(tmp_path), str(tmp_path / "lake")), "--glue"]) == 2
    assert "--glue needs the lake on S3" in capsys.readouterr().err
    assert os.environ["AWS_ENDPOINT_URL"] == s3_endpoint


def test_glue_upsert_follows_the_contract_and_keeps_drift_columns(s3_endpoint: str) -> None:
    catalog = GlueCatalog(client("glue"), "upserts")
    location = "s3://lake-bucket/lake/raw/s/t"
    first = pa.schema([("id", pa.int32()), ("extra", pa.string())])
    assert catalog.upsert("s__t", first, location, "t") == "created"
    assert catalog.upsert("s__t", first, location, "t") == "unchanged"
    second = pa.schema([("id", pa.int64()), ("amount", pa.decimal128(12, 2)), ("b", pa.binary())])
    assert catalog.upsert("s__t", second, location, "t") == "updated"
    table = boto3.client("glue").get_table(DatabaseName="upserts", Name="s__t")["Table"]
    columns = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [
        ("id", "bigint"),
        ("extra", "string"),
        ("amount", "decimal(12,2)"),
        ("b", "binary"),
    ]
    with pytest.raises(UserError, match="not a plain identifier"):
        catalog.upsert("s__t; drop", second, location, "t")


def test_s3_refusals_are_aws_errors_and_leave_the_files_for_the_next_run(
    buckets: tuple[str, str],
) -> None:
    source, lake = buckets
    for n in (1, 2, 3):
        put(source, f"{CUSTOMERS}/20260301-09000000{n}.csv", csv(customer_row(n)))
    s3 = boto3.client("s3")

    def drop_the_source_bucket(update: Progress) -> None:  # after the first file landed
        if update.done == 1:
            for key in keys(source):
                s3.delete_object(Bucket=source, Key=key)
            s3.delete_bucket(Bucket=source)

    summary = _lander(source, lake, drop_the_source_bucket).run()
    assert (summary.files_landed, summary.files_failed) == (1, 2)
    assert all("AwsError: S3 get s3://" in e and "NoSuchBucket" in e for e in summary.errors)
    problem = summary.problem(strict=False)
    assert isinstance(problem, FilesFailedError) and problem.exit_code == 1
    store = S3Store(f"s3://{lake}/lake")
    for key in keys(lake):
        s3.delete_object(Bucket=lake, Key=key)
    s3.delete_bucket(Bucket=lake)
    with pytest.raises(AwsError, match=f"S3 put s3://{lake}/lake/x.json: .*NoSuchBucket"):
        store.put_bytes("x.json", b"{}")
