"""`dmsw` runs in processes of their own, forked from a server that has imported ingestion.

The crash tests start one landing process per write checkpoint (dozens of them) and let the
crash hook kill it (SIGKILL). Started as `python -m ingestion`, each would spend about 0.6 s of
CPU on start-up and imports (duckdb, pyarrow, numpy) before its first write; forked from
multiprocessing's fork server, where those modules are already imported and no thread or
database connection exists yet, each costs only its run. Every run is still a separate
process with its own environment and is killed for real; test_crash.py also runs
`python -m ingestion` once to cover the entry point itself. ``PausingLanding`` runs one that
stops at chosen checkpoints (test_snapshot.py runs dbt while it is stopped).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

from ingestion.cli import main
from ingestion.faults import PAUSE_DIR_ENV, PAUSE_ENV, PAUSED

_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload(["__main__", "ingestion.cli", "ingestion.s3"])


def _run(args: list[str], env: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    quiet = os.open(os.devnull, os.O_WRONLY)  # as the subprocess's captured, unread output
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    sys.exit(main(args))


def dmsw_in_a_process(args: list[str], env: dict[str, str], timeout: float = 120) -> int:
    """The exit code of `dmsw <args>` run in a new process with environment `env`; a process
    killed by a signal gives minus the signal's number (-9 for SIGKILL)."""
    process = _SERVER.Process(target=_run, args=(args, env))
    process.start()
    process.join(timeout)
    if process.exitcode is None:
        process.kill()
        process.join()
        raise AssertionError(f"dmsw {' '.join(args)} still running after {timeout} s")
    return process.exitcode


class PausingLanding:
    """`dmsw <args>` in a process of its own that pauses at every write checkpoint whose
    description contains `at` (ingestion/faults.py: DMSW_PAUSE_AT, DMSW_PAUSE_DIR), so a test
    can act while the run is stopped there, then resume it or kill it."""

    def __init__(self, args: list[str], env: dict[str, str], folder: Path, at: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.marker = folder / PAUSED
        self.marker.unlink(missing_ok=True)
        env = {**env, PAUSE_ENV: at, PAUSE_DIR_ENV: str(folder)}
        self.process = _SERVER.Process(target=_run, args=(args, env))
        self.process.start()

    def next_pause(self, timeout: float = 120) -> str | None:
        """Wait until the run pauses (the checkpoint it stopped at) or ends (None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.marker.exists():
                return self.marker.read_text(encoding="utf-8")
            if not self.process.is_alive():
                self.process.join()
                return None
            time.sleep(0.01)
        self.kill()
        raise AssertionError(f"landing neither paused nor ended within {timeout} s")

    def resume(self) -> None:
        self.marker.unlink()

    def kill(self) -> None:
        """SIGKILL the run where it is (paused or not), as a crash would."""
        self.process.kill()
        self.process.join()
        self.marker.unlink(missing_ok=True)

    def finish(self, timeout: float = 120) -> int:
        """Resume until the run ends; its exit code."""
        while self.next_pause(timeout) is not None:
            self.resume()
        code = self.process.exitcode
        assert code is not None
        return code
