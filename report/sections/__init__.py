"""The report's sections, in page order. Each module has ``build(warehouse, options) ->
Section``: it selects what it shows from the warehouse's models (report.warehouse) and
renders it (report.page, report.svg). To add a section, write a module here and add it to
SECTIONS."""

from __future__ import annotations

from collections.abc import Callable

from report.options import Options
from report.page import Section
from report.sections import (
    accounts,
    channels,
    customers,
    data_quality,
    headline,
    monthly,
    pipeline_health,
)
from report.warehouse import Warehouse

SectionBuilder = Callable[[Warehouse, Options], Section]

SECTIONS: list[SectionBuilder] = [
    headline.build,
    customers.build,
    monthly.build,
    channels.build,
    accounts.build,
    data_quality.build,
    pipeline_health.build,
]
