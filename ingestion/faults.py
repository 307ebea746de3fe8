"""Test-only hooks at every write step: a crash (``DMSW_CRASH_AFTER=<n>``) or a pause.

Every change the lake makes (publishing a file, writing a record, taking or releasing the
lock) passes two checkpoints, one just before and one just after the change. With
``DMSW_CRASH_AFTER`` set, the n-th checkpoint sends SIGKILL to the process itself, so the
crash tests can stop a landing run at every point and check that a rerun repairs it. With
``DMSW_PAUSE_AT=<text>`` and ``DMSW_PAUSE_DIR=<folder>``, every checkpoint whose description
contains the text (``after publishing _ledger/files/``: each file boundary) writes
``<folder>/paused`` (holding the description) and waits until that file is removed, so a
test can run dbt while a landing run is stopped there. Without the variables the hooks do
nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

ENV = "DMSW_CRASH_AFTER"
PAUSE_ENV = "DMSW_PAUSE_AT"
PAUSE_DIR_ENV = "DMSW_PAUSE_DIR"
PAUSED = "paused"
_count = 0
_lock = threading.Lock()


def checkpoint(what: str) -> None:
    """Count one checkpoint; die here if it is the one ``DMSW_CRASH_AFTER`` names; pause
    here if ``DMSW_PAUSE_AT`` is part of ``what``."""
    global _count
    pause_at = os.environ.get(PAUSE_ENV)
    if pause_at and pause_at in what:
        _pause(what)
    limit = os.environ.get(ENV)
    if not limit:
        return
    with _lock:  # files land in parallel threads
        _count += 1
        reached = _count == int(limit)
    if reached:
        os.write(2, f"{ENV}={limit}: killed at {what}\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)


def _pause(what: str) -> None:
    """Say where the run stopped (``<DMSW_PAUSE_DIR>/paused``) and wait until that file is
    removed."""
    folder = Path(os.environ[PAUSE_DIR_ENV])
    marker = folder / PAUSED
    staged = folder / f".{PAUSED}-{os.getpid()}"
    staged.write_text(what, encoding="utf-8")
    staged.replace(marker)
    while marker.exists():
        time.sleep(0.01)
