"""Tables, columns, types, keys and comments from source DDL, parsed with sqlglot.

``CREATE TABLE`` statements of PostgreSQL (``pg_dump --schema-only``), MySQL, Oracle and SQL
Server are read; other statements are skipped, except ``ALTER TABLE ... ADD [CONSTRAINT ..]
PRIMARY KEY`` (how pg_dump writes keys) and ``COMMENT ON COLUMN`` (descriptions). Types map
to the contract vocabulary (``ingestion.column_types.parse_type``) by ``ddl_types``, with
what each source type means in its dialect. A trailing ``-- comment`` on a column's line
(and comment-only lines right below it) becomes the column's description; so does MySQL's
``COMMENT '...'``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from ingestion.errors import UserError
from ingestion.inference.ddl_types import map_type

DIALECTS = ("postgres", "mysql", "oracle", "tsql")
_CREATE_TABLE = re.compile(
    r"^create (?:or replace )?(?:(?:global |local )?(?:temporary |temp )|unlogged )?table "
)


@dataclass(frozen=True)
class DdlColumn:
    name: str
    type: str
    """Canonical contract type."""
    nullable: bool = True
    description: str | None = None
    source_type: str = ""
    note: str | None = None
    """What the mapping could not carry over exactly (for the summary)."""


@dataclass
class DdlTable:
    schema: str | None
    name: str
    columns: list[DdlColumn]
    primary_key: list[str] = field(default_factory=list)
    origin: str = ""
    """file:line of the CREATE TABLE."""
    description: str | None = None
    """From ``COMMENT ON TABLE``."""

    def column(self, name: str) -> DdlColumn | None:
        return next((c for c in self.columns if c.name.lower() == name.lower()), None)


def _sqlglot() -> Any:
    try:
        import sqlglot
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise UserError("--ddl needs sqlglot (pip install sqlglot)") from exc
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    return sqlglot


def _split_statements(sqlglot: Any, text: str, dialect: str) -> tuple[str, list[tuple[int, int]]]:
    """The text (batch separators made semicolons) and each statement's (start, end)."""
    if dialect == "tsql":
        text = re.sub(r"(?im)^\s*GO\s*$", lambda m: ";".ljust(len(m.group(0))), text)
    if dialect == "oracle":
        text = re.sub(r"(?m)^\s*/\s*$", lambda m: ";".ljust(len(m.group(0))), text)
    try:
        tokens = sqlglot.tokenize(text, read=dialect)
    except Exception as exc:
        raise UserError(f"cannot read the DDL as {dialect} SQL: {exc}") from exc
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for token in tokens:
        if token.token_type.name == "SEMICOLON":
            if start is not None:
                spans.append((start, token.end + 1))
            start = None
        elif start is None:
            start = token.start
    if start is not None:
        spans.append((start, len(text)))
    return text, spans


def _outside_quotes_comment(line: str) -> str | None:
    """The text after ``--`` when the dashes are not inside a quoted string."""
    quote: str | None = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
        elif line.startswith("--", i):
            return line[i + 2 :].strip()
    return None


def _line_comments(statement: str, names: list[str]) -> dict[str, str]:
    """Column -> its trailing ``--`` comment (continued by comment-only lines below)."""
    lower = {n.lower(): n for n in names}
    comments: dict[str, str] = {}
    current: str | None = None
    for line in statement.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            if current is not None:
                comments[current] += " " + stripped[2:].strip()
            continue
        current = None
        first = re.match(r"^\s*[\"`\[]?([A-Za-z_][A-Za-z0-9_$#]*)[\"`\]]?\s", line + " ")
        if not first or first.group(1).lower() not in lower:
            continue
        comment = _outside_quotes_comment(line)
        if comment:
            current = lower[first.group(1).lower()]
            comments[current] = comment
    return {k: v.strip() for k, v in comments.items() if v.strip()}


def _pk_names(node: Any, exp: Any) -> list[str]:
    names: list[str] = []
    for item in node.find_all(exp.Identifier):
        if isinstance(item.parent, exp.Constraint) and item.arg_key == "this":
            continue  # the constraint's own name
        names.append(item.name)
    return names


def _table_keys(statement: Any, exp: Any) -> list[str]:
    for node in statement.find_all(exp.PrimaryKey):
        return _pk_names(node, exp)
    for node in statement.find_all(exp.Constraint):
        if any(isinstance(e, exp.PrimaryKeyColumnConstraint) for e in node.expressions):
            return [
                n
                for e in node.expressions
                if not isinstance(e, exp.PrimaryKeyColumnConstraint)
                for n in _pk_names(e, exp)
            ]
    return []


