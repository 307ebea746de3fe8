"""A small demo warehouse built once per test session, with its docs site and artifacts.

Used by the end-to-end, docs-site, metrics, report and governance tests: simulated DMS
output -> land -> `dbt build`, `dbt docs generate --static` and `dbt source freshness` in one
dbt process, as `make run` runs them (scripts/dbt_run.py), in a temporary folder (a
`Pipeline`), never touching data/ or target/. The simulator's summary and ground truth and the first
landing run's summary are kept for the checks.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.landing import RunSummary
from simulator import SimulationConfig, SimulationSummary, simulate
from support.pipeline import Pipeline
from support.project import DBT_RUN


@dataclass
class BuiltProject(Pipeline):
    simulation: SimulationSummary = field(default_factory=SimulationSummary)
    first_landing: RunSummary | None = None
    dbt_run_exit: int | None = None
    """scripts/dbt_run.py's exit code: 0, or 3 when some sources are stale."""

    @property
    def truth(self) -> Path:
        return self.root / "truth"


def build_project(root: Path) -> BuiltProject:
    built = BuiltProject(root)
    built.simulation = simulate(
        SimulationConfig(
            out_dir=built.dms,
            truth_dir=built.truth,
            seed=11,
            transactions=3000,
            batches=4,
            dirt_rate=0.05,
            rows_per_load_file=1500,
        )
    )
    built.first_landing = built.land()
    # exit 3: built and documented, some sources stale (the simulated commits are in the past)
    result = built.run(sys.executable, str(DBT_RUN))
    if result.returncode not in (0, 3):
        raise AssertionError(f"{DBT_RUN.name} failed:\n{result.stdout[-6000:]}{result.stderr}")
    built.dbt_run_exit = result.returncode
    return built
