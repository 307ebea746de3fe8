"""Test-only hooks at the lake's write steps: crash (``DMSW_CRASH_AFTER``) or pause
(``DMSW_PAUSE_AT``) the process there.

Every change the lake makes (publishing a file, writing a record, taking or releasing the
lock) passes two checkpoints, one just before and one just after the change.

- ``DMSW_CRASH_AFTER=<n>`` sends SIGKILL to the process itself at the n-th checkpoint, so the
  crash tests can stop a landing run at every point and check that a rerun repairs it.
- ``DMSW_PAUSE_AT=<n or text>`` stops the process (SIGSTOP) once, at the n-th checkpoint or
  at the first whose description contains the text (``after putting _ledger/files``: once
  the first file is recorded), after writing ``DMSW_PAUSE_AT=<value>: paused at <what>`` to
  stderr; the test acts (sends Ctrl-C, runs dbt) and continues it with SIGCONT.
- With ``DMSW_PAUSE_DIR=<folder>`` as well, the run pauses at *every* checkpoint whose
  description contains the text instead: it writes ``<folder>/paused`` (holding the
  description) and waits until that file is removed, so a test can run dbt at each file
  boundary of one landing run.

Without the variables the hooks do nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from ingestion.errors import UserError

ENV = "DMSW_CRASH_AFTER"
PAUSE_ENV = "DMSW_PAUSE_AT"
PAUSE_DIR_ENV = "DMSW_PAUSE_DIR"
PAUSED = "paused"
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
    if pause and os.environ.get(PAUSE_DIR_ENV):
        if pause in what:
            _wait_for_marker(what)
        pause = None
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


def _wait_for_marker(what: str) -> None:
    """Say where the run stopped (``<DMSW_PAUSE_DIR>/paused``) and wait until that file is
    removed."""
    folder = Path(os.environ[PAUSE_DIR_ENV])
    marker = folder / PAUSED
    staged = folder / f".{PAUSED}-{os.getpid()}"
    staged.write_text(what, encoding="utf-8")
    staged.replace(marker)
    while marker.exists():
        time.sleep(0.01)
