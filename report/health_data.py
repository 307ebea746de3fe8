"""Pipeline health as data: what the report's health section and ``make health`` show, read
from the ops models (models/ops/, README "Operating it").

The landing runs (ops_landing_runs, from the run reports), per table what landed and when
(ops_landing_totals), the quarantine by reason (ops_landing_quarantine_by_reason), and the
dbt invocations and their results, source freshness checks included (ops_dbt_invocations,
ops_dbt_results, written by the on-run-end hook). Each is read with a plain select of columns;
the lag of a table is the time from its newest commit landed to when the report is made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from report.warehouse import Warehouse

RUNS = "ops.ops_landing_runs"
TOTALS = "ops.ops_landing_totals"
QUARANTINE = "ops.ops_landing_quarantine_by_reason"
INVOCATIONS = "ops.ops_dbt_invocations"
RESULTS = "ops.ops_dbt_results"
SHOWN_RUNS = 20


@dataclass(frozen=True)
class LandingRun:
    run_id: str
    started_at: dt.datetime
    duration_s: float
    files_landed: int
    files_quarantined: int
    rows_landed: int
    rows_quarantined: int


@dataclass(frozen=True)
class DbtRun:
    invocation_id: str
    command: str
    started_at: dt.datetime
    duration_s: float
    succeeded: bool
    models_built: int
    models_failed: int
    tests_passed: int
    tests_warned: int
    tests_failed: int
    sources_fresh: int
    sources_stale: int


@dataclass(frozen=True)
class Freshness:
    status: str
    max_loaded_at: dt.datetime | None
    age_s: float | None


@dataclass(frozen=True)
class TableHealth:
    table: str
    last_landed_at: dt.datetime | None
    newest_commit_at: dt.datetime | None
    lag: dt.timedelta | None
    """From the newest commit landed to when the report was made."""
    files_quarantined: int
    rows_quarantined: int
    freshness: Freshness | None
    """The table's result in the last `dbt source freshness`, if one ran."""


@dataclass(frozen=True)
class QuarantineCount:
    day: dt.date
    table: str
    reason: str
    records: int
    whole_files: int


@dataclass
class Health:
    generated_at: dt.datetime
    landing_runs: list[LandingRun] = field(default_factory=list)
    """Newest first."""
    dbt_runs: list[DbtRun] = field(default_factory=list)
    """Newest first."""
    freshness_checked_at: dt.datetime | None = None
    tables: list[TableHealth] = field(default_factory=list)
    quarantine: list[QuarantineCount] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Ops models the warehouse does not have (not built yet, or not DuckDB)."""


def _seconds(value: Decimal | float | None) -> float:
    return float(value) if value is not None else 0.0


def collect(
    warehouse: Warehouse, now: dt.datetime | None = None, shown_runs: int = SHOWN_RUNS
) -> Health:
    """What the health section shows, as of ``now`` (UTC, naive; default: the current time)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    health = Health(generated_at=now)
    existing = set(warehouse.relations("ops", "%"))
    health.missing = [
        name for name in (RUNS, TOTALS, QUARANTINE, INVOCATIONS, RESULTS) if name not in existing
    ]
    if RUNS in existing:
        health.landing_runs = [
            LandingRun(str(r[0]), r[1], _seconds(r[2]), *(int(v or 0) for v in r[3:]))
            for r in warehouse.rows(
                RUNS,
                [
                    "landing_run_id",
                    "started_at",
                    "duration_s",
                    "files_landed",
                    "files_quarantined",
                    "rows_landed",
                    "rows_quarantined",
                ],
                order_by=["started_at desc", "landing_run_id"],
                limit=shown_runs,
            )
        ]
    if INVOCATIONS in existing:
        health.dbt_runs = [
            DbtRun(str(r[0]), str(r[1]), r[2], _seconds(r[3]), bool(r[4]), *map(int, r[5:]))
            for r in warehouse.rows(
                INVOCATIONS,
                [
                    "invocation_id",
                    "command",
                    "started_at",
                    "duration_s",
                    "succeeded",
                    "models_built",
                    "models_failed",
                    "tests_passed",
                    "tests_warned",
                    "tests_failed",
                    "sources_fresh",
                    "sources_stale",
                ],
                order_by=["started_at desc", "invocation_id"],
                limit=shown_runs,
            )
        ]
    freshness = _last_freshness(warehouse, existing, health)
    if TOTALS in existing:
        for row in warehouse.rows(
            TOTALS,
            [
                "source_schema",
                "source_table",
                "last_landed_at",
                "newest_commit_at",
                "files_quarantined",
                "rows_quarantined",
            ],
            order_by=["source_schema", "source_table"],
        ):
            table = f"{row[0]}.{row[1]}"
            newest: dt.datetime | None = row[3]
            health.tables.append(
                TableHealth(
                    table,
                    row[2],
                    newest,
                    now - newest if newest is not None else None,
                    int(row[4] or 0),
                    int(row[5] or 0),
                    freshness.pop(table, None),
                )
            )
    for table, result in sorted(freshness.items()):  # checked, but nothing landed for it
        if table != "landing.runs":
            health.tables.append(TableHealth(table, None, None, None, 0, 0, result))
    if QUARANTINE in existing:
        health.quarantine = [
            QuarantineCount(r[0].date(), f"{r[1]}.{r[2]}", str(r[3]), int(r[4]), int(r[5]))
            for r in warehouse.rows(
                QUARANTINE,
                [
                    "landed_at",
                    "source_schema",
                    "source_table",
                    "reason_kind",
                    "records",
                    "whole_files",
                ],
                order_by=["landed_at", "source_schema", "source_table", "reason_kind"],
            )
        ]
    return health


def _last_freshness(
    warehouse: Warehouse, existing: set[str], health: Health
) -> dict[str, Freshness]:
    """Per source table, its result in the last `dbt source freshness` recorded."""
    if INVOCATIONS not in existing or RESULTS not in existing:
        return {}
    last = warehouse.rows(
        INVOCATIONS,
        ["invocation_id", "started_at"],
        where="command = 'freshness'",
        order_by=["started_at desc"],
        limit=1,
    )
    if not last:
        return {}
    invocation, health.freshness_checked_at = last[0]
    return {
        str(name): Freshness(str(status), loaded, float(age) if age is not None else None)
        for name, status, loaded, age in warehouse.rows(
            RESULTS,
            ["node_name", "status", "max_loaded_at", "age_s"],
            where="invocation_id = ? and resource_type = 'source'",
            parameters=[invocation],
        )
    }


def read(database: Path, now: dt.datetime | None = None) -> Health:
    with Warehouse.open(database) as warehouse:
        return collect(warehouse, now)
