"""One landing run at a time per lake: a lock file created only if it does not exist.

Locally the lock is created with ``O_EXCL``; on S3 with a conditional put
(``If-None-Match: *``). It records pid, host and start time. A lock is stale, and is taken
over, when its process is gone (same host) or it is older than ``DMSW_LOCK_TTL_HOURS``
(default 12, for a run killed on another host). A second run finds the lock and stops with
LockHeldError (exit code 3).
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ingestion.errors import LockHeldError
from ingestion.lake import LEDGER, Lake

LOCK = f"{LEDGER}/lock.json"
TTL_ENV = "DMSW_LOCK_TTL_HOURS"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class RunLock:
    lake: Lake
    run_id: str
    held: bool = False

    def _stale(self, holder: dict[str, object]) -> str | None:
        started = datetime.fromisoformat(str(holder.get("started_at")))
        ttl = timedelta(hours=float(os.environ.get(TTL_ENV) or 12))
        if datetime.now(UTC) - started > ttl:
            return f"older than {ttl}"
        if holder.get("host") == socket.gethostname():
            pid = int(str(holder.get("pid")))
            if not _alive(pid):
                return f"process {pid} on this host is gone"
        return None

    def acquire(self) -> str | None:
        """Take the lock; returns a note if a stale lock was taken over."""
        me = {
            "run_id": self.run_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(),
        }
        data = json.dumps(me, indent=2).encode()
        note = None
        for _ in range(2):
            if self.lake.store.create_exclusive(LOCK, data):
                self.held = True
                return note
            holder = self.lake.read_json(LOCK)
            if holder is None:
                continue  # released meanwhile
            try:
                reason = self._stale(holder)
            except (TypeError, ValueError):
                reason = "unreadable"
            if reason is None:
                raise LockHeldError(
                    f"another landing run holds the lake: run {holder.get('run_id')} "
                    f"(pid {holder.get('pid')} on {holder.get('host')}, "
                    f"since {holder.get('started_at')}); lock {self.lake.store.url(LOCK)}"
                )
            note = f"took over a stale lock of run {holder.get('run_id')} ({reason})"
            self.lake.store.delete(LOCK)
        raise LockHeldError(f"could not take the lock {self.lake.store.url(LOCK)}")

    def release(self) -> None:
        if self.held:
            self.lake.store.delete(LOCK)
            self.held = False
