"""Is the process that holds a lake's lock still running? What this host can tell.

A lock names its holder by host name, pid, the process's start time (Linux: field 22 of
``/proc/<pid>/stat``, clock ticks after boot), the boot id and the pid namespace. The holder
is known to be gone when the lock was taken on this host, in this boot and this pid
namespace, and its pid is not running, is a zombie (it exited and its parent has not reaped
it yet: state Z or X), or now belongs to a process started at another time (the pid was
reused). A holder elsewhere (another host, another container's pid namespace, an earlier
boot or another machine of the same name) cannot be checked from here: ``alive`` is None.
Without ``/proc`` (macOS) only the pid is checked.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessIdentity:
    """Who holds a lock: enough to recognise the process later, on this host."""

    host: str
    pid: int
    started: int | None = None
    """Start time in clock ticks after boot (Linux), to notice a reused pid."""
    boot_id: str | None = None
    pid_namespace: str | None = None


@dataclass(frozen=True)
class Liveness:
    alive: bool | None
    """True: running; False: gone; None: cannot be told from this host."""
    why: str


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, start time) of ``pid`` from /proc, or None when no such process is listed."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (command name) "
    return fields[0], int(fields[19])


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _namespace() -> str | None:
    try:
        return str((PROC / "self" / "ns" / "pid").readlink())
    except OSError:
        return None


def this_process() -> ProcessIdentity:
    stat = _stat(os.getpid()) if PROC.is_dir() else None
    return ProcessIdentity(
        host=socket.gethostname(),
        pid=os.getpid(),
        started=stat[1] if stat else None,
        boot_id=_read(PROC / "sys" / "kernel" / "random" / "boot_id"),
        pid_namespace=_namespace(),
    )


def _signal_zero(pid: int) -> Liveness:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return Liveness(False, f"process {pid} is not running")
    except PermissionError:
        pass  # it exists, owned by another user
    return Liveness(True, f"process {pid} is running")


def liveness(holder: ProcessIdentity) -> Liveness:
    """Whether ``holder`` still runs, as far as this host can tell, and why."""
    me = this_process()
    if holder.host != me.host:
        return Liveness(None, f"it runs on another host, {holder.host}, which {me.host} cannot see")
    if holder.boot_id and me.boot_id and holder.boot_id != me.boot_id:
        return Liveness(
            None, f"taken before {me.host} restarted, or on another machine named {holder.host}"
        )
    if holder.pid_namespace and me.pid_namespace and holder.pid_namespace != me.pid_namespace:
        return Liveness(None, "taken in another container (another pid namespace) on this host")
    if holder.pid < 1:
        return Liveness(False, f"pid {holder.pid} is not a process")
    if not PROC.is_dir():
        return _signal_zero(holder.pid)
    try:
        stat = _stat(holder.pid)
    except (OSError, ValueError, IndexError):
        return _signal_zero(holder.pid)  # /proc hides it (hidepid) or reads oddly
    if stat is None:
        return Liveness(False, f"process {holder.pid} is not running")
    state, started = stat
    if state in ("Z", "X"):
        return Liveness(
            False, f"process {holder.pid} has exited (a zombie its parent has not reaped)"
        )
    if holder.started is not None and started != holder.started:
        return Liveness(False, f"pid {holder.pid} now belongs to another, newer process")
    return Liveness(True, f"process {holder.pid} is running")
