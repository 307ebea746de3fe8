"""Pipeline health: lag per table, the last landing runs and dbt invocations, quarantine over
time, from the ops models (report.health_data; report.health prints the same as text for
`make health`)."""

from __future__ import annotations

from html import escape

from report import page, svg
from report.health import age, freshness_text, moment
from report.health_data import SHOWN_RUNS, Health, collect
from report.options import Options
from report.page import Section
from report.warehouse import Warehouse

MAX_SERIES = 8


def build(warehouse: Warehouse, options: Options) -> Section:
    return section(collect(warehouse))


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
                    freshness_text(t.freshness),
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
