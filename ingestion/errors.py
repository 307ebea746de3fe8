"""Every error dmsw raises on purpose, under one root that carries the process exit code.

    DmswError                     exit 1 unless a branch says otherwise
    ├── TerminalError             retrying will not help: someone must act first
    │   ├── UserError             2  bad arguments or configuration: the run cannot start
    │   │   ├── SettingsMismatchError  a table's files contradict its DMS settings: that
    │   │   │                          table was not landed (the others were)
    │   │   └── OtherSourceError       the lake holds files of another DMS source root
    │   ├── LockHeldError         3  another landing run holds the lake; nothing was done
    │   ├── QuarantineError       4  --strict, and some row or file was quarantined
    │   ├── StaleError            5  --fail-if-stale, and some table's newest data is older
    │   └── RunInterruptedError 130  Ctrl-C: stopped cleanly; what was recorded stays, the
    │       │                        rest lands on the next run
    │       └── RunTerminatedError  143  the same for SIGTERM (kill, docker stop, ECS)
    ├── RetryableError            1  the next run retries what failed
    │   ├── AwsError                 S3 or Glue refused a request or could not be reached
    │   └── FilesFailedError         some files failed to land unexpectedly
    └── FileError                    one file's problem, handled inside the run (never exits)
        ├── FileRejectedError        the file cannot be read: kept whole, listed in quarantine
        └── ObjectVanishedError      listed, then gone or changed: left for a later run

The CLI prints ``error: <message>`` and exits with ``exit_code``, never a traceback, for
every error under the root (``ingestion/cli/__init__.py``, one place; ``--debug`` adds the
traceback). AWS client errors are wrapped into ``AwsError`` where ``s3`` and ``glue`` call
AWS (``aws.aws_call``), so nothing else needs to know botocore. What is not under the root
(Ctrl-C, an operating-system error such as a full disk, a bug) is turned into one by
``explain``, so the CLI still prints one line and a documented code.
"""

from __future__ import annotations

import errno
import signal
from typing import ClassVar

EXIT_OK = 0


class DmswError(Exception):
    """The root: an error dmsw expects and explains in one line."""

    exit_code: ClassVar[int] = 1


class TerminalError(DmswError):
    """Rerunning alone will not help: arguments, configuration or the lake need attention."""


class UserError(TerminalError):
    """Bad configuration or arguments: the run cannot start."""

    exit_code = 2


class SettingsMismatchError(UserError):
    """A table's files contradict its DMS settings; the table was stopped before landing."""


class OtherSourceError(UserError):
    """The lake holds files landed from another DMS source root; nothing was landed."""


class LockHeldError(TerminalError):
    """Another landing run holds the lake's lock."""

    exit_code = 3


class QuarantineError(TerminalError):
    """``--strict``: the run landed, but some row or file went to the quarantine."""

    exit_code = 4


class StaleError(TerminalError):
    """``dmsw status --fail-if-stale``: some table's newest data is older than the limit."""

    exit_code = 5


class RunInterruptedError(TerminalError):
    """Stopped by Ctrl-C (SIGINT): 128 + the signal's number, as shells report it."""

    exit_code = 128 + signal.SIGINT


class RunTerminatedError(RunInterruptedError):
    """Stopped by SIGTERM (``kill``, ``docker stop``, ECS stopping the task)."""

    exit_code = 128 + signal.SIGTERM


class SignalStop(KeyboardInterrupt):
    """What ``dmsw``'s SIGTERM handler raises: the run stops as on Ctrl-C. Like
    KeyboardInterrupt it is no ``Exception``, so no handler of a file's failure takes it."""


class RetryableError(DmswError):
    """Something failed that the next run retries (files stay unlanded, Glue is redone)."""

    exit_code = 1


class AwsError(RetryableError):
    """S3 or Glue refused a request or could not be reached (a botocore error, wrapped)."""


class FilesFailedError(RetryableError):
    """Some files failed to land unexpectedly; they are left for the next run."""


class FileError(DmswError):
    """A problem of one file, handled by the run: it never ends a run by itself."""


class FileRejectedError(FileError):
    """A whole file cannot be read (corrupt, unreadable layout); it goes to quarantine."""


class ObjectVanishedError(FileError):
    """A listed source object was gone when it was read (DMS or someone deleted it)."""


_PATH_MISTAKES = {
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "already exists",
}
_FULL = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded"}


def explain(exc: BaseException) -> DmswError:
    """Any exception as an error of the root, so the CLI prints one line and a documented code.

    An ``OSError`` on a path the user gave (permissions, read-only, a file where a folder
    should be) is a ``UserError`` (2) naming the path; a full disk is retryable (1) once space
    is freed. Anything else is unexpected (1): the message says so and points to ``--debug``.
    """
    if isinstance(exc, DmswError):
        return exc
    if isinstance(exc, SignalStop):
        return RunTerminatedError("terminated (SIGTERM)")
    if isinstance(exc, KeyboardInterrupt):
        return RunInterruptedError("interrupted (Ctrl-C)")
    if isinstance(exc, OSError) and exc.errno in _PATH_MISTAKES:
        where = f" {exc.filename}" if exc.filename else ""
        return UserError(
            f"cannot use{where}: {_PATH_MISTAKES[exc.errno]}; check the path and "
            "its permissions (--lake, --source, --contracts, --report)"
        )
    if isinstance(exc, OSError) and exc.errno in _FULL:
        where = f" writing {exc.filename}" if exc.filename else ""
        return RetryableError(
            f"{_FULL[exc.errno]}{where}: free some space and rerun (what was recorded stays; "
            "the rest lands on the next run)"
        )
    return DmswError(
        f"unexpected {type(exc).__name__}: {exc} (a bug or an unforeseen case: rerun with "
        "--debug for the traceback and report it)"
    )
