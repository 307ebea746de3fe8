"""The account status mix: current accounts of gold.dim_accounts counted per status."""

from __future__ import annotations

from report import page, svg
from report.options import Options
from report.page import Section
from report.warehouse import Warehouse

ACCOUNTS = "gold.dim_accounts"


def build(warehouse: Warehouse, options: Options) -> Section:
    counts = warehouse.count(ACCOUNTS, by="status", where="is_current and not is_unknown_member")
    statuses = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    total = sum(counts.values()) or 1
    chart = svg.horizontal_bars(
        "Accounts by status",
        [str(s) for s, _ in statuses],
        [n for _, n in statuses],
        label_width=90,
    )
    table = page.table(
        "account-status",
        ["Status", "#Accounts", "#Share %"],
        [[str(s), page.count(n), f"{100 * n / total:.1f}"] for s, n in statuses],
    )
    return Section(
        "accounts",
        "Account status mix",
        "Current accounts in gold.dim_accounts (the unknown member excluded).",
        f'<figure id="chart-accounts">{chart}</figure>{table}',
    )
