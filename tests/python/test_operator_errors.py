"""Operator mistakes: each one is one line on stderr, saying what to change, with the documented
exit code, and no traceback (--debug shows it). The ones the issue lists run as real `dmsw`
processes (what the process prints is the point); the others call `main` in process."""

from __future__ import annotations

import errno
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.dmsw_process import run_dmsw, start_paused
from support.project import CONTRACTS, PROJECT

from ingestion.cli import main
from ingestion.errors import DmswError, RetryableError, UserError, explain
from ingestion.lock import LOCK

FIX = "give --lake (env LAKE_DIR) a folder you can write to"
WRITE_S3 = "write S3 locations as s3://bucket/prefix (lower-case s3, two slashes)"


def dms(root: Path, files: int = 1) -> Path:
    """`files` customer files (a full load, then CDC files), two rows each."""
    folder = root / "core_banking" / "customers"
    folder.mkdir(parents=True)
    names = ["LOAD00000001.csv"] + [f"20260301-0900001{n:02}.csv" for n in range(files - 1)]
    for n, name in enumerate(names):
        rows = f"{customer_row(2 * n + 1)}\n{customer_row(2 * n + 2)}\n"
        (folder / name).write_text(f"{CUSTOMER_HEADER}\n{rows}")
    return root


def land_args(source: Path | str, lake: Path | str, *extra: str) -> list[str]:
    return [
        "land",
        "--source",
        str(source),
        "--lake",
        str(lake),
        "--contracts",
        str(CONTRACTS),
        *extra,
    ]


# --- the mistakes the issue lists, as real processes ------------------------------------------


def test_a_lake_path_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, lake = dms(tmp_path / "dms"), tmp_path / "lake"
    lake.write_text("not a folder")
    result = run_dmsw(land_args(source, lake))
    assert (result.returncode, result.stderr) == (
        2,
        f"error: the lake {lake} is a file, not a folder: {FIX}\n",
    )
    assert main(land_args(source, lake / "sub")) == 2  # a file on the way: in process
    assert capsys.readouterr().err == (
        f"error: the lake {lake / 'sub'} cannot be made, {lake} is a file: {FIX}\n"
    )


def _read_only_mount_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    not _read_only_mount_works(),
    reason="needs unshare with user and mount namespaces to mount a folder read-only",
)
def test_a_lake_on_a_read_only_file_system(tmp_path: Path) -> None:
    """A real read-only mount (a private bind mount, read-only, in a user namespace)."""
    source, outer = dms(tmp_path / "dms"), tmp_path / "ro"
    (outer / "lake").mkdir(parents=True)
    dmsw = [sys.executable, "-m", "ingestion", *land_args(source, outer / "lake")]
    command = f"mount --bind -o ro {outer} {outer} && exec {' '.join(dmsw)}"
    result = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", command],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        2,
        f"error: cannot write to the lake {outer / 'lake'}: read-only file system: {FIX}\n",
    )
    assert list((outer / "lake").iterdir()) == []


def test_binary_garbage_is_quarantined_without_noise(tmp_path: Path) -> None:
    source = dms(tmp_path / "dms")
    folder = source / "core_banking" / "customers"
    garbage = bytes(range(256)) * 64  # every byte value: NULs, invalid UTF-8, quotes, newlines
    (folder / "20260301-090000200.csv").write_bytes(garbage)
    (folder / "20260301-090000201.csv.gz").write_bytes(garbage)
    (folder / "20260301-090000202.parquet").write_bytes(garbage)
    lake = tmp_path / "lake"
    result = run_dmsw(land_args(source, lake))
    assert (result.returncode, result.stderr) == (0, "")
    assert "1 landed, 0 duplicate, 3 quarantined whole, 0 failed" in result.stdout
    kept = sorted(p.name for p in (lake / "quarantine_files").rglob("*") if p.is_file())
    assert kept == [
        "20260301-090000200.csv",
        "20260301-090000201.csv.gz",
        "20260301-090000202.parquet",
    ]
    assert (
        lake / "quarantine_files/core_banking/customers/20260301-090000200.csv"
    ).read_bytes() == garbage
    reasons = pq.read_table(lake / "quarantine" / "core_banking" / "customers").column("reason")
    assert any(
        "a record with the wrong number of fields is not valid UTF-8" in r
        for r in reasons.to_pylist()
    )


