"""A source column's DDL type in the contract's vocabulary (``map_type``), with what each
source type means in its dialect: MySQL ``datetime`` has no fraction (``timestamp(0)``), SQL
Server's ``datetime`` has 3 digits, Oracle's ``DATE`` carries a time and ``NUMBER(p)`` is an
integer; a type with no exact counterpart is drafted with a note saying what to check.
"""

from __future__ import annotations

import re
from typing import Any

UNBOUNDED_NUMERIC = "decimal(38,10)"


def _int_args(kind: Any) -> list[int]:
    args: list[int] = []
    for param in kind.expressions:
        text = param.sql().strip().upper()
        if text.isdigit():
            args.append(int(text))
        elif text == "MAX":
            return []
        else:
            match = re.match(r"^(\d+)", text)  # VARCHAR2(100 CHAR)
            if match:
                args.append(int(match.group(1)))
    return args


def _timestamp(precision: int | None, default: int) -> tuple[str, str | None]:
    digits = default if precision is None else precision
    note = None
    if digits > 6:
        note = f"{digits} fractional digits: contracts hold 6 (values with more do not land)"
        digits = 6
    return ("timestamp" if digits == 6 else f"timestamp({digits})"), note


def _text(name: str, args: list[int]) -> str:
    return f"{name}({args[0]})" if args else ("char(1)" if name == "char" else "varchar")


def map_type(kind: Any, dialect: str) -> tuple[str, str | None]:
    """(canonical contract type, note) for a sqlglot DataType in ``dialect``."""
    name = kind.this.name
    args = _int_args(kind)
    source = kind.sql(dialect)
    if name in ("TINYINT", "UTINYINT", "SMALLINT", "USMALLINT"):
        return ("integer" if name == "USMALLINT" else "smallint"), None
    if name in ("MEDIUMINT", "UMEDIUMINT", "INT", "SERIAL"):
        return "integer", None
    if name in ("UINT", "BIGINT", "BIGSERIAL"):
        return "bigint", None
    if name == "UBIGINT":
        return "decimal(20,0)", None
    if name in ("DECIMAL", "NUMERIC", "BIGDECIMAL", "UDECIMAL"):
        if not args:
            return UNBOUNDED_NUMERIC, (
                f"{source} without precision: drafted {UNBOUNDED_NUMERIC}; set the precision "
                "and scale the values need"
            )
        precision, scale = args[0], (args[1] if len(args) > 1 else 0)
        if dialect == "oracle" and scale == 0 and precision <= 18:
            integer = "smallint" if precision <= 4 else "integer" if precision <= 9 else "bigint"
            return integer, None
        if precision > 38:
            return "varchar", f"{source}: more than 38 digits, text"
        return f"decimal({precision},{scale})", None
    if name in ("MONEY",):
        return "decimal(19,4)", None
    if name in ("SMALLMONEY",):
        return "decimal(10,4)", None
    if name in ("FLOAT", "DOUBLE", "REAL"):
        return "double", None
    if name in ("BOOLEAN",):
        return "boolean", None
    if name == "BIT":
        if dialect == "mysql" and args and args[0] > 1:
            return "bigint", f"{source}: a bit field, drafted as its number"
        return "boolean", None
    if name in ("CHAR", "NCHAR"):
        return _text("char", args), None
    if name in ("VARCHAR", "NVARCHAR", "TEXT", "MEDIUMTEXT", "LONGTEXT", "TINYTEXT", "NAME"):
        return _text("varchar", args), None
    if name in ("UUID", "UNIQUEIDENTIFIER"):
        return "uuid", None
    if name in ("JSON", "JSONB"):
        return "json", None
    if name in (
        "BINARY", "VARBINARY", "BLOB", "MEDIUMBLOB", "LONGBLOB", "TINYBLOB", "IMAGE", "BYTEA",
    ):  # fmt: skip
        return "binary", None
    if name == "DATE":
        if dialect == "oracle":
            return "timestamp(0)", None  # Oracle's DATE holds a time of day
        return "date", None
    if name in ("DATETIME", "DATETIME2", "SMALLDATETIME", "TIMESTAMP", "TIMESTAMPTZ",
                "TIMESTAMPLTZ", "TIMESTAMPNTZ", "DATETIME64"):  # fmt: skip
        digits = args[0] if args else None
        default = {
            ("mysql", "DATETIME"): 0,
            ("mysql", "TIMESTAMPTZ"): 0,
            ("mysql", "TIMESTAMP"): 0,
            ("tsql", "DATETIME"): 3,
            ("tsql", "SMALLDATETIME"): 0,
            ("tsql", "DATETIME2"): 7,
            ("tsql", "TIMESTAMPTZ"): 7,
        }.get((dialect, name), 6)
        return _timestamp(digits, default)
    if name == "YEAR":
        return "smallint", None
    if name == "USERDEFINED" and source.upper().startswith(("RAW", "LONG RAW")):
        return "binary", None
    return "varchar", f"{source}: no matching contract type, drafted as text"
