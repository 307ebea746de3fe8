"""Plain SQL identifiers (letters, digits, ``_``): schema, table and column names are checked
before they reach a path or SQL, and quoted when they go into SQL.

``RESERVED_WORDS``: the words that cannot be a bare column name on one of the engines the
generated models run on. DuckDB's: its reserved keywords and those that fail as a bare column
in a select list (``select pivot from ...``; ``duckdb_keywords()``, DuckDB 1.x); Athena's
(Trino's, docs.aws.amazon.com/athena/latest/ug/reserved-words.html); Redshift's
(docs.aws.amazon.com/redshift/latest/dg/r_pg_keywords.html). The generated bronze models quote a
source column so named; ``modelgen`` refuses one as a column name of the models (they, the
macros and the tests use names unquoted); ``dmsw contracts infer`` drafts a ``rename:`` for it."""

from __future__ import annotations

import re

from ingestion.errors import UserError

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_DUCKDB = """
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
    """
_ATHENA = """
    alter and as between by case cast constraint create cross cube current_catalog current_date
    current_path current_role current_schema current_time current_timestamp current_user
    deallocate delete describe distinct drop else end escape except execute exists extract false
    first for from full group grouping having in inner insert intersect into is join json_array
    json_exists json_object json_query json_table json_value last left like listagg localtime
    localtimestamp natural normalize not null of on or order outer prepare recursive right rollup
    select skip table then trim true uescape union unnest using values when where with
"""
_REDSHIFT = """
    aes128 aes256 all allowoverwrite analyse analyze and any array as asc authorization az64
    backup between binary blanksasnull both bytedict bzip2 case cast check collate column
    constraint create credentials cross current_date current_time current_timestamp current_user
    current_user_id default deferrable deflate defrag delta delta32k desc disable distinct do
    else emptyasnull enable encode encrypt encryption end except explicit false for foreign
    freeze from full globaldict256 globaldict64k grant group gzip having identity ignore ilike
    in initially inner intersect interval into is isnull join leading left like limit localtime
    localtimestamp lun luns lzo lzop minus mostly16 mostly32 mostly8 natural new not notnull
    null nulls off offline offset oid old on only open or order outer overlaps parallel
    partition percent permissions pivot placing primary raw readratio recover references
    rejectlog resort respect restore right select session_user similar snapshot some sysdate
    system table tag tdes text255 text32k then timestamp to top trailing true truncatecolumns
    union unique unnest unpivot user using verbose wallet when where with without
"""
RESERVED_WORDS = frozenset((_DUCKDB + _ATHENA + _REDSHIFT).split())
"""Lower case; compare ``name.lower()``."""


def check_identifier(name: str, what: str) -> str:
    """Return ``name`` if it is a plain SQL identifier, else raise UserError."""
    if not IDENTIFIER.match(name):
        raise UserError(f"{what} {name!r} is not a plain identifier (letters, digits, _)")
    return name


def quote(name: str) -> str:
    """Quote a validated identifier for SQL."""
    return '"' + check_identifier(name, "identifier") + '"'
