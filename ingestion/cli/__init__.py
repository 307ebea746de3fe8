"""dmsw: land AWS DMS output in a lake, and look after it.

Commands:
  dmsw land              land new DMS files into the lake's raw zone
  dmsw status            per table: files and rows landed and quarantined, newest commit, lag
  dmsw lock show|clear   the lake's lock: who holds it, and clear it when its holder is gone
  dmsw contracts infer   draft table contracts from DMS files or DDL
  dmsw models generate   generate the dbt bronze and silver models from the contracts
  dmsw models check      exit 1 when the generated models are out of date
  dmsw simulate          write demo DMS output and its ground truth

Locations (--source, --lake) are a folder or s3://bucket/prefix. S3 uses the standard AWS
configuration: AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_REGION,
AWS_ENDPOINT_URL for an S3-compatible endpoint, or an instance or task role.

Environment (each is the default of an option; the option wins):
  DMS_SOURCE           --source of land, --out of simulate (default data/dms)
  LAKE_DIR             --lake (default data/lake)
  CONTRACTS_DIR        --contracts of land (default contracts)
  GLUE_DATABASE        --glue-database of land (default raw)
  DMSW_LAND_WORKERS    --workers of land (default: one per core, at most 4)
  DMSW_LOCK_TTL_HOURS  age after which a lock held on another host counts as abandoned
                       (default 12)
  DMSW_DEBUG=1         as --debug

Exit codes:
  0    done (quarantined rows and files are reported, not failures, unless --strict)
  1    some files failed to land unexpectedly, or S3/Glue refused a request or could not
       be reached; the next run retries them (models check: the models are out of date)
  2    bad arguments or configuration (the message says which and what to change), also
       when a table's files contradict its DMS settings (that table is not landed, the
       others are) or the lake was landed from another source root
  3    another landing run holds the lake's lock; nothing was done (dmsw lock show)
  4    --strict and some row or file was quarantined
  5    status --fail-if-stale and some table's newest data is older than the limit
  130  interrupted by Ctrl-C: stopped cleanly, what was recorded stays, the rest lands
       on the next run
  143  the same for SIGTERM (kill, docker stop, ECS stopping the task)

Errors are one line on stderr, "error: <what> <what to do>"; --debug adds the traceback.
Each code belongs to an error class in ingestion/errors.py; main maps them in one place.
"""

# The dmsw command, one module per command group: options (what every parser shares), land,
# status, lock, models, simulate (each: add_parser, run); contracts infer is
# ingestion/inference/command.py. This module builds the parser, runs the command and maps
# every error to its exit code, in one place.

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from ingestion import __version__
from ingestion.cli import land, lock, models, simulate, status
from ingestion.cli.options import DEBUG_ENV, Formatter, common_options
from ingestion.errors import SignalStop, explain
from ingestion.inference import command as contracts_command
from ingestion.locations import open_source
from ingestion.summary import printable


def build_parser() -> argparse.ArgumentParser:
    doc = __doc__ or ""
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="dmsw",
        description=doc.split("\n\nEnvironment")[0],
        epilog="Environment" + doc.split("\n\nEnvironment", 1)[1],
        formatter_class=Formatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"dmsw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    land.add_parser(sub, common)
    status.add_parser(sub, common)
    lock.add_parser(sub, common)
    contracts_command.add_parser(sub)
    models.add_parser(sub, common)
    simulate.add_parser(sub, common)
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "simulate":
        return simulate.run(args)
    if args.command == "land":
        return land.run(args)
    if args.command == "status":
        return status.run(args)
    if args.command == "lock":
        return lock.run(args)
    if args.command == "models":
        return models.run(args)
    return contracts_command.run(args, open_source)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SignalStop


@contextmanager
def _sigterm_stops_cleanly() -> Iterator[None]:
    """SIGTERM (kill, docker stop, ECS) stops a run like Ctrl-C: lock released, staging
    removed. Only the main thread can set a handler; the previous one is put back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: Callable[[int, FrameType | None], Any] | int | None
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _one_line(text: str) -> str:
    return printable(" ".join(part.strip() for part in text.splitlines() if part.strip()))


def main(argv: list[str] | None = None) -> int:
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        with _sigterm_stops_cleanly():
            args = build_parser().parse_args(argv)
            debug = debug or getattr(args, "debug", False)
            logging.basicConfig(
                level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
                format="%(levelname)s %(name)s: %(message)s",
            )
            return _run(args)
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except (Exception, KeyboardInterrupt) as exc:  # one line and a documented code
        error = explain(exc)
        if debug:
            traceback.print_exception(exc)
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
