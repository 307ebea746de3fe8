"""What the generated models of one table hold, read from its contract.

An ``EntitySpec`` is the contract seen from the warehouse: the bronze columns (the landed
columns under their warehouse names, plus the fields extracted from JSON documents), the
silver columns with their rules, the key, and the names of the models. Everything modelgen
renders comes from here; the contract file is read once, by ``ingestion.contracts``.

One module (about 315 lines): a JSON document's fields become silver columns like the landed
ones and are checked with them (names, codes, reserved words), so the spec classes and the
reading of a contract into them, document fields included, stay together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingestion.column_types import ColumnType, parse_type
from ingestion.contracts import Column, TableContract
from ingestion.errors import UserError
from ingestion.identifiers import RESERVED_WORDS
from modelgen.rules import DEFAULT_CODES, Check, ColumnRules, parse_check, parse_rules

MODEL_NAME_PART = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
MAX_NAME = 127
"""Redshift's longest identifier, in bytes."""
DOCUMENT_KEYS = {"fields", "invalid"}
FIELD_KEYS = {"name", "path", "type", "description", "pii", "rules"}
FIELD_TYPES = (
    "varchar",
    "smallint",
    "integer",
    "bigint",
    "decimal",
    "double",
    "boolean",
    "timestamp",
)
# Columns every generated model may add: a source column must not take one of these names.
RESERVED = {
    "change_id", "change_op", "change_committed_at", "change_seq", "source_file",
    "source_file_order", "source_row", "landing_run_id", "landed_at", "is_deleted",
    "quality_issues", "reject_reasons", "reject_reason", "last_change_id", "last_changed_at",
    "valid_from", "valid_to", "is_current", "version_number", "version_key", "last_landed_at",
}  # fmt: skip


@dataclass(frozen=True)
class SilverColumn:
    """A column of the silver models: a landed column or a field of a JSON document."""

    name: str
    """The warehouse name (the contract's ``rename`` or the source name, lower case)."""
    source: str
    """The raw-zone column it comes from (for a document field: the document column)."""
    type: ColumnType
    description: str
    pii: bool
    rules: ColumnRules
    path: tuple[str, ...] = ()
    """For a document field: the keys from the document's root."""

    @property
    def is_field(self) -> bool:
        return bool(self.path)

    @property
    def text_column(self) -> str | None:
        """The bronze column with a typed field's text as written (to flag what does not parse)."""
        return f"{self.name}_text" if self.is_field and not self.type.is_text else None

    @property
    def is_date_value(self) -> bool:
        """A timestamp field whose path ends at MongoDB extended JSON's ``$date``."""
        return self.is_field and self.type.name == "timestamp" and self.path[-1] == "$date"


@dataclass(frozen=True)
class DocumentSpec:
    """A JSON text column whose fields become columns (DocumentDB's ``_doc``)."""

    source: str
    name: str
    description: str
    pii: bool
    invalid: Check
    """What a document that is not valid JSON means for its record."""
    fields: tuple[SilverColumn, ...]

    @property
    def valid_column(self) -> str:
        return f"is_valid_{self.name}"


@dataclass(frozen=True)
class EntitySpec:
    """One contract, as the generated models see it."""

    contract: TableContract
    origin: str
    """The contract file, relative to the project (for headers and messages)."""
    entity: str
    key: tuple[str, ...]
    columns: tuple[SilverColumn, ...]
    """Silver columns in contract order (document fields where their document is)."""
    landed: tuple[SilverColumn, ...]
    """The landed columns bronze passes on (not the documents), in contract order."""
    documents: tuple[DocumentSpec, ...] = field(default_factory=tuple)

    @property
    def schema(self) -> str:
        return self.contract.schema

    @property
    def table(self) -> str:
        return self.contract.table

    @property
    def history(self) -> bool:
        return self.contract.history

    @property
    def staging(self) -> str:
        return f"stg_{self.schema.lower()}__{self.table.lower()}"

    def model(self, role: str = "") -> str:
        """``slv_<entity>`` or ``slv_<entity>__<role>``."""
        return f"slv_{self.entity}" + (f"__{role}" if role else "")

    @property
    def checks(self) -> tuple[tuple[str, Check], ...]:
        """Every (column, check) of the table, documents' JSON checks included, in order."""
        found: list[tuple[str, Check]] = []
        for document in self.documents:
            found.append((document.name, document.invalid))
        for column in self.columns:
            found.extend((column.name, check) for check in column.rules.checks)
        return tuple(found)

    def flag_column(self, check: Check) -> str:
        """The boolean column of the __changes model that says a row fails ``check``."""
        return f"is_{check.code}"


