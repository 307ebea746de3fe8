"""``dmsw models generate`` and ``dmsw models check`` (called by ``ingestion.cli.models``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from modelgen.layout import Differences, compare, plan, write

EXIT_OK, EXIT_STALE = 0, 1


def _report(differences: Differences, generate: bool) -> None:
    for title, paths in (
        ("written" if generate else "missing", differences.missing),
        ("written" if generate else "out of date", differences.changed),
        ("removed" if generate else "stale (no contract)", differences.stale),
    ):
        for path in paths:
            print(f"  {title}: {path}")


def run(args: argparse.Namespace) -> int:
    """Generate or check; UserError (bad contracts) propagates to the CLI (exit 2)."""
    project: Path = args.project
    planned = plan(project, args.contracts)
    for name, path in sorted(planned.skipped.items()):
        print(f"  {name}: hand-written ({path}), not generated")
    if args.action == "check":
        differences = compare(project, planned)
        if differences:
            _report(differences, generate=False)
            print(
                f"generated models are out of date with {args.contracts}: "
                "run `dmsw models generate` (make models)"
            )
            return EXIT_STALE
        print(f"generated models match {args.contracts} ({len(planned.files)} files)")
        return EXIT_OK
    differences = write(project, planned)
    _report(differences, generate=True)
    written = len(differences.missing) + len(differences.changed)
    print(
        f"{len(planned.specs)} contracts: {len(planned.files)} generated files, "
        f"{written} written, {len(differences.stale)} stale removed"
    )
    return EXIT_OK
