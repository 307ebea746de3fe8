"""One landing run at a time per lake: a lock file created only if it does not exist.

Locally the lock is created complete in one step (a hard link of a written file, so no
reader ever sees it half written); on S3 with a conditional put (``If-None-Match: *``). It
records the run id, the start time and the process (host, pid, process start time, boot id,
pid namespace: ``processes``). A run that finds the lock takes it over, saying so, when the
holder is known to be gone: the same host and its process is not running, is a zombie or its
pid was reused (checked at once, no waiting). A holder this host cannot check (another host,
another container: typical for a lake on S3) is taken over only once the lock is older than
``DMSW_LOCK_TTL_HOURS`` (default 12); until then the run stops with LockHeldError (exit 3)
and ``dmsw lock clear --force`` clears it after a person has checked.

``dmsw lock show`` reads the lock (``inspect_lock``); ``dmsw lock clear`` deletes it unless
its holder may still be running (``clear_lock``).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ingestion.errors import LockHeldError, UserError
from ingestion.lake import LEDGER, Lake
from ingestion.processes import Liveness, ProcessIdentity, liveness, this_process

log = logging.getLogger("ingestion")

LOCK = f"{LEDGER}/lock.json"
TTL_ENV = "DMSW_LOCK_TTL_HOURS"
DEFAULT_TTL_HOURS = 12.0


def lock_ttl() -> timedelta:
    """How old a lock of a holder this host cannot check must be to be taken over."""
    configured = os.environ.get(TTL_ENV)
    if not configured:
        return timedelta(hours=DEFAULT_TTL_HOURS)
    try:
        hours = float(configured)
    except ValueError:
        hours = -1.0
    if not hours > 0:
        raise UserError(f"{TTL_ENV} must be a number of hours above 0, not {configured!r}")
    return timedelta(hours=hours)


@dataclass(frozen=True)
class LockHolder:
    run_id: str
    started_at: datetime
    process: ProcessIdentity

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> LockHolder:
        """The holder a lock file names; ValueError when it does not name one."""
        started = datetime.fromisoformat(str(data["started_at"]))
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        optional = {k: data.get(k) for k in ("boot_id", "pid_namespace")}
        return cls(
            run_id=str(data["run_id"]),
            started_at=started,
            process=ProcessIdentity(
                host=str(data["host"]),
                pid=int(data["pid"]),
                started=int(data["pid_started"]) if data.get("pid_started") is not None else None,
                boot_id=str(optional["boot_id"]) if optional["boot_id"] else None,
                pid_namespace=str(optional["pid_namespace"]) if optional["pid_namespace"] else None,
            ),
        )

    def record(self) -> dict[str, Any]:
        process = asdict(self.process)
        process["pid_started"] = process.pop("started")
        return {"run_id": self.run_id, "started_at": self.started_at.isoformat(), **process}

    def describe(self) -> str:
        since = self.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"run {self.run_id} (pid {self.process.pid} on {self.process.host}, since {since})"


@dataclass(frozen=True)
class LockState:
    """The lock as found: its holder (None if the file is unreadable) and whether it is gone."""

    url: str
    content: bytes
    holder: LockHolder | None
    alive: bool | None
    """True: running; False: gone; None: cannot be told from this host."""
    why: str
    expired: bool
    """Older than the TTL (counts only when ``alive`` is None)."""

    @property
    def stale(self) -> bool:
        """The next run takes it over."""
        return self.alive is False or (self.alive is None and self.expired)

    def describe(self) -> str:
        return self.holder.describe() if self.holder else "an unreadable lock"


def inspect_lock(lake: Lake, now: datetime | None = None) -> LockState | None:
    """The lake's lock and its holder's state, or None when no run holds the lake."""
    content = lake.store.get_bytes(LOCK)
    if content is None:
        return None
    url = lake.store.url(LOCK)
    try:
        holder = LockHolder.from_record(json.loads(content))
    except (ValueError, KeyError, TypeError):
        return LockState(url, content, None, False, "the lock file is unreadable", False)
    ttl = lock_ttl()
    age = (now or datetime.now(UTC)) - holder.started_at
    expired = age > ttl
    state: Liveness = liveness(holder.process)
    why = state.why
    if state.alive is None and expired:
        why += f"; it is older than {_hours(ttl)} ({TTL_ENV}), so it counts as abandoned"
    elif state.alive is None:
        why += f"; taken over once older than {_hours(ttl)} ({TTL_ENV})"
    return LockState(url, content, holder, state.alive, why, expired)


def _hours(ttl: timedelta) -> str:
    hours = ttl.total_seconds() / 3600
    return f"{hours:g} hours"


def clear_lock(lake: Lake, force: bool = False) -> str:
    """Delete a lock whose holder is gone (``force``: also one this host cannot check).

    Raises LockHeldError while the holder may be running; returns what was done.
    """
    state = inspect_lock(lake)
    if state is None:
        return f"no lock at {lake.store.url(LOCK)}: nothing to clear"
    if state.alive is True:
        pid = state.holder.process.pid if state.holder else "?"
        raise LockHeldError(
            f"{state.describe()} is still running: let it finish or stop it (kill {pid}); "
            "the lock was not cleared"
        )
    if state.alive is None and not state.expired and not force:
        raise LockHeldError(
            f"cannot tell whether {state.describe()} is still running ({state.why}); if no "
            "landing run is running there, clear it with: dmsw lock clear --force"
        )
    if lake.store.get_bytes(LOCK) != state.content:
        raise LockHeldError("the lock changed while being cleared; look again: dmsw lock show")
    lake.store.delete(LOCK)
    return f"cleared the lock of {state.describe()}: {state.why}"


@dataclass
class RunLock:
    lake: Lake
    run_id: str
    held: bool = False

    def acquire(self) -> str | None:
        """Take the lock; returns a note when a stale lock was taken over (also logged)."""
        lock_ttl()  # a bad DMSW_LOCK_TTL_HOURS is said now, not when a lock is found
        me = LockHolder(self.run_id, datetime.now(UTC), this_process())
        data = json.dumps(me.record(), indent=2).encode()
        note = None
        for _ in range(2):
            if self.lake.store.create_exclusive(LOCK, data):
                self.held = True
                return note
            state = inspect_lock(self.lake)
            if state is None:
                continue  # released meanwhile
            if not state.stale:
                raise LockHeldError(
                    f"another landing run holds the lake: {state.describe()}; {state.why}. "
                    f"Lock {state.url}: see dmsw lock show"
                )
            note = f"took over the lock of {state.describe()}: {state.why}"
            log.warning("%s", note)
            self.lake.store.delete(LOCK)
        raise LockHeldError(f"could not take the lock {self.lake.store.url(LOCK)}; try again")

    def release(self) -> None:
        if self.held:
            self.lake.store.delete(LOCK)
            self.held = False
