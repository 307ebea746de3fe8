"""A throw-away pipeline for tests: a DMS root, a lake and a DuckDB warehouse in one folder,
with `land` (our landing code, in process) and `dbt` (the real dbt CLI, in a subprocess, with
this pipeline's environment). Nothing touches data/ or target/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource
from support.project import CONTRACTS, DBT, PROJECT


@dataclass
class Pipeline:
    root: Path
    artifacts: bool = True
    """False: dbt writes no manifest.json or run_results.json (for tests that never read
    them; about a second less per dbt command). Partial parsing works either way."""
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.dms.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ)
        self.env.update(
            DBT_PROFILES_DIR=str(PROJECT / "profiles"),
            DBT_TARGET="duckdb",
            LAKE_DIR=str(self.lake),
            DUCKDB_PATH=str(self.database),
            DBT_TARGET_PATH=str(self.root / "target"),
            DBT_LOG_PATH=str(self.root / "logs"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DBT_WRITE_JSON="true" if self.artifacts else "false",
        )

    @property
    def dms(self) -> Path:
        return self.root / "dms"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def database(self) -> Path:
        return self.root / "warehouse.duckdb"

    def write(self, key: str, content: str | bytes) -> Path:
        """Deliver a file to the DMS root, as DMS would."""
        path = self.dms / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    def deliver(self, staging: Path, files: Iterable[Path]) -> None:
        """Deliver files written under `staging` (a DMS root) to this pipeline's DMS root, under
        the same keys."""
        for path in files:
            target = self.dms / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)

    def land(self) -> RunSummary:
        contracts = load_contracts(CONTRACTS)
        return Lander(LocalSource(self.dms), Lake(self.lake), contracts).run()

    def dbt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = self.run(DBT, *args)
        if check and result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")
        return result

    def show(self, sql: str, *args: str) -> list[dict[str, Any]]:
        """Every row of an inline query (Jinja and macros allowed) as `dbt show` returns it."""
        result = self.dbt(
            "show", "--inline", sql, "--limit", "-1", "--output", "json", "--log-format", "json",
            *args,
        )  # fmt: skip
        for line in result.stdout.splitlines():
            event = json.loads(line)
            if event["info"]["name"] == "ShowNode":
                rows: list[dict[str, Any]] = json.loads(event["data"]["preview"])
                return rows
        raise AssertionError(f"dbt show printed no result:\n{result.stdout[-3000:]}")

    @property
    def target(self) -> Path:
        return Path(self.env["DBT_TARGET_PATH"])

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run any command in the project folder with this pipeline's environment."""
        return subprocess.run(
            list(args),
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql, parameters or []).fetchall()

    def fingerprint(self, relation: str) -> tuple[int, str]:
        """Row count and an order-independent digest of every row of a relation."""
        (count, digest) = self.query(
            f"select count(*), md5(coalesce(string_agg(row_text, '\n' order by row_text), '')) "
            f"from (select cast(t as varchar) as row_text from {relation} as t)"
        )[0]
        return int(count), str(digest)
