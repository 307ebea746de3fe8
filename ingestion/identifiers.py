"""Plain SQL identifiers (letters, digits, ``_``): schema, table and column names are checked
before they reach a path or SQL, and quoted when they go into SQL."""

from __future__ import annotations

import re

from ingestion.errors import UserError

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def check_identifier(name: str, what: str) -> str:
    """Return ``name`` if it is a plain SQL identifier, else raise UserError."""
    if not IDENTIFIER.match(name):
        raise UserError(f"{what} {name!r} is not a plain identifier (letters, digits, _)")
    return name


def quote(name: str) -> str:
    """Quote a validated identifier for SQL."""
    return '"' + check_identifier(name, "identifier") + '"'
