from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.project import CONTRACTS, PROJECT

from ingestion.cli import main
from ingestion.lake import Lake
from ingestion.lock import RunLock


def test_missing_source_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "land",
            "--source",
            str(tmp_path / "nope"),
            "--lake",
            str(tmp_path / "lake"),
            "--contracts",
            str(CONTRACTS),
        ]
    )
    assert code == 2
    assert "is not a folder" in capsys.readouterr().err


def test_land_prints_a_summary_and_strict_fails_on_quarantine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "dms" / "core_banking" / "customers"
    folder.mkdir(parents=True)
    (folder / "LOAD00000001.csv").write_text(
        CUSTOMER_HEADER + "\n" + customer_row(1) + "\n" + customer_row(2, dob="never") + "\n"
    )
    args = [
        "land",
        "--source",
        str(tmp_path / "dms"),
        "--lake",
        str(tmp_path / "lake"),
        "--contracts",
        str(CONTRACTS),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "core_banking.customers" in out and "1 rows landed" in out and "1 quarantined" in out
    assert main([*args, "--strict"]) == 0  # nothing new this time
    (folder / "20260301-090000123.csv").write_text(
        CUSTOMER_HEADER + "\n" + customer_row(3, dob="never") + "\n"
    )
    assert main([*args, "--strict"]) == 4


def test_status_lists_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "dms" / "core_banking" / "customers"
    folder.mkdir(parents=True)
    (folder / "LOAD00000001.csv").write_text(CUSTOMER_HEADER + "\n" + customer_row(1) + "\n")
    lake = str(tmp_path / "lake")
    main(["land", "--source", str(tmp_path / "dms"), "--lake", lake, "--contracts", str(CONTRACTS)])
    capsys.readouterr()
    assert main(["status", "--lake", lake]) == 0
    out = capsys.readouterr().out
    assert "core_banking.customers" in out and "2026-03-01 08:00:00" in out


def _one_file(tmp_path: Path) -> list[str]:
    folder = tmp_path / "dms" / "core_banking" / "customers"
    folder.mkdir(parents=True)
    (folder / "LOAD00000001.csv").write_text(CUSTOMER_HEADER + "\n" + customer_row(1) + "\n")
    return [
        "land",
        "--source",
        str(tmp_path / "dms"),
        "--lake",
        str(tmp_path / "lake"),
        "--contracts",
        str(CONTRACTS),
    ]


def test_a_second_run_stops_with_exit_code_3_while_the_lock_is_held(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _one_file(tmp_path)
    holder = RunLock(Lake(tmp_path / "lake"), "first-run")
    holder.acquire()
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "another landing run holds the lake: run first-run" in err
    assert f"pid {os.getpid()}" in err
    assert not list((tmp_path / "lake").glob("raw/core_banking/customers/LOAD*"))
    holder.release()
    assert main(args) == 0
    assert list((tmp_path / "lake").glob("raw/core_banking/customers/LOAD*"))


def test_progress_bar_and_report_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "out" / "report.json"
    assert main([*_one_file(tmp_path), "--progress", "--report", str(report)]) == 0
    captured = capsys.readouterr()
    assert "[" + "#" * 30 + "] 1/1 files" in captured.err
    assert "rows/s" in captured.err
    data = json.loads(report.read_text())
    assert data["tables"]["core_banking.customers"]["rows_landed"] == 1
    assert data["files_landed"] == 1 and "duration_s" in data and "drift" in data


@pytest.mark.parametrize(
    ("holder", "code", "message"),
    [
        ({"host": "other-host", "age_hours": 1}, 3, "another landing run holds the lake"),
        ({"host": "other-host", "age_hours": 13}, 0, "it is older than 12 hours"),
        ({"host": "this-host", "pid": "dead", "age_hours": 0}, 0, "is not running"),
    ],
)
def test_stale_locks_are_taken_over_and_live_ones_are_not(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    holder: dict[str, object],
    code: int,
    message: str,
) -> None:
    args = _one_file(tmp_path)
    started = datetime.now(UTC) - timedelta(hours=float(str(holder["age_hours"])))
    lock = {
        "run_id": "old-run",
        "pid": 999_999_999 if holder.get("pid") == "dead" else os.getpid(),  # > pid_max
        "host": socket.gethostname() if holder["host"] == "this-host" else "other-host",
        "started_at": started.isoformat(),
    }
    path = tmp_path / "lake" / "_ledger" / "lock.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(lock))
    assert main([*args, "--json"]) == code
    captured = capsys.readouterr()
    if code == 3:
        assert message in captured.err
        assert path.exists()  # the live lock is left alone
    else:
        notes = json.loads(captured.out)["lake_notes"]
        assert any("took over the lock of run old-run" in n and message in n for n in notes)
        assert not path.exists()


def test_make_help_lists_every_variable_with_its_default_and_every_target() -> None:
    makefile = (PROJECT / "Makefile").read_text()
    variables = dict(re.findall(r"^(?:export )?([A-Z_]+) \?= ?(.*)$", makefile, re.MULTILINE))
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, re.MULTILINE)
    assert {"SOURCE", "LAKE_DIR", "DUCKDB_PATH", "TRANSACTIONS", "SEED", "LAND_ARGS"} <= set(
        variables
    )
    help_text = subprocess.run(
        ["make", "-s", "help"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout
    listed = dict(re.findall(r"^  ([A-Z_]+)=(.*?)(?: {2,}|$)", help_text, re.MULTILINE))
    assert listed == {**variables, "DBT_TARGET": "duckdb", "DBT_THREADS": "2",
                      "DUCKDB_MEMORY_LIMIT": "5GB", "DUCKDB_THREADS": "2",
                      "DUCKDB_BLOCK_ALLOCATOR_MEMORY": "3GB"}  # fmt: skip
    assert re.findall(r"^  ([a-z-]+) ", help_text, re.MULTILINE) == targets
    assert "$(" not in help_text.replace('"$(make -s env)"', "")
    env = subprocess.run(
        [
            "make",
            "-s",
            "env",
            "LAKE_DIR=s3://lake-bucket/lake",
            "DUCKDB_PATH=data/warehouse.duckdb",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert env == (
        f"export DBT_PROFILES_DIR={PROJECT}/profiles LAKE_DIR=s3://lake-bucket/lake "
        f"DUCKDB_PATH={PROJECT}/data/warehouse.duckdb\n"
    )
    assert (PROJECT / "profiles.yml").resolve() == PROJECT / "profiles" / "profiles.yml"
