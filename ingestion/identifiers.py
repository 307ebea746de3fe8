"""Plain SQL identifiers (letters, digits, ``_``): schema, table and column names are checked
before they reach a path or SQL, and quoted when they go into SQL. ``RESERVED_WORDS``: the
words that cannot be a bare column name on DuckDB, Athena (Trino) or Redshift; the generated
models quote a source column so named, and refuse it as a column of theirs (``rename`` it);
``dmsw contracts infer`` lists such names to decide. The DuckDB words are its reserved
keywords and those that fail as a bare column in a select list (``select pivot from ...``;
``duckdb_keywords()``, DuckDB 1.x)."""

from __future__ import annotations

import re

from ingestion.errors import UserError

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
RESERVED_WORDS = frozenset(
    """
    all analyse analyze and anti any array as asc asof asymmetric at authorization between
    binary both by case cast check collate collation column concurrently constraint create
    cross current_date current_time current_timestamp current_user default deferrable delete
    desc describe distinct do else end except exists extract false fetch for foreign freeze
    from full glob grant group having ilike in initially inner insert intersect into is
    isnull join lambda lateral leading left like limit localtime localtimestamp natural not
    notnull null offset on only or order outer overlaps pivot pivot_longer pivot_wider
    placing positional primary qualify recursive references returning right select semi
    session_user show similar some summarize symmetric table tablesample then to trailing
    true union unique unnest unpack unpivot update user using values variadic verbose when
    where window with
    """.split()  # noqa: SIM905
)


def check_identifier(name: str, what: str) -> str:
    """Return ``name`` if it is a plain SQL identifier, else raise UserError."""
    if not IDENTIFIER.match(name):
        raise UserError(f"{what} {name!r} is not a plain identifier (letters, digits, _)")
    return name


def quote(name: str) -> str:
    """Quote a validated identifier for SQL."""
    return '"' + check_identifier(name, "identifier") + '"'
