"""An emulated Athena or Redshift warehouse: every statement the adapter sends is translated to
DuckDB (``translate.py``) and executed on a DuckDB database, in the order sent.

The database file is named after the engine's catalog (``awsdatacatalog.duckdb``,
``dev.duckdb``), so three-part names resolve as on the engine; the raw zone is a schema of
views over the lake's Parquet files (``raw_zone.py``). Besides executing, the warehouse checks
what the engine would refuse although DuckDB accepts it:

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
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from warehouse_check import shims
from warehouse_check.shims import Dialect
from warehouse_check.translate import TranslationError, parse, to_duckdb

CATALOG: dict[Dialect, str] = {"athena": "awsdatacatalog", "redshift": "dev"}
META = "_emulator"  # schema of the emulator's own records (never compared, never listed)


class StatementError(Exception):
    """The engine would refuse this statement, or it could not be emulated."""


@dataclass
class Result:
    columns: list[tuple[str, str]] = field(default_factory=list)  # (name, DuckDB type)
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str  # table | view
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    table_type: str = ""  # athena: iceberg | hive
    location: str = ""


Listener = Callable[[str, str, str], None]  # (event, schema, name): schema|created|dropped


_COMMENT_OR_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)


def strip_comments(sql: str) -> str:
    """The statement without comments (dbt's query header), outside string literals."""

    def keep_strings(found: re.Match[str]) -> str:
        text = found.group(0)
        return text if text.startswith("'") else " " if text.startswith("/*") else ""

    return _COMMENT_OR_STRING.sub(keep_strings, sql).strip().rstrip(";").strip()


_IDENT = r'[`"]?(\w+)[`"]?'
_HIVE_SCHEMA = re.compile(rf"^create (?:schema|database) (?:if not exists )?{_IDENT}$", re.I)
_HIVE_EXTERNAL = re.compile(
    rf"^create external table (?:if not exists )?{_IDENT}\.{_IDENT}\s*\((?P<cols>.*?)\)\s*"
    r"row format serde '(?P<serde>[^']+)'\s*location '(?P<location>[^']+)'"
    r"(?:\s*tblproperties\s*\((?P<props>.*)\))?$",
    re.I | re.S,
)
_HIVE_RENAME = re.compile(rf"^alter table {_IDENT}\.{_IDENT} rename to {_IDENT}\.{_IDENT}$", re.I)
_HIVE_PROPERTIES = re.compile(rf"^alter table {_IDENT}\.{_IDENT} set tblproperties", re.I)
_HIVE_DROP = re.compile(
    rf"^drop (table|view) (?:if exists )?(?:{_IDENT}\.)?{_IDENT}\.{_IDENT}$", re.I
)


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
                self._forget(schema, name)
                self.counts["catalog drop"] += 1

    def close(self) -> None:
        with self.lock:
            self.con.close()

    # -- dispatch ------------------------------------------------------------------------

    def _dispatch(self, text: str, params: Sequence[Any] | None) -> Result:
        if not text:
            return Result()
        if self.dialect == "athena":
            handled = self._athena_ddl(text)
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
            return self._grant(tree)
        if isinstance(tree, exp.Revoke):
            return self._revoke(tree)
        if isinstance(tree, exp.Create):
            return self._create(tree)
        if isinstance(tree, exp.Drop):
            return self._drop(tree)
        if isinstance(tree, exp.Alter):
            return self._alter(tree)
        if isinstance(tree, exp.Command):
            raise StatementError(f"statement not emulated: {tree.sql()[:80]}")
        self._check_query(tree)
        return self._run(to_duckdb(tree, self.dialect), params)

    def _run(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        cursor = self.con.execute(sql, list(params) if params else None)
        self.counts["executed"] += 1
        if cursor.description is None:
            return Result()
        columns = [(d[0], str(d[1])) for d in cursor.description]
        return Result(columns, cursor.fetchall())

    # -- rules DuckDB would not enforce --------------------------------------------------

    def _check_query(self, tree: exp.Expr) -> None:
        if self.dialect == "redshift":
            for values in tree.find_all(exp.Values):
                if not isinstance(values.parent, exp.Insert):
                    raise StatementError("Redshift does not support a VALUES list as a table")
        elif tree.find(exp.Qualify):
            raise StatementError("Athena does not support QUALIFY")

    def _check_table(self, schema: str, name: str, table_type: str, location: str) -> None:
        """Athena's rules for the table a CTAS created (Redshift has none to add here)."""
        if self.dialect != "athena":
            return
        columns = self._columns(schema, name)
        wrong = {"iceberg": ("TIMESTAMP_MS", "TIMESTAMP_S"), "hive": ("TIMESTAMP",)}[table_type]
        precision = {"iceberg": "timestamp(6)", "hive": "timestamp(3)"}[table_type]
        bad = [c for c, t in columns if t in wrong]
        if bad:
            raise StatementError(
                f"Athena: {table_type} table {schema}.{name} needs {precision} columns,"
                f" not {bad} (Incorrect timestamp precision)"
            )
        if table_type == "hive" and not location:
            raise StatementError(
                f"Athena: Hive table {schema}.{name} has no location of its own: with the"
                " workgroup's settings enforced its data goes under the query-result prefix"
                " (expired by the lifecycle rule)"
            )

    # -- DDL -----------------------------------------------------------------------------

    def _create(self, tree: exp.Create) -> Result:
        kind = str(tree.args.get("kind") or "").upper()
        if kind in ("SCHEMA", "DATABASE"):
            name = tree.this.db or tree.this.name if isinstance(tree.this, exp.Table) else ""
            if not name:
                raise StatementError("create schema without a name")
            self._create_schema(name)
            return Result()
        target = tree.this if isinstance(tree.this, exp.Table) else tree.this.this
        schema, name = target.db, target.name
        properties = _properties(tree) if self.dialect == "athena" else {}
        if kind == "VIEW":
            body = tree.expression
            if body is None:
                raise StatementError("a view without a query")
            self._check_query(body)
            replace = "or replace " if tree.args.get("replace") else ""
            sql = to_duckdb(body, self.dialect)
            self.con.execute(f"create {replace}view {_name(schema, name)} as {sql}")
            self._created(schema, name, "", "")
            return Result()
        if kind != "TABLE":
            raise StatementError(f"create {kind.lower()} is not emulated")
        temporary = any(
            isinstance(p, exp.TemporaryProperty)
            for p in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions
        )
        if not schema and not temporary:
            raise StatementError(f"create table {name} without a schema")
        if tree.expression is not None:  # create table ... as select
            self._check_query(tree.expression)
            sql = to_duckdb(tree.expression, self.dialect)
            temp = "temp " if temporary else ""
            self.con.execute(f"create {temp}table {_name(schema, name)} as {sql}")
        else:
            self.con.execute(self._column_ddl(schema, name, tree))
        table_type = ""
        location = ""
        if self.dialect == "athena":
            table_type = properties.get("table_type", "hive").lower()
            location = properties.get("location") or properties.get("external_location", "")
            try:
                self._check_table(schema, name, table_type, location)
            except StatementError:
                self.con.execute(f"drop table {_name(schema, name)}")
                raise
        self._created(schema, name, table_type, location)
        return Result()

    def _column_ddl(self, schema: str, name: str, tree: exp.Create) -> str:
        """create table with declared columns; Redshift's varchar(n) limits become checks."""
        columns = []
        for column in tree.this.expressions:
            if not isinstance(column, exp.ColumnDef):
                continue
            kind = column.args["kind"]
            column_name = column.name
            constraints = " ".join(c.sql(dialect="duckdb") for c in column.constraints)
            if kind.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT,
                             exp.DataType.Type.CHAR, exp.DataType.Type.NVARCHAR,
                             exp.DataType.Type.BPCHAR, exp.DataType.Type.NCHAR):  # fmt: skip
                size = _varchar_size(kind)
                check = f'check (octet_length(encode("{column_name}")) <= {size})'
                columns.append(f'"{column_name}" varchar {constraints} {check}')
            else:
                columns.append(f'"{column_name}" {kind.sql(dialect="duckdb")} {constraints}')
        return f"create table {_name(schema, name)} ({', '.join(columns)})"

    def _drop(self, tree: exp.Drop) -> Result:
        kind = str(tree.args.get("kind") or "TABLE").upper()
        if kind == "SCHEMA":
            raise StatementError("drop schema is not emulated")
        targets = tree.args.get("tables") or [tree.this]
        if len(targets) != 1 or not isinstance(targets[0], exp.Table):
            raise StatementError(f"drop is not emulated: {tree.sql()[:80]}")
        schema, name = targets[0].db, targets[0].name
        found = self.relation(schema, name)
        if found is not None:
            actual = "view" if found.kind == "view" else "table"
            self.con.execute(f"drop {actual} {_name(schema, name)} cascade")
            self._forget(schema, name)
            self._notify("dropped", schema, name)
        elif not tree.args.get("exists"):
            raise StatementError(f"{schema}.{name} does not exist")
        self.counts["drop"] += 1
        return Result()

    def _alter(self, tree: exp.Alter) -> Result:
        actions = tree.args.get("actions") or []
        if len(actions) != 1 or not isinstance(actions[0], exp.AlterRename):
            raise StatementError(f"alter is not emulated: {tree.sql()[:80]}")
        target = tree.this
        new = actions[0].this
        return self._rename(target.db, target.name, new.db or target.db, new.name)

    def _rename(self, schema: str, name: str, new_schema: str, new_name: str) -> Result:
        if new_schema != schema:
            raise StatementError("a rename across schemas is not emulated")
        found = self.relation(schema, name)
        if found is None:
            raise StatementError(f"{schema}.{name} does not exist")
        kind = "view" if found.kind == "view" else "table"
        self.con.execute(f'alter {kind} {_name(schema, name)} rename to "{new_name}"')
        self.con.execute(
            f"update {META}.tables set table_name = ? where schema_name = ? and table_name = ?",
            [new_name, schema, name],
        )
        self.con.execute(
            f"update {META}.grants set relation = ? where relation = ?",
            [f"{schema}.{new_name}", f"{schema}.{name}"],
        )
        self.counts["rename"] += 1
        self._notify("dropped", schema, name)
        self._notify("created", schema, new_name)
        return Result()

    def _grant(self, tree: exp.Grant) -> Result:
        securable = tree.args.get("securable")
        if (
            not isinstance(securable, exp.Table)
            or self.relation(securable.db, securable.name) is None
        ):
            raise StatementError(f"grant on a relation that does not exist: {tree.sql()[:80]}")
        for principal in tree.args.get("principals") or []:
            kind = str(principal.args.get("kind") or "").upper()
            if kind != "ROLE":
                raise StatementError(
                    f"grant to {kind.lower() or 'a user'} {principal.name}: the guide creates roles"
                )
            for privilege in tree.args.get("privileges") or []:
                self.con.execute(
                    f"insert into {META}.grants values (?, ?, ?)",
                    [f"{securable.db}.{securable.name}", privilege.name.lower(), principal.name],
                )
        self.counts["grant"] += 1
        return Result()

    def _revoke(self, tree: exp.Revoke) -> Result:
        securable = tree.args.get("securable")
        if not isinstance(securable, exp.Table):
            raise StatementError(f"revoke not emulated: {tree.sql()[:80]}")
        for principal in tree.args.get("principals") or []:
            for privilege in tree.args.get("privileges") or []:
                self.con.execute(
                    f"delete from {META}.grants where relation = ? and privilege = ?"
                    " and grantee = ?",
                    [f"{securable.db}.{securable.name}", privilege.name.lower(), principal.name],
                )
        self.counts["revoke"] += 1
        return Result()

    # -- Athena's Hive DDL (backquoted identifiers, SerDes): forms dbt-athena sends ------

    def _athena_ddl(self, text: str) -> Result | None:
        if found := _HIVE_SCHEMA.match(text):
            self._create_schema(found.group(1))
            return Result()
        if found := _HIVE_EXTERNAL.match(text):
            return self._external_csv(found)
        if found := _HIVE_RENAME.match(text):
            return self._rename(*found.groups())
        if found := _HIVE_PROPERTIES.match(text):
            self.counts["table properties"] += 1
            return Result()
        if (found := _HIVE_DROP.match(text)) and "`" in text:
            kind, _, schema, name = found.groups()
            tree = exp.Drop(this=exp.table_(name, db=schema), kind=kind.upper(), exists=True)
            return self._drop(tree)
        return None

    def _external_csv(self, found: re.Match[str]) -> Result:
        """A Hive external table over CSV files (dbt-athena's seed upload): read the files."""
        schema, name = found.group(1), found.group(2)
        if "OpenCSVSerde" not in found.group("serde"):
            raise StatementError(f"serde {found.group('serde')} is not emulated")
        if self.csv_reader is None:
            raise StatementError("no object store to read the external table from")
        columns = re.findall(r"`(\w+)`\s+string", found.group("cols"))
        skip = 1 if "'skip.header.line.count'='1'" in (found.group("props") or "") else 0
        data = self.csv_reader(found.group("location"))
        self.scratch.mkdir(parents=True, exist_ok=True)
        csv_path = self.scratch / f"{schema}.{name}.csv"
        csv_path.write_bytes(data)
        names = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
        self.con.execute(
            f'create table "{schema}"."{name}" as select * from read_csv(?, header = false,'
            f" skip = {skip}, columns = {{{names}}}, quote = '\"', escape = '\"',"
            " nullstr = chr(1), strict_mode = true)",
            [str(csv_path)],
        )
        self._created(schema, name, "hive", found.group("location"))
        return Result()

    # -- records -------------------------------------------------------------------------

    def _create_schema(self, name: str) -> None:
        self.con.execute(f'create schema if not exists "{name}"')
        self.counts["create schema"] += 1
        self._notify("schema", name, "")

    def _created(self, schema: str, name: str, table_type: str, location: str) -> None:
        self.con.execute(
            f"insert or replace into {META}.tables values (?, ?, ?, ?)",
            [schema, name, table_type, location],
        )
        self.counts["create"] += 1
        self._notify("created", schema, name)

    def _forget(self, schema: str, name: str) -> None:
        self.con.execute(
            f"delete from {META}.tables where schema_name = ? and table_name = ?", [schema, name]
        )
        self.con.execute(f"delete from {META}.grants where relation = ?", [f"{schema}.{name}"])

    def _notify(self, event: str, schema: str, name: str) -> None:
        for listener in self.listeners:
            listener(event, schema, name)

    def _columns(self, schema: str, name: str) -> list[tuple[str, str]]:
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
        return Relation(schema, name, kind, tuple(self._columns(schema, name)), table_type,
                        location)  # fmt: skip

    def _fail(self, text: str, message: str) -> None:
        self.counts["failed"] += 1
        if self.failure_log is not None:
            with self.failure_log.open("a", encoding="utf-8") as out:
                out.write(
                    json.dumps({"statement": text, "error": message}, ensure_ascii=False) + "\n"
                )


def _name(schema: str, name: str) -> str:
    """A relation's name in DuckDB SQL (a temporary table has no schema)."""
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def _properties(tree: exp.Create) -> dict[str, str]:
    """Athena CTAS `with (...)` properties as text (table_type, location, ...)."""
    found: dict[str, str] = {}
    properties = tree.args.get("properties")
    if properties is None:
        return found
    for prop in properties.expressions:
        if isinstance(prop, exp.LocationProperty):
            found["location"] = prop.this.name
        elif isinstance(prop, exp.FileFormatProperty):
            found["format"] = prop.this.name
        elif type(prop) is exp.Property and isinstance(prop.this, exp.Expr):
            key = prop.name.lower() if prop.name else prop.this.sql().lower()
            value = prop.args.get("value")
            found[key] = (
                value.name
                if isinstance(value, exp.Literal)
                else (value.sql() if value is not None else "")
            )
    return found


def _varchar_size(kind: exp.DataType) -> int:
    if not kind.expressions:
        return 256
    text = kind.expressions[0].sql().upper()
    return 65535 if text == "MAX" else int(text)
