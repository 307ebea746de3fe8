"""End to end on DuckDB: simulated DMS output -> land -> dbt build -> checks against the truth.

The simulator writes the source's final state (its ground truth). Silver must equal it, with
values standardised and defects flagged as the contracts say (the policy is re-stated here in
plain Python); only records that cannot be used (events documents that are not JSON) are
rejected. Gold holds every current source row once and adds up, per currency, to the truth.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from typing import Any

import pyarrow.parquet as pq
import pytest
from support.built_project import BuiltProject
from support.project import PROJECT

GOLD = ["dim_customers", "dim_accounts", "dim_dates", "fact_transactions"]
pytestmark = pytest.mark.dbt


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


def _seed(name: str, column: str) -> set[str]:
    with (PROJECT / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


COUNTRIES = _seed("iso_countries", "country_code")
CURRENCIES = _seed("iso_currencies", "currency_code")
TRANSACTION_TYPES = _seed("transaction_types", "transaction_type")
# the rule in contracts/core_banking/customers.yml, re-stated here
EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$")


def _truth(warehouse: BuiltProject, table: str) -> dict[Any, dict[str, Any]]:
    rows = pq.read_table(warehouse.truth / f"{table}.parquet").to_pylist()
    key = {
        "customers": "customer_id",
        "accounts": "account_id",
        "transactions": "transaction_id",
        "transaction_events": "_id",
    }
    name = table.split("/")[-1]
    return {row[key[name]]: row for row in rows}


def _silver(
    warehouse: BuiltProject, model: str, key: str, columns: list[str]
) -> dict[Any, dict[str, Any]]:
    rows = warehouse.query(f"select {key}, {', '.join(columns)} from silver.{model}")
    return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}


def _rejected(warehouse: BuiltProject, model: str, key: str) -> set[Any]:
    return {row[0] for row in warehouse.query(f"select {key} from silver.{model}")}


def _flags(*pairs: tuple[bool, str]) -> str | None:
    return ",".join(code for failed, code in pairs if failed) or None


def _expected_customer(source: dict[str, Any]) -> dict[str, Any]:
    """The policy, in plain Python: clean, flag, keep (never reject a customer)."""
    first, last = _strip(source["first_name"]), _strip(source["last_name"])
    email = (_strip(source["email"]) or "").lower() or None
    country = (_strip(source["country_code"]) or "").upper() or None
    segment = (_strip(source["segment"]) or "").lower()
    gender = (_strip(source["gender"]) or "").upper() or None
    bad_email = email is not None and not EMAIL.match(email)
    bad_country = country is not None and country not in COUNTRIES
    bad_gender = gender is not None and gender not in ("F", "M")
    bad_segment = segment not in ("retail", "private", "business")
    return {
        "first_name": first,
        "last_name": last,
        "email": None if bad_email else email,
        "gender": None if bad_gender else gender,
        "country_code": None if bad_country else country,
        "segment": "unknown" if bad_segment else segment,
        "address_line": _strip(source["address_line"]),
        "date_of_birth": source["date_of_birth"],
        "quality_issues": _flags(
            (first is None, "missing_first_name"),
            (last is None, "missing_last_name"),
            (bad_email, "invalid_email"),
            (bad_gender, "unknown_gender"),
            (bad_country, "unknown_country"),
            (bad_segment, "unknown_segment"),
        ),
    }


def test_silver_customers_equal_the_truth_every_customer_kept(warehouse: BuiltProject) -> None:
    truth = _truth(warehouse, "core_banking/customers")
    expected = {key: _expected_customer(row) for key, row in truth.items()}
    current = _silver(
        warehouse, "slv_customers", "customer_id", list(next(iter(expected.values())))
    )
    assert _rejected(warehouse, "slv_customers__rejects", "customer_id") == set()
    assert current == expected
    flagged = [row["quality_issues"] or "" for row in expected.values()]
    # the simulator's dirt: blank names and invalid emails are there, flagged, not dropped
    assert sum("missing_first_name" in f for f in flagged) > 0
    assert sum("invalid_email" in f for f in flagged) > 0


def test_silver_accounts_equal_the_truth(warehouse: BuiltProject) -> None:
    truth = _truth(warehouse, "core_banking/accounts")
    columns = [
        "customer_id",
        "account_type",
        "currency",
        "status",
        "opened_at",
        "closed_at",
        "quality_issues",
    ]
    current = _silver(warehouse, "slv_accounts", "account_id", columns)
    assert _rejected(warehouse, "slv_accounts__rejects", "account_id") == set()
    expected = {}
    for account_id, source in truth.items():
        kind = source["account_type"].strip(" ").lower()
        currency = source["currency"].strip(" ").upper()
        status = source["status"].strip(" ").lower()
        bad_kind = kind not in ("checking", "savings", "credit_card", "loan")
        bad_status = status not in ("active", "frozen", "closed")
        expected[account_id] = {
            "customer_id": source["customer_id"],
            "account_type": "unknown" if bad_kind else kind,
            "currency": currency,
            "status": "unknown" if bad_status else status,
            "opened_at": source["opened_at"],
            "closed_at": source["closed_at"],
            "quality_issues": _flags(
                (bad_kind, "unknown_account_type"),
                (currency not in CURRENCIES, "unknown_currency"),
                (bad_status, "unknown_status"),
            ),
        }
    assert current == expected
    assert any(row["quality_issues"] for row in expected.values())


def _expected_transaction(source: dict[str, Any]) -> dict[str, Any]:
    currency = source["currency"].strip(" ").upper()
    kind = source["transaction_type"].strip(" ").lower()
    status = source["status"].strip(" ").lower()
    amount = Decimal(source["amount"])
    bad_status = status not in ("pending", "posted", "reversed")
    return {
        "account_id": source["account_id"],
        "transaction_ts": source["transaction_ts"],
        "amount": amount,
        "direction": source["direction"].strip(" ").upper(),
        "currency": currency,
        "transaction_type": kind,
        "status": "unknown" if bad_status else status,
        "balance_after": source["balance_after"],
        "description": source["description"],
        "quality_issues": _flags(
            (amount <= 0, "non_positive_amount"),
            (currency not in CURRENCIES, "unknown_currency"),
            (kind not in TRANSACTION_TYPES, "unmapped_transaction_type"),
            (bad_status, "unknown_status"),
        ),
    }


def test_silver_transactions_equal_the_truth(warehouse: BuiltProject) -> None:
    truth = _truth(warehouse, "core_banking/transactions")
    expected = {key: _expected_transaction(row) for key, row in truth.items()}
    current = _silver(
        warehouse, "slv_transactions", "transaction_id", list(next(iter(expected.values())))
    )
    assert _rejected(warehouse, "slv_transactions__rejects", "transaction_id") == set()
    assert current == expected
    flagged = [row["quality_issues"] or "" for row in expected.values()]
    assert sum("unknown_currency" in f for f in flagged) > 0
    assert sum("unmapped_transaction_type" in f for f in flagged) > 0


def _document(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def test_silver_events_are_the_truth_minus_documents_that_are_not_json(
    warehouse: BuiltProject,
) -> None:
    truth = _truth(warehouse, "events/transaction_events")
    documents = {key: _document(row["_doc"]) for key, row in truth.items()}
    current = _silver(warehouse, "slv_transaction_events", "event_id", ["transaction_id"])
    rejected = _rejected(warehouse, "slv_transaction_events__rejects", "event_id")
    assert rejected == {key for key, doc in documents.items() if doc is None}
    assert rejected, "the simulator's dirt should cut some documents short"
    expected = {}
    for key, doc in documents.items():
        if doc is not None:
            raw = doc.get("transaction_id")
            number = int(raw) if isinstance(raw, int) or str(raw).isdigit() else None
            expected[key] = {"transaction_id": number}
    assert current == expected


def test_quality_flags_are_counted_per_entity_and_code(warehouse: BuiltProject) -> None:
    counted = {
        (entity, code): rows
        for entity, code, rows in warehouse.query(
            "select entity, code, current_rows from silver.slv_data_quality"
        )
    }
    customers = [
        _expected_customer(r) for r in _truth(warehouse, "core_banking/customers").values()
    ]
    for code in ("missing_first_name", "missing_last_name", "invalid_email", "unknown_country"):
        expected = sum(code in (row["quality_issues"] or "").split(",") for row in customers)
        assert counted[("customers", code)] == expected, code
    transactions = [
        _expected_transaction(r) for r in _truth(warehouse, "core_banking/transactions").values()
    ]
    for code in ("unknown_currency", "unmapped_transaction_type"):
        expected = sum(code in (row["quality_issues"] or "").split(",") for row in transactions)
        assert counted[("transactions", code)] == expected, code
    events = _truth(warehouse, "events/transaction_events").values()
    assert counted[("transaction_events", "invalid_json")] == sum(
        _document(row["_doc"]) is None for row in events
    )


def test_gold_holds_every_source_row_once_and_adds_up_by_currency(
    warehouse: BuiltProject,
) -> None:
    customers = _truth(warehouse, "core_banking/customers")
    accounts = _truth(warehouse, "core_banking/accounts")
    transactions = _truth(warehouse, "core_banking/transactions")
    dim_customers = warehouse.query(
        "select customer_id, email, quality_issues from gold.dim_customers "
        "where is_current and not is_unknown_member"
    )
    assert sorted(row[0] for row in dim_customers) == sorted(customers)
    expected = {key: _expected_customer(row) for key, row in customers.items()}
    for customer_id, email, flags in dim_customers:
        assert (email, flags) == (
            expected[customer_id]["email"],
            expected[customer_id]["quality_issues"],
        )
    dim_accounts = warehouse.query(
        "select account_id from gold.dim_accounts where is_current and not is_unknown_member"
    )
    assert sorted(row[0] for row in dim_accounts) == sorted(accounts)
    facts = warehouse.query("select transaction_id from gold.fact_transactions")
    assert sorted(row[0] for row in facts) == sorted(transactions)
    by_currency: dict[str, tuple[int, Decimal]] = {}
    for row in transactions.values():
        currency = row["currency"].strip(" ").upper()
        count, total = by_currency.get(currency, (0, Decimal(0)))
        by_currency[currency] = (count + 1, total + Decimal(row["amount"]))
    gold = {
        currency: (count, total)
        for currency, count, total in warehouse.query(
            "select currency, count(*), sum(amount) from gold.fact_transactions group by 1"
        )
    }
    assert gold == by_currency
    assert set(gold) - CURRENCIES, "unknown currencies must stay in the fact"


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
