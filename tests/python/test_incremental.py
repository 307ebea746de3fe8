"""Incremental runs equal a full rebuild: simulated DMS output delivered one batch at a time,
landed and built incrementally after each, gives silver and gold tables identical, row for
row, to a `--full-refresh` build over the same raw data."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from support.pipeline import Pipeline

from simulator import SimulationConfig, simulate

pytestmark = pytest.mark.dbt

BUILD = ["build", "--resource-type", "model", "--resource-type", "seed"]


def _batches(files: list[Path], root: Path) -> list[list[Path]]:
    """The full load first, then each CDC batch (all tables' files of one batch)."""
    loads = [f for f in files if f.name.startswith("LOAD")]
    by_day: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        if not path.name.startswith("LOAD"):
            by_day[path.name[:8]].append(path)
    return [loads, *(by_day[day] for day in sorted(by_day))]


def _fingerprints(pipeline: Pipeline) -> dict[str, tuple[int, str]]:
    relations = pipeline.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('silver', 'gold') order by 1"
    )
    return {name: pipeline.fingerprint(name) for (name,) in relations}


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pipeline, int]:
    root = tmp_path_factory.mktemp("incremental")
    staging = root / "staging"
    summary = simulate(
        SimulationConfig(
            out_dir=staging, truth_dir=root / "truth", seed=11, transactions=3000, batches=4,
            dirt_rate=0.05,
        )
    )  # fmt: skip
    pipeline = Pipeline(root / "run", artifacts=False)
    batches = _batches(summary.files, staging)
    for batch in batches:
        pipeline.deliver(staging, batch)
        landing = pipeline.land()
        assert landing.files_landed == len(batch)
        pipeline.dbt(*BUILD)
    return pipeline, len(batches)


def test_batches_were_delivered_one_run_at_a_time(delivered: tuple[Pipeline, int]) -> None:
    pipeline, runs = delivered
    assert runs >= 5
    (landing_runs,) = pipeline.query(
        "select count(distinct landing_run_id) from bronze.stg_core_banking__transactions"
    )[0]
    assert landing_runs == runs


def test_data_tests_pass_after_incremental_runs(delivered: tuple[Pipeline, int]) -> None:
    pipeline, _ = delivered
    pipeline.dbt("test")


def test_incremental_equals_full_refresh(delivered: tuple[Pipeline, int]) -> None:
    pipeline, _ = delivered
    incremental = _fingerprints(pipeline)
    assert (
        "gold.fact_transactions" in incremental and "silver.slv_customers__history" in incremental
    )
    pipeline.dbt(*BUILD, "--full-refresh")
    rebuilt = _fingerprints(pipeline)
    assert rebuilt.keys() == incremental.keys()
    differing = [name for name in rebuilt if rebuilt[name] != incremental[name]]
    assert differing == []
