"""What a landing run reports: counts per run and per table, notes, errors, and its exit code.

The run fills a ``RunSummary`` from the outcome of each file, in DMS order (``add_entry``);
``report`` turns it into the JSON kept in ``_ledger/runs/<run id>.json`` (and written by
``--report``); ``problem`` says which error, if any, the command should end with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ingestion.errors import (
    AwsError,
    DmswError,
    FilesFailedError,
    QuarantineError,
    SettingsMismatchError,
)
from ingestion.ledger import LedgerEntry


@dataclass
class TableTotals:
    files: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    files_quarantined: int = 0
    """Files of this table that could not be read at all (kept whole, one quarantine row)."""
    newest_commit_ts: str | None = None
    """The newest commit timestamp among the rows this run landed (ops, freshness)."""


@dataclass
class ColumnDrift:
    """How one column of a table differed from its contract in this run's files."""

    added_in_files: int = 0
    """Files with this column the contract does not have (its values landed as text)."""
    missing_in_files: int = 0
    """Files without this contract column (null where it would be)."""
    rows_not_fitting_type: int = 0
    """Rows quarantined because this column's value does not fit its contract type."""

    def add(self, other: ColumnDrift) -> None:
        self.added_in_files += other.added_in_files
        self.missing_in_files += other.missing_in_files
        self.rows_not_fitting_type += other.rows_not_fitting_type

    def describe(self) -> str:
        parts = []
        if self.added_in_files:
            parts.append(f"in {self.added_in_files} file(s), not in the contract: landed as text")
        if self.missing_in_files:
            parts.append(f"missing from {self.missing_in_files} file(s): landed as null")
        if self.rows_not_fitting_type:
            parts.append(
                f"{self.rows_not_fitting_type} row(s) quarantined: a value does not fit the "
                "column's contract type"
            )
        return "; ".join(parts)


ColumnChanges = dict[str, dict[str, ColumnDrift]]
"""Per table, per column, how the files differed from the contract."""


@dataclass
class RunSummary:
    run_id: str
    source: str
    lake: str
    started_at: str
    finished_at: str = ""
    duration_s: float = 0.0
    files_seen: int = 0
    files_already_landed: int = 0
    files_landed: int = 0
    files_duplicate: int = 0
    files_quarantined: int = 0
    files_failed: int = 0
    files_vanished: int = 0
    files_stopped: int = 0
    """Files of tables stopped because they contradict their settings (not landed)."""
    glue_failed: bool = False
    tables: dict[str, TableTotals] = field(default_factory=dict)
    drift: dict[str, list[str]] = field(default_factory=dict)
    """Per table, the schema drift found: columns added or missing, per file."""
    columns: ColumnChanges = field(default_factory=dict)
    """Per table and column: files that added it or lacked it, rows whose value did not fit
    its type (a type changed at the source, or dirty values)."""
    stopped: dict[str, str] = field(default_factory=dict)
    """Per table not landed because its files contradict its settings: why, what to set."""
    skipped: list[str] = field(default_factory=list)
    lake_notes: list[str] = field(default_factory=list)
    """What the run did about the lake itself: a stale lock taken over, a source root
    recorded or adopted (printed first)."""
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def totals(self, table: str) -> TableTotals:
        return self.tables.setdefault(table, TableTotals())

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables.values())

    @property
    def rows_landed(self) -> int:
        return sum(t.rows_landed for t in self.tables.values())

    def add_entry(self, entry: LedgerEntry) -> None:
        """Count one file's ledger entry (landed, empty, quarantined whole or duplicate)."""
        if entry.status == "duplicate":
            self.files_duplicate += 1
            self.notes.append(f"{entry.key}: same content as an already landed version")
            return
        whole = entry.status == "quarantined"
        for table, (landed, quarantined) in entry.per_table().items():
            totals = self.totals(table)
            totals.files += 1
            totals.rows_landed += landed
            totals.rows_quarantined += quarantined
            totals.files_quarantined += whole
            commit = entry.max_commit_ts if landed else None
            if commit and (totals.newest_commit_ts is None or commit > totals.newest_commit_ts):
                totals.newest_commit_ts = commit
        if whole:
            self.files_quarantined += 1
        else:
            self.files_landed += 1
        self.notes.extend(f"{entry.key}: {note}" for note in entry.notes)

    def add_column_changes(self, changes: ColumnChanges) -> None:
        for table, columns in changes.items():
            known = self.columns.setdefault(table, {})
            for column, change in columns.items():
                known.setdefault(column, ColumnDrift()).add(change)

    def add_drift_notes(self, table: str, notes: list[str]) -> None:
        """Report schema drift of ``table`` (kept sorted: the same for any worker count)."""
        self.drift[table] = sorted([*self.drift.get(table, []), *notes])

    def problem(self, strict: bool) -> DmswError | None:
        """The error the command ends with after reporting this run, if any."""
        if self.stopped:
            return SettingsMismatchError(
                "files contradict their settings, not landed: " + "; ".join(self.stopped.values())
            )
        if self.files_failed:
            return FilesFailedError(
                f"{self.files_failed} file(s) failed to land; the next run retries them"
            )
        if self.glue_failed:
            glue = [e for e in self.errors if e.startswith("Glue")]
            return AwsError(glue[0] if glue else "Glue registration failed; the next run retries")
        if strict and (self.rows_quarantined or self.files_quarantined):
            return QuarantineError(
                f"--strict: {self.rows_quarantined} row(s) and {self.files_quarantined} "
                "whole file(s) quarantined"
            )
        return None


def report(summary: RunSummary) -> dict[str, object]:
    """The run report as JSON-ready data (also what ``--report`` writes)."""
    data = asdict(summary)
    data["rows_landed"] = summary.rows_landed
    data["rows_quarantined"] = summary.rows_quarantined
    return data


def printable(text: str) -> str:
    """``text`` with control characters escaped, safe to print to a terminal or a log."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
