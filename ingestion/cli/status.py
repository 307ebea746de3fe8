"""``dmsw status``: its options, the lake's status printed, and ``--fail-if-stale``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ingestion.cli.options import add_command, add_lake
from ingestion.durations import format_duration, parse_duration
from ingestion.errors import EXIT_OK, StaleError
from ingestion.locations import open_lake
from ingestion.status import as_json, freshness, lake_status, render


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    status = add_command(
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
    add_lake(status)
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.add_argument(
        "--fail-if-stale",
        metavar="DURATION",
        help=f"exit {StaleError.exit_code} when a table's newest commit (or newest file, "
        "without commit timestamps) is older than DURATION, e.g. 90m, 6h, 2d, 1h30m; "
        "also when nothing was landed",
    )


def run(args: argparse.Namespace) -> int:
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
