"""The warehouse report: one static HTML file from the gold (and silver/bronze DQ) tables.

    python -m report --database data/warehouse.duckdb --out reports/build/report.html

Everything is read with plain SQL from a read-only DuckDB connection; the charts are inline
SVG (report.svg), so the file needs no network and no JavaScript to render.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from report import health, svg

REJECT_MODELS = (
    ("customers", "slv_customers__rejects"),
    ("accounts", "slv_accounts__rejects"),
    ("transactions", "slv_transactions__rejects"),
    ("transaction_events", "slv_transaction_events__rejects"),
)
MAX_REJECT_SERIES = 9


@dataclass
class CustomerTotal:
    customer_id: int
    customer_name: str
    email: str | None
    transactions: int
    total_amount: Decimal
    currencies: str


@dataclass
class ChannelVolume:
    currency: str
    first_day: dt.date
    last_day: dt.date
    days: list[dt.date]
    # channel -> daily volume (sum of amount) aligned with days
    daily: dict[str, list[Decimal]]
    # channel -> (transactions, volume) over the window
    totals: dict[str, tuple[int, Decimal]]


@dataclass
class RejectCount:
    stage: str
    entity: str
    reason: str
    records: int
    first_day: dt.date | None
    last_day: dt.date | None


@dataclass
class ReportData:
    generated_at: dt.datetime
    headline: dict[str, int]
    customer_totals: list[CustomerTotal]
    channel_volume: ChannelVolume | None
    account_status: list[tuple[str, int]]
    rejects: list[RejectCount]
    # (day, "entity: reason") -> records, for the chart
    rejects_daily: dict[tuple[dt.date, str], int] = field(default_factory=dict)
    pipeline_health: health.Health | None = None


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = ?",
        [schema, table, column],
    ).fetchone()
    return bool(row and row[0])


def _current_filter(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Dimensions that keep history (SCD2) have is_current; the report wants current rows."""
    return " and is_current" if _has_column(con, "gold", table, "is_current") else ""


def customer_totals(con: duckdb.DuckDBPyConnection, top: int) -> list[CustomerTotal]:
    """The finance team's query: total transaction amount per customer, largest first.

    Facts join the customer version they carry (customer_key); totals are per customer
    (customer_id), named by the customer's current row. Amounts are added across currencies,
    as finance's query does; the currencies column says which were added.
    """
    current = _current_filter(con, "dim_customers")
    rows = con.execute(
        f"""
        with totals as (
            select
                customers.customer_id,
                count(*) as transactions,
                sum(facts.amount) as total_amount,
                string_agg(distinct facts.currency, ', ' order by facts.currency) as currencies
            from gold.fact_transactions as facts
            inner join gold.dim_customers as customers
                on facts.customer_key = customers.customer_key
            where not customers.is_unknown_member
            group by customers.customer_id
        ),
        names as (
            select customer_id, full_name, email
            from gold.dim_customers
            where not is_unknown_member{current}
        )
        select
            totals.customer_id, names.full_name, names.email, totals.transactions,
            totals.total_amount, totals.currencies
        from totals
        inner join names on totals.customer_id = names.customer_id
        order by totals.total_amount desc, totals.customer_id
        limit ?
        """,
        [top],
    ).fetchall()
    return [CustomerTotal(*row) for row in rows]


