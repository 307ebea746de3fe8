"""``dmsw land``: its options, the call into ``ingestion.land``, and what it prints."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ingestion.cli.options import add_command, add_lake, env
from ingestion.errors import EXIT_OK, QuarantineError, UserError
from ingestion.land import LandOptions, land
from ingestion.progress import LinePrinter, ProgressBar
from ingestion.summary import RunSummary, report


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    land_parser = add_command(
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
        default=env("DMS_SOURCE", "data/dms"),
        help="DMS root holding <schema>/<table>/ folders (the task's bucket folder): a folder "
        "or s3://bucket/prefix (env DMS_SOURCE; default data/dms)",
    )
    add_lake(land_parser)
    land_parser.add_argument(
        "--contracts",
        type=Path,
        default=Path(env("CONTRACTS_DIR", "contracts")),
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
        default=env("GLUE_DATABASE", "raw"),
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


def run(args: argparse.Namespace) -> int:
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
