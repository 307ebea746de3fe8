"""The ``dmsw contracts infer`` subcommand: its arguments and the call into ``run.infer``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ingestion.errors import UserError
from ingestion.inference.ddl import DIALECTS

DEFAULT_SAMPLE_ROWS = 10_000


def add_parser(sub: Any) -> None:
    """Add ``contracts infer`` to the ``dmsw`` subcommands."""
    contracts = sub.add_parser("contracts", help="draft table contracts from DMS files or DDL")
    actions = contracts.add_subparsers(dest="contracts_command", required=True)
    infer = actions.add_parser(
        "infer",
        help="draft <schema>/_dms_settings.yml and <schema>/<table>.yml for every table found",
        description="Draft contracts from a DMS root's files (types from a sample of every "
        "file, the DMS settings from what the files show) and/or source DDL. Files you "
        "edited are never overwritten: changes are proposed beside them (<file>.proposed).",
    )
    infer.add_argument(
        "--source",
        help="DMS root holding <schema>/<table>/ folders: a folder or s3://bucket/prefix "
        "(optional with --ddl)",
    )
    infer.add_argument(
        "--out", type=Path, required=True, help="contracts folder to write (e.g. contracts)"
    )
    infer.add_argument(
        "--ddl",
        type=Path,
        action="append",
        default=[],
        help="a file of CREATE TABLE statements (repeatable), e.g. from pg_dump --schema-only",
    )
    infer.add_argument(
        "--dialect", choices=DIALECTS, default="postgres", help="SQL dialect of --ddl"
    )
    infer.add_argument("--schema", help="schema for DDL tables that name none and match no folder")
    infer.add_argument(
        "--force",
        action="store_true",
        help="apply proposals to files you edited (default: write <file>.proposed)",
    )
    infer.add_argument(
        "--sample-rows",
        type=int,
        default=DEFAULT_SAMPLE_ROWS,
        help=f"records read from the start of each file (default {DEFAULT_SAMPLE_ROWS})",
    )


def run(args: argparse.Namespace, open_source: Any) -> int:
    """Run ``contracts infer``; ``open_source`` turns --source into a FileSource."""
    from ingestion.inference.run import InferOptions, infer
    from ingestion.inference.summary import format_summary

    if args.contracts_command != "infer":  # pragma: no cover - argparse requires one
        raise UserError("dmsw contracts: use 'infer'")
    options = InferOptions(
        out=args.out,
        source=open_source(args.source) if args.source else None,
        ddl=tuple(args.ddl),
        dialect=args.dialect,
        force=args.force,
        sample_rows=args.sample_rows,
        schema=args.schema,
    )
    result = infer(options)
    print(format_summary(result, str(args.out)))
    return 0