def channel_volume(
    con: duckdb.DuckDBPyConnection, days: int, currency: str | None
) -> ChannelVolume | None:
    """Daily volume (sum of amount) by channel over the last ``days`` booking days.

    The window ends at the latest booking date that is not in the future (the source has
    mistyped future dates), and amounts are in one currency: ``currency``, or the one with
    the most transactions in the window.
    """
    row = con.execute(
        "select max(transaction_date) from gold.fact_transactions "
        "where transaction_date <= current_date"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    last_day: dt.date = row[0]
    first_day = last_day - dt.timedelta(days=days - 1)
    if currency is None:
        picked = con.execute(
            "select currency from gold.fact_transactions "
            "where transaction_date between ? and ? "
            "group by currency order by count(*) desc, currency limit 1",
            [first_day, last_day],
        ).fetchone()
        if picked is None:
            return None
        currency = str(picked[0])
    rows = con.execute(
        "select transaction_date, channel, count(*), sum(amount) from gold.fact_transactions "
        "where transaction_date between ? and ? and currency = ? group by all order by all",
        [first_day, last_day, currency],
    ).fetchall()
    day_list = [first_day + dt.timedelta(days=i) for i in range(days)]
    position = {day: i for i, day in enumerate(day_list)}
    channels = sorted({r[1] for r in rows})
    daily = {channel: [Decimal(0)] * days for channel in channels}
    counts = dict.fromkeys(channels, 0)
    volumes = {channel: Decimal(0) for channel in channels}
    for day, channel, count, volume in rows:
        daily[channel][position[day]] = volume
        counts[channel] += count
        volumes[channel] += volume
    totals = {c: (counts[c], volumes[c]) for c in sorted(channels, key=lambda c: -volumes[c])}
    return ChannelVolume(currency, first_day, last_day, day_list, daily, totals)


def account_status(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    current = _current_filter(con, "dim_accounts")
    rows = con.execute(
        "select status, count(*) from gold.dim_accounts "
        f"where not is_unknown_member{current} group by status order by count(*) desc, status"
    ).fetchall()
    return [(str(status), int(count)) for status, count in rows]


def _reject_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, dt.date | None]]:
    """(stage, entity, reason, day) per rejected or quarantined record, aggregated later."""
    parts = [
        f"select 'silver' as stage, '{entity}' as entity, reject_reason as reason, "
        f"cast(last_changed_at as date) as day from silver.{model}"
        for entity, model in REJECT_MODELS
    ]
    # Quarantine reasons quote the offending value; blank it so reasons group.
    parts.append(
        "select 'landing', source_table, "
        "regexp_replace(reason, '''[^'']*''', '''…''', 'g'), cast(landed_at as date) "
        "from bronze.stg_landing__quarantine"
    )
    sql = " union all ".join(parts)
    return [
        (str(stage), str(entity), str(reason), day)
        for stage, entity, reason, day in con.execute(sql).fetchall()
    ]


def rejects(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[RejectCount], dict[tuple[dt.date, str], int]]:
    counts: dict[tuple[str, str, str], list[Any]] = {}
    daily: dict[tuple[dt.date, str], int] = {}
    for stage, entity, reason, day in _reject_rows(con):
        entry = counts.setdefault((stage, entity, reason), [0, None, None])
        entry[0] += 1
        if day is not None:
            entry[1] = day if entry[1] is None else min(entry[1], day)
            entry[2] = day if entry[2] is None else max(entry[2], day)
            key = (day, f"{entity}: {reason}")
            daily[key] = daily.get(key, 0) + 1
    table = [
        RejectCount(stage, entity, reason, n, first, last)
        for (stage, entity, reason), (n, first, last) in counts.items()
    ]
    table.sort(key=lambda r: (r.stage, r.entity, -r.records, r.reason))
    return table, daily


