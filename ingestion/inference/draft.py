"""One table's draft contract: columns, types, keys and settings from its files and DDL.

With DDL the DDL decides names, types, NOT NULL and the key, and the files are checked
against it (columns missing or extra, values that do not fit a type). Without DDL the files
decide: CSV types from the values of every file (``csvtypes``), Parquet types from the
schemas (``parquet``), and a key is suggested from the full load (``keys``).

One module (about 325 lines): the steps of one table's draft (columns from CSV or Parquet,
the DDL over them, the key) fill the same ``TableDraft`` in order, each step reading what
the ones before it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from ingestion.column_types import parse_type
from ingestion.contracts import RAW_METADATA_COLUMNS
from ingestion.dmsfiles import DmsFile
from ingestion.identifiers import IDENTIFIER, RESERVED_WORDS
from ingestion.inference.csv_layout import detect_csv_layout
from ingestion.inference.csvtypes import TypeChoice, choose_type, misfit
from ingestion.inference.ddl import DdlTable
from ingestion.inference.keys import suggest_key
from ingestion.inference.layout import FileLayout, TableLayout
from ingestion.inference.parquet import holds, parquet_type, wider
from ingestion.inference.parquet_layout import detect_parquet_layout
from ingestion.inference.sample import CsvSample, ParquetSample, Sample
from ingestion.inference.settings import Setting, SettingsDraft, table_settings
from ingestion.inference.value_stats import ValueStats, value_stats
from modelgen.spec import RESERVED as GENERATED_COLUMNS


@dataclass
class ColumnDraft:
    name: str
    type: str
    reason: str
    nullable: bool = True
    description: str | None = None
    undecided: bool = False
    stats: ValueStats | None = None
    """The CSV values seen (all files merged); None for Parquet or DDL-only columns."""
    source_type: str | None = None
    """The Parquet type this column was read as, when from Parquet."""
    added_later: bool = False
    """Drafted ``added_later``: only later headerless files have it (to confirm)."""
    rename: str | None = None
    """Drafted ``rename``: a name the generated models cannot use (to confirm)."""


@dataclass
class TableDraft:
    schema: str
    table: str
    columns: list[ColumnDraft]
    primary_key: list[str]
    key_reason: str
    settings: SettingsDraft
    files: list[DmsFile] = field(default_factory=list)
    rows_sampled: int = 0
    layout: TableLayout | None = None
    description: str | None = None
    entity: str | None = None
    """Drafted ``entity``: another schema has a table of the same name (to confirm)."""
    notes: list[str] = field(default_factory=list)
    """What was seen that the user should know (drift, disagreements with the DDL)."""
    undecided: list[str] = field(default_factory=list)
    """What the user must decide (key, names, types)."""
    errors: list[str] = field(default_factory=list)
    """Why no contract could be drafted."""
    overrides: dict[str, Setting] = field(default_factory=dict)
    """Settings that differ from the schema's (set by the caller)."""

    @property
    def generated_names(self) -> bool:
        return bool(self.layout and self.layout.generated_names)

    def column(self, name: str) -> ColumnDraft | None:
        return next((c for c in self.columns if c.name.lower() == name.lower()), None)


def _values(sample: CsvSample, file: FileLayout, name: str) -> pa.Array | None:
    index = file.columns.get(name)
    if index is None:
        return None
    return sample.fields[index].slice(file.data_start, sample.limit or None)


def _family(type_name: str) -> str:
    """A type's kind, so a range that grows (smallint, then integer) is not called a change."""
    name = parse_type(type_name).name
    return "integer" if name in ("smallint", "integer", "bigint") else name


