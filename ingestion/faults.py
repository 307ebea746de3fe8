"""Test-only hooks at the lake's write steps: crash (``DMSW_CRASH_AFTER``) or pause
(``DMSW_PAUSE_AT``) the process at the n-th one.

Every change the lake makes (publishing a file, writing a record, taking or releasing the
lock) passes two checkpoints, one just before and one just after the change.
``DMSW_CRASH_AFTER=<n>`` sends SIGKILL to the process itself at the n-th checkpoint, so the
crash tests can stop a landing run at every point and check that a rerun repairs it.
``DMSW_PAUSE_AT=<n>`` stops the process (SIGSTOP) at the n-th checkpoint, or, given text
instead of a number, at the first checkpoint whose description contains it (``after
putting _ledger/files``: once the first file is recorded), after writing
``DMSW_PAUSE_AT=<value>: paused at <what>`` to stderr. A test can then act while the run is
half done (send Ctrl-C, run dbt) and continue it (SIGCONT). Without the variables the hooks
do nothing.
"""

from __future__ import annotations

import os
import signal
import threading

from ingestion.errors import UserError

ENV = "DMSW_CRASH_AFTER"
PAUSE_ENV = "DMSW_PAUSE_AT"
_count = 0
_lock = threading.Lock()


def _limit(name: str) -> int | None:
    value = os.environ.get(name)
    if not value:
        return None
    if not value.isdigit():
        raise UserError(f"{name} must be a checkpoint number (1, 2, ...), not {value!r}")
    return int(value)


def checkpoint(what: str) -> None:
    """Count one checkpoint; die or pause here if it is the one a variable names."""
    global _count
    crash, pause = _limit(ENV), os.environ.get(PAUSE_ENV)
    if crash is None and not pause:
        return
    with _lock:  # files land in parallel threads
        _count += 1
        reached = _count
    if reached == crash:
        os.write(2, f"{ENV}={crash}: killed at {what}\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)
    if pause and (reached == int(pause) if pause.isdigit() else pause in what):
        with _lock:
            first = os.environ.pop(PAUSE_ENV, None) is not None  # pause once
        if not first:
            return
        os.write(2, f"{PAUSE_ENV}={pause}: paused at {what}\n".encode())
        os.kill(os.getpid(), signal.SIGSTOP)