def build_spec(contract: TableContract, origin: str) -> EntitySpec:
    """The spec of one contract, or UserError naming the file and what is wrong."""
    entity = contract.entity_name.lower()
    for part, what in ((contract.schema, "schema"), (contract.table, "table"), (entity, "entity")):
        if not MODEL_NAME_PART.match(part.lower()):
            helps = (
                "set entity: (the silver models' name)"
                if what == "entity"
                else f"bronze's stg_<schema>__<table> needs it; rename the {what} in the DMS task "
                "(a transformation rule with rule-action rename), or remove this contract (landing "
                "then skips the table)"
            )
            raise UserError(
                f"{origin}: {what} {part!r} cannot name a model (letters, digits, single _); "
                + helps
            )
    names = {c.name: c.model_name.lower() for c in contract.columns}
    key = tuple(names[k] for k in contract.primary_key)
    landed: list[SilverColumn] = []
    columns: list[SilverColumn] = []
    documents: list[DocumentSpec] = []
    for column in contract.columns:
        if column.document is not None:
            if column.name in contract.primary_key:
                raise UserError(f"{origin}: column {column.name}: a key cannot be a document")
            document = _document(column, names[column.name], origin, contract)
            documents.append(document)
            columns.extend(document.fields)
            continue
        silver = _landed_column(column, names[column.name], origin, contract)
        landed.append(silver)
        columns.append(silver)
    spec = EntitySpec(
        contract, origin, entity, key, tuple(columns), tuple(landed), tuple(documents)
    )
    _check_names(spec)
    return spec


def _default_description(name: str, contract: TableContract) -> str:
    return f"`{name}` of {contract.qualified_name} (the contract gives no description)."


def _implicit_checks(column: Column, name: str, is_key: bool, rules: ColumnRules) -> ColumnRules:
    """Key columns reject nulls; a NOT NULL column flags them unless its rules say otherwise."""
    kinds = {check.kind for check in rules.checks}
    if "not_null" in kinds:
        return rules
    if is_key:
        implicit = Check("not_null", "reject", DEFAULT_CODES["not_null"].format(name))
    elif not column.nullable:
        implicit = Check("not_null", "flag", DEFAULT_CODES["not_null"].format(name))
    else:
        return rules
    return ColumnRules(rules.standardise, (implicit, *rules.checks))


def _landed_column(column: Column, name: str, origin: str, contract: TableContract) -> SilverColumn:
    rules = parse_rules(column.rules, column.name, column.column_type, origin)
    is_key = column.name in contract.primary_key
    if is_key and any(c.changes_value for c in rules.checks):
        raise UserError(f"{origin}: column {column.name}: a key column's value cannot be changed")
    return SilverColumn(
        name,
        column.name,
        column.column_type,
        column.description or _default_description(column.name, contract),
        column.pii,
        _implicit_checks(column, name, is_key, rules),
    )


def _document(column: Column, name: str, origin: str, contract: TableContract) -> DocumentSpec:
    where = f"{origin}: column {column.name}: document"
    raw: dict[str, Any] = column.document or {}
    unknown = set(raw) - DOCUMENT_KEYS
    if unknown:
        raise UserError(
            f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(DOCUMENT_KEYS)}"
        )
    if not column.column_type.is_text:
        raise UserError(
            f"{where}: a document column holds text (json or varchar), not {column.type}"
        )
    invalid_rule = raw.get("invalid", {})
    if not isinstance(invalid_rule, dict):
        raise UserError(f"{where}: invalid takes action and code, e.g. {{action: reject}}")
    invalid_rule = {"action": "reject", "code": f"invalid_{name}", **invalid_rule}
    if invalid_rule["action"] not in ("reject", "flag") or set(invalid_rule) - {
        "action",
        "code",
        "description",
    }:
        raise UserError(f"{where}: invalid takes action (reject or flag), code and description")
    invalid = parse_check({**invalid_rule, "not_null": True}, name, column.column_type, where)
    invalid = Check("json", invalid.action, invalid.code, description=invalid.description)
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, list) or not fields_raw:
        raise UserError(f"{where}: fields must list the fields to extract")
    fields = tuple(_field(item, column, origin, contract) for item in fields_raw)
    return DocumentSpec(
        column.name,
        name,
        column.description or _default_description(column.name, contract),
        column.pii,
        invalid,
        fields,
    )