def _csv_columns(
    samples: list[CsvSample], layout: TableLayout, draft: TableDraft
) -> dict[str, pa.Array]:
    """Column drafts from CSV values; returns the full-load values per column (for keys)."""
    by_key = {s.file.key: s for s in samples}
    stats: dict[str, ValueStats] = {}
    per_file: dict[str, list[tuple[str, str]]] = {}
    load: dict[str, list[pa.Array]] = {name: [] for name in layout.columns}
    seen_in: dict[str, list[int]] = {name: [] for name in layout.columns}
    for position, file in enumerate(layout.files):
        sample = by_key[file.key]
        rows = min(max(sample.records - file.data_start, 0), sample.limit or sample.records)
        draft.rows_sampled += rows
        for name in layout.columns:
            values = _values(sample, file, name)
            if values is None:
                if file.kind == "load":
                    load[name].append(pa.nulls(rows, pa.string()))
                continue
            seen_in[name].append(position)
            file_stats = value_stats(values)
            stats[name] = stats[name].merge(file_stats) if name in stats else file_stats
            if file_stats.values:
                per_file.setdefault(name, []).append((file.key, choose_type(file_stats).type))
            if file.kind == "load":
                load[name].append(values)
    last = len(layout.files) - 1
    for name in layout.columns:
        merged = stats.get(name, ValueStats())
        choice = choose_type(merged)
        draft.columns.append(
            ColumnDraft(name, choice.type, choice.reason, undecided=choice.undecided, stats=merged)
        )
        positions = seen_in[name]
        if positions and positions[0] > 0 and layout.files[0].header is not None:
            draft.notes.append(
                f"column {name} appears in {layout.files[positions[0]].key} (schema drift)"
            )
        if positions and positions[-1] < last and layout.files[last].header is not None:
            draft.notes.append(
                f"column {name} is not in the files after {layout.files[positions[-1]].key} "
                "(dropped at the source?); kept: earlier files have it"
            )
        firsts: dict[str, str] = {}
        for key, type_name in per_file.get(name, []):
            firsts.setdefault(_family(type_name), key)
        if len(firsts) > 1:
            seen = ", ".join(f"{t} from {k}" for t, k in firsts.items())
            draft.notes.append(
                f"column {name}: the values' type changes across files ({seen}); drafted "
                f"{choice.type}, which holds all"
            )
    return {name: pa.concat_arrays(arrays) for name, arrays in load.items() if arrays}


def _parquet_columns(
    samples: list[ParquetSample], layout: TableLayout, draft: TableDraft
) -> dict[str, pa.Array]:
    by_key = {s.file.key: s for s in samples}
    choices: dict[str, TypeChoice] = {}
    load: dict[str, list[pa.Array]] = {name: [] for name in layout.columns}
    for file in layout.files:
        sample = by_key[file.key]
        draft.rows_sampled += sample.table.num_rows
        for name in layout.columns:
            index = file.columns.get(name)
            if index is None:
                if file.kind == "load":
                    load[name].append(pa.nulls(sample.table.num_rows, pa.string()))
                continue
            kind = sample.schema.field(index).type
            choice = parquet_type(kind)
            choices[name] = wider(choices[name], choice) if name in choices else choice
            if file.kind == "load":
                column = sample.table.column(index).combine_chunks()
                load[name].append(column.cast(pa.string()) if _castable(column) else column)
    for name in layout.columns:
        choice = choices[name]
        draft.columns.append(
            ColumnDraft(
                name,
                choice.type,
                choice.reason,
                undecided=choice.undecided,
                source_type=choice.type,
            )
        )
    result: dict[str, pa.Array] = {}
    for name, arrays in load.items():
        try:
            result[name] = pa.concat_arrays(arrays) if arrays else pa.array([], pa.string())
        except pa.ArrowInvalid:
            continue  # types differ across files: not a key candidate
    return result


def _castable(column: pa.Array) -> bool:
    kind = column.type
    return not (pa.types.is_binary(kind) or pa.types.is_fixed_size_binary(kind))


