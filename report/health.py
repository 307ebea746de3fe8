"""Pipeline health as text: the summary `make run` and `make health` print.

    python -m report.health --database data/warehouse.duckdb

What it shows is read from the ops models (report.health_data: landing runs, per table what
landed and when, the quarantine by reason, dbt invocations and source freshness checks); the
report's health section (report.sections.pipeline_health) shows the same as HTML, in the
words of the helpers here (ages, moments, freshness).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from report.health_data import Freshness, Health, read


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


def freshness_text(result: Freshness | None) -> str:
    if result is None:
        return "not checked"
    if result.status == "runtime error":
        return "not checked (the check failed)"
    if result.max_loaded_at is None:
        return f"{result.status} (no rows)"
    checked = "stale: " if result.status in ("warn", "error") else ""
    return f"{result.status} ({checked}{age(result.age_s)} old)" if result.age_s else result.status


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
                f"    {t.table:<{width}}  {lag}; freshness {freshness_text(t.freshness)}"
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