def headline(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    customers = _current_filter(con, "dim_customers")
    accounts = _current_filter(con, "dim_accounts")
    queries = {
        "transactions": "select count(*) from gold.fact_transactions",
        "customers": f"select count(*) from gold.dim_customers "
        f"where not is_unknown_member{customers}",
        "accounts": f"select count(*) from gold.dim_accounts where not is_unknown_member{accounts}",
        "rejected": "select "
        + " + ".join(f"(select count(*) from silver.{model})" for _, model in REJECT_MODELS),
        "quarantined": "select count(*) from bronze.stg_landing__quarantine",
    }
    values: dict[str, int] = {}
    for name, sql in queries.items():
        row = con.execute(sql).fetchone()
        values[name] = int(row[0]) if row else 0
    return values


def collect(
    database: Path, *, top: int = 15, days: int = 60, currency: str | None = None
) -> ReportData:
    with duckdb.connect(str(database), read_only=True) as con:
        reject_table, reject_daily = rejects(con)
        return ReportData(
            generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            headline=headline(con),
            customer_totals=customer_totals(con, top),
            channel_volume=channel_volume(con, days, currency),
            account_status=account_status(con),
            rejects=reject_table,
            rejects_daily=reject_daily,
            pipeline_health=health.collect(con),
        )


# -- HTML ------------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;
  color:#1d2733;background:#f6f7f9}
header{background:#1d2733;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#c9d1da;font-size:13px}
main{max-width:1000px;margin:0 auto;padding:16px 32px 48px}
section{background:#fff;border:1px solid #e2e6ea;border-radius:8px;padding:16px 20px;
  margin:16px 0}
h2{font-size:18px;margin:0 0 4px} .note{color:#5b6770;font-size:13px;margin:0 0 12px}
.kpis{display:flex;flex-wrap:wrap;gap:12px}
.kpi{flex:1 1 150px;background:#fff;border:1px solid #e2e6ea;border-radius:8px;padding:12px}
.kpi .v{font-size:24px;font-weight:600} .kpi .k{color:#5b6770;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:12px}
th,td{padding:4px 8px;border-bottom:1px solid #eef0f2;text-align:left}
th{background:#f0f2f4} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:0}
"""


def _table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    numeric = [h.startswith("#") for h in headers]
    head = "".join(
        f'<th class="num">{escape(h[1:])}</th>' if num else f"<th>{escape(h)}</th>"
        for h, num in zip(headers, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(cell)}</td>' if num else f"<td>{escape(cell)}</td>"
            for cell, num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _section(section_id: str, title: str, note: str, content: str) -> str:
    return (
        f'<section id="{section_id}"><h2>{escape(title)}</h2>'
        f'<p class="note">{note}</p>{content}</section>'
    )


def _customers_section(data: ReportData) -> str:
    totals = data.customer_totals
    chart = svg.horizontal_bars(
        "Total transaction amount per customer",
        [f"{i}. {t.customer_name}" for i, t in enumerate(totals, 1)],
        [float(t.total_amount) for t in totals],
        decimals=2,
        label_width=230,
    )
    table = _table(
        "customer-totals",
        ["#Rank", "Customer", "Email", "#Transactions", "#Total amount", "Currencies"],
        [
            [
                str(i),
                t.customer_name,
                t.email or "",
                svg.format_number(t.transactions),
                svg.format_number(float(t.total_amount), 2),
                t.currencies,
            ]
            for i, t in enumerate(totals, 1)
        ],
    )
    return _section(
        "customers",
        f"Top {len(totals)} customers by total transaction amount",
        "The finance team's query: every transaction of a known customer, amounts added as "
        "booked (across currencies, listed in the last column). From gold.fact_transactions "
        "joined to gold.dim_customers.",
        f'<figure id="chart-customers">{chart}</figure>{table}',
    )


def _channels_section(data: ReportData) -> str:
    volume = data.channel_volume
    if volume is None:
        return _section("channels", "Daily volume by channel", "No transactions yet.", "")
    chart = svg.stacked_columns(
        f"Daily volume by channel ({volume.currency})",
        [day.strftime("%d %b") for day in volume.days],
        {channel: [float(v) for v in values] for channel, values in volume.daily.items()},
        decimals=2,
    )
    table = _table(
        "channel-volume",
        ["Channel", "#Transactions", f"#Volume ({volume.currency})"],
        [
            [channel, svg.format_number(n), svg.format_number(float(amount), 2)]
            for channel, (n, amount) in volume.totals.items()
        ],
    )
    note = (
        f"Sum of amount per booking day and channel, {volume.currency} transactions only, "
        f'<span id="channel-window">{volume.first_day.isoformat()} to '
        f"{volume.last_day.isoformat()}</span> (the latest booking days up to today). "
        "Channel 'unknown': no event names the channel."
    )
    return _section(
        "channels",
        "Daily volume by channel",
        note,
        f'<figure id="chart-channels">{chart}</figure>{table}',
    )


def _accounts_section(data: ReportData) -> str:
    statuses = data.account_status
    total = sum(n for _, n in statuses) or 1
    chart = svg.horizontal_bars(
        "Accounts by status", [s for s, _ in statuses], [n for _, n in statuses], label_width=90
    )
    table = _table(
        "account-status",
        ["Status", "#Accounts", "#Share %"],
        [[s, svg.format_number(n), f"{100 * n / total:.1f}"] for s, n in statuses],
    )
    return _section(
        "accounts",
        "Account status mix",
        "Current accounts in gold.dim_accounts (the unknown member excluded).",
        f'<figure id="chart-accounts">{chart}</figure>{table}',
    )


def _rejects_section(data: ReportData) -> str:
    daily = data.rejects_daily
    by_series: dict[str, int] = {}
    for (_, name), n in daily.items():
        by_series[name] = by_series.get(name, 0) + n
    ranked = sorted(by_series, key=lambda name: (-by_series[name], name))
    shown = ranked[:MAX_REJECT_SERIES]
    days = sorted({day for day, _ in daily})
    if days:
        series: dict[str, list[float]] = {name: [0.0] * len(days) for name in shown}
        if len(ranked) > len(shown):
            series["other"] = [0.0] * len(days)
        index = {day: i for i, day in enumerate(days)}
        for (day, name), n in daily.items():
            series[name if name in shown else "other"][index[day]] += n
        chart = svg.stacked_columns(
            "Rejected and quarantined records by day and reason",
            [day.isoformat() for day in days],
            series,
        )
    else:
        chart = "<p>No rejected or quarantined records.</p>"
    table = _table(
        "rejects-by-reason",
        ["Stage", "Entity", "Reason", "#Records", "First day", "Last day"],
        [
            [
                r.stage,
                r.entity,
                r.reason,
                svg.format_number(r.records),
                r.first_day.isoformat() if r.first_day else "",
                r.last_day.isoformat() if r.last_day else "",
            ]
            for r in data.rejects
        ],
    )
    return _section(
        "rejects",
        "Data quality: rejects by reason over time",
        "Silver rejects (slv_*__rejects: rows that exist in the source but fail a rule, by the "
        "day of their latest change) and landing quarantine (records that did not fit their "
        "contract, by the day they were landed; quoted values in reasons blanked).",
        f'<figure id="chart-rejects">{chart}</figure>{table}',
    )


def render(data: ReportData) -> str:
    kpi_labels = {
        "transactions": "transactions in gold",
        "customers": "current customers",
        "accounts": "current accounts",
        "rejected": "rows rejected in silver",
        "quarantined": "records quarantined at landing",
    }
    kpis = "".join(
        f'<div class="kpi" id="kpi-{name}"><div class="v">{svg.format_number(value)}</div>'
        f'<div class="k">{escape(kpi_labels[name])}</div></div>'
        for name, value in data.headline.items()
    )
    sections = [
        _customers_section(data),
        _channels_section(data),
        _accounts_section(data),
        _rejects_section(data),
    ]
    if data.pipeline_health is not None:
        sections.append(health.section_html(data.pipeline_health))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>DMS warehouse report</title><style>{CSS}</style></head><body>"
        "<header><h1>DMS warehouse report</h1>"
        f"<p>From the gold star (and silver/bronze data quality), generated "
        f"{data.generated_at.isoformat()} by <code>make report</code>.</p></header>"
        f'<main><div class="kpis">{kpis}</div>{"".join(sections)}</main></body></html>\n'
    )


def write_report(
    database: Path, out: Path, *, top: int = 15, days: int = 60, currency: str | None = None
) -> Path:
    html = render(collect(database, top=top, days=days, currency=currency))
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report", description=__doc__)
    parser.add_argument("--database", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("reports/build/report.html"))
    parser.add_argument("--top", type=int, default=15, help="customers in the top list")
    parser.add_argument("--days", type=int, default=60, help="days in the channel chart")
    parser.add_argument("--currency", help="currency of the channel chart (default: most used)")
    args = parser.parse_args(argv)
    if not args.database.exists():
        parser.error(f"{args.database} does not exist: build the warehouse first (make run)")
    path = write_report(
        args.database, args.out, top=args.top, days=args.days, currency=args.currency
    )
    print(f"report: {path}")
    return 0
