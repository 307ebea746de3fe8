"""A test-only crash hook: ``DMSW_CRASH_AFTER=<n>`` kills the process at the n-th write step.

Every change the lake makes (publishing a file, writing a record, taking or releasing the
lock) passes two checkpoints, one just before and one just after the change. With the
environment variable set, the n-th checkpoint sends SIGKILL to the process itself, so the
crash tests can stop a landing run at every point and check that a rerun repairs it. Without
the variable the hook does nothing.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "DMSW_CRASH_AFTER"
_count = 0
_lock = threading.Lock()


def checkpoint(what: str) -> None:
    """Count one checkpoint; die here if it is the one ``DMSW_CRASH_AFTER`` names."""
    global _count
    limit = os.environ.get(ENV)
    if not limit:
        return
    with _lock:  # files land in parallel threads
        _count += 1
        reached = _count == int(limit)
    if reached:
        os.write(2, f"{ENV}={limit}: killed at {what}\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)
