"""Pipeline health: lag per table, the last landing runs and dbt invocations, quarantine over
time, from the ops models (report.health, which `make health` prints as text)."""

from __future__ import annotations

from report import health
from report.options import Options
from report.page import Section
from report.warehouse import Warehouse


def build(warehouse: Warehouse, options: Options) -> Section:
    return health.section(health.collect(warehouse))
