"""Small, dependency-free SVG charts for the static report.

Each function returns an ``<svg>`` element as text, ready to inline in HTML: no script, no
external font or stylesheet, so the report renders offline. Text is escaped; numbers are
formatted here so charts and tables agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

# A colour-blind-friendly palette (Okabe-Ito), then greys.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#000000",
    "#999999",
    "#666666",
)
LEGEND_COLUMNS = 3
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def format_number(value: float, decimals: int = 0) -> str:
    """1234567.891 -> '1,234,567.89' (decimals=2)."""
    return f"{value:,.{decimals}f}"


def short_number(value: float) -> str:
    """Axis labels: 1200 -> '1.2k', 3400000 -> '3.4M'."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.1f}".rstrip("0").rstrip(".") + suffix
    if magnitude == int(magnitude):
        return str(int(value))
    return f"{value:.2f}"


SCALES = ((1e9, 1e9, "billions"), (1e6, 1e6, "millions"), (1e4, 1e3, "thousands"))
"""(threshold, divisor, name): an axis whose largest value reaches the threshold counts in
that unit (thousands only from 10,000 on, so small amounts keep their digits)."""


def axis_scale(maximum: float) -> tuple[float, str]:
    """The divisor and its name for an axis up to ``maximum``: (1000.0, 'thousands'), ..."""
    for threshold, divisor, name in SCALES:
        if abs(maximum) >= threshold:
            return divisor, name
    return 1.0, ""


def plain_number(value: float) -> str:
    """Tick labels on a scaled axis: 1200 -> '1,200', 2.5 -> '2.5'."""
    if value == int(value):
        return format_number(value)
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum``."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < maximum:
        ticks.append(ticks[-1] + step)
    return ticks


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'style="{FONT};font-size:12px;max-width:100%;height:auto">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def horizontal_bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    width: int = 760,
    decimals: int = 0,
    label_width: int = 200,
) -> str:
    """One bar per label, largest first as given; the value is written after each bar."""
    bar, gap, top = 22, 6, 10
    height = top + len(labels) * (bar + gap) + 10
    plot = width - label_width - 110
    top_value = max((abs(v) for v in values), default=0.0) or 1.0
    body: list[str] = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * (bar + gap)
        length = max(1.0, plot * abs(value) / top_value)
        body.append(
            f'<text x="{label_width - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect class="bar" x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" '
            f'fill="{colour(0)}"><title>{escape(label)}: '
            f"{format_number(value, decimals)}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar * 0.7:.1f}">'
            f"{format_number(value, decimals)}</text>"
        )
    return _svg(width, height, title, body)


def stacked_columns(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    width: int = 900,
    height: int = 320,
    decimals: int = 0,
    unit: str | None = None,
) -> str:
    """Columns per category (e.g. a day), stacked by series, with a legend underneath.

    With a ``unit`` (a currency), the value axis is labelled with it and its scale, e.g.
    'EUR thousands' with ticks 0, 20, 40: the reader knows what the heights are in.
    """
    left, right, top, bottom = (84 if unit else 64), 16, 12, 60
    names = list(series)
    legend_rows = math.ceil(len(names) / LEGEND_COLUMNS) if names else 0
    total_height = height + legend_rows * 18
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(series[name][i] for name in names) for i in range(len(categories))]
    divisor, scale_name = axis_scale(max(totals, default=0.0)) if unit else (1.0, "")
    ticks = nice_ticks(max(totals, default=0.0) / divisor)
    scale = plot_h / (ticks[-1] * divisor)
    body: list[str] = []
    for tick in ticks:
        y = top + plot_h - tick * divisor * scale
        label = plain_number(tick) if unit else short_number(tick)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#555">{label}</text>'
        )
    if unit:
        axis_title = f"{unit} {scale_name}".strip()
        middle = top + plot_h / 2
        body.append(
            f'<text class="axis-label" x="14" y="{middle:.1f}" text-anchor="middle" '
            f'fill="#333" transform="rotate(-90 14 {middle:.1f})">{escape(axis_title)}</text>'
        )
    slot = plot_w / max(1, len(categories))
    column = max(1.0, slot * 0.8)
    label_every = max(1, math.ceil(len(categories) / 12))
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - column) / 2
        base = float(top + plot_h)
        for s, name in enumerate(names):
            value = series[name][i]
            if value <= 0:
                continue
            h = value * scale
            base -= h
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{base:.1f}" width="{column:.1f}" '
                f'height="{h:.1f}" fill="{colour(s)}"><title>{escape(category)} '
                f"{escape(name)}: {format_number(value, decimals)}</title></rect>"
            )
        if i % label_every == 0:
            body.append(
                f'<text x="{x + column / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'fill="#555">{escape(category)}</text>'
            )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#888"/>'
    )
    for s, name in enumerate(names):
        lx = left + (s % LEGEND_COLUMNS) * (plot_w / LEGEND_COLUMNS)
        ly = height - 22 + (s // LEGEND_COLUMNS) * 18
        body.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour(s)}"/>'
            f'<text x="{lx + 18:.1f}" y="{ly}">{escape(name)}</text>'
        )
    return _svg(width, total_height, title, body)
