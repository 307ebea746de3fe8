"""The MetricFlow metrics (models/semantic/) give the numbers direct SQL on gold gives.

`mf query` runs as a subprocess, as a user runs it, against the session's demo warehouse
(support/metricflow.py). test_finance.py compares the saved queries with the gold aggregates
and a plain-Python recomputation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from support.built_project import BuiltProject
from support.metricflow import mf_query as run_mf_query

pytestmark = pytest.mark.dbt


@pytest.fixture
def mf_query(built_project: BuiltProject, tmp_path: Path) -> Any:
    def query(metrics: Iterable[str], group_by: Iterable[str]) -> list[dict[str, str]]:
        return run_mf_query(built_project, tmp_path, metrics, group_by)

    return query


def _close(actual: str, expected: Any) -> bool:
    if expected is None:
        return actual == ""
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=0.005)


def test_booked_volume_net_flow_count_and_average_by_month_and_currency(
    built_project: BuiltProject, mf_query: Any
) -> None:
    rows = mf_query(
        ["booked_volume", "booked_net_flow", "transaction_count", "average_booked_value"],
        ["metric_time__month", "transaction__currency"],
    )
    expected = {
        (str(month)[:10], currency): values
        for month, currency, *values in built_project.query(
            "select date_trunc('month', transaction_date), currency, "
            "sum(case when status = 'posted' then amount else 0 end), "
            "sum(case when status = 'posted' then signed_amount else 0 end), count(*), "
            "sum(case when status = 'posted' then amount end) "
            "/ nullif(sum(case when status = 'posted' then 1 else 0 end), 0) "
            "from gold.fact_transactions group by all"
        )
    }
    # months without a transaction come from the time spine, as 0 (empty is 0, not blank)
    empty = [row for row in rows if row["transaction__currency"] == ""]
    months_with_data = {month for month, _ in expected}
    for row in empty:
        assert row["metric_time__month"][:10] not in months_with_data, row
        assert float(row["booked_volume"]) == 0 and int(row["transaction_count"]) == 0, row
    assert empty, "the time spine covers whole years: some months have no transaction"
    rows = [row for row in rows if row["transaction__currency"] != ""]
    assert len(rows) == len(expected) > 10
    for row in rows:
        month = row["metric_time__month"][:10]
        volume, net, count, average = expected[(month, row["transaction__currency"])]
        assert _close(row["booked_volume"], volume), row
        assert _close(row["booked_net_flow"], net), row
        assert int(row["transaction_count"]) == count, row
        if average is None:
            assert row["average_booked_value"] == "", row
        else:
            assert math.isclose(float(row["average_booked_value"]), average, abs_tol=0.01), row


def test_reporting_currency_metrics_by_status_are_apart(
    built_project: BuiltProject, mf_query: Any
) -> None:
    rows = mf_query(
        [
            "booked_volume_reporting",
            "pending_volume_reporting",
            "reversed_volume_reporting",
            "booked_without_rate",
        ],
        ["transaction__currency"],
    )
    expected = {
        currency: values
        for currency, *values in built_project.query(
            "select currency, "
            "coalesce(sum(case when status = 'posted' then amount_reporting end), 0), "
            "coalesce(sum(case when status = 'pending' then amount_reporting end), 0), "
            "coalesce(sum(case when status = 'reversed' then amount_reporting end), 0), "
            "sum(case when status = 'posted' and amount_reporting is null then 1 else 0 end) "
            "from gold.fact_transactions group by currency"
        )
    }
    assert {row["transaction__currency"] for row in rows} == set(expected)
    for row in rows:
        booked, pending, reversed_, without = expected[row["transaction__currency"]]
        # empty is 0, never blank: currencies without rates (XYZ) give 0, not ''
        assert _close(row["booked_volume_reporting"], booked), row
        assert _close(row["pending_volume_reporting"], pending), row
        assert _close(row["reversed_volume_reporting"], reversed_), row
        assert int(float(row["booked_without_rate"])) == without, row
    unconverted = [r for r in rows if int(float(r["booked_without_rate"])) > 0]
    assert unconverted, "unknown currencies have no rate"


def test_active_customers_by_segment_excludes_the_unknown_member(
    built_project: BuiltProject, mf_query: Any
) -> None:
    rows = mf_query(["active_customers"], ["customer__segment"])
    # a customer counts once, whatever versions its transactions point at
    expected = dict(
        built_project.query(
            "select customers.segment, count(distinct facts.customer_id) "
            "from gold.fact_transactions as facts "
            "join gold.dim_customers as customers using (customer_key) "
            "where not customers.is_unknown_member group by all"
        )
    )
    got = {row["customer__segment"]: int(row["active_customers"]) for row in rows}
    assert "unknown" not in got
    assert got == expected
    assert sum(got.values()) > 0


def test_booked_volume_by_channel_matches_sql(built_project: BuiltProject, mf_query: Any) -> None:
    rows = mf_query(["booked_volume_reporting"], ["transaction__channel"])
    expected = dict(
        built_project.query(
            "select channel, coalesce(sum(amount_reporting), 0) from gold.fact_transactions "
            "where status = 'posted' group by channel"
        )
    )
    assert {row["transaction__channel"] for row in rows} == set(expected)
    for row in rows:
        assert _close(row["booked_volume_reporting"], expected[row["transaction__channel"]]), row
