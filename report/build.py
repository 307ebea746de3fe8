"""The warehouse report: one static HTML file from the warehouse's models.

    python -m report --database data/warehouse.duckdb --out reports/build/report.html

The report renders what the models define: every figure is selected from a gold aggregate,
a dimension or a silver/bronze quality model (report.warehouse allows nothing else), in the
reporting currency the warehouse was built with. Customer names and e-mails are masked
unless --show-personal-data is given. Sections are modules of report/sections/; the charts
are inline SVG (report.svg), so the file needs no network and no JavaScript to render.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import duckdb

from report import page
from report.options import Options
from report.sections import SECTIONS
from report.sections.common import reporting_currency
from report.warehouse import Warehouse

TITLE = "DMS warehouse report"


def render(database: Path, options: Options) -> str:
    with Warehouse.open(database) as warehouse:
        sections = [build(warehouse, options) for build in SECTIONS]
        currency = reporting_currency(warehouse)
    privacy = "in clear" if options.show_personal_data else "masked"
    subtitle = (
        f"From the gold star and its aggregates (and silver/bronze data quality); amounts in "
        f'<span id="reporting-currency">{currency}</span> unless a column says otherwise; '
        f"personal data {privacy}."
    )
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return page.render(TITLE, subtitle, sections, generated_at)


def write_report(
    database: Path,
    out: Path,
    *,
    top: int = 15,
    days: int = 60,
    months: int = 13,
    show_personal_data: bool = False,
) -> Path:
    options = Options(top=top, days=days, months=months, show_personal_data=show_personal_data)
    html = render(database, options)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(out)
    return out


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report", description=__doc__)
    parser.add_argument("--database", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("reports/build/report.html"))
    parser.add_argument("--top", type=_positive, default=15, help="customers in the ranking")
    parser.add_argument("--days", type=_positive, default=60, help="days in the daily chart")
    parser.add_argument("--months", type=_positive, default=13, help="months in the monthly table")
    parser.add_argument(
        "--show-personal-data",
        action="store_true",
        help="customer names and e-mails in clear (dim_customers) instead of masked; only "
        "for readers allowed to see personal data",
    )
    args = parser.parse_args(argv)
    if not args.database.exists():
        parser.error(f"{args.database} does not exist: build the warehouse first (make run)")
    try:
        path = write_report(
            args.database,
            args.out,
            top=args.top,
            days=args.days,
            months=args.months,
            show_personal_data=args.show_personal_data,
        )
    except duckdb.CatalogException as missing:
        what = str(missing).splitlines()[0]
        parser.error(f"{args.database} lacks a model the report reads ({what}): make build")
    print(f"report: {path}")
    return 0