@pytest.mark.parametrize(
    ("stop", "workers", "code", "what"),
    [
        (signal.SIGINT, "1", 130, "interrupted (Ctrl-C)"),
        (signal.SIGTERM, "2", 143, "terminated (SIGTERM)"),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_ctrl_c_stops_cleanly_and_the_next_run_lands_the_rest(
    tmp_path: Path, stop: signal.Signals, workers: str, code: int, what: str
) -> None:
    source, lake, reference = dms(tmp_path / "dms", files=3), tmp_path / "lake", tmp_path / "ref"
    assert main(land_args(source, reference)) == 0
    # stopped just before the second file's raw output is published
    process, paused = start_paused(
        land_args(source, lake, "--workers", workers),
        "before publishing raw/core_banking/customers/20260301-090000100",
    )
    process.send_signal(stop)
    process.send_signal(signal.SIGCONT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == code
    recorded = sorted((lake / "_ledger" / "files").rglob("*.json"))
    assert err.splitlines() == [
        f"error: {what}: {len(recorded)} file(s) landed and recorded before the stop stay landed; "
        "the files not recorded land on the next run; the lock was released"
    ]
    assert "Traceback" not in out + err + paused
    assert not (lake / LOCK).exists()
    assert not list(lake.rglob(".incoming-*"))
    assert len(recorded) < 3

    assert main(land_args(source, lake)) == 0  # the rerun lands the rest: the same lake

    def raw(root: Path) -> dict[str, int]:
        files = (root / "raw").rglob("*.parquet")
        return {p.relative_to(root).as_posix(): pq.read_metadata(p).num_rows for p in files}

    assert raw(lake) == raw(reference)
    assert len(list((lake / "_ledger" / "files").rglob("*.json"))) == 3


# --- other mistakes, in process -----------------------------------------------------------------


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("error: ").removesuffix("\n")


@pytest.mark.parametrize(
    ("lake", "message"),
    [
        (
            "S3://bucket/lake",
            "--lake (env LAKE_DIR) 'S3://bucket/lake' is neither a folder nor an S3 location: "
            + WRITE_S3,
        ),
        (
            "s3:/bucket/lake",
            "--lake (env LAKE_DIR) 's3:/bucket/lake' is neither a folder nor an S3 location: "
            + WRITE_S3,
        ),
        (
            "s3a://bucket/lake",
            "--lake (env LAKE_DIR) 's3a://bucket/lake' is neither a folder nor an S3 location: "
            + WRITE_S3,
        ),
        ("s3://", "no bucket in 's3://': write it s3://bucket/prefix"),
        (
            "s3://My_Bucket/lake",
            "'My_Bucket' in 's3://My_Bucket/lake' is not an S3 bucket name (3 to 63 lower-case "
            "letters, digits, dots and hyphens): write it s3://bucket/prefix",
        ),
        (
            "s3://bucket/a//lake",
            "the prefix of 's3://bucket/a//lake' has an empty or unusual part (//, ., .., spaces "
            "or other characters): write it s3://bucket/prefix with plain folder names",
        ),
        ("", "--lake (env LAKE_DIR) is empty: give a folder or s3://bucket/prefix"),
    ],
)
def test_malformed_locations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lake: str, message: str
) -> None:
    assert main(land_args(dms(tmp_path / "dms"), lake, "--no-glue")) == 2
    assert _err(capsys) == message
    assert main(["status", "--lake", lake]) == 2
    assert _err(capsys) == message


def test_the_lake_inside_the_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = dms(tmp_path / "dms")
    assert main(land_args(source, source / "lake")) == 2
    assert _err(capsys) == (
        f"the lake {source / 'lake'} and the DMS source {source} overlap (one is inside the "
        "other): give the lake a folder or prefix of its own (--lake, LAKE_DIR)"
    )
    assert not (source / "lake").exists()


def test_a_source_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(land_args(tmp_path / "nope", tmp_path / "lake")) == 2
    assert (
        _err(capsys) == f"DMS root {tmp_path / 'nope'} is not a folder (set --source or DMS_SOURCE)"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DMSW_LAND_WORKERS", "four", "DMSW_LAND_WORKERS must be a whole number >= 1, not 'four'"),
        (
            "DMSW_LOCK_TTL_HOURS",
            "-1",
            "DMSW_LOCK_TTL_HOURS must be a number of hours above 0, not '-1'",
        ),
    ],
)
def test_bad_environment_values(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(land_args(dms(tmp_path / "dms"), tmp_path / "lake")) == 2
    assert _err(capsys) == message


def test_a_report_path_that_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report").mkdir()
    args = land_args(dms(tmp_path / "dms"), tmp_path / "lake", "--report", str(tmp_path / "report"))
    assert main(args) == 2
    assert _err(capsys) == (
        f"landed, but the report could not be written to {tmp_path / 'report'}: is a directory: "
        "give --report a file path you can write"
    )


def test_no_aws_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role on this machine
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert main(land_args(dms(tmp_path / "dms"), "s3://some-lake/lake")) == 2
    assert _err(capsys) == (
        "lake bucket 'some-lake': no usable AWS credentials: set AWS_PROFILE, or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an instance or task role"
    )
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    assert main(land_args(dms(tmp_path / "dms2"), "s3://some-lake/lake")) == 2
    assert _err(capsys) == (
        "AWS configuration: The config profile (no-such-profile) could not be found: set "
        "AWS_PROFILE to a profile in ~/.aws/config"
    )


def test_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "lake").write_text("")
    assert main(["--debug", *land_args(dms(tmp_path / "dms"), tmp_path / "lake")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "ingestion.errors.UserError: the lake" in err
    assert err.endswith(f"error: the lake {tmp_path / 'lake'} is a file, not a folder: {FIX}\n")
    assert main([*land_args(tmp_path / "dms", tmp_path / "lake"), "--debug"]) == 2  # after, too
    assert "Traceback" in capsys.readouterr().err


def test_what_is_not_a_dmsw_error_still_gets_a_line_and_a_code() -> None:
    assert explain(UserError("x")).exit_code == 2
    assert explain(KeyboardInterrupt()).exit_code == 130
    full = explain(OSError(errno.ENOSPC, "No space left on device", "/lake/raw/x.parquet"))
    assert isinstance(full, RetryableError)
    assert str(full) == (
        "no space left on the device writing /lake/raw/x.parquet: free some space and rerun "
        "(what was recorded stays; the rest lands on the next run)"
    )
    denied = explain(PermissionError(errno.EACCES, "Permission denied", "/lake/_ledger"))
    assert (denied.exit_code, str(denied)) == (
        2,
        "cannot use /lake/_ledger: permission denied; check the path and its permissions "
        "(--lake, --source, --contracts, --report)",
    )
    bug = explain(ZeroDivisionError("division by zero"))
    assert type(bug) is DmswError and bug.exit_code == 1
    assert str(bug) == (
        "unexpected ZeroDivisionError: division by zero (a bug or an unforeseen case: rerun "
        "with --debug for the traceback and report it)"
    )


def test_version_and_plain_help(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    version = tomllib.loads((CONTRACTS.parent / "pyproject.toml").read_text())["project"]["version"]
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"dmsw {version}\n"
    for command in (
        ["--help"],
        ["land", "--help"],
        ["status", "--help"],
        ["lock", "clear", "--help"],
    ):
        with pytest.raises(SystemExit):
            main(command)
        text = capsys.readouterr().out
        assert "``" not in text and "$(" not in text
    with pytest.raises(SystemExit):
        main(["land", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for described in (
        "(env DMS_SOURCE; default data/dms)",
        "(env LAKE_DIR; default data/lake)",
        "(env CONTRACTS_DIR; default contracts)",
        "(env DMSW_LAND_WORKERS; default: one per core, at most 4)",
        "(env GLUE_DATABASE; default raw)",
        "--allow-other-source",
    ):
        assert described in text
