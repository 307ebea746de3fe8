"""Daily booked volume by channel, in the reporting currency, over the latest booking days.

From gold.fact_daily_channel_totals. The table's totals over the window shown are the sums
of the model's daily rows for those days.
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

DAILY = "gold.fact_daily_channel_totals"


def build(warehouse: Warehouse, options: Options) -> Section:
    currency = reporting_currency(warehouse)
    last = latest(warehouse, DAILY, "transaction_date")
    if last is None:
        return Section("channels", "Daily booked volume by channel", "No transactions yet.", "")
    first = last - dt.timedelta(days=options.days - 1)
    rows = warehouse.rows(
        DAILY,
        ["transaction_date", "channel", "posted_transactions", "booked_amount_reporting"],
        where="transaction_date between ? and ?",
        parameters=[first, last],
        order_by=["transaction_date", "channel"],
    )
    days = [first + dt.timedelta(days=i) for i in range(options.days)]
    position = {day: i for i, day in enumerate(days)}
    channels = sorted({channel for _, channel, _, _ in rows})
    daily = {channel: [0.0] * len(days) for channel in channels}
    counts = dict.fromkeys(channels, 0)
    volumes = {channel: Decimal(0) for channel in channels}
    for day, channel, posted, booked in rows:
        daily[channel][position[day]] = float(booked)
        counts[channel] += posted
        volumes[channel] += booked
    ordered = sorted(channels, key=lambda c: (-volumes[c], c))
    chart = svg.stacked_columns(
        f"Daily booked volume by channel ({currency})",
        [day.strftime("%d %b") for day in days],
        {channel: daily[channel] for channel in ordered},
        decimals=2,
        unit=currency,
    )
    table = page.table(
        "channel-volume",
        ["Channel", "#Booked transactions", f"#Booked ({currency})"],
        [[c, page.count(counts[c]), page.money(volumes[c])] for c in ordered],
    )
    note = (
        f"Booked (posted) amounts in {escape(currency)} per booking day and channel, "
        f'<span id="channel-window">{first.isoformat()} to {last.isoformat()}</span> '
        "(the latest booking days up to today); the column heights are in "
        f"{escape(currency)}, on the scale the axis names. Channel 'unknown': no event names "
        "the channel. From gold.fact_daily_channel_totals."
    )
    return Section(
        "channels",
        f"Daily booked volume by channel ({currency})",
        note,
        f'<figure id="chart-channels">{chart}</figure>{table}',
    )
