"""Before a table lands: do its new files fit its DMS settings? If not, stop that table.

Settings that contradict the files (a missing settings file, with AWS's defaults assumed, is
the usual case) would otherwise put every row in the quarantine. So, per table, the first
records of its first new CSV files of each kind (LOAD, CDC; ``samples``) are checked
against what the settings predict, deciding per file whether the first record is a header
(the way landing does; a full-load file can have a header while CDC files have none):

- without a header: the field count (Op when the kind and ``include_op_for_full_load`` say
  so, the timestamp column, the contract's columns, the change-sequence column; a record may
  lack the contract's trailing ``added_later`` columns), an Op of
  I/U/D, a timestamp in the timestamp column, a change sequence (16 or more digits, or
  empty in full load) in the change-sequence column;
- with a header: nothing can land in the wrong place (columns are found by name); a
  timestamp or change-sequence column the settings name but the header lacks is noted.

When most sampled records of a table's LOAD files, or of its CDC files, do not fit, the
alternatives (Op in full load or not, a timestamp column or not, a change-sequence column or
not) are tried. If one makes the files fit, none of that table's files land in this run
(other tables do), and the run ends with exit 2 naming that setting; the files land once the
setting is changed. If none does, the cause is not the settings (the contract's columns, a
broken file): the table lands as usual, with the records that do not fit quarantined, and a
note says so (a table is never held back by a problem no setting can fix). Parquet files
(self-describing) and PreserveTransactions files (checked record by record) are not sampled.
A header where ``add_column_name`` says none (or the reverse) is only noted.

One decision, one module (about 300 lines, a fifth of it this description): the fit of the
sampled records, the alternatives tried and the message naming the setting to change.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingestion.contracts import TableContract
from ingestion.discovery import PendingFile
from ingestion.dms_settings import DmsSettings
from ingestion.dmsfiles import DmsFile
from ingestion.formats import OP_COLUMN, OPS, detect_layout
from ingestion.samples import Sample, sample_files
from ingestion.sources import FileSource

_CHANGEABLE = ("include_op_for_full_load", "timestamp_column_name", "change_seq_column_name")
_TIMESTAMP = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?)?")


@dataclass
class Fit:
    """How the sampled records of one kind of file fit some settings."""

    records: int = 0
    misfits: int = 0
    counts: Counter[int] = field(default_factory=Counter)
    """Field counts of the misfit records without a header."""
    values: Counter[str] = field(default_factory=Counter)
    """What the records with the right field count lack where the settings put it."""
    header_problems: list[str] = field(default_factory=list)
    """Headers without a column the settings name (noted: such files land by their header)."""

    @property
    def fails(self) -> bool:
        """Most records do not fit."""
        return self.records > 0 and self.misfits * 2 > self.records

    @property
    def fits_well(self) -> bool:
        """At most one record in ten does not fit (dirty data, not a wrong setting)."""
        return self.misfits * 10 <= self.records


@dataclass
class SettingsCheck:
    stopped: dict[str, str] = field(default_factory=dict)
    """Per table stopped: why, and the setting that fits its files."""
    notes: list[str] = field(default_factory=list)


def _fit(samples: Iterable[Sample], contract: TableContract) -> Fit:
    """How the samples' records fit ``contract`` (and its settings)."""
    fit = Fit()
    settings = contract.settings
    for sample in samples:
        dms_file = sample.pending.dms_file
        layout = detect_layout(sample.prefix, contract, dms_file)
        records = sample.records[1:] if layout.header else sample.records
        fit.records += len(records)
        if layout.header:
            have = {n.lower() for n in layout.names}
            missing = [
                n
                for n in (settings.timestamp_column_name, settings.change_seq_column_name)
                if n and n.lower() not in have
            ]
            if missing:  # lands by the header's names, without that change metadata
                fit.header_problems.append(
                    f"the header of {sample.pending.obj.key} has no {' or '.join(missing)} "
                    "column although the settings name it"
                )
            continue
        for record in records:
            problem = _record_problem(record, layout.names_for(len(record)), settings)
            if problem is not None:
                fit.misfits += 1
                if problem == "count":
                    fit.counts[len(record)] += 1
                else:
                    fit.values[problem] += 1
    return fit


