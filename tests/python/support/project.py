"""Where things are: the project folder, its contracts, the virtualenv's commands."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]
CONTRACTS = PROJECT / "contracts"
BIN = Path(sys.executable).parent
"""The virtualenv's bin folder (dbt, mf, dbt-coverage, ...)."""
DBT = str(BIN / "dbt")
DBT_RUN = PROJECT / "scripts" / "dbt_run.py"
"""dbt build, docs and freshness in one process (make run)."""
