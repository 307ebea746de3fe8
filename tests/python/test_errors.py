"""One error root: every branch carries the exit code the CLI documents, and the CLI prints
one line for each (no traceback)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingestion import cli, errors
from ingestion.cli import main
from ingestion.errors import (
    AwsError,
    DmswError,
    FileError,
    FilesFailedError,
    LockHeldError,
    OtherSourceError,
    QuarantineError,
    RetryableError,
    RunInterruptedError,
    RunTerminatedError,
    StaleError,
    TerminalError,
    UserError,
)


def documented_codes() -> dict[int, str]:
    """The exit codes the CLI's docstring lists (what --help users and docs read)."""
    return {
        int(code): text
        for code, text in re.findall(r"^  (\d+) +(.+)$", cli.__doc__ or "", flags=re.MULTILINE)
    }


def test_each_branch_carries_its_documented_exit_code() -> None:
    documented = documented_codes()
    assert sorted(documented) == [0, 1, 2, 3, 4, 5, 130, 143]
    assert (UserError.exit_code, LockHeldError.exit_code, QuarantineError.exit_code) == (2, 3, 4)
    assert StaleError.exit_code == 5
    assert (RunInterruptedError.exit_code, RunTerminatedError.exit_code) == (130, 143)
    assert "Ctrl-C" in documented[130] and "SIGTERM" in documented[143]
    assert AwsError.exit_code == FilesFailedError.exit_code == 1
    assert "S3/Glue refused" in documented[1] and "lock" in documented[3]
    for branch in (TerminalError, RetryableError, FileError):
        assert issubclass(branch, DmswError)
    assert issubclass(AwsError, RetryableError) and issubclass(UserError, TerminalError)
    assert issubclass(OtherSourceError, UserError)
    assert issubclass(RunTerminatedError, RunInterruptedError)


def test_no_error_class_lives_outside_the_root() -> None:
    classes = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)]
    assert len(classes) >= 10
    assert all(issubclass(c, DmswError) for c in classes)


def test_the_cli_prints_one_line_and_exits_with_the_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dms").mkdir()
    code = main(
        ["land", "--source", str(tmp_path / "dms"), "--lake", str(tmp_path / "lake"),
         "--contracts", str(tmp_path / "missing")]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == (
        f"error: contracts folder {tmp_path / 'missing'} does not exist: set --contracts (env "
        "CONTRACTS_DIR) to the folder of <schema>/<table>.yml files (dmsw contracts infer "
        "drafts them)\n"
    )
