"""An emulated Athena or Redshift warehouse: every statement the adapter sends is translated to
DuckDB (``translate.py``) and executed on a DuckDB database, in the order sent.

The database file is named after the engine's catalog (``awsdatacatalog.duckdb``,
``dev.duckdb``), so three-part names resolve as on the engine; the raw zone is a schema of
views over the lake's Parquet files (``raw_zone.py``). DDL (create, drop, rename, grants, the
Hive forms dbt-athena sends) is applied by ``ddl.py``, which keeps the emulator's own records
here current. Besides executing, the warehouse checks what the engine would refuse although
DuckDB accepts it (``engine_rules.py``; the varchar limits and grants in ``ddl.py``):

- Athena: a Hive table (CTAS) with a timestamp(6) column, or without a location of its own when
  the workgroup enforces its settings (its data would sit under the query-result prefix); an
  Iceberg table with a timestamp that is not timestamp(6).
- Redshift: VALUES lists used as a table; text longer than a column's or a cast's declared
  varchar(n) (bytes; the shims fail on it); grants to anything but a role.

A statement that cannot be translated or executed, or that breaks one of these rules, is a
``StatementError`` (the adapter sees an error) and is recorded in the failure log: nothing is
skipped. Catalog statements with no DuckDB counterpart (grants, table properties, transaction
control) are applied to the emulator's own records and counted.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from warehouse_check import ddl, shims
from warehouse_check.engine_rules import check_query
from warehouse_check.shims import Dialect
from warehouse_check.statement import Result, StatementError, strip_comments
from warehouse_check.translate import TranslationError, parse, to_duckdb

CATALOG: dict[Dialect, str] = {"athena": "awsdatacatalog", "redshift": "dev"}
META = "_emulator"  # schema of the emulator's own records (never compared, never listed)


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str  # table | view
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    table_type: str = ""  # athena: iceberg | hive
    location: str = ""


Listener = Callable[[str, str, str], None]  # (event, schema, name): schema|created|dropped


class Warehouse:
    """One emulated engine over one DuckDB file; thread-safe (statements run one at a time)."""

    def __init__(
        self,
        path: Path,
        dialect: Dialect,
        *,
        failure_log: Path | None = None,
        enforced_workgroup: bool = True,
        csv_reader: Callable[[str], bytes] | None = None,
    ) -> None:
        if path.stem != CATALOG[dialect]:
            raise ValueError(f"the {dialect} database file must be named {CATALOG[dialect]}")
        self.dialect = dialect
        self.catalog = CATALOG[dialect]
        self.con = duckdb.connect(str(path))
        self.scratch = path.with_suffix(".scratch")
        shims.install(self.con, dialect)
        self.con.execute(f"create schema if not exists {META}")
        self.con.execute(
            f"create table if not exists {META}.tables (schema_name varchar, table_name varchar,"
            " table_type varchar, location varchar, primary key (schema_name, table_name))"
        )
        self.con.execute(
            f"create table if not exists {META}.grants (relation varchar, privilege varchar,"
            " grantee varchar)"
        )
        self.failure_log = failure_log
        self.enforced_workgroup = enforced_workgroup
        self.csv_reader = csv_reader
        self.listeners: list[Listener] = []
        self.counts: Counter[str] = Counter()
        self.lock = threading.RLock()

    # -- public --------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        """Run one request of the adapter (one or more statements); the last one's rows."""
        with self.lock:
            text = strip_comments(sql)
            try:
                return self._dispatch(text, params)
            except StatementError as exc:
                self._fail(text, str(exc))
                raise
            except (TranslationError, duckdb.Error) as exc:
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                self._fail(text, message)
                raise StatementError(message) from exc
            except Exception as exc:  # an emulator defect: still this statement's failure
                message = f"emulator error {type(exc).__name__}: {exc}"
                self._fail(text, message)
                raise StatementError(message) from exc

    def relations(self, schema: str | None = None) -> list[Relation]:
        with self.lock:
            found = self.con.execute(
                "select case when table_catalog = 'temp' then '' else table_schema end as s,"
                " table_name, table_type from information_schema.tables"
                " where (table_catalog = ? or table_catalog = 'temp') and table_schema not in"
                " (?, 'information_schema', 'pg_catalog') and (? is null or s = ?)"
                " order by 1, 2",
                [self.catalog, META, schema, schema],
            ).fetchall()
            return [self._relation(s, n, "view" if t == "VIEW" else "table") for s, n, t in found]

    def relation(self, schema: str, name: str) -> Relation | None:
        with self.lock:
            catalog, schema_name = ("temp", "main") if not schema else (self.catalog, schema)
            found = self.con.execute(
                "select table_type from information_schema.tables where table_catalog = ?"
                " and table_schema = ? and table_name = ?",
                [catalog, schema_name, name],
            ).fetchall()
            if not found:
                return None
            return self._relation(schema, name, "view" if found[0][0] == "VIEW" else "table")

    def schemas(self) -> list[str]:
        with self.lock:
            rows = self.con.execute(
                "select schema_name from information_schema.schemata where catalog_name = ?"
                " and schema_name not in (?, 'information_schema', 'pg_catalog')",
                [self.catalog, META],
            ).fetchall()
            return sorted(r[0] for r in rows)

    def grants(self, relation: str) -> list[tuple[str, str]]:
        """(privilege, role) granted on `schema.name` (Redshift)."""
        with self.lock:
            rows = self.con.execute(
                f"select distinct privilege, grantee from {META}.grants where relation = ?"
                " order by 1, 2",
                [relation],
            ).fetchall()
            return [(str(p), str(g)) for p, g in rows]

    def drop(self, schema: str, name: str) -> None:
        """Drop a relation the catalog API removed (dbt-athena deletes Glue tables directly)."""
        with self.lock:
            found = self.relation(schema, name)
            if found is not None:
                kind = "view" if found.kind == "view" else "table"
                self.con.execute(f'drop {kind} if exists "{schema}"."{name}" cascade')
                self.forget(schema, name)
                self.counts["catalog drop"] += 1

    def close(self) -> None:
        with self.lock:
            self.con.close()

    # -- dispatch ------------------------------------------------------------------------

    def _dispatch(self, text: str, params: Sequence[Any] | None) -> Result:
        if not text:
            return Result()
        if self.dialect == "athena":
            handled = ddl.hive_ddl(self, text)
            if handled is not None:
                return handled
        result = Result()
        for tree in parse(text, self.dialect):
            result = self._statement(tree, params)
        return result

    def _statement(self, tree: exp.Expr, params: Sequence[Any] | None) -> Result:
        if isinstance(tree, exp.Transaction | exp.Commit | exp.Rollback):
            self.counts["transaction control (autocommit)"] += 1
            return Result()
        if isinstance(tree, exp.Grant):
            return ddl.grant(self, tree)
        if isinstance(tree, exp.Revoke):
            return ddl.revoke(self, tree)
        if isinstance(tree, exp.Create):
            return ddl.create(self, tree)
        if isinstance(tree, exp.Drop):
            return ddl.drop(self, tree)
        if isinstance(tree, exp.Alter):
            return ddl.alter(self, tree)
        if isinstance(tree, exp.Command):
            raise StatementError(f"statement not emulated: {tree.sql()[:80]}")
        check_query(tree, self.dialect)
        return self._run(to_duckdb(tree, self.dialect), params)

    def _run(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        cursor = self.con.execute(sql, list(params) if params else None)
        self.counts["executed"] += 1
        if cursor.description is None:
            return Result()
        columns = [(d[0], str(d[1])) for d in cursor.description]
        return Result(columns, cursor.fetchall())

    # -- the emulator's records (ddl keeps them current) ---------------------------------

    def create_schema(self, name: str) -> None:
        self.con.execute(f'create schema if not exists "{name}"')
        self.counts["create schema"] += 1
        self.notify("schema", name, "")

    def created(self, schema: str, name: str, table_type: str, location: str) -> None:
        self.con.execute(
            f"insert or replace into {META}.tables values (?, ?, ?, ?)",
            [schema, name, table_type, location],
        )
        self.counts["create"] += 1
        self.notify("created", schema, name)

    def forget(self, schema: str, name: str) -> None:
        self.con.execute(
            f"delete from {META}.tables where schema_name = ? and table_name = ?", [schema, name]
        )
        self.con.execute(f"delete from {META}.grants where relation = ?", [f"{schema}.{name}"])

    def renamed(self, schema: str, name: str, new_name: str) -> None:
        self.con.execute(
            f"update {META}.tables set table_name = ? where schema_name = ? and table_name = ?",
            [new_name, schema, name],
        )
        self.con.execute(
            f"update {META}.grants set relation = ? where relation = ?",
            [f"{schema}.{new_name}", f"{schema}.{name}"],
        )

    def granted(self, relation: str, privilege: str, grantee: str) -> None:
        self.con.execute(
            f"insert into {META}.grants values (?, ?, ?)", [relation, privilege, grantee]
        )

    def revoked(self, relation: str, privilege: str, grantee: str) -> None:
        self.con.execute(
            f"delete from {META}.grants where relation = ? and privilege = ? and grantee = ?",
            [relation, privilege, grantee],
        )

    def notify(self, event: str, schema: str, name: str) -> None:
        for listener in self.listeners:
            listener(event, schema, name)

    def columns(self, schema: str, name: str) -> list[tuple[str, str]]:
        catalog, schema_name = ("temp", "main") if not schema else (self.catalog, schema)
        rows = self.con.execute(
            "select column_name, data_type from information_schema.columns where table_catalog"
            " = ? and table_schema = ? and table_name = ? order by ordinal_position",
            [catalog, schema_name, name],
        ).fetchall()
        return [(str(c), str(t)) for c, t in rows]

    def _relation(self, schema: str, name: str, kind: str) -> Relation:
        record = self.con.execute(
            f"select table_type, location from {META}.tables where schema_name = ?"
            " and table_name = ?",
            [schema, name],
        ).fetchall()
        table_type, location = record[0] if record else ("", "")
        return Relation(schema, name, kind, tuple(self.columns(schema, name)), table_type,
                        location)  # fmt: skip

    def _fail(self, text: str, message: str) -> None:
        self.counts["failed"] += 1
        if self.failure_log is not None:
            with self.failure_log.open("a", encoding="utf-8") as out:
                out.write(
                    json.dumps({"statement": text, "error": message}, ensure_ascii=False) + "\n"
                )
