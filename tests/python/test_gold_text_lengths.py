"""Every text column of a gold contract declares a length that no value can exceed.

Redshift makes a plain `varchar` a varchar(256) and counts bytes; an enforced contract creates
the table with the declared types, so a longer value fails the build (a 255-character address
is up to 1020 bytes). Each gold text column's bound is derived here, independently of the
models, from where its values come from: the source contracts' varchar(n)/char(n) (at most 4
bytes per character in UTF-8; landing quarantines longer values), the seeds' values, the vars'
values, literals, md5 keys (32 hex digits), silver's quality codes. The declared length must
equal the derived bound: too short loses rows, and a change of a contract, seed or var shows
up here.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from ingestion.contracts import load_contracts

PROJECT = Path(__file__).resolve().parents[2]
CONTRACTS = load_contracts(PROJECT / "contracts")
VARS = yaml.safe_load((PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]

Source = tuple[str, ...]


def contract(table: str, column: str) -> int:
    schema, name = table.split(".")
    found = {c.name: c for c in CONTRACTS[(schema, name)].columns}[column].column_type
    assert found.length is not None, f"{table}.{column} has no length in its contract"
    return 4 * found.length


def seed(name: str, column: str) -> int:
    with (PROJECT / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return max(len(row[column].encode()) for row in csv.DictReader(handle))


def codes(entity: str, *gold_codes: str) -> int:
    """quality_issues: the codes silver flags and keeps (not the rejecting ones), and those
    gold adds (fact_transactions: missing_rate), joined by commas (macro rule_codes), all at
    once at worst."""
    with (PROJECT / "seeds" / "quality_codes.csv").open(encoding="utf-8", newline="") as handle:
        kept = [
            row["code"]
            for row in csv.DictReader(handle)
            if row["entity"] == entity and row["consequence"] != "reject"
        ]
    kept += gold_codes
    return sum(len(code.encode()) for code in kept) + len(kept) - 1


def var(name: str) -> int:
    values = VARS[name] if isinstance(VARS[name], list) else [VARS[name]]
    return max(len(str(value).encode()) for value in values)


def bound(*sources: Source) -> int:
    """The most bytes among the sources a column's values come from."""
    sizes = []
    for source in sources:
        kind, *args = source
        if kind == "contract":
            sizes.append(contract(*args))
        elif kind == "seed":
            sizes.append(seed(*args))
        elif kind == "var":
            sizes.append(var(*args))
        elif kind == "codes":
            sizes.append(codes(*args))
        elif kind == "literal":
            sizes.append(len(args[0].encode()))
        elif kind == "md5":
            sizes.append(32)
        elif kind == "concat":  # contract columns joined by one-byte separators
            parts = [contract(*ref.rsplit(":", 1)) for ref in args]
            sizes.append(sum(parts) + len(parts) - 1)
        else:
            raise AssertionError(f"unknown source {source}")
    return max(sizes)


