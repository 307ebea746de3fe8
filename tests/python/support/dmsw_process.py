"""`dmsw` as an operator runs it: `python -m ingestion` in a process of its own, so a test sees
exactly what the process prints and its exit code; and a landing run paused half way by the
test hook (`DMSW_PAUSE_AT`, ingestion/faults.py) to signal or kill it there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ingestion.faults import PAUSE_ENV
from support.project import PROJECT


def run_dmsw(
    args: list[str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`dmsw <args>` in a new process; its exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "ingestion", *args],
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def process_state(pid: int) -> str | None:
    """The state letter in /proc/<pid>/stat (R, S, T stopped, Z zombie), None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return text[text.rindex(")") + 2]


def wait_for_state(pid: int, states: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while process_state(pid) not in tuple(states):
        assert time.monotonic() < deadline, f"process {pid} never reached state {states}"
        time.sleep(0.02)


def _ctrl_c_as_in_a_terminal() -> None:
    """The child's SIGINT as a terminal gives it: pytest-xdist's workers ignore SIGINT, and
    an ignored signal stays ignored across exec (Python then installs no KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_paused(args: list[str], pause_at: str) -> tuple[subprocess.Popen[str], str]:
    """Start `dmsw <args>` and return once the hook has stopped it (SIGSTOP) at the first
    checkpoint whose description contains `pause_at`; also the hook's stderr line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ingestion", *args],
        cwd=PROJECT,
        env={**os.environ, PAUSE_ENV: pause_at},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert "paused at" in line, f"the run did not pause: {line!r}"
    wait_for_state(process.pid, "T")
    return process, line
