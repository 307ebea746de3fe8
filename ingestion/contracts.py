"""Table contracts: the columns, types and primary key of each source table.

A contract is one YAML file, ``<contracts dir>/<schema>/<table>.yml``; adding a table to the
raw zone is adding a file. ``<schema>/_dms_settings.yml`` mirrors the DMS endpoint settings
that shaped that schema's files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from ingestion.errors import UserError

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


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


def check_identifier(name: str, what: str) -> str:
    """Return ``name`` if it is a plain SQL identifier, else raise UserError."""
    if not IDENTIFIER.match(name):
        raise UserError(f"{what} {name!r} is not a plain identifier (letters, digits, _)")
    return name


def quote(name: str) -> str:
    """Quote a validated identifier for SQL."""
    return '"' + check_identifier(name, "identifier") + '"'


def arrow_type(sql_type: str) -> pa.DataType:
    """The Arrow type that stores a contract type."""
    return parse_type(sql_type).arrow_type


@dataclass(frozen=True)
class Column:
    """One column of a table contract.

    Landing uses ``name`` and ``type``; the rest describes the column for the dbt models
    generated from the contract (docs, personal data, rules).
    """

    name: str
    type: str
    nullable: bool = True
    """False when the source declares the column NOT NULL (primary key columns always)."""
    description: str | None = None
    pii: bool = False
    """Personal data: tagged, masked for restricted readers."""
    rules: tuple[Any, ...] = ()
    """Standardisation and validation rules for silver, as written (see docs/contracts.md)."""
    rename: str | None = None
    """The column's name in the warehouse (bronze and after); the source name when not given."""
    document: dict[str, Any] | None = None
    """A JSON document column's fields to extract (DocumentDB ``_doc``), as written: modelgen
    reads it (see docs/contracts.md)."""

    @property
    def column_type(self) -> ColumnType:
        return parse_type(self.type)

    @property
    def model_name(self) -> str:
        """The column's name in the warehouse: ``rename`` or the source name."""
        return self.rename or self.name

    @property
    def arrow_type(self) -> pa.DataType:
        return self.column_type.arrow_type

    @property
    def sql_type(self) -> str:
        """The canonical type text, e.g. ``decimal(18,2)``, ``varchar(100)``."""
        return str(self.column_type)


PARTITION_SEQUENCES = ("YYYYMMDD", "YYYYMMDDHH", "YYYYMM", "MMYYYYDD", "DDMMYYYY")
PARTITION_DELIMITERS = {"SLASH": "/", "DASH": "-", "UNDERSCORE": "_", "NONE": ""}
_CDC_PATH = re.compile(r"^[A-Za-z0-9_.=-]+(?:/[A-Za-z0-9_.=-]+)*$")


