"""Table contracts: the columns, types and primary key of each source table, and what the
warehouse makes of it; ``load_contracts`` reads them.

A contract is one YAML file, ``<contracts dir>/<schema>/<table>.yml``; adding a table to the
raw zone is adding a file. ``<schema>/_dms_settings.yml`` mirrors the DMS endpoint settings
that shaped that schema's files (``dms_settings``). A column's type is a word of the type
vocabulary (``column_types``); names are plain identifiers (``identifiers``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from ingestion.column_types import ColumnType, parse_type
from ingestion.dms_settings import DmsSettings
from ingestion.errors import UserError
from ingestion.identifiers import check_identifier


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
    added_later: bool = False
    """The source table gained the column after files were written (``ALTER TABLE ... ADD
    COLUMN`` appends it): headerless records written before may lack it (null). Only the
    contract's last columns may carry it (``TableContract.added_later_columns``)."""

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

    @property
    def added_later_columns(self) -> tuple[str, ...]:
        """The trailing columns marked ``added_later``, in contract order: a headerless record
        may lack the last j of them (j = 1..k)."""
        return tuple(c.name for c in self.columns if c.added_later)


TABLE_KEYS = {
    "table", "description", "entity", "primary_key", "history", "columns", "settings", "freshness",
}  # fmt: skip
COLUMN_KEYS = {
    "name", "type", "nullable", "description", "pii", "rules", "rename", "document", "added_later",
}  # fmt: skip
SETTINGS_FILE = "_dms_settings.yml"
"""A schema's DMS settings in its contracts folder; every other ``*.yml`` there is a table."""
RAW_METADATA_COLUMNS = {
    "_dms_op", "_dms_commit_ts", "_dms_change_seq", "_dms_file", "_dms_file_order", "_dms_row",
    "_landing_run_id", "_landed_at", "_load_generation",
}  # fmt: skip
"""The raw zone's own columns (``schemas``: DMS change metadata and lineage): a source column
cannot take one of these names (case-insensitive), or the raw file would hold it twice."""


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
    if name.lower() in RAW_METADATA_COLUMNS:
        raise UserError(
            f"{origin}: column {name}: the raw zone uses this name for its own metadata "
            "(rename: cannot help: landing writes the source name); rename the column in the "
            "DMS task (a transformation rule with rule-action rename) and in the contract"
        )
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
        added_later=_flag(item.get("added_later"), f"{origin}: column {name}: added_later", False),
    )
    try:
        column.column_type  # noqa: B018 - validates the type
    except UserError as exc:
        raise UserError(f"{origin}: column {column.name}: {exc}") from exc
    return column


def _check_added_later(columns: list[Column], primary_key: tuple[str, ...], origin: str) -> None:
    """``added_later`` columns are a run of the contract's last columns (a source appends an
    added column at the end, so only those can be missing from older headerless records),
    and never a key column (older records would have no key)."""
    for index, column in enumerate(columns):
        if not column.added_later:
            continue
        if column.name in primary_key:
            raise UserError(
                f"{origin}: column {column.name}: a primary key column cannot be added_later"
            )
        after = next((c for c in columns[index + 1 :] if not c.added_later), None)
        if after is not None:
            raise UserError(
                f"{origin}: column {column.name}: added_later is only for the contract's last "
                f"columns, but {after.name} after it is not added_later (a source appends an "
                "added column at the end: move the column last)"
            )


def _check_change_column_names(columns: list[Column], settings: DmsSettings, origin: str) -> None:
    """DMS's own columns are found by name in files with a header and by position without
    one: a source column of the same name (case-insensitive) would be taken for DMS's (its
    values read as ``Op`` codes) or make a header's names repeat. Refused, saying what to do."""
    dms_columns = {
        "op": "Op (DMS's change column)",
        (settings.timestamp_column_name or "").lower(): "the timestamp_column_name",
        (settings.change_seq_column_name or "").lower(): "the change_seq_column_name",
    }
    for column in columns:
        what = dms_columns.get(column.name.lower())
        if what:
            raise UserError(
                f"{origin}: column {column.name}: the DMS files have a column of this name "
                f"too, {what}, and landing cannot tell them apart (rename: cannot help: "
                "landing matches the source name); "
                "rename the column in the DMS task (a transformation rule with rule-action "
                "rename) and in the contract"
                + ("" if what.startswith("Op") else ", or choose another name in the settings")
            )


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
    lower = [n.lower() for n in names]
    twice = sorted({n for n in lower if lower.count(n) > 1})
    if twice:
        raise UserError(
            f"{origin}: duplicate column names (case-insensitive): {twice}; landing, DuckDB and "
            "Glue match names without regard to case: rename one in the DMS task"
        )
    if not primary_key or not set(primary_key) <= set(names):
        raise UserError(f"{origin}: primary_key must list one or more of the columns")
    _check_added_later(columns, primary_key, origin)
    overrides = data.get("settings")
    if overrides is not None:
        if not isinstance(overrides, dict):
            raise UserError(f"{origin}: settings must be a mapping of DMS settings")
        base = {k: getattr(settings, k) for k in settings.__dataclass_fields__}
        settings = DmsSettings.from_mapping({**base, **overrides}, f"{origin}: settings")
    _check_change_column_names(columns, settings, origin)
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
        settings_file = schema_dir / SETTINGS_FILE
        settings = DmsSettings()
        if settings_file.exists():
            raw = yaml.safe_load(settings_file.read_text(encoding="utf-8")) or {}
            if not isinstance(raw, dict):
                raise UserError(f"{settings_file}: expected a mapping of settings")
            settings = DmsSettings.from_mapping(raw, str(settings_file))
        for path in sorted(schema_dir.glob("*.yml")):
            if path.name == settings_file.name:  # a table may start with _ (_tmp.yml)
                continue
            contract = _load_table(path, schema, settings)
            contracts[(schema, contract.table)] = contract
    if not contracts:
        raise UserError(f"no table contracts found under {root}")
    return contracts