def _apply_ddl(draft: TableDraft, ddl: DdlTable, headerless: bool) -> None:
    """The DDL decides names, types and NOT NULL; files that disagree are reported."""
    draft.description = ddl.description
    from_files = {c.name.lower(): c for c in draft.columns}
    columns: list[ColumnDraft] = []
    for ddl_column in ddl.columns:
        seen = from_files.pop(ddl_column.name.lower(), None)
        column = ColumnDraft(
            ddl_column.name,
            ddl_column.type,
            f"DDL {ddl_column.source_type}",
            nullable=ddl_column.nullable,
            description=ddl_column.description,
            stats=seen.stats if seen else None,
            source_type=seen.source_type if seen else None,
        )
        if ddl_column.note:
            draft.undecided.append(f"column {ddl_column.name}: {ddl_column.note}")
        if draft.files and seen is None:
            draft.notes.append(f"column {ddl_column.name} is in the DDL but not in the files")
        if seen is not None and seen.stats is not None:
            problem = misfit(seen.stats, parse_type(ddl_column.type))
            if problem:
                draft.notes.append(
                    f"column {ddl_column.name}: files disagree with the DDL type "
                    f"{ddl_column.type}: {problem} (such rows will be quarantined)"
                )
            if not ddl_column.nullable and seen.stats.nulls:
                draft.notes.append(
                    f"column {ddl_column.name} is NOT NULL in the DDL but {seen.stats.nulls} "
                    "sampled value(s) are NULL (DMS writes NULL for columns missing from the "
                    "supplemental log)"
                )
        if (
            seen is not None
            and seen.source_type
            and not holds(parse_type(ddl_column.type), parse_type(seen.source_type))
        ):
            draft.notes.append(
                f"column {ddl_column.name}: Parquet has {seen.source_type}, which the DDL "
                f"type {ddl_column.type} may not hold"
            )
        columns.append(column)
    for extra in from_files.values():
        draft.notes.append(
            f"column {extra.name} is in the files but not in the DDL: drafted {extra.type} "
            "from its values"
        )
        columns.append(extra)
    if headerless and len(columns) != len(ddl.columns):
        draft.notes.append("files without a header and DDL differ in column count: check the order")
    draft.columns = columns
    key = [found.name for k in ddl.primary_key if (found := draft.column(k)) is not None]
    if key:
        draft.primary_key = key
        draft.key_reason = "primary key in the DDL"


def _suggest(draft: TableDraft, load_values: dict[str, pa.Array]) -> None:
    types = {c.name: c.type for c in draft.columns}
    usable = {n: v for n, v in load_values.items() if n in types}
    suggestion = suggest_key(usable, types) if usable else None
    if suggestion is not None:
        draft.primary_key = list(suggestion.columns)
        draft.key_reason = (
            f"suggested: unique and never null in the {suggestion.rows} full-load row(s) "
            "sampled; confirm it"
        )
        draft.undecided.append(
            f"primary key {', '.join(suggestion.columns)} is a guess from the full load: confirm it"
        )
        return
    why = (
        "no full-load rows"
        if not any(len(v) for v in load_values.values())
        else ("no column unique and non-null in the full load")
    )
    draft.key_reason = (
        f"NOT DECIDED ({why}): list the key columns; landing refuses this contract until then"
    )
    draft.undecided.append(f"primary key: {why}; fill primary_key before landing")