def _field(item: Any, document: Column, origin: str, contract: TableContract) -> SilverColumn:
    where = f"{origin}: column {document.name}: document field"
    if not isinstance(item, dict) or "name" not in item:
        raise UserError(f"{where}: each field needs a name, got {item!r}")
    name = str(item["name"])
    where = f"{where} {name}"
    if not MODEL_NAME_PART.match(name):
        raise UserError(f"{where}: the name must be lower-case letters, digits and single _")
    unknown = set(item) - FIELD_KEYS
    if unknown:
        raise UserError(f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(FIELD_KEYS)}")
    path_raw = item.get("path", name)
    path = tuple(path_raw.split(".")) if isinstance(path_raw, str) else path_raw
    if (
        not isinstance(path, tuple | list)
        or not path
        or not all(isinstance(p, str) and p and '"' not in p and "'" not in p for p in path)
    ):
        raise UserError(f"{where}: path must be dotted keys or a list of keys, got {path_raw!r}")
    try:
        column_type = parse_type(str(item.get("type", "varchar")))
    except UserError as exc:
        raise UserError(f"{where}: {exc}") from exc
    if column_type.name not in FIELD_TYPES:
        raise UserError(f"{where}: type {column_type} is not one of {', '.join(FIELD_TYPES)}")
    rules_raw = item.get("rules") or []
    if not isinstance(rules_raw, list):
        raise UserError(f"{where}: rules must be a list")
    rules = parse_rules(rules_raw, name, column_type, f"{origin}: column {document.name}.{name}")
    if not column_type.is_text and "parses" not in {c.kind for c in rules.checks}:
        parses = Check("parses", "nullify", DEFAULT_CODES["parses"].format(name))
        rules = ColumnRules(rules.standardise, (parses, *rules.checks))
    pii = item.get("pii", False)
    if not isinstance(pii, bool):
        raise UserError(f"{where}: pii must be true or false")
    description = item.get("description") or (
        f"`{'.'.join(path)}` of the {document.name} document of {contract.qualified_name}."
    )
    return SilverColumn(name, document.name, column_type, str(description), pii, rules, tuple(path))


def _check_lengths(spec: EntitySpec, columns: list[str], flags: list[str]) -> None:
    """Redshift's names are at most 127 bytes (DuckDB and Athena allow more): the models' and
    their columns', prefixes and suffixes included (``is_missing_<column>``, ``__changes``)."""
    roles = ["changes", "latest", "rejects"] + (["history"] if spec.history else [])
    for model in [spec.staging, *(spec.model(role) for role in roles)]:
        if len(model.encode()) > MAX_NAME:
            raise UserError(
                f"{spec.origin}: model {model} is longer than {MAX_NAME} bytes (Redshift's "
                "limit); set a shorter entity: (or rename the table in the DMS task)"
            )
    for name in columns + flags:
        if len(name.encode()) > MAX_NAME:
            what, fix = (
                ("flag column", "give the rule a shorter code: (or the column a shorter rename:)")
                if name in flags
                else ("column", "give it a shorter name (rename: ...)")
            )
            raise UserError(
                f"{spec.origin}: {what} {name!r} is longer than {MAX_NAME} bytes (Redshift's "
                f"limit); {fix}"
            )


def _check_names(spec: EntitySpec) -> None:
    """Codes are unique; warehouse names are unique, neither the generated models' own nor
    SQL reserved words, and flag columns do not collide with columns."""
    codes = [check.code for _, check in spec.checks]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise UserError(f"{spec.origin}: code(s) {duplicated} used by more than one rule")
    seen: dict[str, str] = {}
    bronze = [c.name for c in spec.landed]
    for document in spec.documents:
        bronze += [document.name, document.valid_column]
        for item in document.fields:
            bronze.append(item.name)
            if item.text_column:
                bronze.append(item.text_column)
    flags = [spec.flag_column(check) for _, check in spec.checks]
    _check_lengths(spec, bronze, flags)
    for name in bronze + flags:
        if name in seen:
            raise UserError(
                f"{spec.origin}: {name!r} is used twice in the generated models "
                f"({seen[name]}); rename a column or change a rule's code"
            )
        seen[name] = "a flag column" if name in flags else "a column"
        if name in RESERVED:
            raise UserError(
                f"{spec.origin}: column {name!r} has a name the generated models use; "
                "give it another (rename: ...)"
            )
        if name in RESERVED_WORDS:
            raise UserError(
                f"{spec.origin}: column {name!r} is a reserved word in SQL (DuckDB, Athena or "
                "Redshift) and the generated models use column names unquoted; give it another "
                f"name, e.g. rename: {name}_value (landing keeps the source's name)"
            )


def relative_origin(path: Path, project: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return str(path)
