from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTRACTS, CUSTOMER_HEADER, customer_row

from ingestion.cli import main


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
