"""The ``dmsw`` command: ``simulate`` demo DMS output, ``land`` it, show ``status``, draft
table contracts (``contracts infer``).

Exit codes:
  0  done (quarantined rows and files are reported, not failures, unless --strict)
  1  some files failed to land unexpectedly, or S3/Glue refused a request; the next run
     retries them
  2  bad arguments or configuration (the message says which), also when a table's files
     contradict its DMS settings: that table is not landed (the others are) and the
     message names the setting that fits the files
  3  another landing run holds the lake's lock; nothing was done
  4  --strict and some row or file was quarantined

Each code belongs to an error class in ``ingestion/errors.py``; ``main`` maps them in one
place.

``--source`` and ``--lake`` take a folder or ``s3://bucket/prefix``; S3 access uses the
standard AWS configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, credentials chain).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from ingestion.errors import EXIT_OK, DmswError, QuarantineError, UserError
from ingestion.inference import command as contracts_command
from ingestion.land import LandOptions, land
from ingestion.locations import open_lake, open_source
from ingestion.progress import LinePrinter, ProgressBar
from ingestion.status import table_status
from ingestion.summary import RunSummary, report


def _env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default)


def _add_lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake",
        default=os.environ.get("LAKE_DIR") or "data/lake",
        help="lake root holding raw/, quarantine/ and _ledger/: a folder or s3://bucket/prefix "
        "(env LAKE_DIR; default data/lake)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dmsw", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write demo DMS output and its ground truth")
    sim.add_argument(
        "--out",
        type=Path,
        default=_env_path("DMS_SOURCE", "data/dms"),
        help="DMS root to write (env DMS_SOURCE; default data/dms)",
    )
    sim.add_argument(
        "--truth",
        type=Path,
        default=Path("data/truth"),
        help="where the source's final state goes (default data/truth)",
    )
    sim.add_argument("--seed", type=int, default=42)
    sim.add_argument(
        "--transactions",
        type=int,
        default=20_000,
        help="transactions in the full load; customers and accounts follow",
    )
    sim.add_argument("--batches", type=int, default=4, help="CDC batches after the full load")
    sim.add_argument(
        "--dirt-rate",
        type=float,
        default=0.02,
        help="share of rows given the dirt the source contract warns about",
    )
    sim.add_argument("--rows-per-load-file", type=int, default=500_000)

    land = sub.add_parser("land", help="land new DMS files into the lake's raw zone")
    land.add_argument(
        "--source",
        default=os.environ.get("DMS_SOURCE") or "data/dms",
        help="DMS root holding <schema>/<table>/ folders: a folder or s3://bucket/prefix "
        "(env DMS_SOURCE; default data/dms)",
    )
    _add_lake(land)
    land.add_argument(
        "--contracts",
        type=Path,
        default=_env_path("CONTRACTS_DIR", "contracts"),
        help="table contracts (env CONTRACTS_DIR; default contracts)",
    )
    land.add_argument(
        "--workers",
        type=int,
        default=None,
        help="files landed at once (env DMSW_LAND_WORKERS; default: the cores, at most 4)",
    )
    land.add_argument("--json", action="store_true", help="print the run report as JSON")
    land.add_argument("--report", type=Path, help="also write the run report (JSON) to this file")
    land.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar on stderr even when it is not a terminal",
    )
    land.add_argument(
        "--glue",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="register the raw tables and the quarantine in the Glue Data Catalog "
        "(default: on when the lake is on S3)",
    )
    land.add_argument(
        "--glue-database",
        default=os.environ.get("GLUE_DATABASE") or "raw",
        help="Glue database for --glue (env GLUE_DATABASE; default raw)",
    )
    land.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {QuarantineError.exit_code} when any row or file was quarantined",
    )

    status = sub.add_parser("status", help="files and rows landed per table")
    _add_lake(status)
    contracts_command.add_parser(sub)

    models = sub.add_parser("models", help="generate (or check) the dbt models from the contracts")
    models.add_argument("action", choices=["generate", "check"])
    models.add_argument("--contracts", type=Path, default=_env_path("CONTRACTS_DIR", "contracts"))
    models.add_argument("--project", type=Path, default=Path(), help="the dbt project")
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


def _land(args: argparse.Namespace) -> int:
    options = LandOptions(
        source=args.source,
        lake=args.lake,
        contracts=args.contracts,
        workers=args.workers,
        glue=args.glue,
        glue_database=args.glue_database,
    )
    bar = ProgressBar(sys.stderr) if args.progress or sys.stderr.isatty() else None
    lines = None if args.json or bar else LinePrinter(sys.stdout)
    try:
        summary = land(options, progress=bar or lines)
    finally:
        if bar:
            bar.close()
    data = report(summary)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        _print_summary(summary)
    problem = summary.problem(strict=args.strict)
    if problem:
        raise problem
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    rows = table_status(open_lake(args.lake))
    if not rows:
        print(f"nothing landed yet in {args.lake}")
        return EXIT_OK
    print(f"{'table':36} {'files':>5} {'rows':>10} {'quarant.':>8}  newest commit              lag")
    for row in rows:
        print(
            f"{row.table:36} {row.files:>5} {row.rows_landed:>10} {row.rows_quarantined:>8}  "
            f"{row.newest_commit or '-'!s:26} {row.lag or '-'}"
        )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "land":
            return _land(args)
        if args.command == "contracts":
            return contracts_command.run(args, open_source)
        if args.command == "models":
            from modelgen.cli import run

            return run(args)
        return _status(args)
    except DmswError as exc:  # every expected error, with its exit code (ingestion/errors.py)
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
