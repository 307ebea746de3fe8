"""The report's HTML: the page around the sections, and the pieces sections are made of.

A section is a ``Section`` (report/sections/); this module turns sections into one static
page (inline CSS, no script, no remote resource) and gives sections their tables, notes and
number formats, so every section looks and reads the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from report import svg

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;
  color:#1d2733;background:#f6f7f9}
header{background:#1d2733;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#c9d1da;font-size:13px}
main{max-width:1100px;margin:0 auto;padding:16px 32px 48px}
section{background:#fff;border:1px solid #e2e6ea;border-radius:8px;padding:16px 20px;
  margin:16px 0}
h2{font-size:18px;margin:0 0 4px} h3{font-size:15px;margin:16px 0 0}
.note{color:#5b6770;font-size:13px;margin:0 0 12px}
.kpis{display:flex;flex-wrap:wrap;gap:12px}
.kpi{flex:1 1 150px;background:#fff;border:1px solid #e2e6ea;border-radius:8px;padding:12px}
.kpi .v{font-size:24px;font-weight:600} .kpi .k{color:#5b6770;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:12px}
th,td{padding:4px 8px;border-bottom:1px solid #eef0f2;text-align:left}
th{background:#f0f2f4} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:0}
"""


@dataclass(frozen=True)
class Section:
    """One part of the report: an id (the HTML anchor), a title, a note saying where the
    numbers come from (HTML), and its content (HTML: charts, tables)."""

    section_id: str
    title: str
    note: str
    content: str

    def html(self) -> str:
        return (
            f'<section id="{self.section_id}"><h2>{escape(self.title)}</h2>'
            f'<p class="note">{self.note}</p>{self.content}</section>'
        )


def money(value: Decimal | float | int | None) -> str:
    """An amount to the cent with thousands separators; none is 0.00 (empty is 0)."""
    return svg.format_number(float(value or 0), 2)


def count(value: int | None) -> str:
    return svg.format_number(value or 0)


def table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; a header starting with '#' is a number column (right-aligned, '#' dropped)."""
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


def kpis(values: Sequence[tuple[str, str, str]]) -> str:
    """Headline figures: (id, value as shown, label)."""
    return (
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi" id="kpi-{key}"><div class="v">{escape(value)}</div>'
            f'<div class="k">{escape(label)}</div></div>'
            for key, value, label in values
        )
        + "</div>"
    )


def render(
    title: str, subtitle: str, sections: Sequence[Section], generated_at: dt.datetime
) -> str:
    body = "".join(section.html() for section in sections)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{subtitle} Generated "
        f"{generated_at.isoformat()} by <code>make report</code>.</p></header>"
        f"<main>{body}</main></body></html>\n"
    )
