"""One lake, one source: the first run records its DMS source root in the ledger, a run from
another root is refused before it writes anything (exit 2, with the ways out), on purpose it
is allowed and recorded, and a lake landed before roots were recorded adopts its roots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import duckdb
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.project import CONTRACTS

from ingestion.cli import main
from ingestion.source_root import ADOPTED, ADOPTED_FROM_REPORTS, FIRST, ON_PURPOSE, SOURCES


def dms_root(root: Path, *ids: int) -> Path:
    folder = root / "core_banking" / "customers"
    folder.mkdir(parents=True)
    rows = "".join(f"{customer_row(i)}\n" for i in ids)
    (folder / "LOAD00000001.csv").write_text(f"{CUSTOMER_HEADER}\n{rows}")
    return root


def land(source: Path | str, lake: Path | str, *extra: str) -> int:
    args = ["land", "--source", str(source), "--lake", str(lake), "--contracts", str(CONTRACTS)]
    return main([*args, *extra])


def sources(lake: Path) -> list[dict[str, str]]:
    records = [json.loads(p.read_text()) for p in sorted((lake / SOURCES).glob("*.json"))]
    return sorted(records, key=lambda r: r["landed_at"])


def lake_files(lake: Path) -> list[str]:
    return sorted(p.relative_to(lake).as_posix() for p in lake.rglob("*") if p.is_file())


def test_the_first_run_records_the_root_and_another_root_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo, own, lake = (
        dms_root(tmp_path / "demo", 1, 2),
        dms_root(tmp_path / "own", 3),
        tmp_path / "lake",
    )
    assert land(demo, lake) == 0
    ((record,),) = [sources(lake)]
    assert (record["root"], record["how"]) == (str(demo), FIRST)
    before = lake_files(lake)
    capsys.readouterr()

    assert land(own, lake) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: the lake {lake} holds files landed from {demo}, not from {own}; nothing was "
        f"landed. Land it into another lake (--lake or LAKE_DIR), or start this lake over "
        f"(delete {lake}; make clean removes data/), or add it to this lake on purpose with "
        "--allow-other-source\n"
    )
    assert lake_files(lake) == before  # nothing written, the lock released
    # the same root written another way is the same root
    assert land(f"{tmp_path}/demo/../demo/", lake) == 0
    (tmp_path / "link").symlink_to(demo)
    assert land(tmp_path / "link", lake) == 0
    assert len(sources(lake)) == 1


def test_another_root_on_purpose_is_landed_and_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo, own, lake = (
        dms_root(tmp_path / "demo", 1),
        dms_root(tmp_path / "own", 3),
        tmp_path / "lake",
    )
    assert land(demo, lake) == 0
    capsys.readouterr()
    assert land(own, lake, "--allow-other-source") == 0
    out = capsys.readouterr().out
    assert f"  lake: source root {own} added to this lake beside {demo}: {ON_PURPOSE}\n" in out
    assert [(r["root"], r["how"]) for r in sources(lake)] == [
        (str(demo), FIRST),
        (str(own), ON_PURPOSE),
    ]
    assert land(own, lake) == 0  # now one of the lake's roots
    rows = duckdb.sql(
        f"select root, how from read_json('{lake}/{SOURCES}/*.json') order by landed_at"
    ).fetchall()  # as dbt or any reader finds them
    assert rows == [(str(demo), FIRST), (str(own), ON_PURPOSE)]


def test_a_lake_landed_before_roots_were_recorded_adopts_the_root_of_its_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo, own, lake = (
        dms_root(tmp_path / "demo", 1),
        dms_root(tmp_path / "own", 3),
        tmp_path / "lake",
    )
    assert land(demo, lake) == 0
    shutil.rmtree(lake / SOURCES)  # as a lake landed before this change
    assert land(own, lake) == 2
    assert f"holds files landed from {demo}, not from {own}" in capsys.readouterr().err
    assert land(demo, lake) == 0
    assert f"  lake: source root {demo} recorded for this lake: {ADOPTED_FROM_REPORTS}\n" in (
        capsys.readouterr().out
    )
    assert [(r["root"], r["how"]) for r in sources(lake)] == [(str(demo), ADOPTED_FROM_REPORTS)]

    shutil.rmtree(lake / SOURCES)
    shutil.rmtree(lake / "_ledger" / "runs")  # no reports either: the first root seen
    assert land(own, lake) == 0
    assert (
        f"  lake: source root {own} recorded for this lake: {ADOPTED}\n" in capsys.readouterr().out
    )
    assert [(r["root"], r["how"]) for r in sources(lake)] == [(str(own), ADOPTED)]


def test_an_empty_source_is_said_and_not_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "typo").mkdir()
    lake = tmp_path / "lake"
    assert land(tmp_path / "typo", lake) == 0
    out = capsys.readouterr().out
    assert f"  lake: no files under {tmp_path / 'typo'} yet; if you expected some, check " in out
    assert not (lake / SOURCES).exists()
    assert land(dms_root(tmp_path / "right", 1), lake) == 0  # the right one is still welcome
    assert [r["root"] for r in sources(lake)] == [str(tmp_path / "right")]


@pytest.mark.s3
def test_an_s3_root_is_recorded_as_s3_bucket_prefix(
    buckets: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, lake = buckets
    body = f"{CUSTOMER_HEADER}\n{customer_row(1)}\n".encode()
    s3 = boto3.client("s3")
    for prefix in ("dms", "other"):
        s3.put_object(
            Bucket=source, Key=f"{prefix}/core_banking/customers/LOAD00000001.csv", Body=body
        )
    lake_url = f"s3://{lake}/lake"
    assert land(f"s3://{source}/dms/", lake_url, "--no-glue") == 0
    record = json.loads(
        s3.get_object(
            Bucket=lake,
            Key=s3.list_objects_v2(Bucket=lake, Prefix=f"lake/{SOURCES}/")["Contents"][0]["Key"],
        )["Body"].read()
    )
    assert record["root"] == f"s3://{source}/dms"
    assert land(f"s3://{source}/dms", lake_url, "--no-glue") == 0
    capsys.readouterr()
    assert land(f"s3://{source}/other", lake_url, "--no-glue") == 2
    assert f"holds files landed from s3://{source}/dms, not from s3://{source}/other" in (
        capsys.readouterr().err
    )
