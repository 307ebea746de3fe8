"""End to end on DuckDB: simulated DMS output -> land -> dbt build -> checks against the truth.

The simulator writes the source's final state (its ground truth). Silver must equal it,
minus exactly the rows rejected with a reason, with values standardised as documented.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pyarrow.parquet as pq
import pytest
from support.built_project import BuiltProject

pytestmark = pytest.mark.dbt

GOLD = ["dim_customers", "dim_accounts", "dim_dates", "fact_transactions"]


@pytest.fixture(scope="module")
def warehouse(built_project: BuiltProject) -> BuiltProject:
    """The session's demo warehouse (tests/python/built_project.py)."""
    return built_project


def test_every_change_written_lands(warehouse: BuiltProject) -> None:
    landing = warehouse.first_landing
    assert landing is not None
    assert landing.files_failed == 0
    assert landing.files_landed == len(warehouse.simulation.files)
    for table, rows in warehouse.simulation.changes_per_table.items():
        totals = landing.tables[table]
        assert totals.rows_landed + totals.rows_quarantined == rows, table
        bronze = {
            "core_banking.customers": "stg_core_banking__customers",
            "core_banking.accounts": "stg_core_banking__accounts",
            "core_banking.transactions": "stg_core_banking__transactions",
            "events.transaction_events": "stg_events__transaction_events",
        }[table]
        assert warehouse.query(f"select count(*) from bronze.{bronze}") == [(totals.rows_landed,)]


def test_gold_tables_have_rows(warehouse: BuiltProject) -> None:
    for table in GOLD:
        (count,) = warehouse.query(f"select count(*) from gold.{table}")[0]
        assert count > 1, table


def test_dates_cover_every_transaction(warehouse: BuiltProject) -> None:
    (first, last) = warehouse.query("select min(date_day), max(date_day) from gold.dim_dates")[0]
    (lo, hi) = warehouse.query(
        "select min(transaction_date), max(transaction_date) from gold.fact_transactions"
    )[0]
    assert first <= lo and hi <= last
    assert first.month == 1 and first.day == 1 and last.month == 12 and last.day == 31


def _strip(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip(" ")
    return stripped or None


def _truth(warehouse: BuiltProject, table: str) -> dict[Any, dict[str, Any]]:
    rows = pq.read_table(warehouse.truth / f"{table}.parquet").to_pylist()
    key = {"customers": "customer_id", "accounts": "account_id", "transactions": "transaction_id"}
    name = table.split("/")[-1]
    return {row[key[name]]: row for row in rows}


def _silver(
    warehouse: BuiltProject, model: str, key: str, columns: list[str]
) -> dict[Any, dict[str, Any]]:
    rows = warehouse.query(f"select {key}, {', '.join(columns)} from silver.{model}")
    return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}


def _rejected(warehouse: BuiltProject, model: str, key: str) -> set[Any]:
    return {row[0] for row in warehouse.query(f"select {key} from silver.{model}")}


def _check_partition(truth: dict[Any, Any], current: dict[Any, Any], rejected: set[Any]) -> None:
    assert not (set(current) & rejected), "a key is both current and rejected"
    assert set(current) | rejected == set(truth), "silver + rejects differ from the truth's keys"
    assert rejected, "the simulator's dirt should cause some rejects"


def test_silver_customers_equal_the_truth_minus_rejects(warehouse: BuiltProject) -> None:
    truth = _truth(warehouse, "core_banking/customers")
    columns = [
        "first_name",
        "last_name",
        "email",
        "country_code",
        "segment",
        "address_line",
        "date_of_birth",
    ]
    current = _silver(warehouse, "slv_customers", "customer_id", columns)
    _check_partition(truth, current, _rejected(warehouse, "slv_customers__rejects", "customer_id"))
    for customer_id, row in current.items():
        source = truth[customer_id]
        expected = {
            "first_name": _strip(source["first_name"]),
            "last_name": _strip(source["last_name"]),
            "email": (_strip(source["email"]) or "").lower() or None,
            "country_code": (_strip(source["country_code"]) or "").upper() or None,
            "segment": (_strip(source["segment"]) or "").lower(),
            "address_line": _strip(source["address_line"]),
            "date_of_birth": source["date_of_birth"],
        }
        assert row == expected, customer_id


