"""Top customers by booked amount in the reporting currency, with the per-currency breakdown.

The ranking and every amount come from gold.fact_customer_transaction_totals (the one
definition of customer transaction totals) and its breakdown fact_customer_currency_totals;
names and e-mails come masked from dim_customers_masked unless the reader asked for personal
data (dim_customers).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from report import page, svg
from report.options import Options
from report.page import Section
from report.sections.common import reporting_currency
from report.warehouse import Warehouse

TOTALS = "gold.fact_customer_transaction_totals"
BREAKDOWN = "gold.fact_customer_currency_totals"
CLEAR = ("gold.dim_customers", "full_name", "email")
MASKED = ("gold.dim_customers_masked", "full_name_masked", "email_masked")


@dataclass(frozen=True)
class CustomerTotal:
    rank: int
    customer_id: int
    customer_key: str
    booked: Decimal
    net_flow: Decimal
    pending: Decimal
    reversed: Decimal
    booked_transactions: int
    without_rate: int


def top_customers(warehouse: Warehouse, top: int) -> list[CustomerTotal]:
    rows = warehouse.rows(
        TOTALS,
        [
            "booked_amount_rank",
            "customer_id",
            "latest_customer_key",
            "booked_amount_reporting",
            "booked_net_flow_reporting",
            "pending_amount_reporting",
            "reversed_amount_reporting",
            "posted_transactions",
            "booked_without_rate",
        ],
        where="booked_amount_rank <= ?",
        parameters=[top],
        order_by=["booked_amount_rank"],
    )
    return [CustomerTotal(*row) for row in rows]


def names(
    warehouse: Warehouse, keys: list[str], show_personal_data: bool
) -> dict[str, tuple[str, str]]:
    """customer_key -> (name, e-mail) as the reader may see them."""
    if not keys:
        return {}
    relation, name, email = CLEAR if show_personal_data else MASKED
    placeholders = ", ".join("?" for _ in keys)
    rows = warehouse.rows(
        relation,
        ["customer_key", name, email],
        where=f"customer_key in ({placeholders})",
        parameters=keys,
    )
    return {key: (shown_name or "", shown_email or "") for key, shown_name, shown_email in rows}


def breakdown(
    warehouse: Warehouse, customer_ids: list[int]
) -> dict[int, list[tuple[str, Decimal]]]:
    """customer_id -> [(currency, booked amount in that currency)], currencies with bookings."""
    if not customer_ids:
        return {}
    placeholders = ", ".join("?" for _ in customer_ids)
    rows = warehouse.rows(
        BREAKDOWN,
        ["customer_id", "currency", "booked_amount"],
        where=f"customer_id in ({placeholders}) and posted_transactions > 0",
        parameters=customer_ids,
        order_by=["customer_id", "currency"],
    )
    found: dict[int, list[tuple[str, Decimal]]] = {}
    for customer_id, currency, amount in rows:
        found.setdefault(customer_id, []).append((currency, amount))
    return found


def build(warehouse: Warehouse, options: Options) -> Section:
    currency = reporting_currency(warehouse)
    totals = top_customers(warehouse, options.top)
    shown = names(warehouse, [t.customer_key for t in totals], options.show_personal_data)
    per_currency = breakdown(warehouse, [t.customer_id for t in totals])
    labels = [
        f"{t.rank}. {shown.get(t.customer_key, ('', ''))[0] or t.customer_id}" for t in totals
    ]
    chart = svg.horizontal_bars(
        f"Booked amount per customer ({currency})",
        labels,
        [float(t.booked) for t in totals],
        decimals=2,
        label_width=230,
    )
    rows = [
        [
            str(t.rank),
            str(t.customer_id),
            shown.get(t.customer_key, ("", ""))[0],
            shown.get(t.customer_key, ("", ""))[1],
            page.money(t.booked),
            page.money(t.net_flow),
            page.money(t.pending),
            page.money(t.reversed),
            page.count(t.booked_transactions),
            page.count(t.without_rate),
            " · ".join(f"{c} {page.money(a)}" for c, a in per_currency.get(t.customer_id, [])),
        ]
        for t in totals
    ]
    table = page.table(
        "customer-totals",
        [
            "#Rank",
            "#Customer id",
            "Customer",
            "Email",
            f"#Booked ({currency})",
            f"#Net flow ({currency})",
            f"#Pending ({currency})",
            f"#Reversed ({currency})",
            "#Booked transactions",
            "#Without rate",
            "Booked per currency (own currency)",
        ],
        rows,
    )
    privacy = (
        "Names and e-mails in clear (<code>--show-personal-data</code>, from dim_customers)."
        if options.show_personal_data
        else "Names and e-mails masked (dim_customers_masked); "
        "<code>--show-personal-data</code> shows them in clear."
    )
    note = (
        f"Booked = posted transactions, per customer (all versions of a customer_id), in "
        f"{escape(currency)} at the rate of each booking day; pending and reversed apart. "
        "Transactions without a rate are left out of the amounts in "
        f"{escape(currency)} and counted under 'Without rate'; the last column gives the "
        "booked amounts in each currency as booked. From gold.fact_customer_transaction_totals "
        f'and fact_customer_currency_totals. <span id="personal-data">{privacy}</span>'
    )
    return Section(
        "customers",
        f"Top {len(totals)} customers by booked amount ({currency})",
        note,
        f'<figure id="chart-customers">{chart}</figure>{table}',
    )
