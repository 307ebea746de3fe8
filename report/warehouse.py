"""Read-only access to the warehouse's models, in the only shapes the report needs.

The report renders numbers the models define; it does not define any. So it reads through
this class, which can only select a model's columns (filtered, ordered, limited) or count a
model's rows (per value of one column): no joins, no sums, no business rules. Relation and
column names are checked to be plain identifiers; values go in as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
RELATION = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


class Warehouse:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection

    @classmethod
    @contextmanager
    def open(cls, database: Path) -> Iterator[Warehouse]:
        with duckdb.connect(str(database), read_only=True) as connection:
            yield cls(connection)

    def rows(
        self,
        relation: str,
        columns: Sequence[str],
        *,
        where: str | None = None,
        parameters: Sequence[Any] = (),
        order_by: Sequence[str] = (),
        limit: int | None = None,
    ) -> list[tuple[Any, ...]]:
        """``select <columns> from <relation> [where] [order by] [limit]``."""
        _check_relation(relation)
        for column in [*columns, *(o.removesuffix(" desc") for o in order_by)]:
            _check_identifier(column)
        sql = f"select {', '.join(columns)} from {relation}"
        if where:
            sql += f" where {where}"
        if order_by:
            sql += f" order by {', '.join(order_by)}"
        if limit is not None:
            sql += f" limit {int(limit)}"
        return self._connection.execute(sql, list(parameters)).fetchall()

    def count(
        self,
        relation: str,
        *,
        by: str | None = None,
        where: str | None = None,
        parameters: Sequence[Any] = (),
    ) -> dict[Any, int]:
        """How many rows of a relation (meeting ``where``), per value of column ``by``; with
        no ``by``, the total under the key None."""
        _check_relation(relation)
        group = by or "null"
        if by:
            _check_identifier(by)
        sql = f"select {group}, count(*) from {relation}"
        if where:
            sql += f" where {where}"
        sql += " group by 1"
        rows = self._connection.execute(sql, list(parameters)).fetchall()
        counts = {key: int(n) for key, n in rows}
        return counts if by else {None: counts.get(None, 0)}

    def total(self, relation: str, *, where: str | None = None) -> int:
        return self.count(relation, where=where)[None]

    def relations(self, schema: str, name_like: str) -> list[str]:
        """The tables and views of a schema whose name is LIKE ``name_like``, sorted."""
        _check_identifier(schema)
        rows = self._connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_name like ? order by table_name",
            [schema, name_like],
        ).fetchall()
        return [f"{schema}.{name}" for (name,) in rows]


def _check_identifier(name: str) -> None:
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a plain column name: {name!r}")


def _check_relation(name: str) -> None:
    if not RELATION.match(name):
        raise ValueError(f"not a schema.model name: {name!r}")