def test_silver_accounts_equal_the_truth_minus_rejects(warehouse: BuiltProject) -> None:
    truth = _truth(warehouse, "core_banking/accounts")
    columns = ["customer_id", "account_type", "currency", "status", "opened_at", "closed_at"]
    current = _silver(warehouse, "slv_accounts", "account_id", columns)
    rejected = _rejected(warehouse, "slv_accounts__rejects", "account_id")
    _check_partition(truth, current, rejected)
    for account_id, row in current.items():
        source = truth[account_id]
        assert row == {
            "customer_id": source["customer_id"],
            "account_type": source["account_type"].strip(" ").lower(),
            "currency": source["currency"].strip(" ").upper(),
            "status": source["status"].strip(" ").lower(),
            "opened_at": source["opened_at"],
            "closed_at": source["closed_at"],
        }, account_id


def test_silver_transactions_equal_the_truth_minus_rejects(warehouse: BuiltProject) -> None:
    truth = _truth(warehouse, "core_banking/transactions")
    columns = [
        "account_id",
        "transaction_ts",
        "amount",
        "direction",
        "currency",
        "transaction_type",
        "status",
        "balance_after",
        "description",
    ]
    current = _silver(warehouse, "slv_transactions", "transaction_id", columns)
    rejected = _rejected(warehouse, "slv_transactions__rejects", "transaction_id")
    _check_partition(truth, current, rejected)
    for transaction_id, row in current.items():
        source = truth[transaction_id]
        assert row == {
            "account_id": source["account_id"],
            "transaction_ts": source["transaction_ts"],
            "amount": Decimal(source["amount"]),
            "direction": source["direction"].strip(" ").upper(),
            "currency": source["currency"].strip(" ").upper(),
            "transaction_type": source["transaction_type"].strip(" ").lower(),
            "status": source["status"].strip(" ").lower(),
            "balance_after": source["balance_after"],
            "description": source["description"],
        }, transaction_id


def test_rejects_are_exactly_the_invalid_rows(warehouse: BuiltProject) -> None:
    reasons = dict(
        warehouse.query(
            "select reject_reason, count(*) from silver.slv_customers__rejects group by 1"
        )
    )
    assert set(reasons) <= {"missing_name", "invalid_email", "unknown_country", "unknown_segment"}
    currencies = dict(
        warehouse.query(
            "select reject_reason, count(*) from silver.slv_transactions__rejects group by 1"
        )
    )
    assert currencies.get("unknown_currency", 0) > 0
    events = dict(
        warehouse.query(
            "select reject_reason, count(*) from silver.slv_transaction_events__rejects group by 1"
        )
    )
    assert events.get("invalid_json", 0) > 0


def test_facts_join_dimensions_and_orphans_use_the_unknown_member(warehouse: BuiltProject) -> None:
    (orphans,) = warehouse.query(
        "select count(*) from gold.fact_transactions f join gold.dim_accounts a "
        "using (account_key) where a.is_unknown_member"
    )[0]
    assert orphans > 0
    (channels,) = warehouse.query(
        "select count(distinct channel) from gold.fact_transactions where channel != 'unknown'"
    )[0]
    assert channels >= 3


def _gold_fingerprint(warehouse: BuiltProject) -> dict[str, tuple[Any, ...]]:
    fingerprint = {}
    for table in GOLD:
        fingerprint[table] = warehouse.query(
            f"select count(*), sum(hash(t)) from (select * from gold.{table}) as t"
        )[0]
    return fingerprint


def test_second_run_lands_nothing_and_leaves_gold_unchanged(warehouse: BuiltProject) -> None:
    before = _gold_fingerprint(warehouse)
    again = warehouse.land()
    assert again.files_landed == 0
    assert again.files_already_landed == len(warehouse.simulation.files)
    warehouse.dbt("build")
    assert _gold_fingerprint(warehouse) == before


def test_every_silver_and_gold_model_and_column_is_documented(warehouse: BuiltProject) -> None:
    target = warehouse.target
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    checked = 0
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or node["schema"] not in ("silver", "gold"):
            continue
        assert node["description"].strip(), f"{unique_id} has no description"
        built = {c.lower() for c in catalog["nodes"][unique_id]["columns"]}
        documented = {
            name.lower()
            for name, column in node["columns"].items()
            if column["description"].strip()
        }
        assert built - documented == set(), f"{unique_id}: undocumented columns"
        assert documented - built == set(), f"{unique_id}: documented columns that do not exist"
        checked += 1
    assert checked >= 15
