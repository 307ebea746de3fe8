"""What every ``dmsw`` command's parser shares: the common options, ``--lake``, env defaults."""

from __future__ import annotations

import argparse
import os
from typing import Any

DEBUG_ENV = "DMSW_DEBUG"


def env(name: str, default: str) -> str:
    """An option's default: the environment variable ``name`` when set, else ``default``."""
    return os.environ.get(name) or default


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written (plain text paragraphs), option help wrapped."""


def common_options() -> argparse.ArgumentParser:
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


def add_lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake",
        default=env("LAKE_DIR", "data/lake"),
        help="the lake, holding raw/, quarantine/ and _ledger/: a folder or s3://bucket/prefix "
        "(env LAKE_DIR; default data/lake)",
    )


def add_command(
    sub: Any, name: str, summary: str, description: str, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """A subcommand's parser, with the common options and the shared help layout."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description,
        parents=[common],
        formatter_class=Formatter,
    )
    return parser