def draft_table(
    schema: str,
    table: str,
    files: list[DmsFile],
    samples: list[Sample],
    ddl: DdlTable | None,
) -> TableDraft:
    """The contract draft of one table (see the module docstring)."""
    draft = TableDraft(schema, table, [], [], "", SettingsDraft(), files=files)
    csv = [s for s in samples if isinstance(s, CsvSample)]
    parquet = [s for s in samples if isinstance(s, ParquetSample)]
    for sample in samples:
        draft.notes.extend(f"{sample.file.key}: {p}" for p in sample.problems)
    for sample in csv:
        if sample.other_counts:
            draft.notes.append(
                f"{sample.file.key}: {sample.other_counts} record(s) with another field count "
                "than the first (not sampled)"
            )
    ddl_names = [c.name for c in ddl.columns] if ddl else None
    load_values: dict[str, pa.Array] = {}
    if parquet:
        if csv:
            draft.notes.append("both CSV and Parquet files: the draft follows the Parquet ones")
        layout = detect_parquet_layout(parquet)
        draft.layout = layout
        load_values = _parquet_columns(parquet, layout, draft)
    elif csv:
        layout = detect_csv_layout(csv, ddl_names)
        draft.layout = layout
        load_values = _csv_columns(csv, layout, draft)
    else:
        layout = TableLayout(files=[], columns=[], header=None)
        draft.layout = layout
    draft.notes.extend(layout.notes)
    draft.errors.extend(layout.errors)
    if layout.empty_files:
        draft.notes.append(f"{len(layout.empty_files)} empty file(s)")
    draft.settings = table_settings(layout)
    if ddl is not None:
        _apply_ddl(draft, ddl, headerless=layout.header is False)
        bad = [c.name for c in draft.columns if not IDENTIFIER.match(c.name)]
        if bad and not layout.header:
            draft.errors.append(
                f"column names that are not plain identifiers (letters, digits, _): {bad}; a "
                "contract needs plain names: files without a header are read by position, so "
                "write the contract with plain names in the same order (infer without --ddl "
                "drafts col_1..col_n), or rename them in the DMS task (a transformation rule)"
            )
    elif not draft.columns and not draft.errors:
        draft.errors.append("no records and no DDL: nothing to draft columns from")
    for column in draft.columns:
        if column.undecided:
            draft.undecided.append(f"column {column.name}: {column.reason}")
    if layout.generated_names:
        draft.undecided.append(
            f"column names col_1..col_{len(draft.columns)}: the files have no header; rename "
            "them (order matters: it is the files' field order)"
        )
    if not draft.primary_key and draft.columns:
        _suggest(draft, load_values)
    _mark_added_later(draft, layout)
    _check_model_names(draft)
    return draft


def _check_model_names(draft: TableDraft) -> None:
    """Names landing cannot tell from its own are errors (the contract would be refused);
    names only the generated models cannot use are drafted renamed, to decide."""
    for column in draft.columns:
        lower = column.name.lower()
        if lower == "op" or lower in RAW_METADATA_COLUMNS:
            whose = "DMS's change column Op" if lower == "op" else "the raw zone's metadata"
            draft.errors.append(
                f"column {column.name}: {whose} has this name, and landing cannot tell them "
                "apart; rename the column in the DMS task (a transformation rule with "
                "rule-action rename)"
            )
        elif lower in RESERVED_WORDS or lower in GENERATED_COLUMNS:
            column.rename = f"{lower}_value"
            why = (
                f"{lower!r} is a reserved word in SQL"
                if lower in RESERVED_WORDS
                else "the generated models add a column of this name"
            )
            draft.undecided.append(
                f"column {column.name}: {why}: drafted rename: {column.rename} (its name in "
                "the models; landing keeps the source's)"
            )


def _mark_added_later(draft: TableDraft, layout: TableLayout) -> None:
    """Mark the columns only later headerless files have ``added_later``, when they are the
    draft's last columns and no key column (what a contract allows); else only a note."""
    later = {name.lower() for name in layout.added_later}
    if not later:
        return
    tail = draft.columns[len(draft.columns) - len(later) :]
    key = {k.lower() for k in draft.primary_key}
    names = ", ".join(layout.added_later)
    if {c.name.lower() for c in tail} != later or later & key:
        draft.notes.append(
            f"columns {names} are only in later files without a header, but not the last "
            "columns of the draft (or a key): not drafted added_later"
        )
        return
    for column in tail:
        column.added_later = True
        column.reason = f"{column.reason}; to decide: added_later (only later files have it)"
    draft.undecided.append(
        f"columns {names}: only later files (without a header) have them, so they are drafted "
        "added_later: true (the source gained them; older records land null there): confirm"
    )
