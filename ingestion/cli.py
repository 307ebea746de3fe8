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

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from ingestion import __version__
from ingestion.durations import format_duration, parse_duration
from ingestion.errors import (
    EXIT_OK,
    QuarantineError,
    SignalStop,
    StaleError,
    UserError,
    explain,
)
from ingestion.inference import command as contracts_command
from ingestion.land import LandOptions, land
from ingestion.locations import open_lake, open_source
from ingestion.lock import clear_lock, inspect_lock
from ingestion.progress import LinePrinter, ProgressBar
from ingestion.status import as_json, freshness, lake_status, render
from ingestion.summary import RunSummary, printable, report

DEBUG_ENV = "DMSW_DEBUG"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written (plain text paragraphs), option help wrapped."""


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help=f"show the traceback of an error (env {DEBUG_ENV}=1)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log what dmsw does (debug logging)",
    )
    return common


def _add_lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake",
        default=_env("LAKE_DIR", "data/lake"),
        help="the lake, holding raw/, quarantine/ and _ledger/: a folder or s3://bucket/prefix "
        "(env LAKE_DIR; default data/lake)",
    )


def _command(
    sub: Any, name: str, summary: str, description: str, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description,
        parents=[common],
        formatter_class=_Formatter,
    )
    return parser


def _add_simulate(sub: Any, common: argparse.ArgumentParser) -> None:
    sim = _command(
        sub,
        "simulate",
        "write demo DMS output and its ground truth",
        "Write demo DMS output (a bank's core_banking and events schemas: a full load, then "
        "CDC batches)\nand the source's final state, deterministic for a seed.",
        common,
    )
    sim.add_argument(
        "--out",
        type=Path,
        default=Path(_env("DMS_SOURCE", "data/dms")),
        help="DMS root to write (env DMS_SOURCE; default data/dms)",
    )
    sim.add_argument(
        "--truth",
        type=Path,
        default=Path("data/truth"),
        help="where the source's final state goes (default data/truth)",
    )
    sim.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    sim.add_argument(
        "--transactions",
        type=int,
        default=20_000,
        help="transactions in the full load; customers and accounts follow (default 20000)",
    )
    sim.add_argument(
        "--batches", type=int, default=4, help="CDC batches after the full load (default 4)"
    )
    sim.add_argument(
        "--dirt-rate",
        type=float,
        default=0.02,
        help="share of rows given the dirt the source contract warns about (default 0.02)",
    )
    sim.add_argument(
        "--rows-per-load-file",
        type=int,
        default=500_000,
        help="rows per full-load file before DMS starts another (default 500000)",
    )


def _add_land(sub: Any, common: argparse.ArgumentParser) -> None:
    land_parser = _command(
        sub,
        "land",
        "land new DMS files into the lake's raw zone",
        "Land the DMS files not landed yet: one typed Parquet file per DMS file in raw/, records\n"
        "that do not fit in quarantine/, one ledger record per file in _ledger/. Rerunning lands\n"
        "nothing twice. One run at a time per lake (the lock), one DMS source root per lake.",
        common,
    )
    land_parser.add_argument(
        "--source",
        default=_env("DMS_SOURCE", "data/dms"),
        help="DMS root holding <schema>/<table>/ folders (the task's bucket folder): a folder "
        "or s3://bucket/prefix (env DMS_SOURCE; default data/dms)",
    )
    _add_lake(land_parser)
    land_parser.add_argument(
        "--contracts",
        type=Path,
        default=Path(_env("CONTRACTS_DIR", "contracts")),
        help="table contracts, <schema>/<table>.yml (env CONTRACTS_DIR; default contracts)",
    )
    land_parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="files landed at once (env DMSW_LAND_WORKERS; default: one per core, at most 4)",
    )
    land_parser.add_argument(
        "--json", action="store_true", help="print the run report as JSON instead of a summary"
    )
    land_parser.add_argument(
        "--report", type=Path, help="also write the run report (JSON) to this file"
    )
    land_parser.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar on stderr even when it is not a terminal",
    )
    land_parser.add_argument(
        "--glue",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="register the raw tables and the quarantine in the Glue Data Catalog "
        "(default: on when the lake is on S3)",
    )
    land_parser.add_argument(
        "--glue-database",
        default=_env("GLUE_DATABASE", "raw"),
        help="Glue database for --glue (env GLUE_DATABASE; default raw)",
    )
    land_parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {QuarantineError.exit_code} when any row or file was quarantined",
    )
    land_parser.add_argument(
        "--allow-other-source",
        action="store_true",
        help="land this source into a lake landed from another source root, on purpose "
        "(recorded in the lake's ledger); without it that is refused",
    )


def _add_status(sub: Any, common: argparse.ArgumentParser) -> None:
    status = _command(
        sub,
        "status",
        "per table: files and rows landed and quarantined, newest commit, lag",
        "Per table: files landed, rows landed, files quarantined whole, rows quarantined, the\n"
        "newest DMS commit timestamp landed and the replication lag (now minus that commit;\n"
        "for a table without a commit timestamp column, the age of its newest file). Also the\n"
        "lake's source root and its lock. Read from the ledger only. Times are UTC.\n"
        f"Exit {StaleError.exit_code} with --fail-if-stale when a table is older than the "
        "limit;\nexit 2 when --lake is not a lake.",
        common,
    )
    _add_lake(status)
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.add_argument(
        "--fail-if-stale",
        metavar="DURATION",
        help=f"exit {StaleError.exit_code} when a table's newest commit (or newest file, "
        "without commit timestamps) is older than DURATION, e.g. 90m, 6h, 2d, 1h30m; "
        "also when nothing was landed",
    )


def _add_lock(sub: Any, common: argparse.ArgumentParser) -> None:
    lock = _command(
        sub,
        "lock",
        "show or clear the lake's lock",
        "A landing run holds the lake's lock (_ledger/lock.json) while it runs. A run finding\n"
        "the lock of a process that is gone (same host) takes it over at once; a lock taken on\n"
        "another host counts as abandoned after DMSW_LOCK_TTL_HOURS (default 12).",
        common,
    )
    actions = lock.add_subparsers(dest="lock_command", required=True, metavar="{show,clear}")
    show = _command(
        actions,
        "show",
        "who holds the lock: run, pid, host, since, and whether it is still running",
        "Who holds the lake's lock (run, pid, host, since) and whether that process is still\n"
        "running, as far as this host can tell.",
        common,
    )
    _add_lake(show)
    show.add_argument("--json", action="store_true", help="print it as JSON")
    clear = _command(
        actions,
        "clear",
        "remove the lock when its holder is gone",
        "Remove the lake's lock. Refused (exit 3) while its holder is running on this host,\n"
        "and, without --force, while this host cannot tell (a holder on another host).",
        common,
    )
    _add_lake(clear)
    clear.add_argument(
        "--force",
        action="store_true",
        help="also clear a lock whose holder this host cannot check (another host or "
        "container): only when you know no landing run is running there",
    )


def _add_models(sub: Any, common: argparse.ArgumentParser) -> None:
    models = _command(
        sub,
        "models",
        "generate (or check) the dbt models from the contracts",
        "Generate the dbt bronze and silver models from the contracts (generate), or exit 1\n"
        "when the generated files differ from what the contracts give (check). Hand-written\n"
        "models of the same name are left alone.",
        common,
    )
    models.add_argument("action", choices=["generate", "check"], help="generate or check")
    models.add_argument(
        "--contracts",
        type=Path,
        default=Path(_env("CONTRACTS_DIR", "contracts")),
        help="table contracts (env CONTRACTS_DIR; default contracts)",
    )
    models.add_argument(
        "--project", type=Path, default=Path(), help="the dbt project (default: this folder)"
    )


def build_parser() -> argparse.ArgumentParser:
    doc = __doc__ or ""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="dmsw",
        description=doc.split("\n\nEnvironment")[0],
        epilog="Environment" + doc.split("\n\nEnvironment", 1)[1],
        formatter_class=_Formatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"dmsw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    _add_land(sub, common)
    _add_status(sub, common)
    _add_lock(sub, common)
    contracts_command.add_parser(sub)
    _add_models(sub, common)
    _add_simulate(sub, common)
    return parser


def _simulate(args: argparse.Namespace) -> int:
    from simulator import SimulationConfig, simulate

    if args.transactions < 1 or args.batches < 0 or not 0 <= args.dirt_rate <= 1:
        raise UserError("--transactions must be >= 1, --batches >= 0, --dirt-rate in [0, 1]")
    config = SimulationConfig(
        out_dir=args.out,
        truth_dir=args.truth,
        seed=args.seed,
        transactions=args.transactions,
        batches=args.batches,
        dirt_rate=args.dirt_rate,
        rows_per_load_file=args.rows_per_load_file,
    )
    started = datetime.now()
    summary = simulate(config)
    seconds = (datetime.now() - started).total_seconds()
    print(f"wrote {len(summary.files)} DMS files under {args.out} in {seconds:.1f}s")
    for table, rows in sorted(summary.changes_per_table.items()):
        truth = summary.truth_rows_per_table.get(table, 0)
        print(f"  {table:36} {rows:>10} change rows   {truth:>10} rows in final state")
    print(f"ground truth: {args.truth}")
    return EXIT_OK


def _print_summary(summary: RunSummary) -> None:
    print(f"landing run {summary.run_id}: {summary.source} -> {summary.lake}")
    for note in summary.lake_notes:
        print(f"  lake: {note}")
    print(
        f"  files: {summary.files_seen} seen, {summary.files_already_landed} already landed, "
        f"{summary.files_landed} landed, {summary.files_duplicate} duplicate, "
        f"{summary.files_quarantined} quarantined whole, {summary.files_failed} failed"
        + (f", {summary.files_vanished} vanished" if summary.files_vanished else "")
        + (f", {summary.files_stopped} held back (settings)" if summary.files_stopped else "")
    )
    for table, totals in sorted(summary.tables.items()):
        print(
            f"  {table:36} {totals.files:>4} files {totals.rows_landed:>10} rows landed "
            f"{totals.rows_quarantined:>6} quarantined"
        )
    for _, why in sorted(summary.stopped.items()):
        print(f"  NOT LANDED: {why}")
    for line in summary.skipped:
        print(f"  skipped: {line}")
    if summary.rows_quarantined or summary.files_quarantined:
        print(
            "  quarantined rows keep their file, row and reason: "
            f"{summary.lake}/quarantine/ (dbt: source('landing', 'quarantine'))"
        )
    for table, columns in sorted(summary.columns.items()):
        for column, change in sorted(columns.items()):
            print(f"  drift in {table}.{column}: {change.describe()}")
    for line in summary.errors:
        print(f"  ERROR: {line}")
    print(f"  done in {summary.duration_s:.1f}s")


def _write_report(path: Path, data: dict[str, object]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    except OSError as exc:
        raise UserError(
            f"landed, but the report could not be written to {path}: "
            f"{(exc.strerror or str(exc)).lower()}: give --report a file path you can write"
        ) from exc


def _land(args: argparse.Namespace) -> int:
    options = LandOptions(
        source=args.source,
        lake=args.lake,
        contracts=args.contracts,
        workers=args.workers,
        glue=args.glue,
        glue_database=args.glue_database,
        allow_other_source=args.allow_other_source,
    )
    bar = ProgressBar(sys.stderr) if args.progress or sys.stderr.isatty() else None
    lines = None if args.json or bar else LinePrinter(sys.stdout)
    try:
        summary = land(options, progress=bar or lines)
    finally:
        if bar:
            bar.close()
    data = report(summary)
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        _print_summary(summary)
    if args.report:
        _write_report(args.report, data)
    problem = summary.problem(strict=args.strict)
    if problem:
        raise problem
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    limit = parse_duration(args.fail_if_stale, "--fail-if-stale") if args.fail_if_stale else None
    status = lake_status(open_lake(args.lake), stale_after=limit)
    if args.json:
        print(json.dumps(as_json(status), indent=2))
    else:
        print("\n".join(render(status)))
    if status.fails_freshness and limit is not None:
        if not status.tables:
            raise StaleError(f"nothing landed in {status.lake}, so nothing is fresh")
        raise StaleError(
            f"{len(status.stale)} table(s) with no data newer than {format_duration(limit)}: "
            + ", ".join(f"{t.table} ({freshness(t)})" for t in status.stale)
        )
    return EXIT_OK


def _lock(args: argparse.Namespace) -> int:
    lake = open_lake(args.lake)
    if args.lock_command == "clear":
        print(clear_lock(lake, force=args.force))
        return EXIT_OK
    state = inspect_lock(lake)
    if args.json:
        holder = state.holder if state else None
        print(
            json.dumps(
                None
                if state is None
                else {
                    "lock": state.url,
                    "run_id": holder.run_id if holder else None,
                    "pid": holder.process.pid if holder else None,
                    "host": holder.process.host if holder else None,
                    "since": holder.started_at.isoformat() if holder else None,
                    "alive": state.alive,
                    "why": state.why,
                    "taken_over_by_next_run": state.stale,
                },
                indent=2,
            )
        )
    elif state is None:
        print(f"no lock: no landing run holds {lake.describe()}")
    else:
        alive = {True: "yes", False: "no", None: "cannot tell from here"}[state.alive]
        print(f"lock   {state.url}")
        if state.holder:
            since = state.holder.started_at
            age = format_duration(datetime.now(since.tzinfo) - since)
            print(f"run    {state.holder.run_id}")
            print(f"pid    {state.holder.process.pid} on {state.holder.process.host}")
            print(f"since  {since:%Y-%m-%d %H:%M:%S} UTC ({age} ago)")
        print(f"alive  {alive}: {state.why}")
        if state.stale:
            print("the next landing run takes it over (or: dmsw lock clear)")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "land":
        return _land(args)
    if args.command == "status":
        return _status(args)
    if args.command == "lock":
        return _lock(args)
    if args.command == "models":
        from modelgen.cli import run  # imported only by this subcommand

        return run(args)
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
