"""The MetricFlow metrics (models/semantic/) give the numbers direct SQL on gold gives.

`mf query` runs as a subprocess, as a user runs it, against the session's demo warehouse.
MetricFlow reads target/semantic_manifest.json under the dbt project folder (it ignores
DBT_TARGET_PATH), so the test gives it a folder of its own holding dbt_project.yml and the
semantic manifest dbt wrote for the demo warehouse.
"""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from support.built_project import BuiltProject
from support.project import BIN, PROJECT

pytestmark = pytest.mark.dbt

MF = BIN / "mf"


@pytest.fixture
def mf_query(built_project: BuiltProject, tmp_path: Path) -> Any:
    def query(metrics: Iterable[str], group_by: Iterable[str]) -> list[dict[str, str]]:
        project = tmp_path / "mf_project"
        (project / "target").mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT / "dbt_project.yml", project / "dbt_project.yml")
        shutil.copy(built_project.target / "semantic_manifest.json", project / "target")
        out = tmp_path / "result.csv"
        out.unlink(missing_ok=True)
        command = [str(MF), "query", "--metrics", ",".join(metrics)]
        command += ["--group-by", ",".join(group_by), "--csv", str(out)]
        result = subprocess.run(
            command,
            cwd=project,
            env=built_project.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0 and out.exists(), result.stdout[-3000:]
        with out.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return query


def _close(actual: str, expected: Any) -> bool:
    if expected is None:
        return actual == ""
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=0.005)


def test_volume_count_net_flow_and_average_by_month_and_currency(
    built_project: BuiltProject, mf_query: Any
) -> None:
    rows = mf_query(
        ["transaction_volume", "transaction_count", "net_flow", "average_transaction_value"],
        ["metric_time__month", "transaction__currency"],
    )
    expected = {
        (str(month)[:10], currency): values
        for month, currency, *values in built_project.query(
            "select date_trunc('month', transaction_date), currency, sum(amount), count(*), "
            "sum(signed_amount), sum(amount) / count(*) "
            "from gold.fact_transactions group by all"
        )
    }
    assert len(rows) == len(expected) > 10
    for row in rows:
        month = row["metric_time__month"][:10]
        volume, count, net, average = expected[(month, row["transaction__currency"])]
        assert _close(row["transaction_volume"], volume), row
        assert int(row["transaction_count"]) == count, row
        assert _close(row["net_flow"], net), row
        assert math.isclose(float(row["average_transaction_value"]), average, abs_tol=0.01), row


def test_active_customers_by_segment_excludes_the_unknown_member(
    built_project: BuiltProject, mf_query: Any
) -> None:
    rows = mf_query(["active_customers"], ["customer__segment"])
    expected = dict(
        built_project.query(
            "select customers.segment, count(distinct facts.customer_key) "
            "from gold.fact_transactions as facts "
            "join gold.dim_customers as customers using (customer_key) "
            "where not customers.is_unknown_member group by all"
        )
    )
    got = {row["customer__segment"]: int(row["active_customers"]) for row in rows}
    assert "unknown" not in got
    assert got == expected
    assert sum(got.values()) > 0


def test_volume_by_channel_matches_sql(built_project: BuiltProject, mf_query: Any) -> None:
    rows = mf_query(["transaction_volume"], ["transaction__channel"])
    expected = dict(
        built_project.query(
            "select channel, sum(amount) from gold.fact_transactions group by channel"
        )
    )
    assert {row["transaction__channel"] for row in rows} == set(expected)
    for row in rows:
        assert _close(row["transaction_volume"], expected[row["transaction__channel"]]), row
