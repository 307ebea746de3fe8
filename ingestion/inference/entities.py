"""Entity names for tables that share a name: the silver models are ``slv_<entity>`` (the
entity is the table name by default) and must be unique, so ``sales.customers`` and
``crm.customers`` (or a new table named like one whose contract is already in ``--out``) are
drafted with ``entity: <schema>_<table>``, for the user to confirm."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ingestion.contracts import SETTINGS_FILE
from ingestion.inference.draft import TableDraft


def _existing(out: Path) -> list[tuple[str, str]]:
    """(schema, table) of the contracts already in ``out``."""
    if not out.is_dir():
        return []
    return [
        (path.parent.name, path.stem)
        for path in sorted(out.glob("*/*.yml"))
        if path.name != SETTINGS_FILE
    ]


def name_shared_tables(drafts: list[TableDraft], out: Path) -> None:
    """Set ``entity`` on each draft whose table name another schema's table has too."""
    schemas: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for schema, table in _existing(out) + [(d.schema, d.table) for d in drafts if not d.errors]:
        schemas[table.lower()].add((schema, table))
    for draft in drafts:
        if draft.errors:
            continue
        others = sorted(
            f"{schema}.{table}"
            for schema, table in schemas[draft.table.lower()]
            if schema != draft.schema
        )
        if not others:
            continue
        draft.entity = f"{draft.schema}_{draft.table}".lower()
        draft.undecided.append(
            f"entity {draft.entity}: the same table name as {', '.join(others)}, and the silver "
            "models (slv_<entity>) need distinct names"
        )