def _record_problem(
    record: list[str], names: list[str] | None, settings: DmsSettings
) -> str | None:
    """Why a record does not fit the layout (``names``: its columns for the record's field
    count, None when none fits): its field count or a misplaced value."""
    if names is None:
        return "count"
    by_name = dict(zip(names, record, strict=True))
    if names[0] == OP_COLUMN and record[0] not in OPS:
        return "Op (I, U or D)"
    ts = settings.timestamp_column_name
    if ts and by_name[ts] and not _TIMESTAMP.match(by_name[ts]):
        return f"timestamp in {ts}"
    seq = settings.change_seq_column_name
    if seq and by_name[seq] and not _is_change_seq(by_name[seq]):
        return f"change sequence number in {seq}"
    return None


def _is_change_seq(value: str) -> bool:
    """$AR_H_CHANGE_SEQ: 35 digits (16 from a timestamp, then a counter); at least 16."""
    return value.isdigit() and len(value) >= 16


def _evident(samples: list[Sample], contract: TableContract) -> set[str]:
    """Metadata columns most headerless records show by their values, whatever the settings:
    a timestamp first or after an Op (where the contract's first column is not a date or a
    timestamp) and a change sequence last. A setting that removes one of them cannot be the
    fix (the file more likely gained or lost a column of its own)."""
    records = [
        r
        for s in samples
        if not detect_layout(s.prefix, contract, s.pending.dms_file).header
        for r in (s.records)
        if r
    ]
    if not records:
        return set()
    first_type = contract.columns[0].column_type.name
    stamped = sum(
        any(_TIMESTAMP.match(f) and ":" in f for f in r[:2])
        for r in records
        if first_type not in ("date", "timestamp")
    )
    sequenced = sum(_is_change_seq(r[-1]) for r in records)
    found = set()
    if stamped * 2 > len(records):
        found.add("timestamp_column_name")
    if sequenced * 2 > len(records):
        found.add("change_seq_column_name")
    return found


def _alternatives(settings: DmsSettings) -> list[tuple[dict[str, object], DmsSettings]]:
    """Settings that differ in Op, timestamp and change-sequence columns, fewest changes first."""
    ops = [settings.include_op_for_full_load, not settings.include_op_for_full_load]
    stamps = [
        settings.timestamp_column_name,
        _flip(settings.timestamp_column_name, "dms_commit_ts"),
    ]
    seqs = [
        settings.change_seq_column_name,
        _flip(settings.change_seq_column_name, "dms_change_seq"),
    ]
    found: list[tuple[dict[str, object], DmsSettings]] = []
    for op in ops:
        for stamp in stamps:
            for sequence in seqs:
                candidate = dataclasses.replace(
                    settings,
                    include_op_for_full_load=op,
                    timestamp_column_name=stamp,
                    change_seq_column_name=sequence,
                )
                changes = {
                    name: getattr(candidate, name)
                    for name in _CHANGEABLE
                    if getattr(candidate, name) != getattr(settings, name)
                }
                if changes:
                    found.append((changes, candidate))
    return sorted(found, key=lambda item: len(item[0]))


def _flip(name: str | None, default: str) -> str | None:
    """No column where there is one; the usual name where there is none (any name will do
    for files without a header: the column is found by its place)."""
    return None if name else default


def _yaml(name: str, value: object) -> str:
    if isinstance(value, bool):
        return f"{name}: {str(value).lower()}"
    return f"{name}: {value or chr(39) * 2}"


def _predicted(contract: TableContract, dms_file: DmsFile, prefix: bytes) -> str:
    layout = detect_layout(prefix, contract, dms_file)
    names = layout.names
    columns = set(contract.column_names)
    parts: list[str] = []
    for name in names:
        if name in columns:
            if not parts or not parts[-1].endswith(" columns"):
                parts.append(f"{len(contract.columns)} columns")
        else:
            parts.append(name)
    later = f", the last {len(layout.added_later)} added later" if layout.added_later else ""
    return f"{layout.expected_fields} ({', '.join(parts)}{later})"


