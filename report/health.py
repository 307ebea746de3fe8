"""Pipeline health: the report's health section and the summary `make run` prints.

    python -m report.health --database data/warehouse.duckdb

Everything comes from the ops models (models/ops/, README "Operating it"): the landing runs
(ops_landing_runs, from the run reports), per table what landed and when
(ops_landing_totals), the quarantine by reason (ops_landing_quarantine_by_reason), and the
dbt invocations and their results, source freshness checks included (ops_dbt_invocations,
ops_dbt_results, written by the on-run-end hook). Each is read with a plain select of columns;
the lag of a table is the time from its newest commit landed to when the report is made.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path

from report import page, svg
from report.warehouse import Warehouse

RUNS = "ops.ops_landing_runs"
TOTALS = "ops.ops_landing_totals"
QUARANTINE = "ops.ops_landing_quarantine_by_reason"
INVOCATIONS = "ops.ops_dbt_invocations"
RESULTS = "ops.ops_dbt_results"
SHOWN_RUNS = 20
MAX_SERIES = 8


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


# -- presentation ------------------------------------------------------------------------------


def age(delta: dt.timedelta | float | None) -> str:
    """A duration as people read it: '45 s', '12 min', '5 h 3 min', '9 d 2 h'."""
    if delta is None:
        return ""
    seconds = int(delta.total_seconds() if isinstance(delta, dt.timedelta) else delta)
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def moment(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _freshness_text(result: Freshness | None) -> str:
    if result is None:
        return "not checked"
    if result.status == "runtime error":
        return "not checked (the check failed)"
    if result.max_loaded_at is None:
        return f"{result.status} (no rows)"
    checked = "stale: " if result.status in ("warn", "error") else ""
    return f"{result.status} ({checked}{age(result.age_s)} old)" if result.age_s else result.status


def _tables_html(health: Health) -> str:
    checked = (
        f" The freshness column is the last <code>dbt source freshness</code> "
        f"({moment(health.freshness_checked_at)} UTC)."
        if health.freshness_checked_at
        else " No <code>dbt source freshness</code> recorded yet (<code>make run</code> runs it)."
    )
    return (
        f'<h3>Lag per table</h3><p class="note">Lag: from the newest DMS commit landed to '
        f"{moment(health.generated_at)} UTC.{checked}</p>"
        + page.table(
            "health-tables",
            [
                "Table",
                "Last landed (UTC)",
                "Newest commit (UTC)",
                "Lag",
                "Freshness",
                "#Files quarantined whole",
                "#Records quarantined",
            ],
            [
                [
                    t.table,
                    moment(t.last_landed_at),
                    moment(t.newest_commit_at),
                    age(t.lag),
                    _freshness_text(t.freshness),
                    svg.format_number(t.files_quarantined),
                    svg.format_number(t.rows_quarantined),
                ]
                for t in health.tables
            ],
        )
    )


def _landing_html(health: Health) -> str:
    runs = list(reversed(health.landing_runs))  # oldest first in the chart
    chart = (
        svg.stacked_columns(
            "Rows landed and records quarantined per landing run",
            [moment(r.started_at) for r in runs],
            {
                "landed": [float(r.rows_landed) for r in runs],
                "quarantined": [float(r.rows_quarantined) for r in runs],
            },
        )
        if runs
        else "<p>No landing run recorded.</p>"
    )
    table = page.table(
        "health-landing-runs",
        [
            "Run",
            "Started (UTC)",
            "#Seconds",
            "#Files landed",
            "#Files quarantined whole",
            "#Rows landed",
            "#Records quarantined",
        ],
        [
            [
                r.run_id,
                moment(r.started_at),
                f"{r.duration_s:.1f}",
                svg.format_number(r.files_landed),
                svg.format_number(r.files_quarantined),
                svg.format_number(r.rows_landed),
                svg.format_number(r.rows_quarantined),
            ]
            for r in health.landing_runs
        ],
    )
    return (
        f"<h3>Landing runs (last {SHOWN_RUNS})</h3>"
        f'<figure id="chart-health-landing">{chart}</figure>{table}'
    )


def _dbt_html(health: Health) -> str:
    table = page.table(
        "health-dbt-runs",
        [
            "Started (UTC)",
            "Command",
            "#Seconds",
            "Result",
            "#Models built",
            "#Models failed",
            "#Tests passed",
            "#Tests warned",
            "#Tests failed",
            "#Sources stale",
        ],
        [
            [
                moment(r.started_at),
                r.command,
                f"{r.duration_s:.1f}",
                "ok" if r.succeeded else "failed",
                svg.format_number(r.models_built),
                svg.format_number(r.models_failed),
                svg.format_number(r.tests_passed),
                svg.format_number(r.tests_warned),
                svg.format_number(r.tests_failed),
                svg.format_number(r.sources_stale),
            ]
            for r in health.dbt_runs
        ],
    )
    return f"<h3>dbt invocations (last {SHOWN_RUNS})</h3>{table}"


def _quarantine_html(health: Health) -> str:
    if not health.quarantine:
        return "<h3>Quarantine over time</h3><p>Nothing quarantined.</p>"
    per_series: dict[str, int] = {}
    for q in health.quarantine:
        per_series[q.reason] = per_series.get(q.reason, 0) + q.records + q.whole_files
    ranked = sorted(per_series, key=lambda name: (-per_series[name], name))
    shown = ranked[:MAX_SERIES]
    days = sorted({q.day for q in health.quarantine})
    index = {day: i for i, day in enumerate(days)}
    series = {name: [0.0] * len(days) for name in shown}
    if len(ranked) > len(shown):
        series["other"] = [0.0] * len(days)
    for q in health.quarantine:
        name = q.reason if q.reason in shown else "other"
        series[name][index[q.day]] += q.records + q.whole_files
    chart = svg.stacked_columns(
        "Quarantined records and whole files per landing day and reason",
        [day.isoformat() for day in days],
        series,
    )
    table = page.table(
        "health-quarantine",
        ["Day", "Table", "Reason", "#Records", "#Whole files"],
        [
            [
                q.day.isoformat(),
                q.table,
                q.reason,
                svg.format_number(q.records),
                svg.format_number(q.whole_files),
            ]
            for q in health.quarantine
        ],
    )
    return (
        f'<h3>Quarantine over time</h3><figure id="chart-health-quarantine">{chart}</figure>{table}'
    )


def section(health: Health) -> page.Section:
    """The report's health section (``<section id="health">``)."""
    missing = (
        f"<p>Not in this warehouse: {escape(', '.join(health.missing))} (built by "
        "<code>dbt build</code>; the landing ones on DuckDB only).</p>"
        if health.missing
        else ""
    )
    note = (
        "From the ops models: landing runs from their run reports, quarantine by reason, every "
        "dbt invocation and source freshness check (README, \u201cOperating it\u201d)."
    )
    return page.Section(
        "health",
        "Pipeline health",
        note,
        f"{missing}{_tables_html(health)}{_landing_html(health)}{_dbt_html(health)}"
        f"{_quarantine_html(health)}",
    )


