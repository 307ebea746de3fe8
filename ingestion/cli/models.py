"""``dmsw models generate|check``: its options; the work is ``modelgen.cli``, imported only
when this command runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ingestion.cli.options import add_command, env


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    models = add_command(
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
        default=Path(env("CONTRACTS_DIR", "contracts")),
        help="table contracts (env CONTRACTS_DIR; default contracts)",
    )
    models.add_argument(
        "--project", type=Path, default=Path(), help="the dbt project (default: this folder)"
    )


def run(args: argparse.Namespace) -> int:
    from modelgen.cli import run as generate_or_check  # imported only by this subcommand

    return generate_or_check(args)
