"""SQL words that cannot be a bare column name on DuckDB, Athena (Trino) or Redshift.

The generated models quote a source column's name when it is one of them (bronze reads the
raw zone by the source's names), and a contract may not give one to a column of the
generated models, which name their columns bare: ``rename`` it (``modelgen.spec``). The
DuckDB words are its reserved keywords and the keywords that fail as a bare column in a
select list (``select pivot from ...``: ``duckdb_keywords()``, DuckDB 1.x).
"""

from __future__ import annotations

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
