"""Data quality: what the quality policy flagged, rejected and quarantined.

- Flags and rejects per entity and rule: silver.slv_data_quality (current rows carrying each
  flag in quality_issues, rejected keys per reject code), described by the quality_codes
  seed.
- Gold's own flag, missing_rate: transactions of gold.fact_transactions without a rate into
  the reporting currency, per currency.
- Rejects and quarantine by reason over time: the rows of every silver slv_<entity>__rejects
  model (by the day of their latest change) and of bronze.stg_landing__quarantine (by the day
  they were landed; quoted values in reasons blanked so reasons group).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from html import escape

from report import page, svg
from report.options import Options
from report.page import Section
from report.sections.common import reporting_currency
from report.warehouse import Warehouse

FLAGS = "silver.slv_data_quality"
CODES = "reference.quality_codes"
FACTS = "gold.fact_transactions"
QUARANTINE = "bronze.stg_landing__quarantine"
MAX_SERIES = 9
QUOTED = re.compile(r"'[^']*'")


@dataclass(frozen=True)
class Reject:
    stage: str
    entity: str
    reason: str
    day: dt.date | None


def silver_rejects(warehouse: Warehouse) -> list[str]:
    """Every silver slv_<entity>__rejects model (one per contract)."""
    return [name for name in warehouse.relations("silver", "slv_%") if name.endswith("__rejects")]


def rejects(warehouse: Warehouse) -> list[Reject]:
    found: list[Reject] = []
    for model in silver_rejects(warehouse):
        entity = model.removeprefix("silver.slv_").removesuffix("__rejects")
        for reason, changed_at in warehouse.rows(model, ["reject_reason", "last_changed_at"]):
            day = changed_at.date() if changed_at is not None else None
            found.append(Reject("silver", entity, str(reason), day))
    for table, reason, landed_at in warehouse.rows(
        QUARANTINE, ["source_table", "reason", "landed_at"]
    ):
        day = landed_at.date() if landed_at is not None else None
        found.append(Reject("landing", str(table), QUOTED.sub("'…'", str(reason)), day))
    return found


def _rules_table(warehouse: Warehouse) -> str:
    descriptions = {
        (entity, code): description
        for entity, code, description in warehouse.rows(CODES, ["entity", "code", "description"])
    }
    rows = warehouse.rows(
        FLAGS,
        ["entity", "code", "consequence", "current_rows"],
        order_by=["entity", "code"],
    )
    return page.table(
        "data-quality-rules",
        ["Entity", "Code", "Consequence", "#Rows", "Rule"],
        [
            [str(e), str(c), str(k), page.count(n), str(descriptions.get((e, c), ""))]
            for e, c, k, n in rows
        ],
    )


def _missing_rates_table(warehouse: Warehouse) -> str:
    counts = warehouse.count(FACTS, by="currency", where="amount_reporting is null")
    totals = warehouse.count(FACTS, by="currency")
    return page.table(
        "missing-rates",
        ["Currency", "#Without rate", "#Transactions"],
        [
            [str(currency), page.count(counts.get(currency, 0)), page.count(n)]
            for currency, n in sorted(totals.items(), key=lambda item: str(item[0]))
        ],
    )


def _rejects_chart_and_table(found: list[Reject]) -> str:
    daily = Counter((r.day, f"{r.entity}: {r.reason}") for r in found if r.day is not None)
    by_series = Counter(f"{r.entity}: {r.reason}" for r in found if r.day is not None)
    ranked = sorted(by_series, key=lambda name: (-by_series[name], name))
    shown = ranked[:MAX_SERIES]
    days = sorted({day for day, _ in daily if day is not None})
    if days:
        series: dict[str, list[float]] = {name: [0.0] * len(days) for name in shown}
        if len(ranked) > len(shown):
            series["other"] = [0.0] * len(days)
        index = {day: i for i, day in enumerate(days)}
        for (day, name), n in daily.items():
            if day is not None:
                series[name if name in shown else "other"][index[day]] += n
        chart = svg.stacked_columns(
            "Rejected and quarantined records by day and reason",
            [day.isoformat() for day in days],
            series,
        )
    else:
        chart = "<p>No rejected or quarantined records.</p>"
    groups: dict[tuple[str, str, str], list[dt.date | None]] = {}
    for r in found:
        groups.setdefault((r.stage, r.entity, r.reason), []).append(r.day)
    rows = []
    for (stage, entity, reason), dates in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1], -len(item[1]), item[0][2])
    ):
        known = [d for d in dates if d is not None]
        rows.append(
            [
                stage,
                entity,
                reason,
                page.count(len(dates)),
                min(known).isoformat() if known else "",
                max(known).isoformat() if known else "",
            ]
        )
    table = page.table(
        "rejects-by-reason",
        ["Stage", "Entity", "Reason", "#Records", "First day", "Last day"],
        rows,
    )
    return f'<figure id="chart-rejects">{chart}</figure>{table}'


def build(warehouse: Warehouse, options: Options) -> Section:
    currency = reporting_currency(warehouse)
    note = (
        "The quality policy (docs/contracts.md) keeps a row with a bad attribute and flags it "
        "(quality_issues), and rejects only records that cannot be used. Flags and rejects "
        "per rule: silver.slv_data_quality (current rows carrying each flag; rejected keys "
        "per reject code). Gold's own flag, missing_rate: transactions without a rate into "
        f"{escape(currency)} (history before the rates, future-dated bookings, unknown "
        "currencies). Over time: silver rejects (slv_*__rejects, by the day of their latest "
        "change) and the landing quarantine (records that did not fit their contract, by the "
        "day they were landed; quoted values in reasons blanked)."
    )
    content = (
        f"<h3>Flags and rejects per rule</h3>{_rules_table(warehouse)}"
        f"<h3>Transactions without a rate into {escape(currency)} (flag missing_rate)</h3>"
        f"{_missing_rates_table(warehouse)}"
        f"<h3>Rejected and quarantined records by reason over time</h3>"
        f"{_rejects_chart_and_table(rejects(warehouse))}"
    )
    return Section("rejects", "Data quality: flags, rejects and quarantine", note, content)
