"""The text of contract and settings files, and the mark that tells generated from edited.

The first line of a generated file carries a hash of the rest of the text:
``# dmsw contracts infer: generated (sha256 <16 hex>) ...``. A file whose first line has the
mark and whose text still hashes to it has not been touched since infer wrote it, so infer
may replace it; any other file (edited, hand-written, mark removed) is the user's, and infer
only proposes changes to it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ingestion.inference.draft import TableDraft
from ingestion.inference.settings import Setting

MARK = re.compile(r"^# dmsw contracts infer: generated \(sha256 (?P<hash>[0-9a-f]{16})\)")
TABLE_ORDER = ("table", "description", "entity", "primary_key", "history", "settings", "columns")
COLUMN_ORDER = (
    "name", "type", "nullable", "description", "pii", "rules", "rename", "added_later",
)  # fmt: skip


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def with_mark(body: str) -> str:
    """``body`` with the generated mark on its first line."""
    return (
        f"# dmsw contracts infer: generated (sha256 {_digest(body)}); an edited file is never "
        "overwritten\n" + body
    )


def is_generated(text: str) -> bool:
    """True when the text is exactly what infer wrote (mark present, hash matching)."""
    first, _, body = text.partition("\n")
    match = MARK.match(first)
    return match is not None and match.group("hash") == _digest(body)


def flow(value: Any) -> str:
    """A YAML flow-style rendering of a scalar, list or mapping, on one line."""
    text = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, width=10**9, allow_unicode=True
    ).strip()
    return text.removesuffix("\n...").strip()


def _comment(text: str | None) -> str:
    if not text:
        return ""
    return "  # " + " ".join(text.split())


@dataclass
class ContractText:
    """A contract's data (as the YAML mapping) and the comments to write beside it."""

    data: dict[str, Any]
    header: list[str] = field(default_factory=list)
    """Comment lines at the top (after the mark)."""
    key_comment: str | None = None
    settings_comment: str | None = None
    column_comments: dict[str, str] = field(default_factory=dict)

    def render(self) -> str:
        lines = [f"# {line}" if line else "#" for line in self.header]
        for name in (*TABLE_ORDER, *(k for k in self.data if k not in TABLE_ORDER)):
            if name not in self.data or name == "columns":
                continue
            value = self.data[name]
            comment = {"primary_key": self.key_comment, "settings": self.settings_comment}
            lines.append(f"{name}: {flow(value)}{_comment(comment.get(name))}")
        lines.append("columns:")
        for column in self.data.get("columns") or []:
            ordered = {k: column[k] for k in COLUMN_ORDER if k in column}
            ordered.update({k: v for k, v in column.items() if k not in ordered})
            note = self.column_comments.get(str(column.get("name")))
            lines.append(f"  - {flow(ordered)}{_comment(note)}")
        return "\n".join(lines) + "\n"


def render_settings(settings: dict[str, Setting], header: list[str]) -> str:
    """A ``_dms_settings.yml`` body: one line per setting, with what was seen."""
    lines = [f"# {line}" if line else "#" for line in header]
    for name, setting in settings.items():
        value = "''" if setting.value is None else flow(setting.value)
        lines.append(f"{name}: {value}{_comment(setting.reason)}")
    if not settings:
        lines.append("{}  # every setting is AWS's default")
    return "\n".join(lines) + "\n"


MAX_NOTES = 12


def contract_data(draft: TableDraft) -> dict[str, Any]:
    """The contract mapping of a fresh draft."""
    data: dict[str, Any] = {"table": draft.table}
    if draft.description:
        data["description"] = draft.description
    if draft.entity:
        data["entity"] = draft.entity
    data["primary_key"] = list(draft.primary_key)
    if draft.overrides:
        data["settings"] = {name: setting.value for name, setting in draft.overrides.items()}
    columns = []
    for column in draft.columns:
        entry: dict[str, Any] = {"name": column.name, "type": column.type}
        if not column.nullable and column.name not in draft.primary_key:
            entry["nullable"] = False
        if column.description:
            entry["description"] = column.description
        if column.rename:
            entry["rename"] = column.rename
        if column.added_later:
            entry["added_later"] = True
        columns.append(entry)
    data["columns"] = columns
    return data


def contract_text(draft: TableDraft, origin: str) -> str:
    """A fresh draft's file text, mark included."""
    header = [f"Drafted by `dmsw contracts infer` from {origin}."]
    header.append(
        "Review it before landing (docs/onboarding.md): the primary key, the types, the names."
    )
    if draft.undecided:
        header.append("To decide:")
        header.extend(f"  - {item}" for item in draft.undecided)
    if draft.notes:
        header.append("Seen in the files:")
        header.extend(f"  - {note}" for note in draft.notes[:MAX_NOTES])
        if len(draft.notes) > MAX_NOTES:
            header.append(f"  - ... and {len(draft.notes) - MAX_NOTES} more (see infer's summary)")
    comments = {c.name: c.reason for c in draft.columns if not c.reason.startswith("DDL ")}
    settings_comment = "; ".join(
        f"{name}: {setting.reason}" for name, setting in draft.overrides.items()
    )
    text = ContractText(
        contract_data(draft),
        header=header,
        key_comment=draft.key_reason,
        settings_comment=(
            f"this table differs from _dms_settings.yml: {settings_comment}"
            if settings_comment
            else None
        ),
        column_comments=comments,
    )
    return with_mark(text.render())


def proposal_text(proposal: dict[str, Any], changes: list[str], path_name: str) -> str:
    """The text of a proposal for a contract the user edited."""
    header = [
        f"Proposed by `dmsw contracts infer` for {path_name}, which you edited:",
        *(f"  - {change}" for change in changes),
        f"Review it, then replace {path_name} with it (or rerun infer with --force).",
        "Your comments in the file are not carried over; the keys and values are.",
    ]
    return with_mark(ContractText(proposal, header=header).render())


def settings_text(settings: dict[str, Setting], origin: str) -> str:
    header = [
        f"The DMS S3 endpoint settings seen in {origin} (docs/landing.md explains each).",
        "Listed: what differs from AWS's defaults (no header, no Op in full load, no timestamp",
        "or change-sequence column, ',' delimiter, no date partitions), and any setting whose",
        "default in this version of landing is not AWS's.",
    ]
    return with_mark(render_settings(settings, header))
