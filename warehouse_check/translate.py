"""Athena (Trino) and Redshift SQL to DuckDB SQL, with sqlglot and a few explicit rewrites.

sqlglot parses each statement in the engine's dialect. Functions whose DuckDB translation by
sqlglot is not faithful are kept verbatim by the parser (``_KEEP``) and rewritten here into
calls of the shims in ``shims.py``; casts are rewritten where the engines' types differ from
DuckDB's (Trino timestamp precisions, Trino's text of a timestamp, Redshift's byte-limited
varchar). A function this module does not know is a ``TranslationError``, never a guess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

import sqlglot
from sqlglot import exp
from sqlglot.dialects.redshift import Redshift
from sqlglot.dialects.trino import Trino

from warehouse_check.shims import NAMES, Dialect

logging.getLogger("sqlglot").setLevel(logging.ERROR)


class TranslationError(Exception):
    """A statement that cannot be translated faithfully to DuckDB."""


def _keep(name: str) -> Callable[[list[exp.Expr]], exp.Expr]:
    def build(args: list[exp.Expr]) -> exp.Expr:
        return exp.Anonymous(this=name, expressions=args)

    return build


_TRINO_KEEP = ["JSON_EXTRACT_SCALAR", "JSON_EXTRACT", "IS_JSON_SCALAR", "JSON_FORMAT"]
_TRINO_KEEP += ["JSON_PARSE", "FROM_ISO8601_TIMESTAMP"]
_TRINO_KEEP += ["FROM_UNIXTIME_NANOS", "TO_MILLISECONDS", "FROM_ISO8601_TIMESTAMP_NANOS"]
_REDSHIFT_KEEP = ["JSON_EXTRACT_PATH_TEXT", "IS_VALID_JSON", "CONVERT_TIMEZONE"]


class AthenaSql(Trino):
    """Trino as Athena runs it, with the functions we translate ourselves kept verbatim."""

    class Parser(Trino.Parser):  # type: ignore[misc,valid-type]
        FUNCTIONS: ClassVar[dict[str, Any]] = {
            **Trino.Parser.FUNCTIONS,
            **{n: _keep(n) for n in _TRINO_KEEP},
        }


class RedshiftSql(Redshift):
    """Redshift, with the functions we translate ourselves kept verbatim."""

    class Parser(Redshift.Parser):  # type: ignore[misc,valid-type]
        FUNCTIONS: ClassVar[dict[str, Any]] = {
            **Redshift.Parser.FUNCTIONS,
            **{n: _keep(n) for n in _REDSHIFT_KEEP},
        }


READ: dict[Dialect, type[sqlglot.Dialect]] = {"athena": AthenaSql, "redshift": RedshiftSql}

# Functions sqlglot leaves unnamed (Anonymous) whose DuckDB function of the same name does the
# same thing on the arguments our SQL passes.
_SAME_IN_DUCKDB = frozenset({"TO_DAYS", "ERROR"})

# Trino timestamp(p) -> the DuckDB type that keeps the same precision, so that DuckDB's own
# typing tracks Athena's (an Iceberg table needs timestamp(6), a Hive table timestamp(3)).
_TRINO_TIMESTAMPS = {
    None: exp.DataType.Type.TIMESTAMP_MS,
    0: exp.DataType.Type.TIMESTAMP_S,
    3: exp.DataType.Type.TIMESTAMP_MS,
    6: exp.DataType.Type.TIMESTAMP,
}
_TEXT_TYPES = {
    exp.DataType.Type.VARCHAR,
    exp.DataType.Type.NVARCHAR,
    exp.DataType.Type.CHAR,
    exp.DataType.Type.NCHAR,
    exp.DataType.Type.TEXT,
    exp.DataType.Type.BPCHAR,
}
REDSHIFT_DEFAULT_VARCHAR = 256  # bytes: `varchar`, `text`, `character varying` without (n)
REDSHIFT_MAX_VARCHAR = 65535


def parse(sql: str, dialect: Dialect) -> list[exp.Expr]:
    """The statements of `sql` in the engine's dialect (a parse error is a TranslationError)."""
    try:
        trees = sqlglot.parse(sql, read=READ[dialect], error_level=sqlglot.ErrorLevel.RAISE)
    except (sqlglot.ParseError, sqlglot.TokenError) as exc:
        raise TranslationError(f"does not parse as {dialect}: {str(exc).splitlines()[0]}") from exc
    return [tree for tree in trees if tree is not None]


def to_duckdb(tree: exp.Expr, dialect: Dialect) -> str:
    """DuckDB SQL for one parsed statement or expression."""
    rewritten = _bottom_up(tree.copy(), dialect)
    unknown = sorted(
        {
            node.name.upper()
            for node in rewritten.find_all(exp.Anonymous)
            if node.name.lower() not in NAMES[dialect] and node.name.upper() not in _SAME_IN_DUCKDB
        }
    )
    if unknown:
        raise TranslationError(f"no DuckDB translation for {dialect} function(s) {unknown}")
    return rewritten.sql(dialect="duckdb")


