"""``dmsw contracts infer``: discover, sample, draft, write. Returns what it did.

The steps, each in its own module: ``discover`` finds the table folders, ``sample`` reads the
first records of every file, ``draft`` decides columns, types, keys and settings (with
``ddl`` when given), ``settings`` combines the tables of a schema, ``render``/``writer``
write the files (proposals for edited ones, ``merge``), ``summary`` prints the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingestion.contracts import SETTINGS_FILE
from ingestion.dms_settings import DmsSettings
from ingestion.errors import UserError
from ingestion.identifiers import check_identifier
from ingestion.inference.ddl import DdlTable, parse_ddl
from ingestion.inference.discover import Discovery, discover
from ingestion.inference.draft import TableDraft, draft_table
from ingestion.inference.entities import name_shared_tables
from ingestion.inference.merge import propose
from ingestion.inference.render import contract_text, proposal_text, settings_text
from ingestion.inference.sample import Sample, read_sample, read_transaction_samples
from ingestion.inference.settings import Setting, as_mapping, schema_settings
from ingestion.inference.writer import WriteOutcome, write_draft
from ingestion.sources import FileSource


@dataclass(frozen=True)
class InferOptions:
    out: Path
    source: FileSource | None = None
    ddl: tuple[Path, ...] = ()
    dialect: str = "postgres"
    force: bool = False
    sample_rows: int = 10_000
    schema: str | None = None
    """Schema for DDL tables that name none."""


@dataclass
class SchemaResult:
    schema: str
    settings: dict[str, Setting]
    outcome: WriteOutcome | None = None


@dataclass
class InferResult:
    source: str | None
    tables: list[TableDraft] = field(default_factory=list)
    schemas: list[SchemaResult] = field(default_factory=list)
    outcomes: dict[tuple[str, str], WriteOutcome] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _ddl_tables(options: InferOptions) -> list[DdlTable]:
    tables: list[DdlTable] = []
    for path in options.ddl:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot read --ddl {path}: {exc.strerror or exc}") from exc
        tables.extend(parse_ddl(text, options.dialect, str(path)))
    return tables


def _match_ddl(
    ddl: list[DdlTable], folders: list[tuple[str, str]], default_schema: str | None
) -> tuple[dict[tuple[str, str], DdlTable], list[str]]:
    """(schema, table) -> its DDL; DDL tables with no folder get their own key."""
    lower = {(s.lower(), t.lower()): (s, t) for s, t in folders}
    matched: dict[tuple[str, str], DdlTable] = {}
    notes: list[str] = []
    for table in ddl:
        if table.schema is not None:
            key = lower.get((table.schema.lower(), table.name.lower()))
        else:
            same = [k for (s, t), k in lower.items() if t == table.name.lower()]
            key = same[0] if len(same) == 1 else None
        if key is None:
            schema = table.schema or default_schema
            if schema is None:
                raise UserError(
                    f"{table.origin}: table {table.name} names no schema and no folder has its "
                    "name: pass --schema"
                )
            key = (schema, table.name)
            if folders:
                notes.append(f"{schema}.{table.name}: in the DDL, no files yet")
        if key in matched:
            raise UserError(f"{table.origin}: table {key[0]}.{key[1]} is defined twice")
        matched[key] = table
    return matched, notes


def _samples(options: InferOptions, found: Discovery) -> dict[tuple[str, str], list[Sample]]:
    assert options.source is not None
    samples: dict[tuple[str, str], list[Sample]] = {}
    for key, files in found.tables.items():
        samples[key] = [read_sample(options.source, f, options.sample_rows) for f in files]
    for files in found.transaction_files.values():
        for dms_file in files:
            for key, sample in read_transaction_samples(
                options.source, dms_file, options.sample_rows
            ).items():
                samples.setdefault(key, []).append(sample)
    return samples


def _check_names(schema: str, table: str) -> str | None:
    try:
        check_identifier(schema, "schema folder")
        check_identifier(table, "table folder")
    except UserError as exc:
        return (
            f"{exc}, which a contract cannot name; rename the table in the DMS task (a "
            "transformation rule with rule-action rename)"
        )
    return None


def infer(options: InferOptions) -> InferResult:
    """Draft contracts and settings files under ``options.out`` (see the module docstring)."""
    if options.source is None and not options.ddl:
        raise UserError("give --source (a DMS root), --ddl (CREATE TABLE statements), or both")
    if options.sample_rows < 1:
        raise UserError("--sample-rows must be 1 or more")
    result = InferResult(options.source.describe() if options.source else None)
    ddl = _ddl_tables(options)
    found = discover(options.source) if options.source else Discovery()
    result.skipped.extend(found.skipped)
    samples = _samples(options, found) if options.source else {}
    folders = sorted(set(found.tables) | set(samples))
    by_table, notes = _match_ddl(ddl, folders, options.schema)
    result.skipped.extend(notes)
    origin = _origin(options)
    for schema, table in sorted(set(folders) | set(by_table)):
        problem = _check_names(schema, table)
        if problem:
            result.skipped.append(f"{schema}/{table}: {problem}")
            continue
        draft = draft_table(
            schema,
            table,
            found.tables.get((schema, table), []),
            samples.get((schema, table), []),
            by_table.get((schema, table)),
        )
        result.tables.append(draft)
    name_shared_tables(result.tables, options.out)
    cdc_paths = _cdc_paths(found, samples)
    for schema in sorted({d.schema for d in result.tables}):
        drafts = [d for d in result.tables if d.schema == schema and not d.errors]
        settings, overrides = schema_settings(
            {d.table: d.settings for d in drafts},
            found.partitioning.get(schema),
            found.odd_folders.get(schema),
            cdc_paths.get(schema),
        )
        for draft in drafts:
            draft.overrides = overrides.get(draft.table, {})
        written = as_mapping(settings)
        result.schemas.append(
            SchemaResult(schema, written, _write_settings(options, schema, written, origin))
        )
        for draft in drafts:
            result.outcomes[(schema, draft.table)] = _write_contract(options, draft, origin)
    return result


def _origin(options: InferOptions) -> str:
    parts = []
    if options.source is not None:
        parts.append(f"the files under {options.source.describe()}")
    if options.ddl:
        parts.append("the DDL " + ", ".join(p.name for p in options.ddl))
    return " and ".join(parts)


def _cdc_paths(found: Discovery, samples: dict[tuple[str, str], list[Sample]]) -> dict[str, str]:
    paths: dict[str, str] = {}
    for folder, files in found.transaction_files.items():
        keys = {f.key for f in files}
        for (schema, _), table_samples in samples.items():
            if any(s.file.key in keys for s in table_samples):
                paths.setdefault(schema, folder)
    return paths


def _write_settings(
    options: InferOptions, schema: str, settings: dict[str, Setting], origin: str
) -> WriteOutcome:
    path = options.out / schema / SETTINGS_FILE
    generated = settings_text(settings, origin)

    def proposal(current: str) -> tuple[str | None, list[str]]:
        try:
            mine = DmsSettings.from_mapping(yaml.safe_load(current) or {}, str(path))
        except (UserError, yaml.YAMLError, AttributeError):
            return generated, ["the file does not load as settings"]
        drafted = DmsSettings.from_mapping({k: s.value for k, s in settings.items()}, "draft")
        if mine == drafted:
            return None, []
        changes = [
            f"{name}: {getattr(mine, name)!r} -> {getattr(drafted, name)!r}"
            for name in DmsSettings.__dataclass_fields__
            if getattr(mine, name) != getattr(drafted, name)
        ]
        return generated, changes

    return write_draft(path, generated, proposal, options.force)


def _write_contract(options: InferOptions, draft: TableDraft, origin: str) -> WriteOutcome:
    path = options.out / draft.schema / f"{draft.table}.yml"
    generated = contract_text(draft, origin)

    def proposal(current: str) -> tuple[str | None, list[str]]:
        try:
            existing = yaml.safe_load(current)
        except yaml.YAMLError:
            existing = None
        if not isinstance(existing, dict):
            return generated, ["the file is not a contract mapping: the new draft is proposed"]
        proposed, changes = propose(existing, draft)
        if proposed == existing:
            return None, []
        return proposal_text(proposed, changes, path.name), changes

    return write_draft(path, generated, proposal, options.force)
