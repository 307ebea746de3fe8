"""Monthly totals in the reporting currency, with the per-currency breakdown beside them.

From gold.fact_monthly_transaction_totals and fact_monthly_currency_totals: the latest
months with transactions up to today (the source has mistyped future dates).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

from report import page, svg
from report.options import Options
from report.page import Section
from report.sections.common import latest, reporting_currency
from report.warehouse import Warehouse

TOTALS = "gold.fact_monthly_transaction_totals"
BREAKDOWN = "gold.fact_monthly_currency_totals"
COLUMNS = [
    "month_start",
    "booked_amount_reporting",
    "booked_net_flow_reporting",
    "pending_amount_reporting",
    "reversed_amount_reporting",
    "transactions",
    "posted_transactions",
    "booked_without_rate",
    "active_customers",
]


def first_month(last: dt.date, months: int) -> dt.date:
    index = last.year * 12 + last.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def build(warehouse: Warehouse, options: Options) -> Section:
    currency = reporting_currency(warehouse)
    last = latest(warehouse, TOTALS, "month_start")
    if last is None:
        return Section("monthly", "Monthly totals", "No transactions yet.", "")
    first = first_month(last, options.months)
    months = warehouse.rows(
        TOTALS,
        COLUMNS,
        where="month_start between ? and ?",
        parameters=[first, last],
        order_by=["month_start"],
    )
    per_currency = warehouse.rows(
        BREAKDOWN,
        ["month_start", "currency", "booked_amount"],
        where="month_start between ? and ?",
        parameters=[first, last],
        order_by=["month_start", "currency"],
    )
    currencies = sorted({c for _, c, _ in per_currency})
    booked: dict[tuple[dt.date, str], Decimal] = {(m, c): a for m, c, a in per_currency}
    chart = svg.stacked_columns(
        f"Booked volume per month ({currency})",
        [m[0].strftime("%b %Y") for m in months],
        {"booked": [float(m[1]) for m in months]},
        decimals=2,
        unit=currency,
    )
    totals = page.table(
        "monthly-totals",
        [
            "Month",
            f"#Booked ({currency})",
            f"#Net flow ({currency})",
            f"#Pending ({currency})",
            f"#Reversed ({currency})",
            "#Transactions",
            "#Booked transactions",
            "#Without rate",
            "#Active customers",
        ],
        [
            [m[0].strftime("%Y-%m"), *map(page.money, m[1:5]), *map(page.count, m[5:])]
            for m in months
        ],
    )
    breakdown = page.table(
        "monthly-currencies",
        ["Month", *(f"#{c}" for c in currencies)],
        [
            [m[0].strftime("%Y-%m"), *(page.money(booked.get((m[0], c))) for c in currencies)]
            for m in months
        ],
    )
    note = (
        f"Booked = posted transactions by month of booking, in {escape(currency)} at the rate "
        f"of each booking day; pending and reversed apart; "
        f'<span id="monthly-window">{first.strftime("%Y-%m")} to {last.strftime("%Y-%m")}</span> '
        "(the latest months with transactions up to today). Transactions without a rate are "
        "left out of the amounts and counted under 'Without rate'. Active customers: known "
        "customers with a transaction that month. From gold.fact_monthly_transaction_totals "
        "and, per currency in the currency itself, fact_monthly_currency_totals."
    )
    return Section(
        "monthly",
        f"Monthly booked volume ({currency})",
        note,
        f'<figure id="chart-monthly">{chart}</figure>{totals}'
        f"<h3>Booked per currency, in each currency</h3>{breakdown}",
    )
