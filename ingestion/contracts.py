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
_DECIMAL = re.compile(r"^decimal\((\d{1,2}),(\d{1,2})\)$")
_SIMPLE_TYPES: dict[str, pa.DataType] = {
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "smallint": pa.int16(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "varchar": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


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
    normalized = sql_type.replace(" ", "").lower()
    if normalized in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[normalized]
    match = _DECIMAL.match(normalized)
    if match:
        precision, scale = int(match.group(1)), int(match.group(2))
        if 1 <= precision <= 38 and scale <= precision:
            return pa.decimal128(precision, scale)
    supported = ", ".join([*_SIMPLE_TYPES, "decimal(p,s)"])
    raise UserError(f"type {sql_type!r} is not supported (use one of: {supported})")


@dataclass(frozen=True)
class Column:
    name: str
    type: str

    @property
    def arrow_type(self) -> pa.DataType:
        return arrow_type(self.type)

    @property
    def sql_type(self) -> str:
        return self.type.replace(" ", "").lower()


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
    """

    add_column_name: bool = True
    include_op_for_full_load: bool = True
    timestamp_column_name: str | None = "dms_commit_ts"
    change_seq_column_name: str | None = "dms_change_seq"
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
class TableContract:
    schema: str
    table: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    settings: DmsSettings = field(default_factory=DmsSettings)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _load_table(path: Path, schema: str, settings: DmsSettings) -> TableContract:
    origin = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
        raise UserError(f"{origin}: expected a mapping with 'columns' (a list)")
    table = check_identifier(str(data.get("table", path.stem)), f"{origin}: table")
    if table != path.stem:
        raise UserError(f"{origin}: table {table!r} must match the file name {path.stem!r}")
    columns: list[Column] = []
    for item in data["columns"]:
        if not isinstance(item, dict) or "name" not in item or "type" not in item:
            raise UserError(f"{origin}: each column needs a name and a type, got {item!r}")
        column = Column(check_identifier(str(item["name"]), f"{origin}: column"), str(item["type"]))
        try:
            column.arrow_type  # noqa: B018 - validates the type
        except UserError as exc:
            raise UserError(f"{origin}: column {column.name}: {exc}") from exc
        columns.append(column)
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise UserError(f"{origin}: duplicate column names")
    primary_key = tuple(str(k) for k in data.get("primary_key") or [])
    if not primary_key or not set(primary_key) <= set(names):
        raise UserError(f"{origin}: primary_key must list one or more of the columns")
    return TableContract(schema, table, tuple(columns), primary_key, settings)


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
