"""The contract's type vocabulary: a column's type text parsed (``parse_type``) into a
``ColumnType``, and how each type is stored in the raw zone (Arrow) and cast in DuckDB."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa

from ingestion.errors import UserError


@dataclass(frozen=True)
class ColumnType:
    """A contract type, parsed: its canonical name and parameters.

    Canonical names: ``smallint``, ``integer``, ``bigint``, ``decimal(p,s)``, ``double``,
    ``boolean``, ``varchar`` / ``varchar(n)``, ``char(n)``, ``date``, ``timestamp`` /
    ``timestamp(p)`` (p fractional digits, 0-6; UTC wall-clock time), ``uuid``, ``json``,
    ``binary``. Source spellings are accepted as aliases (``numeric(18,2)``, ``int8``,
    ``character varying(100)``, ``text``, ``float8``, ``bytea``, ``timestamptz``, ...).
    """

    name: str
    precision: int | None = None
    """decimal: total digits; timestamp: fractional second digits (6 when not given)."""
    scale: int | None = None
    length: int | None = None
    """varchar/char: the most characters a value may have (None: no limit)."""

    def __str__(self) -> str:
        if self.name == "decimal":
            return f"decimal({self.precision},{self.scale})"
        if self.name in ("varchar", "char") and self.length is not None:
            return f"{self.name}({self.length})"
        if self.name == "timestamp" and self.precision not in (None, 6):
            return f"timestamp({self.precision})"
        return self.name

    @property
    def arrow_type(self) -> pa.DataType:
        """How values of this type are stored in the raw zone's Parquet files."""
        if self.name == "decimal":
            assert self.precision is not None and self.scale is not None
            return pa.decimal128(self.precision, self.scale)
        return _ARROW_TYPES[self.name]

    @property
    def duckdb_type(self) -> str:
        """The DuckDB type a value is cast to when it lands (matches ``arrow_type``)."""
        if self.name == "decimal":
            return str(self)
        if self.is_text:
            return "varchar"
        return {"binary": "blob", "timestamp": "timestamp"}.get(self.name, self.name)

    @property
    def is_text(self) -> bool:
        """Stored as text (lengths, uuid and json are checked, not stored differently)."""
        return bool(pa.types.is_string(self.arrow_type))


_ARROW_TYPES: dict[str, pa.DataType] = {
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "varchar": pa.string(),
    "char": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "uuid": pa.string(),
    "json": pa.string(),
    "binary": pa.binary(),
}
_ALIASES = {
    "int2": "smallint",
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "float8": "double",
    "doubleprecision": "double",
    "float": "double",
    "bool": "boolean",
    "text": "varchar",
    "string": "varchar",
    "charactervarying": "varchar",
    "character": "char",
    "numeric": "decimal",
    "timestampwithouttimezone": "timestamp",
    "timestampwithtimezone": "timestamp",
    "timestamptz": "timestamp",
    "datetime": "timestamp",
    "jsonb": "json",
    "bytea": "binary",
    "varbinary": "binary",
    "blob": "binary",
}
_TYPE = re.compile(r"^(?P<name>[a-z][a-z0-9]*)(?:\((?P<args>[0-9]+(?:,[0-9]+)?)\))?$")


def parse_type(text: str) -> ColumnType:
    """Parse a contract type (see ``ColumnType``), or raise UserError saying what is allowed."""
    normalized = re.sub(r"\s+", "", str(text).lower())
    # "timestamp(3) with time zone" and friends: the parameter sits before the zone words
    normalized = re.sub(r"^timestamp(\(\d+\))?with(out)?timezone$", r"timestamp\1", normalized)
    match = _TYPE.match(normalized)
    supported = (
        "smallint, integer, bigint, decimal(p,s), double, boolean, varchar, varchar(n), "
        "char(n), date, timestamp, timestamp(p), uuid, json, binary"
    )
    if not match:
        raise UserError(f"type {text!r} is not supported (use one of: {supported})")
    name = _ALIASES.get(match.group("name"), match.group("name"))
    args = [int(a) for a in match.group("args").split(",")] if match.group("args") else []
    if name == "decimal" and len(args) in (1, 2):
        precision, scale = args[0], (args[1] if len(args) == 2 else 0)
        if 1 <= precision <= 38 and scale <= precision:
            return ColumnType("decimal", precision, scale)
    elif name in ("varchar", "char") and len(args) <= 1:
        length = args[0] if args else None
        if length is None and name == "char":
            length = 1  # SQL: char means char(1)
        if length is None or length >= 1:
            return ColumnType(name, length=length)
    elif name == "timestamp" and len(args) <= 1:
        precision = args[0] if args else 6
        if 0 <= precision <= 6:
            return ColumnType("timestamp", precision=precision)
    elif name in _ARROW_TYPES and not args:
        return ColumnType(name)
    raise UserError(f"type {text!r} is not supported (use one of: {supported})")


def arrow_type(sql_type: str) -> pa.DataType:
    """The Arrow type that stores a contract type."""
    return parse_type(sql_type).arrow_type
