"""A small demo warehouse built once per test session, with its docs site and artifacts.

Used by the docs-site, metrics, report and governance tests: simulated DMS output -> land ->
`dbt build` -> `dbt docs generate` into a temporary folder, never touching data/ or target/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander
from ingestion.simulator import SimulationConfig, simulate
from ingestion.sources import LocalSource

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class BuiltProject:
    root: Path
    env: dict[str, str]

    @property
    def database(self) -> Path:
        return Path(self.env["DUCKDB_PATH"])

    @property
    def target(self) -> Path:
        return Path(self.env["DBT_TARGET_PATH"])

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run a command in the project folder with this warehouse's environment."""
        return subprocess.run(
            list(args),
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def dbt(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(str(BIN / "dbt"), *args)

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql, parameters or []).fetchall()


def build_project(root: Path) -> BuiltProject:
    simulate(
        SimulationConfig(
            out_dir=root / "dms",
            truth_dir=root / "truth",
            seed=11,
            transactions=3000,
            batches=4,
            dirt_rate=0.05,
            rows_per_load_file=1500,
        )
    )
    Lander(
        LocalSource(root / "dms"), Lake(root / "lake"), load_contracts(PROJECT / "contracts")
    ).run()
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT / "profiles"),
        DBT_TARGET="duckdb",
        LAKE_DIR=str(root / "lake"),
        DUCKDB_PATH=str(root / "warehouse.duckdb"),
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    built = BuiltProject(root, env)
    for step in (("build",), ("docs", "generate", "--static")):
        result = built.dbt(*step)
        if result.returncode != 0:
            raise RuntimeError(f"dbt {' '.join(step)} failed:\n{result.stdout[-5000:]}")
    return built