CUSTOMERS, ACCOUNTS = "core_banking.customers", "core_banking.accounts"
TRANSACTIONS = "core_banking.transactions"
MD5: Source = ("md5",)
# where each gold text column's values come from (the models' SQL, read by a person)
LINEAGE: dict[tuple[str, str], tuple[Source, ...]] = {
    ("dim_customers", "customer_key"): (MD5,),
    ("dim_customers", "full_name"): (
        ("concat", f"{CUSTOMERS}:first_name", f"{CUSTOMERS}:last_name"),
        ("literal", "Unknown customer"),
    ),
    ("dim_customers", "first_name"): (("contract", CUSTOMERS, "first_name"),),
    ("dim_customers", "last_name"): (("contract", CUSTOMERS, "last_name"),),
    ("dim_customers", "email"): (("contract", CUSTOMERS, "email"),),
    ("dim_customers", "phone"): (("contract", CUSTOMERS, "phone"),),
    ("dim_customers", "gender"): (("contract", CUSTOMERS, "gender"),),
    ("dim_customers", "address_line"): (("contract", CUSTOMERS, "address_line"),),
    ("dim_customers", "city"): (("contract", CUSTOMERS, "city"),),
    ("dim_customers", "country_code"): (("contract", CUSTOMERS, "country_code"),),
    ("dim_customers", "country_name"): (("seed", "iso_countries", "country_name"),),
    ("dim_customers", "segment"): (("contract", CUSTOMERS, "segment"), ("literal", "unknown")),
    ("dim_accounts", "account_key"): (MD5,),
    ("dim_accounts", "customer_key"): (MD5,),
    ("dim_accounts", "account_type"): (
        ("contract", ACCOUNTS, "account_type"),
        ("literal", "unknown"),
    ),
    ("dim_accounts", "currency"): (("contract", ACCOUNTS, "currency"), ("literal", "XXX")),
    ("dim_accounts", "status"): (("contract", ACCOUNTS, "status"), ("literal", "unknown")),
    ("dim_dates", "month_name"): (("literal", "September"),),
    ("dim_dates", "day_name"): (("literal", "Wednesday"),),
    ("fact_transactions", "account_key"): (MD5,),
    ("fact_transactions", "customer_key"): (MD5,),
    ("fact_transactions", "currency"): (("contract", TRANSACTIONS, "currency"),),
    ("fact_transactions", "direction"): (("literal", "credit"), ("literal", "debit")),
    ("fact_transactions", "transaction_type"): (("contract", TRANSACTIONS, "transaction_type"),),
    ("fact_transactions", "transaction_category"): (
        ("seed", "transaction_types", "transaction_category"),
        ("literal", "uncategorised"),
    ),
    ("fact_transactions", "status"): (("contract", TRANSACTIONS, "status"),),
    ("fact_transactions", "channel"): (("var", "event_channels"), ("literal", "unknown")),
    ("dim_customers", "quality_issues"): (("codes", "customers"),),
    ("dim_accounts", "quality_issues"): (("codes", "accounts"),),
    ("fact_transactions", "quality_issues"): (("codes", "transactions", "missing_rate"),),
    # the reporting currency: three capital letters (macro reporting_currency checks the var)
    ("fact_transactions", "reporting_currency"): (("var", "reporting_currency"),),
    ("fact_customer_transaction_totals", "latest_customer_key"): (MD5,),
    ("fact_customer_transaction_totals", "reporting_currency"): (("var", "reporting_currency"),),
    ("fact_customer_currency_totals", "currency"): (("contract", TRANSACTIONS, "currency"),),
    ("fact_customer_currency_totals", "reporting_currency"): (("var", "reporting_currency"),),
    ("fact_monthly_transaction_totals", "reporting_currency"): (("var", "reporting_currency"),),
    ("fact_monthly_currency_totals", "currency"): (("contract", TRANSACTIONS, "currency"),),
    ("fact_monthly_currency_totals", "reporting_currency"): (("var", "reporting_currency"),),
    ("fact_daily_channel_totals", "channel"): (
        ("var", "event_channels"),
        ("literal", "unknown"),
    ),
    ("fact_daily_channel_totals", "reporting_currency"): (("var", "reporting_currency"),),
}


def declared() -> dict[tuple[str, str], str]:
    """The data_type of every column of the gold models with an enforced contract (the star
    and its aggregates)."""
    found = {}
    models = [
        model
        for path in sorted((PROJECT / "models" / "gold").rglob("_*__models.yml"))
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    ]
    for model in models:
        if not (model.get("config") or {}).get("contract", {}).get("enforced"):
            continue
        for column in model.get("columns", []):
            found[(model["name"], column["name"])] = str(column.get("data_type", ""))
    return found


TEXT = {key: kind for key, kind in declared().items() if re.match(r"(var)?char", kind)}


def test_every_gold_text_column_declares_a_length_and_has_a_lineage() -> None:
    assert TEXT, "no gold text columns found"
    unbounded = sorted(f"{m}.{c}" for (m, c), kind in TEXT.items() if "(" not in kind)
    assert not unbounded, f"text columns without a length (varchar(256) on Redshift): {unbounded}"
    assert set(TEXT) == set(LINEAGE), (
        f"columns without a lineage here: {sorted(set(TEXT) - set(LINEAGE))}; "
        f"lineage of columns that are gone: {sorted(set(LINEAGE) - set(TEXT))}"
    )


@pytest.mark.parametrize("key", sorted(LINEAGE), ids=lambda k: f"{k[0]}.{k[1]}")
def test_declared_length_is_the_most_bytes_a_value_can_have(key: tuple[str, str]) -> None:
    kind = TEXT.get(key, "")
    found = re.fullmatch(r"varchar\((\d+)\)", kind)
    assert found, f"{key}: declared {kind!r}, expected varchar(n)"
    assert int(found.group(1)) == bound(*LINEAGE[key])


def test_the_bounds_follow_the_contracts() -> None:
    # an address of 255 characters of 'ž' (2 bytes each) would not fit Redshift's 256 bytes
    assert contract(CUSTOMERS, "address_line") == 1020
    assert len(("ž" * 255).encode()) == 510 > 256
    assert bound(LINEAGE[("dim_customers", "full_name")][0]) == 801
