"""Lookups several sections share: the reporting currency and the latest booking period."""

from __future__ import annotations

import datetime as dt

from report.warehouse import Warehouse

FACTORS = "silver.slv_exchange_rates__reporting"


def reporting_currency(warehouse: Warehouse) -> str:
    """The currency of every *_reporting amount (var reporting_currency when dbt built it)."""
    rows = warehouse.rows(FACTORS, ["reporting_currency"], limit=1)
    return str(rows[0][0]) if rows else "?"


def latest(
    warehouse: Warehouse, relation: str, column: str, *, today: dt.date | None = None
) -> dt.date | None:
    """The latest value of a date column among rows with transactions, not after today (the
    source has mistyped future dates): where a window of days or months ends."""
    rows = warehouse.rows(
        relation,
        [column],
        where=f"transactions > 0 and {column} <= ?",
        parameters=[today or dt.date.today()],
        order_by=[f"{column} desc"],
        limit=1,
    )
    return rows[0][0] if rows else None