def _column(node: Any, exp: Any, dialect: str, comments: dict[str, str]) -> tuple[DdlColumn, bool]:
    kind = node.args.get("kind")
    note: str | None
    if kind is None:
        type_name, note, source = "varchar", "no type given, drafted as text", ""
    else:
        type_name, note = map_type(kind, dialect)
        source = kind.sql(dialect)
    nullable, primary, description = True, False, comments.get(node.name)
    for constraint in node.args.get("constraints") or []:
        kind_of = constraint.args.get("kind")
        if isinstance(kind_of, exp.NotNullColumnConstraint) and not kind_of.args.get("allow_null"):
            nullable = False
        elif isinstance(kind_of, exp.PrimaryKeyColumnConstraint):
            primary = True
        elif isinstance(kind_of, exp.CommentColumnConstraint):
            description = kind_of.this.name or description
    column = DdlColumn(node.name, type_name, nullable, description, source, note)
    return column, primary


def parse_ddl(text: str, dialect: str, origin: str) -> list[DdlTable]:
    """Every CREATE TABLE in ``text`` (plus keys and comments added by later statements)."""
    if dialect not in DIALECTS:
        raise UserError(f"--dialect must be one of {', '.join(DIALECTS)}, got {dialect!r}")
    sqlglot = _sqlglot()
    exp = sqlglot.exp
    tables: dict[tuple[str | None, str], DdlTable] = {}
    later: list[Any] = []
    text, spans = _split_statements(sqlglot, text, dialect)
    for start, end in spans:
        chunk = text[start:end]
        line = text.count("\n", 0, start) + 1
        head = re.sub(r"\s+", " ", chunk[:200]).lower()
        is_create = bool(_CREATE_TABLE.match(head))
        if not is_create and not head.startswith(("alter table", "comment on")):
            continue
        try:
            statement = sqlglot.parse_one(chunk, read=dialect)
        except Exception as exc:
            message = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).splitlines()[0]
            raise UserError(f"{origin}:{line}: cannot parse as {dialect} SQL: {message}") from exc
        if not is_create:
            later.append(statement)
            continue
        schema = statement.this if isinstance(statement, exp.Create) else None
        if not isinstance(schema, exp.Schema) or not isinstance(schema.this, exp.Table):
            raise UserError(
                f"{origin}:{line}: cannot read this CREATE TABLE as {dialect} SQL "
                "(is --dialect right?)"
            )
        defs = [e for e in schema.expressions if isinstance(e, exp.ColumnDef)]
        comments = _line_comments(chunk, [d.name for d in defs])
        columns: list[DdlColumn] = []
        key: list[str] = []
        for node in defs:
            column, primary = _column(node, exp, dialect, comments)
            columns.append(column)
            if primary:
                key.append(column.name)
        others = [e for e in schema.expressions if not isinstance(e, exp.ColumnDef)]
        for other in others:
            key = key or _table_keys(other, exp)
        table = schema.this
        ddl = DdlTable(table.db or None, table.name, columns, key, f"{origin}:{line}")
        tables[(ddl.schema.lower() if ddl.schema else None, ddl.name.lower())] = ddl
    for statement in later:
        _apply_later(statement, exp, tables)
    for ddl in tables.values():
        keys = {k.lower() for k in ddl.primary_key}
        ddl.columns = [
            DdlColumn(c.name, c.type, False, c.description, c.source_type, c.note)
            if c.name.lower() in keys
            else c
            for c in ddl.columns
        ]
    return list(tables.values())


def _find(
    tables: dict[tuple[str | None, str], DdlTable], schema: str | None, name: str
) -> DdlTable | None:
    key = (schema.lower() if schema else None, name.lower())
    if key in tables:
        return tables[key]
    matches = [t for (_, n), t in tables.items() if n == name.lower()]
    return matches[0] if len(matches) == 1 else None


def _apply_later(statement: Any, exp: Any, tables: dict[tuple[str | None, str], DdlTable]) -> None:
    if isinstance(statement, exp.Alter) and isinstance(statement.this, exp.Table):
        table = _find(tables, statement.this.db or None, statement.this.name)
        key = _table_keys(statement, exp)
        if table is not None and key and not table.primary_key:
            table.primary_key = key
    elif isinstance(statement, exp.Comment) and str(statement.args.get("kind")).upper() == "TABLE":
        target = statement.this
        table = (
            _find(tables, target.db or None, target.name) if isinstance(target, exp.Table) else None
        )
        text = statement.expression.name if statement.expression is not None else ""
        if table is not None and text:
            table.description = text
    elif isinstance(statement, exp.Comment) and str(statement.args.get("kind")).upper() == "COLUMN":
        target = statement.this
        parts = [p.name for p in target.parts] if hasattr(target, "parts") else []
        if len(parts) < 2:
            return
        column_name, table_name = parts[-1], parts[-2]
        schema = parts[-3] if len(parts) > 2 else None
        table = _find(tables, schema, table_name)
        text = statement.expression.name if statement.expression is not None else ""
        if table is None or not text:
            return
        table.columns = [
            DdlColumn(c.name, c.type, c.nullable, text, c.source_type, c.note)
            if c.name.lower() == column_name.lower()
            else c
            for c in table.columns
        ]
