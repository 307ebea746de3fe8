"""The silver `rules_are_applied` data test (tests/generic/) catches every rule it replaces:
one rule check per contract rule and column, one standardisation test per standardised column,
a codes pattern on quality_issues and reject_reasons, not_null on is_deleted. Rows written
here by hand, each breaking one rule (or none: edge values that must pass), are fed to the real
test SQL through `dbt show`, with rules written here as the generator would write them; the
expected problems are listed here, not computed by the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.pipeline import Pipeline

pytestmark = pytest.mark.dbt

COUNTRIES = "main.hand_written_countries"
CURRENCIES = "main.hand_written_currencies"
# the test's arguments, as the generator writes them from a contract
COLUMNS: list[dict[str, Any]] = [
    {
        "name": "account_id",
        "rules": [{"code": "missing_account_id", "check": "not_null", "action": "flag"}],
    },
    {
        "name": "direction",
        "standardised": {"case": "upper", "allow_blank": True},
        "rules": [
            {
                "code": "invalid_direction",
                "check": "accepted_values",
                "action": "reject",
                "values": ["C", "D"],
            },
            {"code": "missing_direction", "check": "not_null", "action": "reject"},
        ],
    },
    {"name": "tag", "standardised": {"case": "lower"}},
    {"name": "note", "standardised": {"trimmed": False}},
    {
        "name": "status",
        "rules": [
            {
                "code": "unknown_status",
                "check": "accepted_values",
                "action": "unknown",
                "values": ["pending", "posted"],
                "unknown": "'unknown'",
            }
        ],
    },
    {
        "name": "amount",
        "rules": [
            {
                "code": "non_positive_amount",
                "check": "range",
                "action": "flag",
                "min_value": 0,
                "inclusive": False,
            }
        ],
    },
    {
        "name": "score",
        "rules": [
            {
                "code": "score_out_of_range",
                "check": "range",
                "action": "reject",
                "min_value": 1,
                "max_value": 10,
            }
        ],
    },
    {
        "name": "priority",
        "rules": [
            {
                "code": "unknown_priority",
                "check": "accepted_values",
                "action": "flag",
                "values": [1, 2, 3],
                "quote": False,
            }
        ],
    },
    {
        "name": "opened_on",
        "rules": [
            {
                "code": "opened_out_of_range",
                "check": "range",
                "action": "flag",
                "min_value": "cast('2000-01-01' as date)",
                "max_value": "cast('2030-12-31' as date)",
            }
        ],
    },
    {
        "name": "country",
        "rules": [
            {
                "code": "unknown_country",
                "check": "reference",
                "action": "nullify",
                "to": COUNTRIES,
                "field": "country_code",
            }
        ],
    },
    {
        "name": "currency",
        "rules": [
            {
                "code": "unknown_currency",
                "check": "reference",
                "action": "flag",
                "to": CURRENCIES,
                "field": "currency_code",
            }
        ],
    },
    {
        "name": "iban",
        "standardised": True,
        "rules": [
            {
                "code": "invalid_iban",
                "check": "pattern",
                "action": "flag",
                "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]+$",
            }
        ],
    },
]
FLAGS = [
    "missing_account_id",
    "unknown_status",
    "non_positive_amount",
    "unknown_priority",
    "opened_out_of_range",
    "unknown_country",
    "unknown_currency",
    "invalid_iban",
]
REJECTS = ["missing_id", "invalid_direction", "missing_direction", "score_out_of_range"]

TYPES = {
    "change_id": "varchar",
    "source_file": "varchar",
    "source_row": "bigint",
    "account_id": "bigint",
    "direction": "varchar",
    "tag": "varchar",
    "note": "varchar",
    "status": "varchar",
    "amount": "decimal(18,2)",
    "score": "integer",
    "priority": "integer",
    "opened_on": "date",
    "country": "varchar",
    "currency": "varchar",
    "iban": "varchar",
    "quality_issues": "varchar",
    "reject_reasons": "varchar",
    "is_deleted": "boolean",
}
GOOD: dict[str, str] = {
    "source_file": "'core/t/20240501-100000000.csv'",
    "source_row": "7",
    "account_id": "1",
    "direction": "'C'",
    "tag": "'retail'",
    "note": "'hello'",
    "status": "'posted'",
    "amount": "10.00",
    "score": "5",
    "priority": "2",
    "opened_on": "date '2020-01-01'",
    "country": "'DE'",
    "currency": "'EUR'",
    "iban": "'DE89370400440532013000'",
    "quality_issues": "null",
    "reject_reasons": "null",
    "is_deleted": "false",
}
# change_id -> (the values that differ from GOOD, the problem the test must name, or None)
ROWS: dict[str, tuple[dict[str, str], str | None]] = {
    # edge values that pass
    "good": ({}, None),
    "nulls where only not_null fails": (
        {
            "tag": "null",
            "note": "null",
            "status": "null",
            "amount": "null",
            "score": "null",
            "priority": "null",
            "opened_on": "null",
            "country": "null",
            "currency": "null",
            "iban": "null",
        },
        None,
    ),
    "account missing and flagged": (
        {"account_id": "null", "quality_issues": "'missing_account_id'"},
        None,
    ),
    "direction missing and rejected": (
        {"direction": "null", "reject_reasons": "'missing_direction'"},
        None,
    ),
    "direction blank allowed, rejected": (
        {"direction": "''", "reject_reasons": "'invalid_direction'"},
        None,
    ),
    "note spaces kept (not trimmed)": ({"note": "' hi '"}, None),
    "status replaced by unknown": (
        {"status": "'unknown'", "quality_issues": "'unknown_status'"},
        None,
    ),
    "amount just above the exclusive minimum": ({"amount": "0.01"}, None),
    "amount zero flagged": ({"amount": "0", "quality_issues": "'non_positive_amount'"}, None),
    "score at the inclusive minimum": ({"score": "1"}, None),
    "score at the inclusive maximum": ({"score": "10"}, None),
    "score out of range rejected": (
        {"score": "11", "reject_reasons": "'score_out_of_range'"},
        None,
    ),
    "opened at the minimum": ({"opened_on": "date '2000-01-01'"}, None),
    "opened at the maximum": ({"opened_on": "date '2030-12-31'"}, None),
    "country nullified": ({"country": "null", "quality_issues": "'unknown_country'"}, None),
    "currency unknown flagged": (
        {"currency": "'XXX'", "quality_issues": "'unknown_currency'"},
        None,
    ),
    "several codes": (
        {
            "account_id": "null",
            "currency": "'XXX'",
            "priority": "9",
            "quality_issues": "'missing_account_id,unknown_currency,unknown_priority'",
            "direction": "'X'",
            "score": "0",
            "reject_reasons": "'invalid_direction,score_out_of_range'",
        },
        None,
    ),
    "deleted, stale values ignored by the rules": (
        {
            "is_deleted": "true",
            "account_id": "null",
            "direction": "'X'",
            "status": "'weird'",
            "amount": "0",
            "country": "'ZZ'",
            "currency": "'EUR'",
            "quality_issues": "'unknown_currency'",
        },
        None,
    ),
    # one rule broken each
    "account missing, not flagged": (
        {"account_id": "null"},
        "account_id fails not_null but missing_account_id is not in quality_issues",
    ),
    "account present, flagged": (
        {"quality_issues": "'missing_account_id'"},
        "missing_account_id is in quality_issues but account_id passes not_null",
    ),
    "direction lower case": (
        {"direction": "'c'", "reject_reasons": "'invalid_direction'"},
        "direction is not upper case",
    ),
    "direction not trimmed": (
        {"direction": "' C'", "reject_reasons": "'invalid_direction'"},
        "direction is not trimmed",
    ),
    "direction invalid, not rejected": (
        {"direction": "'X'"},
        "direction fails accepted_values but invalid_direction is not in reject_reasons",
    ),
    "direction valid, rejected": (
        {"reject_reasons": "'invalid_direction'"},
        "invalid_direction is in reject_reasons but direction passes accepted_values",
    ),
    "direction missing, not rejected": (
        {"direction": "null"},
        "direction fails not_null but missing_direction is not in reject_reasons",
    ),
    "tag upper case": ({"tag": "'Retail'"}, "tag is not lower case"),
    "tag not trimmed": ({"tag": "'retail '"}, "tag is not trimmed"),
    "tag blank": ({"tag": "''"}, "tag is blank"),
    "note blank": ({"note": "''"}, "note is blank"),
    "note only spaces": ({"note": "'   '"}, "note is blank"),
    "status odd, not flagged": (
        {"status": "'weird'"},
        "status fails accepted_values but unknown_status is not in quality_issues",
    ),
    "status flagged, not replaced": (
        {"quality_issues": "'unknown_status'"},
        "unknown_status is in quality_issues but status is not the unknown value",
    ),
    "status flagged, null": (
        {"status": "null", "quality_issues": "'unknown_status'"},
        "unknown_status is in quality_issues but status is not the unknown value",
    ),
    "amount zero, not flagged": (
        {"amount": "0"},
        "amount fails range but non_positive_amount is not in quality_issues",
    ),
    "amount positive, flagged": (
        {"quality_issues": "'non_positive_amount'"},
        "non_positive_amount is in quality_issues but amount passes range",
    ),
    "score below the minimum": (
        {"score": "0"},
        "score fails range but score_out_of_range is not in reject_reasons",
    ),
    "score above the maximum": (
        {"score": "11"},
        "score fails range but score_out_of_range is not in reject_reasons",
    ),
    "priority not accepted": (
        {"priority": "4"},
        "priority fails accepted_values but unknown_priority is not in quality_issues",
    ),
    "opened too early": (
        {"opened_on": "date '1999-12-31'"},
        "opened_on fails range but opened_out_of_range is not in quality_issues",
    ),
    "opened too late": (
        {"opened_on": "date '2031-01-01'"},
        "opened_on fails range but opened_out_of_range is not in quality_issues",
    ),
    "country unknown, kept": (
        {"country": "'ZZ'"},
        "country fails reference but unknown_country is not in quality_issues",
    ),
    "country flagged, not nulled": (
        {"country": "'ZZ'", "quality_issues": "'unknown_country'"},
        "unknown_country is in quality_issues but country is not null",
    ),
    "currency lower case is unknown": (
        {"currency": "'eur'"},
        "currency fails reference but unknown_currency is not in quality_issues",
    ),
    "currency known, flagged": (
        {"quality_issues": "'unknown_currency'"},
        "unknown_currency is in quality_issues but currency passes reference",
    ),
    "iban not trimmed": (
        {"iban": "' DE89370400440532013000'", "quality_issues": "'invalid_iban'"},
        "iban is not trimmed",
    ),
    "iban blank": ({"iban": "''", "quality_issues": "'invalid_iban'"}, "iban is blank"),
    "iban malformed, not flagged": (
        {"iban": "'de89'"},
        "iban fails pattern but invalid_iban is not in quality_issues",
    ),
    "iban fine, flagged": (
        {"quality_issues": "'invalid_iban'"},
        "invalid_iban is in quality_issues but iban passes pattern",
    ),
    "flag code not in the contract": (
        {"quality_issues": "'made_up'"},
        "quality_issues is not a comma-separated list of the contract codes",
    ),
    "reject code among the flags": (
        {"direction": "'X'", "quality_issues": "'invalid_direction'"},
        "direction fails accepted_values but invalid_direction is not in reject_reasons",
    ),
    "flags with a trailing comma": (
        {"account_id": "null", "quality_issues": "'missing_account_id,'"},
        "quality_issues is not a comma-separated list of the contract codes",
    ),
    "flags empty": (
        {"quality_issues": "''"},
        "quality_issues is not a comma-separated list of the contract codes",
    ),
    "reject code not in the contract": (
        {"reject_reasons": "'made_up'"},
        "reject_reasons is not a comma-separated list of the contract codes",
    ),
    "is_deleted null": (
        {"is_deleted": "null", "account_id": "null"},
        "is_deleted is null",
    ),
    # composite: two rules broken, the first (in the order of the arguments) is named
    "two codes, one wrong": (
        {
            "account_id": "null",
            "quality_issues": "'missing_account_id,unknown_currency'",
        },
        "unknown_currency is in quality_issues but currency passes reference",
    ),
    "two rules broken": (
        {"account_id": "null", "status": "'weird'"},
        "account_id fails not_null but missing_account_id is not in quality_issues",
    ),
    # a delete is out of the rules, not of standardisation or the codes' lists
    "deleted, not standardised": (
        {"is_deleted": "true", "tag": "'Retail'"},
        "tag is not lower case",
    ),
    "deleted, flag code not in the contract": (
        {"is_deleted": "true", "quality_issues": "'made_up'"},
        "quality_issues is not a comma-separated list of the contract codes",
    ),
}


def _hand_written_tables(database: Path) -> None:
    selects = []
    for change_id, (changes, _) in ROWS.items():
        values = {"change_id": "'" + change_id.replace("'", "''") + "'", **GOOD, **changes}
        selects.append(
            "select " + ", ".join(f"cast({values[c]} as {t}) as {c}" for c, t in TYPES.items())
        )
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table main.hand_written_latest as " + "\nunion all\n".join(selects)
        )
        # a duplicate and a null in a reference must not repeat or hide a row
        connection.execute(
            f"create table {COUNTRIES} as select * from (values ('DE'), ('FR'), ('DE'), (null))"
            " as t(country_code)"
        )
        connection.execute(
            f"create table {CURRENCIES} as select * from (values ('EUR'), ('USD'))"
            " as t(currency_code)"
        )


def _failing_rows(pipeline: Pipeline, relation: str) -> list[dict[str, Any]]:
    arguments = (
        f"model='{relation}', columns={json.dumps(COLUMNS)}, "
        f"quality_issues={json.dumps(FLAGS)}, reject_reasons={json.dumps(REJECTS)}"
    )
    return pipeline.show(f"select * from ({{{{ test_rules_are_applied({arguments}) }}}}) as t")


def test_each_silver_rule_is_caught_and_named(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, artifacts=False)
    _hand_written_tables(pipeline.database)
    failing = _failing_rows(pipeline, "main.hand_written_latest")
    found = {row["change_id"]: row["problem"] for row in failing}
    expected = {change_id: problem for change_id, (_, problem) in ROWS.items() if problem}
    assert found == expected
    assert len(failing) == len(expected)  # one row each: the references repeat none
    # the failing rows point at the record: file and row as landed
    by_id = {row["change_id"]: row for row in failing}
    assert by_id["tag blank"]["source_file"] == "core/t/20240501-100000000.csv"
    assert by_id["tag blank"]["source_row"] == 7
