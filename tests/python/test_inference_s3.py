"""``dmsw contracts infer --source s3://...`` through the production boto3 source, against a
loopback S3-protocol server (moto in server mode; the ``s3_endpoint`` fixture)."""

from __future__ import annotations

import gzip
from pathlib import Path

import boto3
import pytest
from support.handmade_dms import csv_text, run, write

pytestmark = pytest.mark.s3

FILES = {
    "dms/shop/orders/LOAD00000001.csv": csv_text([["1", "12.50", "a"], ["2", "-1.00", None]]),
    "dms/shop/orders/2026/03/01/20260301-080000000.csv.gz": gzip.compress(
        csv_text([["U", "1", "13.00", ""]]).encode()
    ),
    "dms/shop/orders/notes.txt": "not a DMS file",
}


def test_infer_from_s3_drafts_what_the_same_files_give_locally(
    buckets: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket, _ = buckets
    s3 = boto3.client("s3")
    for key, body in FILES.items():
        data = body.encode() if isinstance(body, str) else body
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        write(tmp_path / "local", key, data)

    code, printed = run(
        capsys,
        "contracts",
        "infer",
        "--source",
        f"s3://{bucket}/dms",
        "--out",
        str(tmp_path / "s3"),
    )
    assert code == 0, printed
    assert "notes.txt" in printed  # listed as not a DMS file
    code, local = run(
        capsys,
        "contracts",
        "infer",
        "--source",
        str(tmp_path / "local" / "dms"),
        "--out",
        str(tmp_path / "loc"),
    )
    assert code == 0, local
    for name in ("_dms_settings.yml", "orders.yml"):
        from_s3 = (tmp_path / "s3" / "shop" / name).read_text().splitlines()[2:]
        from_folder = (tmp_path / "loc" / "shop" / name).read_text().splitlines()[2:]
        assert from_s3 == from_folder  # past the mark and the origin line
    orders = (tmp_path / "s3" / "shop" / "orders.yml").read_text()
    assert "{name: col_2, type: 'decimal(9,2)'}" in orders
    assert (
        "date_partition_enabled: true"
        in (tmp_path / "s3" / "shop" / "_dms_settings.yml").read_text()
    )


def test_a_missing_bucket_is_a_clear_error(
    s3_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed = run(
        capsys, "contracts", "infer", "--source", "s3://no-such-bucket/dms", "--out", str(tmp_path)
    )
    assert code == 2
    assert "no-such-bucket" in printed and "Traceback" not in printed
