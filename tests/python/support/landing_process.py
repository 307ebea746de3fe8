"""`dmsw` runs in processes of their own, forked from a server that has imported ingestion.

The crash tests start one landing process per write checkpoint (dozens of them) and let the
crash hook kill it (SIGKILL). Started as `python -m ingestion`, each would spend about 0.6 s of
CPU on start-up and imports (duckdb, pyarrow, numpy) before its first write; forked from
multiprocessing's fork server, where those modules are already imported and no thread or
database connection exists yet, each costs only its run. Every run is still a separate
process with its own environment and is killed for real; test_crash.py also runs
`python -m ingestion` once to cover the entry point itself.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from ingestion.cli import main

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
