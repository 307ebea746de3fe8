"""Headline figures: the size of the star and of what the quality policy set aside."""

from __future__ import annotations

from report import page
from report.options import Options
from report.page import Section
from report.sections.common import reporting_currency
from report.sections.data_quality import QUARANTINE, silver_rejects
from report.warehouse import Warehouse


def build(warehouse: Warehouse, options: Options) -> Section:
    currency = reporting_currency(warehouse)
    current = "is_current and not is_unknown_member"
    figures = [
        ("transactions", warehouse.total("gold.fact_transactions"), "transactions in gold"),
        ("customers", warehouse.total("gold.dim_customers", where=current), "current customers"),
        ("accounts", warehouse.total("gold.dim_accounts", where=current), "current accounts"),
        (
            "without-rate",
            warehouse.total("gold.fact_transactions", where="amount_reporting is null"),
            f"transactions without a rate into {currency}",
        ),
        (
            "rejected",
            sum(warehouse.total(model) for model in silver_rejects(warehouse)),
            "rows rejected in silver",
        ),
        ("quarantined", warehouse.total(QUARANTINE), "records quarantined at landing"),
    ]
    return Section(
        "headline",
        "At a glance",
        f"Amounts in this report are in {currency}, the reporting currency, unless a column "
        "says otherwise.",
        page.kpis([(key, page.count(value), label) for key, value, label in figures]),
    )
