"""A proposal for a contract the user edited: their contract, changed only where the source
changed.

Kept as the user wrote it: names (renamed ``col_n`` too), descriptions, personal-data flags,
rules, key, entity, history, settings, and any type that still holds every value seen.
Changed: a column the files (or DDL) gained is added where it appears (``added_later`` when
only later headerless files have it, at the end); a column no file and no DDL has any more
is dropped; a column whose values no longer fit its type gets the drafted type (for Parquet
and DDL columns: when the drafted type differs). Columns are matched by name, or by position
when the files have no header and no DDL names them.
"""

from __future__ import annotations

import copy
from typing import Any

from ingestion.column_types import ColumnType, parse_type
from ingestion.errors import UserError
from ingestion.inference.csvtypes import misfit
from ingestion.inference.draft import ColumnDraft, TableDraft
from ingestion.inference.parquet import holds


def _parsed(text: object) -> ColumnType | None:
    try:
        return parse_type(str(text))
    except UserError:
        return None


def _retype(entry: dict[str, Any], column: ColumnDraft, notes: list[str]) -> None:
    existing = _parsed(entry.get("type"))
    drafted = parse_type(column.type)
    problem: str | None
    if existing is None:
        problem = f"{entry.get('type')!r} is not a contract type"
    elif column.stats is not None and column.stats.values:
        problem = misfit(column.stats, existing)
    elif column.stats is None and not holds(existing, drafted):
        problem = f"the source now says {column.type}"
    else:
        problem = None
    if problem:
        notes.append(f"column {entry['name']}: {entry.get('type')} -> {column.type} ({problem})")
        entry["type"] = column.type


def _new_entry(column: ColumnDraft) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": column.name, "type": column.type}
    if not column.nullable:
        entry["nullable"] = False
    if column.description:
        entry["description"] = column.description
    if column.rename:
        entry["rename"] = column.rename
    if column.added_later:
        entry["added_later"] = True
    return entry


def propose(existing: dict[str, Any], draft: TableDraft) -> tuple[dict[str, Any], list[str]]:
    """The user's contract with the source's changes applied, and what changed."""
    proposal = copy.deepcopy(existing)
    old = [c for c in existing.get("columns") or [] if isinstance(c, dict) and "name" in c]
    notes: list[str] = []
    by_position = draft.generated_names
    by_name = {str(c["name"]).lower(): i for i, c in enumerate(old)}
    used: set[int] = set()
    columns: list[dict[str, Any]] = []
    for position, column in enumerate(draft.columns):
        index = (
            (position if position < len(old) else None)
            if by_position
            else by_name.get(column.name.lower())
        )
        if index is None:
            columns.append(_new_entry(column))
            notes.append(f"column {column.name} added ({column.type}: {column.reason})")
            continue
        used.add(index)
        entry = copy.deepcopy(old[index])
        _retype(entry, column, notes)
        columns.append(entry)
    for index, entry in enumerate(old):
        if index not in used:
            notes.append(f"column {entry['name']} dropped: no file or DDL has it any more")
    proposal["columns"] = columns
    key = [str(k) for k in existing.get("primary_key") or []]
    names = {str(c["name"]).lower() for c in columns}
    if not key and draft.primary_key:
        proposal["primary_key"] = list(draft.primary_key)
        notes.append(f"primary key {draft.primary_key} ({draft.key_reason})")
    elif any(k.lower() not in names for k in key):
        notes.append(f"primary key {key} names a dropped column: fix it")
    return proposal, notes
