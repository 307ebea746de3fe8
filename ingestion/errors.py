"""Every error dmsw raises on purpose, under one root that carries the process exit code.

    DmswError                     exit 1 unless a branch says otherwise
    ├── TerminalError             retrying will not help: someone must act first
    │   ├── UserError             2  bad arguments or configuration: the run cannot start
    │   │   └── SettingsMismatchError  a table's files contradict its DMS settings: that
    │   │                              table was not landed (the others were)
    │   ├── LockHeldError         3  another landing run holds the lake; nothing was done
    │   └── QuarantineError       4  --strict, and some row or file was quarantined
    ├── RetryableError            1  the next run retries what failed
    │   ├── AwsError                 S3 or Glue refused a request or could not be reached
    │   └── FilesFailedError         some files failed to land unexpectedly
    └── FileError                    one file's problem, handled inside the run (never exits)
        ├── FileRejectedError        the file cannot be read: kept whole, listed in quarantine
        └── ObjectVanishedError      listed, then gone or changed: left for a later run

The CLI prints ``error: <message>`` and exits with ``exit_code``, never a traceback, for
every error under the root (``ingestion/cli.py``, one place). AWS client errors are wrapped
into ``AwsError`` where ``s3`` and ``glue`` call AWS, so nothing else needs to know botocore.
"""

from __future__ import annotations

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


class LockHeldError(TerminalError):
    """Another landing run holds the lake's lock."""

    exit_code = 3


class QuarantineError(TerminalError):
    """``--strict``: the run landed, but some row or file went to the quarantine."""

    exit_code = 4


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
