"""A pipeline on a copy of the dbt project, for tests that add contracts of their own (a new
user's tables) without touching the project's `contracts/` and `models/`."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource
from support.pipeline import Pipeline
from support.project import PROJECT

COPIED = ["dbt_project.yml", "profiles", "macros", "models", "seeds", "analyses", "assets"]
"""What a dbt build needs of the project, besides the generic tests and the contracts."""


def copy_project(target: Path) -> Path:
    """A copy of the project in ``target``: dbt's files, the generic tests, the contracts."""
    target.mkdir(parents=True)
    for name in COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    shutil.copytree(PROJECT / "tests" / "generic", target / "tests" / "generic")
    shutil.copytree(PROJECT / "contracts", target / "contracts")
    return target


@dataclass
class CopiedProject(Pipeline):
    """A pipeline whose commands run in ``project`` (a copy: ``copy_project``) and whose
    landing reads that copy's contracts."""

    project: Path = PROJECT

    def land(self) -> RunSummary:
        contracts = load_contracts(self.project / "contracts")
        return Lander(LocalSource(self.dms), Lake(self.lake), contracts).run()

    def run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=self.project, env=self.env, capture_output=True, text=True,
            check=False, timeout=timeout,
        )  # fmt: skip