def summary_text(health: Health) -> str:
    """A few lines for the terminal: last landing run, last build, freshness per table."""
    lines = ["Pipeline health (ops schema; README, 'Operating it'):"]
    if health.landing_runs:
        run = health.landing_runs[0]
        lines.append(
            f"  last landing run  {moment(run.started_at)} UTC, {run.duration_s:.1f} s: "
            f"{run.files_landed} file(s) landed, {run.rows_landed} row(s); quarantined: "
            f"{run.rows_quarantined} record(s), {run.files_quarantined} whole file(s)"
        )
    builds = [r for r in health.dbt_runs if r.command in ("build", "run")]
    if builds:
        build = builds[0]
        lines.append(
            f"  last dbt {build.command:<9}{moment(build.started_at)} UTC, "
            f"{build.duration_s:.0f} s: {'ok' if build.succeeded else 'FAILED'}; "
            f"{build.models_built} model(s) built, {build.models_failed} failed; tests "
            f"{build.tests_passed} passed, {build.tests_warned} warned, {build.tests_failed} failed"
        )
    if health.tables:
        lines.append("  per table (lag: from the newest commit landed to now):")
        width = max(len(t.table) for t in health.tables)
        for t in health.tables:
            lag = f"lag {age(t.lag)}" if t.lag is not None else "no commit time landed"
            quarantined = (
                f"; quarantined {t.rows_quarantined} record(s), {t.files_quarantined} whole file(s)"
                if t.rows_quarantined or t.files_quarantined
                else ""
            )
            lines.append(
                f"    {t.table:<{width}}  {lag}; freshness {_freshness_text(t.freshness)}"
                f"{quarantined}"
            )
    if health.missing:
        lines.append(f"  not built yet: {', '.join(health.missing)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report.health", description=__doc__)
    parser.add_argument("--database", type=Path, default=Path("data/warehouse.duckdb"))
    args = parser.parse_args(argv)
    if not args.database.exists():
        parser.error(f"{args.database} does not exist: build the warehouse first (make run)")
    print(summary_text(read(args.database)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