def _bottom_up(tree: exp.Expr, dialect: Dialect) -> exp.Expr:
    """Rewrite every node, children before their parent (each node is visited once)."""
    for node in reversed(list(tree.walk(bfs=False))):
        new = _rewrite(node, dialect)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def _rewrite(node: exp.Expr, dialect: Dialect) -> exp.Expr:
    if isinstance(node, exp.Anonymous):
        return _function(node, dialect)
    if isinstance(node, exp.Cast | exp.TryCast):
        return _cast(node, dialect)
    if dialect == "athena" and isinstance(node, exp.Sub):
        left, right = node.this, node.expression
        if _is_date(left) and _is_date(right):
            # Trino: date - date is an interval of days; DuckDB: a number of days
            return exp.Anonymous(this="to_days", expressions=[exp.Sub(this=left, expression=right)])
    return node


def _is_date(node: exp.Expr) -> bool:
    return isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.DATE


def _shim(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _function(node: exp.Anonymous, dialect: Dialect) -> exp.Expr:
    name, args = node.name.upper(), list(node.expressions)
    if dialect == "athena":
        if name == "JSON_EXTRACT_SCALAR" and len(args) == 2:
            return _shim("trino_json_extract_scalar", args[0], _trino_path(args[1]))
        if name == "JSON_EXTRACT" and len(args) == 2:
            return _shim("trino_json_extract", args[0], _trino_path(args[1]))
        simple = {
            "IS_JSON_SCALAR": "trino_is_json_scalar",
            "JSON_FORMAT": "trino_json_format",
            "JSON_PARSE": "trino_json_parse",
            "FROM_ISO8601_TIMESTAMP": "trino_from_iso8601_timestamp",
            "FROM_UNIXTIME_NANOS": "trino_from_unixtime_nanos",
            "TO_MILLISECONDS": "trino_to_milliseconds",
        }
        if name in simple and len(args) == 1:
            return _shim(simple[name], args[0])
    else:
        if name == "JSON_EXTRACT_PATH_TEXT" and len(args) >= 2:
            return _json_extract_path_text(args)
        if name == "IS_VALID_JSON" and len(args) == 1:
            return _shim("rs_is_valid_json", args[0])
        if name == "CONVERT_TIMEZONE" and len(args) == 2:
            return _shim("rs_convert_timezone", args[0], args[1])
    return node  # left for the unknown-function check


def _literal_text(node: exp.Expr, what: str) -> str:
    if not isinstance(node, exp.Literal) or not node.is_string:
        raise TranslationError(f"{what} must be a string literal, not {node.sql()}")
    return str(node.this)


def _duckdb_path(keys: list[str]) -> exp.Expr:
    for key in keys:
        if '"' in key or "\\" in key:
            raise TranslationError(f"JSON key {key!r} is not emulated")
    return exp.Literal.string("$" + "".join(f'."{key}"' for key in keys))


def _trino_path(node: exp.Expr) -> exp.Expr:
    """A Trino JSON path of object keys ($["a"]["b"] or $.a.b) as a DuckDB path."""
    text = _literal_text(node, "a json_extract(_scalar) path")
    if not text.startswith("$"):
        raise TranslationError(f"JSON path {text!r} is not emulated")
    keys: list[str] = []
    rest = text[1:]
    while rest:
        if rest.startswith('["'):
            end = rest.index('"]')
            keys.append(rest[2:end])
            rest = rest[end + 2 :]
        elif rest.startswith("."):
            part = rest[1:].split(".", 1)[0].split("[", 1)[0]
            keys.append(part)
            rest = rest[1 + len(part) :]
        else:
            raise TranslationError(f"JSON path {text!r} is not emulated")
    return _duckdb_path(keys)


def _json_extract_path_text(args: list[exp.Expr]) -> exp.Expr:
    flag: exp.Expr = exp.false()
    if isinstance(args[-1], exp.Boolean):
        flag = args.pop()
    keys = [_literal_text(arg, "a json_extract_path_text key") for arg in args[1:]]
    return _shim("rs_json_extract_path_text", args[0], _duckdb_path(keys), flag)


def _cast(node: exp.Cast | exp.TryCast, dialect: Dialect) -> exp.Expr:
    to = node.to
    if to.this in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME):
        return _cast_timestamp(node, dialect)
    if to.this not in _TEXT_TYPES:
        return node
    if dialect == "athena":
        if to.expressions:  # varchar(n): Trino's text of the value, cut to n
            return node
        return _shim("trino_varchar", node.this)
    return _shim("rs_varchar", node.this, exp.Literal.number(_redshift_length(to)))


def _cast_timestamp(node: exp.Cast | exp.TryCast, dialect: Dialect) -> exp.Expr:
    if dialect == "redshift":
        return node  # Redshift timestamps are microseconds, like DuckDB's TIMESTAMP
    params = node.to.expressions
    precision = int(params[0].name) if params else None
    if precision not in _TRINO_TIMESTAMPS:
        raise TranslationError(f"timestamp({precision}) is not emulated")
    copy = node.copy()
    copy.set("to", exp.DataType(this=_TRINO_TIMESTAMPS[precision]))
    return copy


def _redshift_length(to: exp.DataType) -> int:
    if not to.expressions:
        return REDSHIFT_DEFAULT_VARCHAR if to.this != exp.DataType.Type.CHAR else 1
    size = to.expressions[0]
    text = size.name.upper() if isinstance(size, exp.DataTypeParam | exp.Var) else size.sql()
    return REDSHIFT_MAX_VARCHAR if text.upper() == "MAX" else int(text)