def _of_kind(samples: list[Sample], kind: str) -> list[Sample]:
    return [s for s in samples if s.pending.dms_file.kind == kind]


def explain(
    contract: TableContract, samples: list[Sample], fits: dict[str, Fit]
) -> tuple[bool, str]:
    """Why the table's files do not fit its settings, and the setting that makes them fit.

    Returns (a setting fits, the message). Without a setting that makes the files fit, the
    records do not fit for another reason (the contract's columns, broken files): they land
    in the quarantine as usual, and the message says so.
    """
    kind, fit = next((k, f) for k, f in fits.items() if f.fails)
    first = _of_kind(samples, kind)[0]
    what = "LOAD" if kind == "load" else "CDC"
    predicted = _predicted(contract, first.pending.dms_file, first.prefix)
    if fit.counts:
        count = fit.counts.most_common(1)[0][0]
        problem = f"{count} fields per record in its {what} files; the settings predict {predicted}"
    else:
        missing = fit.values.most_common(1)[0][0]
        problem = (
            f"its {what} files have the {predicted} fields the settings predict, but no "
            f"{missing} where the settings put it"
        )
    name = contract.qualified_name
    where = f"contracts/{contract.schema}/_dms_settings.yml"
    ranked = []
    evident = _evident(samples, contract)
    for changes, settings in _alternatives(contract.settings):
        if any(changes.get(column, True) is None for column in evident):
            continue
        candidate = dataclasses.replace(contract, settings=settings)
        tried = [_fit(_of_kind(samples, k), candidate) for k in fits]
        if all(f.fits_well for f in tried):
            ranked.append((sum(f.misfits for f in tried), len(changes), changes))
    if ranked:
        changes = min(ranked, key=lambda r: (r[0], r[1]))[2]
        said = [_yaml(key, value) for key, value in changes.items()]
        setting = " and ".join([", ".join(said[:-1]), said[-1]] if len(said) > 1 else said)
        return True, f"{name}: {problem}: set {setting} in {where}"
    return False, (
        f"{name}: {problem}, and no change of the Op, timestamp or change-sequence settings "
        f"fits: landed (records that do not fit are quarantined); check {where} and the "
        f"{len(contract.columns)} columns of contracts/{contract.schema}/{contract.table}.yml"
    )


def _header_notes(contract: TableContract, samples: list[Sample]) -> list[str]:
    expected = contract.settings.add_column_name
    read = [s for s in samples if s.records]
    odd = [
        s for s in read if detect_layout(s.prefix, contract, s.pending.dms_file).header != expected
    ]
    if not odd:
        return []
    found = "have no header row although" if expected else "have a header row although"
    return [
        f"{contract.qualified_name}: {len(odd)} of {len(read)} sampled files {found} "
        f"add_column_name is {str(expected).lower()}: each file is read as it is"
    ]


def check_settings(
    pending: list[PendingFile], source: FileSource, workers: int = 1
) -> SettingsCheck:
    """Sample each table's new CSV files and stop the tables whose files contradict settings."""
    by_table = sample_files(pending, source, workers)
    check = SettingsCheck()
    for table, samples in sorted(by_table.items()):
        contract = samples[0].pending.contract
        kinds = [k for k in ("load", "cdc") if _of_kind(samples, k)]
        fits: dict[str, Fit] = {kind: _fit(_of_kind(samples, kind), contract) for kind in kinds}
        if any(f.fails for f in fits.values()):
            fixable, message = explain(contract, samples, fits)
            if fixable:
                check.stopped[table] = message
            else:
                check.notes.append(message)
        check.notes.extend(_header_notes(contract, samples))
        problems = [p for f in fits.values() for p in f.header_problems]
        if problems:
            more = f" (and {len(problems) - 1} more file(s))" if len(problems) > 1 else ""
            check.notes.append(f"{table}: {problems[0]}{more}: landed without it")
    return check