@dataclass(frozen=True)
class DmsSettings:
    """The S3 endpoint settings that decide a file's layout (see dms-s3-format.md).

    Names follow the endpoint settings in snake case: ``add_column_name`` (AddColumnName),
    ``include_op_for_full_load``, ``timestamp_column_name``, the change sequence column added
    by a transformation rule, ``csv_delimiter`` (CsvDelimiter), ``date_partition_enabled``,
    ``date_partition_sequence``, ``date_partition_delimiter`` and ``cdc_path`` (set when
    PreserveTransactions is on: the folder below the DMS root holding ``CDC_TXN-*`` files).
    The defaults are AWS DMS's own: no header, no Op in full-load files, no timestamp or
    change-sequence column, comma, no date partitions.
    """

    add_column_name: bool = False
    include_op_for_full_load: bool = False
    timestamp_column_name: str | None = None
    change_seq_column_name: str | None = None
    csv_delimiter: str = ","
    date_partition_enabled: bool = False
    date_partition_sequence: str = "YYYYMMDD"
    date_partition_delimiter: str = "SLASH"
    cdc_path: str | None = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any], origin: str) -> DmsSettings:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise UserError(
                f"{origin}: unknown setting(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        defaults = cls()

        def flag(name: str) -> bool:
            value = data.get(name, getattr(defaults, name))
            if not isinstance(value, bool):
                raise UserError(f"{origin}: {name} must be true or false, got {value!r}")
            return value

        def text(name: str) -> str | None:
            value = data.get(name, getattr(defaults, name))
            return str(value) if value not in (None, "") else None

        sequence = str(text("date_partition_sequence")).upper()
        delimiter = str(text("date_partition_delimiter")).upper()
        csv_delimiter = data.get("csv_delimiter", defaults.csv_delimiter)
        settings = cls(
            add_column_name=flag("add_column_name"),
            include_op_for_full_load=flag("include_op_for_full_load"),
            timestamp_column_name=text("timestamp_column_name"),
            change_seq_column_name=text("change_seq_column_name"),
            csv_delimiter=str(csv_delimiter),
            date_partition_enabled=flag("date_partition_enabled"),
            date_partition_sequence=sequence,
            date_partition_delimiter=delimiter,
            cdc_path=(text("cdc_path") or "").strip("/") or None,
        )
        for name in (settings.timestamp_column_name, settings.change_seq_column_name):
            if name is not None:
                check_identifier(name, f"{origin}: column")
        if len(settings.csv_delimiter) != 1 or settings.csv_delimiter in '"\r\n':
            raise UserError(f"{origin}: csv_delimiter must be one character other than a quote")
        if sequence not in PARTITION_SEQUENCES:
            raise UserError(
                f"{origin}: date_partition_sequence {sequence!r} is not one of "
                f"{', '.join(PARTITION_SEQUENCES)}"
            )
        if delimiter not in PARTITION_DELIMITERS:
            raise UserError(
                f"{origin}: date_partition_delimiter {delimiter!r} is not one of "
                f"{', '.join(PARTITION_DELIMITERS)}"
            )
        if settings.cdc_path is not None and (
            not _CDC_PATH.match(settings.cdc_path) or ".." in settings.cdc_path.split("/")
        ):
            raise UserError(f"{origin}: cdc_path {settings.cdc_path!r} is not a plain folder path")
        return settings


@dataclass(frozen=True)
class Freshness:
    """How old a table's newest data may get before ``dbt source freshness`` warns or errors,
    in hours (None: the project's default, the dbt vars ``freshness_warn_after_hours`` and
    ``freshness_error_after_hours``); ``checked`` false: the table is never checked (a table
    that rarely changes at the source)."""

    warn_after_hours: int | None = None
    error_after_hours: int | None = None
    checked: bool = True


FRESHNESS_KEYS = {"warn_after_hours", "error_after_hours"}


def _freshness(value: object, origin: str) -> Freshness:
    """``freshness: {warn_after_hours: 12, error_after_hours: 48}`` (both), ``freshness: false``."""
    if value is None or value is True:
        return Freshness()
    if value is False:
        return Freshness(checked=False)
    if not isinstance(value, dict):
        raise UserError(
            f"{origin}: freshness must be false or a mapping of {sorted(FRESHNESS_KEYS)}"
        )
    unknown = set(value) - FRESHNESS_KEYS
    if unknown:
        raise UserError(
            f"{origin}: freshness: unknown key(s) {sorted(unknown)}; "
            f"known: {sorted(FRESHNESS_KEYS)}"
        )
    hours: dict[str, int] = {}
    for key in sorted(FRESHNESS_KEYS):
        given = value.get(key)
        if isinstance(given, bool) or not isinstance(given, int) or given < 1:
            raise UserError(
                f"{origin}: freshness: {key} must be a whole number of hours >= 1, got {given!r}"
            )
        hours[key] = given
    warn, error = hours["warn_after_hours"], hours["error_after_hours"]
    if error < warn:
        raise UserError(f"{origin}: freshness: error_after_hours must be >= warn_after_hours")
    return Freshness(warn, error)


@dataclass(frozen=True)
class TableContract:
    """What one source table looks like, and how the warehouse models it.

    Landing needs ``columns`` (names and types), ``primary_key`` and ``settings``; the other
    fields shape the dbt models generated from the contract (docs/contracts.md).
    """

    schema: str
    table: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    settings: DmsSettings = field(default_factory=DmsSettings)
    description: str | None = None
    entity: str | None = None
    """The silver entity name (``slv_<entity>``); the table name when not given."""
    history: bool = False
    """Keep type 2 history (``slv_<entity>__history``)."""
    freshness: Freshness = field(default_factory=Freshness)
    """How stale the table may get before ``dbt source freshness`` warns or errors."""

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def entity_name(self) -> str:
        return self.entity or self.table


TABLE_KEYS = {
    "table", "description", "entity", "primary_key", "history", "columns", "settings", "freshness",
}  # fmt: skip
COLUMN_KEYS = {"name", "type", "nullable", "description", "pii", "rules", "rename", "document"}


def _flag(value: object, what: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise UserError(f"{what} must be true or false, got {value!r}")
    return value


def _text(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise UserError(f"{what} must be text, got {value!r}")
    return value.strip() or None


def _load_column(item: object, origin: str, primary_key: tuple[str, ...]) -> Column:
    if not isinstance(item, dict) or "name" not in item or "type" not in item:
        raise UserError(f"{origin}: each column needs a name and a type, got {item!r}")
    name = check_identifier(str(item["name"]), f"{origin}: column")
    unknown = set(item) - COLUMN_KEYS
    if unknown:
        raise UserError(
            f"{origin}: column {name}: unknown key(s) {sorted(unknown)}; known: "
            f"{sorted(COLUMN_KEYS)}"
        )
    rules = item.get("rules") or []
    if not isinstance(rules, list):
        raise UserError(f"{origin}: column {name}: rules must be a list")
    rename = _text(item.get("rename"), f"{origin}: column {name}: rename")
    document = item.get("document")
    if document is not None and not isinstance(document, dict):
        raise UserError(f"{origin}: column {name}: document must be a mapping (fields: [...])")
    column = Column(
        name,
        str(item["type"]),
        nullable=_flag(item.get("nullable"), f"{origin}: column {name}: nullable", True)
        and name not in primary_key,
        description=_text(item.get("description"), f"{origin}: column {name}: description"),
        pii=_flag(item.get("pii"), f"{origin}: column {name}: pii", False),
        rules=tuple(rules),
        rename=check_identifier(rename, f"{origin}: column {name}: rename") if rename else None,
        document=document,
    )
    try:
        column.column_type  # noqa: B018 - validates the type
    except UserError as exc:
        raise UserError(f"{origin}: column {column.name}: {exc}") from exc
    return column


def _load_table(path: Path, schema: str, settings: DmsSettings) -> TableContract:
    origin = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
        raise UserError(f"{origin}: expected a mapping with 'columns' (a list)")
    unknown = set(data) - TABLE_KEYS
    if unknown:
        raise UserError(f"{origin}: unknown key(s) {sorted(unknown)}; known: {sorted(TABLE_KEYS)}")
    table = check_identifier(str(data.get("table", path.stem)), f"{origin}: table")
    if table != path.stem:
        raise UserError(f"{origin}: table {table!r} must match the file name {path.stem!r}")
    primary_key = tuple(str(k) for k in data.get("primary_key") or [])
    columns = [_load_column(item, origin, primary_key) for item in data["columns"]]
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise UserError(f"{origin}: duplicate column names")
    if not primary_key or not set(primary_key) <= set(names):
        raise UserError(f"{origin}: primary_key must list one or more of the columns")
    overrides = data.get("settings")
    if overrides is not None:
        if not isinstance(overrides, dict):
            raise UserError(f"{origin}: settings must be a mapping of DMS settings")
        base = {k: getattr(settings, k) for k in settings.__dataclass_fields__}
        settings = DmsSettings.from_mapping({**base, **overrides}, f"{origin}: settings")
    entity = _text(data.get("entity"), f"{origin}: entity")
    return TableContract(
        schema,
        table,
        tuple(columns),
        primary_key,
        settings,
        description=_text(data.get("description"), f"{origin}: description"),
        entity=check_identifier(entity, f"{origin}: entity") if entity else None,
        history=_flag(data.get("history"), f"{origin}: history", False),
        freshness=_freshness(data.get("freshness"), origin),
    )


def load_contracts(root: Path) -> dict[tuple[str, str], TableContract]:
    """Every contract under ``root``, keyed by (schema, table)."""
    if not root.is_dir():
        raise UserError(f"contracts folder {root} does not exist")
    contracts: dict[tuple[str, str], TableContract] = {}
    for schema_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        schema = check_identifier(schema_dir.name, f"{root}: schema folder")
        settings_file = schema_dir / "_dms_settings.yml"
        settings = DmsSettings()
        if settings_file.exists():
            raw = yaml.safe_load(settings_file.read_text(encoding="utf-8")) or {}
            if not isinstance(raw, dict):
                raise UserError(f"{settings_file}: expected a mapping of settings")
            settings = DmsSettings.from_mapping(raw, str(settings_file))
        for path in sorted(schema_dir.glob("*.yml")):
            if path.name.startswith("_"):
                continue
            contract = _load_table(path, schema, settings)
            contracts[(schema, contract.table)] = contract
    if not contracts:
        raise UserError(f"no table contracts found under {root}")
    return contracts
