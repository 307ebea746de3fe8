"""DDL on the emulated warehouse (``engine``): create (schema, view, table, CTAS), drop, rename,
grant and revoke, and the Hive DDL forms dbt-athena sends, each applied to DuckDB and to the
emulator's own records (``Warehouse.created``, ``forget``), with the engines' rules checked
(``engine_rules``): Redshift's varchar(n) limits become column checks, grants go to roles
only; Athena's tables keep their type and location.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp

from warehouse_check.engine_rules import check_athena_table, check_query
from warehouse_check.statement import Result, StatementError
from warehouse_check.translate import to_duckdb

if TYPE_CHECKING:
    from warehouse_check.engine import Warehouse

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


def create(warehouse: Warehouse, tree: exp.Create) -> Result:
    kind = str(tree.args.get("kind") or "").upper()
    if kind in ("SCHEMA", "DATABASE"):
        name = tree.this.db or tree.this.name if isinstance(tree.this, exp.Table) else ""
        if not name:
            raise StatementError("create schema without a name")
        warehouse.create_schema(name)
        return Result()
    target = tree.this if isinstance(tree.this, exp.Table) else tree.this.this
    schema, name = target.db, target.name
    properties = _properties(tree) if warehouse.dialect == "athena" else {}
    if kind == "VIEW":
        body = tree.expression
        if body is None:
            raise StatementError("a view without a query")
        check_query(body, warehouse.dialect)
        replace = "or replace " if tree.args.get("replace") else ""
        sql = to_duckdb(body, warehouse.dialect)
        warehouse.con.execute(f"create {replace}view {_name(schema, name)} as {sql}")
        warehouse.created(schema, name, "", "")
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
        check_query(tree.expression, warehouse.dialect)
        sql = to_duckdb(tree.expression, warehouse.dialect)
        temp = "temp " if temporary else ""
        warehouse.con.execute(f"create {temp}table {_name(schema, name)} as {sql}")
    else:
        warehouse.con.execute(_column_ddl(schema, name, tree))
    table_type = ""
    location = ""
    if warehouse.dialect == "athena":
        table_type = properties.get("table_type", "hive").lower()
        location = properties.get("location") or properties.get("external_location", "")
        try:
            check_athena_table(schema, name, table_type, location, warehouse.columns(schema, name))
        except StatementError:
            warehouse.con.execute(f"drop table {_name(schema, name)}")
            raise
    warehouse.created(schema, name, table_type, location)
    return Result()


def _column_ddl(schema: str, name: str, tree: exp.Create) -> str:
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


def drop(warehouse: Warehouse, tree: exp.Drop) -> Result:
    kind = str(tree.args.get("kind") or "TABLE").upper()
    if kind == "SCHEMA":
        raise StatementError("drop schema is not emulated")
    targets = tree.args.get("tables") or [tree.this]
    if len(targets) != 1 or not isinstance(targets[0], exp.Table):
        raise StatementError(f"drop is not emulated: {tree.sql()[:80]}")
    schema, name = targets[0].db, targets[0].name
    found = warehouse.relation(schema, name)
    if found is not None:
        actual = "view" if found.kind == "view" else "table"
        warehouse.con.execute(f"drop {actual} {_name(schema, name)} cascade")
        warehouse.forget(schema, name)
        warehouse.notify("dropped", schema, name)
    elif not tree.args.get("exists"):
        raise StatementError(f"{schema}.{name} does not exist")
    warehouse.counts["drop"] += 1
    return Result()


def alter(warehouse: Warehouse, tree: exp.Alter) -> Result:
    actions = tree.args.get("actions") or []
    if len(actions) != 1 or not isinstance(actions[0], exp.AlterRename):
        raise StatementError(f"alter is not emulated: {tree.sql()[:80]}")
    target = tree.this
    new = actions[0].this
    return rename(warehouse, target.db, target.name, new.db or target.db, new.name)


def rename(warehouse: Warehouse, schema: str, name: str, new_schema: str, new_name: str) -> Result:
    if new_schema != schema:
        raise StatementError("a rename across schemas is not emulated")
    found = warehouse.relation(schema, name)
    if found is None:
        raise StatementError(f"{schema}.{name} does not exist")
    kind = "view" if found.kind == "view" else "table"
    warehouse.con.execute(f'alter {kind} {_name(schema, name)} rename to "{new_name}"')
    warehouse.renamed(schema, name, new_name)
    warehouse.counts["rename"] += 1
    warehouse.notify("dropped", schema, name)
    warehouse.notify("created", schema, new_name)
    return Result()


def grant(warehouse: Warehouse, tree: exp.Grant) -> Result:
    securable = tree.args.get("securable")
    if (
        not isinstance(securable, exp.Table)
        or warehouse.relation(securable.db, securable.name) is None
    ):
        raise StatementError(f"grant on a relation that does not exist: {tree.sql()[:80]}")
    for principal in tree.args.get("principals") or []:
        kind = str(principal.args.get("kind") or "").upper()
        if kind != "ROLE":
            raise StatementError(
                f"grant to {kind.lower() or 'a user'} {principal.name}: the guide creates roles"
            )
        for privilege in tree.args.get("privileges") or []:
            warehouse.granted(
                f"{securable.db}.{securable.name}", privilege.name.lower(), principal.name
            )
    warehouse.counts["grant"] += 1
    return Result()


def revoke(warehouse: Warehouse, tree: exp.Revoke) -> Result:
    securable = tree.args.get("securable")
    if not isinstance(securable, exp.Table):
        raise StatementError(f"revoke not emulated: {tree.sql()[:80]}")
    for principal in tree.args.get("principals") or []:
        for privilege in tree.args.get("privileges") or []:
            warehouse.revoked(
                f"{securable.db}.{securable.name}", privilege.name.lower(), principal.name
            )
    warehouse.counts["revoke"] += 1
    return Result()


# -- Athena's Hive DDL (backquoted identifiers, SerDes): forms dbt-athena sends ----------


def hive_ddl(warehouse: Warehouse, text: str) -> Result | None:
    if found := _HIVE_SCHEMA.match(text):
        warehouse.create_schema(found.group(1))
        return Result()
    if found := _HIVE_EXTERNAL.match(text):
        return _external_csv(warehouse, found)
    if found := _HIVE_RENAME.match(text):
        return rename(warehouse, *found.groups())
    if found := _HIVE_PROPERTIES.match(text):
        warehouse.counts["table properties"] += 1
        return Result()
    if (found := _HIVE_DROP.match(text)) and "`" in text:
        kind, _, schema, name = found.groups()
        tree = exp.Drop(this=exp.table_(name, db=schema), kind=kind.upper(), exists=True)
        return drop(warehouse, tree)
    return None


def _external_csv(warehouse: Warehouse, found: re.Match[str]) -> Result:
    """A Hive external table over CSV files (dbt-athena's seed upload): read the files."""
    schema, name = found.group(1), found.group(2)
    if "OpenCSVSerde" not in found.group("serde"):
        raise StatementError(f"serde {found.group('serde')} is not emulated")
    if warehouse.csv_reader is None:
        raise StatementError("no object store to read the external table from")
    columns = re.findall(r"`(\w+)`\s+string", found.group("cols"))
    skip = 1 if "'skip.header.line.count'='1'" in (found.group("props") or "") else 0
    data = warehouse.csv_reader(found.group("location"))
    warehouse.scratch.mkdir(parents=True, exist_ok=True)
    csv_path = warehouse.scratch / f"{schema}.{name}.csv"
    csv_path.write_bytes(data)
    names = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    warehouse.con.execute(
        f'create table "{schema}"."{name}" as select * from read_csv(?, header = false,'
        f" skip = {skip}, columns = {{{names}}}, quote = '\"', escape = '\"',"
        " nullstr = chr(1), strict_mode = true)",
        [str(csv_path)],
    )
    warehouse.created(schema, name, "hive", found.group("location"))
    return Result()


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
