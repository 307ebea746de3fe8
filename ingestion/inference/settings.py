"""The DMS settings to write: per table as its files show them, per schema the common ones.

A schema's ``_dms_settings.yml`` holds what most of its tables show; a table that differs
gets a ``settings:`` override in its contract. Only settings that differ from AWS's defaults
are written (no header, no ``Op`` in full load, no timestamp or change-sequence column,
``,``, no date partitions), each with a comment saying what was seen. A setting is also
written when the contracts loader's own default differs from AWS's, so the file means the
same to every version of landing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ingestion.dms_settings import DmsSettings
from ingestion.inference.discover import Partitioning
from ingestion.inference.layout import TableLayout

AWS_DEFAULTS: dict[str, object] = {
    "add_column_name": False,
    "include_op_for_full_load": False,
    "timestamp_column_name": None,
    "change_seq_column_name": None,
    "csv_delimiter": ",",
    "date_partition_enabled": False,
    "date_partition_sequence": "YYYYMMDD",
    "date_partition_delimiter": "SLASH",
    "cdc_path": None,
}
TABLE_SETTINGS = (
    "add_column_name",
    "include_op_for_full_load",
    "timestamp_column_name",
    "change_seq_column_name",
    "csv_delimiter",
)


@dataclass(frozen=True)
class Setting:
    value: object
    reason: str


@dataclass
class SettingsDraft:
    """Settings decided from files; a missing name means the files could not tell."""

    values: dict[str, Setting] = field(default_factory=dict)

    def value(self, name: str) -> object:
        setting = self.values.get(name)
        return AWS_DEFAULTS[name] if setting is None else setting.value


def table_settings(layout: TableLayout) -> SettingsDraft:
    """What one table's files show."""
    draft = SettingsDraft()
    if layout.header is not None:
        draft.values["add_column_name"] = Setting(layout.header, layout.header_reason)
    if layout.op_in_load is not None:
        draft.values["include_op_for_full_load"] = Setting(layout.op_in_load, layout.op_reason)
    if layout.files:
        draft.values["timestamp_column_name"] = Setting(
            layout.timestamp_name, layout.timestamp_reason or "no DMS timestamp values seen"
        )
        draft.values["change_seq_column_name"] = Setting(
            layout.change_seq_name, layout.change_seq_reason or "no change-sequence values seen"
        )
    if layout.header is not None and layout.delimiter != ",":
        draft.values["csv_delimiter"] = Setting(layout.delimiter, "fields split by it")
    return draft


def schema_settings(
    tables: dict[str, SettingsDraft],
    partitioning: Partitioning | None,
    odd_folder: str | None,
    cdc_path: str | None,
) -> tuple[SettingsDraft, dict[str, dict[str, Setting]]]:
    """The schema's settings (the most common per setting) and each table's overrides."""
    schema = SettingsDraft()
    for name in TABLE_SETTINGS:
        decided = [t.values[name] for t in tables.values() if name in t.values]
        if not decided:
            continue
        top, count = Counter(s.value for s in decided).most_common(1)[0]
        first = next(s for s in decided if s.value == top)
        reason = first.reason
        if len(decided) > 1:
            reason = f"{count} of {len(decided)} tables: {reason}"
        schema.values[name] = Setting(first.value, reason)
    if partitioning is not None:
        seen = f"CDC files in date folders like {partitioning.example}"
        schema.values["date_partition_enabled"] = Setting(True, seen)
        schema.values["date_partition_sequence"] = Setting(partitioning.sequence, seen)
        schema.values["date_partition_delimiter"] = Setting(partitioning.delimiter, seen)
    elif odd_folder is not None:
        schema.values["date_partition_enabled"] = Setting(
            False, f"CDC files in folders that are not dates ({odd_folder})"
        )
    if cdc_path is not None:
        schema.values["cdc_path"] = Setting(cdc_path, f"CDC_TXN files in {cdc_path}/")
    overrides: dict[str, dict[str, Setting]] = {}
    for table, draft in tables.items():
        differ = {
            name: setting
            for name, setting in draft.values.items()
            if name in TABLE_SETTINGS and setting.value != schema.value(name)
        }
        if differ:
            overrides[table] = differ
    return schema, overrides


def worth_writing(name: str, value: object) -> bool:
    """Differs from AWS's default, or from the loader's default (so it must be explicit)."""
    loader_default = getattr(DmsSettings(), name)
    return value != AWS_DEFAULTS[name] or value != loader_default


def as_mapping(draft: SettingsDraft) -> dict[str, Setting]:
    """The settings to write, in the loader's order, with what the files showed."""
    written: dict[str, Setting] = {}
    for name in AWS_DEFAULTS:
        value = draft.value(name)
        if worth_writing(name, value):
            setting = draft.values.get(name) or Setting(value, "nothing seen")
            if value == AWS_DEFAULTS[name]:
                setting = Setting(
                    value,
                    f"{setting.reason}; AWS's default, written out because this landing "
                    "version assumes otherwise",
                )
            written[name] = setting
    return written
