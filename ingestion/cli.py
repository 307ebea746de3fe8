"""The ``dmsw`` command: ``simulate`` demo DMS output, ``land`` it, show ``status``.

Exit codes: 0 done (quarantined rows are reported, not failures, unless --strict);
1 some files failed to land and will be retried by the next run; 2 bad arguments or
configuration; 4 --strict and rows were quarantined.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from ingestion.contracts import load_contracts
from ingestion.errors import UserError
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource
from ingestion.status import table_status

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_QUARANTINE = 0, 1, 2, 4


def _env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default)


def _add_lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake",
        type=Path,
        default=_env_path("LAKE_DIR", "data/lake"),
        help="lake root holding raw/, quarantine/ and _ledger/ (env LAKE_DIR; default data/lake)",
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
        type=Path,
        default=_env_path("DMS_SOURCE", "data/dms"),
        help="DMS root: <schema>/<table>/ folders (env DMS_SOURCE; default data/dms)",
    )
    _add_lake(land)
    land.add_argument(
        "--contracts",
        type=Path,
        default=_env_path("CONTRACTS_DIR", "contracts"),
        help="table contracts (env CONTRACTS_DIR; default contracts)",
    )
    land.add_argument("--json", action="store_true", help="print the run report as JSON")
    land.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {EXIT_QUARANTINE} when any row or file was quarantined",
    )

    status = sub.add_parser("status", help="files and rows landed per table")
    _add_lake(status)
    return parser


def _simulate(args: argparse.Namespace) -> int:
    from ingestion.simulator import SimulationConfig, simulate

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
    )
    for table, totals in sorted(summary.tables.items()):
        print(
            f"  {table:36} {totals.files:>4} files {totals.rows_landed:>10} rows landed "
            f"{totals.rows_quarantined:>6} quarantined"
        )
    for line in summary.skipped:
        print(f"  skipped: {line}")
    if summary.rows_quarantined or summary.files_quarantined:
        print(
            "  quarantined rows keep their file, row and reason: "
            f"{summary.lake}/quarantine/ (dbt: source('landing', 'quarantine'))"
        )
    for line in summary.errors:
        print(f"  ERROR: {line}")
    print(f"  done in {summary.duration_s:.1f}s")


def _land(args: argparse.Namespace) -> int:
    contracts = load_contracts(args.contracts)
    lander = Lander(
        LocalSource(args.source),
        Lake(args.lake),
        contracts,
        progress=None if args.json else (lambda message: print(message, flush=True)),
    )
    summary = lander.run()
    if args.json:
        print(json.dumps(asdict(summary), indent=2, default=str))
    else:
        _print_summary(summary)
    if summary.files_failed:
        return EXIT_FAILED
    if args.strict and (summary.rows_quarantined or summary.files_quarantined):
        return EXIT_QUARANTINE
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    rows = table_status(Lake(args.lake))
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
        return _status(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
