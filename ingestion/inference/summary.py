"""The short report ``dmsw contracts infer`` prints: per table what was decided and what not."""

from __future__ import annotations

from collections import Counter

from ingestion.inference.draft import TableDraft
from ingestion.inference.render import flow
from ingestion.inference.run import InferResult
from ingestion.inference.writer import WriteOutcome

ACTIONS = {
    "created": "written",
    "updated": "updated (it was unedited)",
    "unchanged": "unchanged",
    "kept": "kept (you edited it; the source shows nothing new)",
    "proposed": "you edited it: proposal written beside it, not applied",
    "forced": "you edited it: proposal applied (--force)",
}


def _outcome(outcome: WriteOutcome | None) -> str:
    if outcome is None:
        return "not written"
    return f"{outcome.path} ({ACTIONS.get(outcome.action, outcome.action)})"


def _files(draft: TableDraft) -> str:
    if not draft.files and not draft.rows_sampled:
        return "no files"
    if not draft.files:
        return f"rows in transaction files only, {draft.rows_sampled} record(s) sampled"
    kinds = Counter(f.kind.upper() for f in draft.files)
    formats = sorted({("gzip csv" if f.gzip else f.format) for f in draft.files})
    parts = [f"{n} {k}" for k, n in sorted(kinds.items())]
    return (
        f"{len(draft.files)} file(s) ({', '.join(parts)}; {', '.join(formats)}), "
        f"{draft.rows_sampled} record(s) sampled"
    )


def format_summary(result: InferResult, out: str, show_diffs: bool = True) -> str:
    lines: list[str] = []
    schemas = {s.schema for s in result.schemas}
    lines.append(
        f"contracts infer: {len(result.tables)} table(s) in {len(schemas)} schema(s)"
        + (f" from {result.source}" if result.source else " from the DDL")
    )
    for schema in result.schemas:
        lines.append(f"schema {schema.schema}: settings -> {_outcome(schema.outcome)}")
        if not schema.settings:
            lines.append("  all AWS defaults")
        for name, setting in schema.settings.items():
            value = "''" if setting.value is None else flow(setting.value)
            lines.append(f"  {name}: {value}  ({setting.reason})")
        if schema.outcome is not None:
            lines.extend(f"  change: {change}" for change in schema.outcome.notes)
        for draft in (d for d in result.tables if d.schema == schema.schema):
            lines.extend(_table_lines(draft, result.outcomes.get((draft.schema, draft.table))))
    for draft in (d for d in result.tables if d.errors):
        lines.append(f"{draft.schema}.{draft.table}: NOT DRAFTED: {'; '.join(draft.errors)}")
    for skipped in result.skipped:
        lines.append(f"note: {skipped}")
    if show_diffs:
        for outcome in result.outcomes.values():
            if outcome.diff and outcome.action in ("proposed", "forced", "updated"):
                lines.append("")
                lines.append(outcome.diff.rstrip("\n"))
        for schema in result.schemas:
            if schema.outcome and schema.outcome.diff:
                lines.append("")
                lines.append(schema.outcome.diff.rstrip("\n"))
    undecided = sum(
        len(d.undecided)
        for d in result.tables
        if getattr(result.outcomes.get((d.schema, d.table)), "action", None) != "kept"
    )
    lines.append("")
    lines.append(
        f"{undecided} thing(s) to decide (marked 'to decide' above and in the files). Review the "
        f"drafts in {out} (docs/onboarding.md), then: dmsw land --contracts {out} ..."
    )
    return "\n".join(lines)


def _table_lines(draft: TableDraft, outcome: WriteOutcome | None) -> list[str]:
    lines = [f"  {draft.schema}.{draft.table}: {_files(draft)} -> {_outcome(outcome)}"]
    columns = ", ".join(f"{c.name} {c.type}" for c in draft.columns)
    lines.append(f"    columns: {columns}")
    if outcome is not None and outcome.action == "kept":
        return lines  # the user's contract decides; the draft's open points are not theirs
    key = ", ".join(draft.primary_key) or "-"
    lines.append(f"    primary key: {key} ({draft.key_reason})")
    if draft.overrides:
        differ = ", ".join(f"{n}: {flow(s.value)} ({s.reason})" for n, s in draft.overrides.items())
        lines.append(f"    settings of this table differ from the schema's: {differ}")
    for item in draft.undecided:
        lines.append(f"    to decide: {item}")
    for note in draft.notes:
        lines.append(f"    seen: {note}")
    if outcome is not None:
        for change in outcome.notes:
            lines.append(f"    change: {change}")
    return lines
