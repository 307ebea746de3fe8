"""The model generator without dbt: the rule vocabulary and its errors, what a bare contract
gives, the SQL and YAML a rule produces, hand-written overrides, and the staleness check
`make test` runs (`dmsw models check`). The dbt side (the generated models built and compared
with the truth) is tests/python/test_generated_layer.py."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from ingestion.cli import main
from ingestion.column_types import parse_type
from ingestion.errors import UserError
from modelgen.layout import MARK, compare, plan, write
from modelgen.rules import parse_rules

PROJECT = Path(__file__).resolve().parents[2]
TEXT = parse_type("varchar")
NUMBER = parse_type("decimal(12,2)")


def test_the_projects_generated_models_match_its_contracts() -> None:
    """The files checked in are what the contracts give (run `make models` when this fails)."""
    differences = compare(PROJECT, plan(PROJECT, PROJECT / "contracts"))
    assert not differences, (
        f"out of date: {differences.changed}, missing: {differences.missing}, "
        f"stale: {differences.stale}; run `make models`"
    )


@pytest.mark.parametrize(
    ("rules", "column_type", "message"),
    [
        (["strip"], TEXT, "'strip' is not a rule"),
        (["lower"], NUMBER, "lower applies to text columns, not decimal(12,2)"),
        ([{"pattern": "^[a-z"}], TEXT, "pattern '^[a-z' is not valid"),
        ([{"pattern": "x", "range": {"min": 1}}], TEXT, "exactly one of"),
        ([{"accepted_values": []}], TEXT, "non-empty list"),
        ([{"accepted_values": ["a"], "action": "drop"}], TEXT, "action 'drop' is not one of"),
        ([{"accepted_values": ["a"], "action": "unknown"}], TEXT, "needs the value to use"),
        ([{"accepted_values": ["a"], "unknown": "x"}], TEXT, "only used with action: unknown"),
        ([{"accepted_values": [1, 2]}], TEXT, "must be text"),
        ([{"accepted_values": ["1"]}], NUMBER, "is not a number"),
        ([{"range": {"min": "a"}}], TEXT, "range applies to numbers"),
        ([{"range": {"low": 1}}], NUMBER, "range takes min, max and inclusive"),
        ([{"reference": "iso_countries"}], TEXT, "reference must be <seed>.<column>"),
        ([{"not_null": True, "action": "nullify"}], TEXT, "cannot nullify"),
        ([{"not_null": True, "code": "Bad Code"}], TEXT, "lower-case letters"),
        ([{"not_null": True, "severity": "high"}], TEXT, "unknown key(s) ['severity']"),
        ([42], TEXT, "expected a name or a mapping"),
    ],
)
def test_bad_rules_are_one_line_errors_naming_file_column_and_rule(
    rules: list[object], column_type: object, message: str
) -> None:
    with pytest.raises(UserError, match=re.escape(message)) as caught:
        parse_rules(rules, "email", column_type, "contracts/s/t.yml")  # type: ignore[arg-type]
    text = str(caught.value)
    assert text.startswith("contracts/s/t.yml: column email: rule 1: ")
    assert "\n" not in text


def test_rules_parse_with_defaults() -> None:
    parsed = parse_rules(
        ["trim", "lower", "nullif_blank", "not_null", {"accepted_values": ["a", "b"]}],
        "kind",
        TEXT,
        "f",
    )
    assert parsed.standardise == ("trim", "lower", "nullif_blank")
    assert [(c.kind, c.action, c.code) for c in parsed.checks] == [
        ("not_null", "flag", "missing_kind"),
        ("accepted_values", "flag", "unknown_kind"),
    ]


def _project(tmp_path: Path, contract: str, schema: str = "shop", table: str = "orders") -> Path:
    """A scratch project: the seeds the references need and one contract."""
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    shutil.copytree(PROJECT / "seeds", project / "seeds")
    folder = project / "contracts" / schema
    folder.mkdir(parents=True)
    (folder / f"{table}.yml").write_text(contract)
    return project


BARE = "table: orders\nprimary_key: [order_id]\ncolumns:\n  - {name: order_id, type: bigint}\n"


def test_a_bare_contract_generates_every_model(tmp_path: Path) -> None:
    contract = BARE + "  - {name: total, type: 'decimal(12,2)', nullable: false}\n"
    project = _project(tmp_path, contract)
    planned = plan(project, project / "contracts")
    names = {p.name for p in planned.files}
    assert {
        "stg_shop__orders.sql",
        "slv_orders__changes.sql",
        "slv_orders__latest.sql",
        "slv_orders.sql",
        "slv_orders__rejects.sql",
        "_silver_orders__models.yml",
        "_bronze_shop__models.yml",
        "_bronze_shop__sources.yml",
        "slv_data_quality.sql",
        "quality_codes.csv",
    } <= names
    assert "slv_orders__history.sql" not in names  # history: false by default
    changes = planned.files[Path("models/silver/orders/slv_orders__changes.sql")]
    # the key rejects a null; a NOT NULL column flags one
    assert "standardised.order_id is null as is_missing_order_id" in changes
    assert "['is_missing_total', 'missing_total']" in changes
    codes = planned.files[Path("seeds/quality_codes.csv")].splitlines()
    assert codes[1:] == [
        "orders,missing_order_id,order_id,reject,order_id is missing: the record is rejected",
        "orders,missing_total,total,flag,total is missing: kept and flagged",
    ]
    for path, text in planned.files.items():
        if path.suffix == ".yml":
            assert yaml.safe_load(text)["version"] == 2
        if path.suffix in (".sql", ".yml", ".md"):
            assert MARK in text[:300], path


def test_rules_become_sql_and_the_tests_that_prove_them(tmp_path: Path) -> None:
    contract = BARE + (
        "  - name: status\n    type: varchar\n    rules:\n      - trim\n      - lower\n"
        "      - {accepted_values: [new, paid], action: unknown, unknown: other,\n"
        "         code: odd_status}\n"
        "  - name: country\n    type: 'char(2)'\n    rules:\n      - upper\n"
        "      - {reference: iso_countries.country_code, action: nullify}\n"
        "  - name: total\n    type: 'decimal(12,2)'\n"
        "    rules: [{range: {min: 0}, action: reject, code: negative_total}]\n"
    )
    project = _project(tmp_path, contract)
    planned = plan(project, project / "contracts")
    changes = planned.files[Path("models/silver/orders/slv_orders__changes.sql")]
    assert "lower(trim(status)) as status" in changes
    assert "standardised.status not in ('new', 'paid') as is_odd_status" in changes
    assert "case when is_odd_status then 'other' else status end as status" in changes
    assert (
        "left join known_country\n        on standardised.country = known_country.country_code"
        in (changes)
    )
    assert "case when is_unknown_country then null else country end as country" in changes
    assert "standardised.total < 0 as is_negative_total" in changes
    assert "['is_negative_total', 'negative_total']" in changes.split("as quality_issues")[1]
    models = yaml.safe_load(planned.files[Path("models/silver/orders/_silver_orders__models.yml")])
    latest = next(m for m in models["models"] if m["name"] == "slv_orders__latest")
    # one test of every rule of the table, in one pass; the key keeps its own tests
    assert [c["name"] for c in latest["columns"] if c.get("data_tests")] == ["order_id"]
    (test,) = [t["rules_are_applied"] for t in latest["data_tests"] if "rules_are_applied" in t]
    assert test["name"] == "rules_are_applied_slv_orders__latest"
    columns = {c["name"]: c for c in test["arguments"]["columns"]}
    assert columns["status"] == {
        "name": "status",
        "standardised": {"case": "lower", "allow_blank": True},
        "rules": [
            {
                "code": "odd_status",
                "check": "accepted_values",
                "action": "unknown",
                "values": ["new", "paid"],
                "unknown": "'other'",
            }
        ],
    }
    reference = {"to": "ref('iso_countries')", "field": "country_code"}
    assert columns["country"] == {
        "name": "country",
        "standardised": {"case": "upper", "trimmed": False, "allow_blank": True},
        "rules": [
            {"code": "unknown_country", "check": "reference", "action": "nullify"} | reference
        ],
    }
    assert columns["total"] == {
        "name": "total",
        "rules": [{"code": "negative_total", "check": "range", "action": "reject", "min_value": 0}],
    }
    assert test["arguments"]["quality_issues"] == ["odd_status", "unknown_country"]
    assert test["arguments"]["reject_reasons"] == ["missing_order_id", "negative_total"]
    # the columns it checks, for scripts/column_test_coverage.py
    assert test["config"]["meta"]["test_scope"] == "landed_in_runs_not_proven"
    assert test["config"]["meta"]["tested_columns"] == [
        *columns,
        "quality_issues",
        "reject_reasons",
        "is_deleted",
    ]
    changes_model = next(m for m in models["models"] if m["name"] == "slv_orders__changes")
    assert changes_model["config"]["meta"]["tested_in"] == "slv_orders__latest"
    # its key passed on from bronze unchanged: its not null is bronze's, not tested again
    assert "data_tests" not in changes_model
    # the current and rejects views filter __latest's rows: its key test covers them, and
    # the values are tested where they are stored
    current = next(m for m in models["models"] if m["name"] == "slv_orders")
    rejects = next(m for m in models["models"] if m["name"] == "slv_orders__rejects")
    assert [c["name"] for c in current["columns"] if c.get("data_tests")] == []
    assert "data_tests" not in current
    assert [c["name"] for c in rejects["columns"] if c.get("data_tests")] == ["reject_reason"]
    # reject_reason's relationships on the column, its not null in the model's one test
    assert rejects["data_tests"] == [
        {"columns_are_not_null": {"arguments": {"columns": ["reject_reason"]}}}
    ]
    for view in (current, rejects):
        assert view["config"]["meta"]["primary_key_tested_in"] == "slv_orders__latest"
    latest = next(m for m in models["models"] if m["name"] == "slv_orders__latest")
    key = next(c for c in latest["columns"] if c["name"] == "order_id")
    # unique and not null in one scan, over every row of the keys the unproven runs landed
    assert key["data_tests"] == [
        {
            "primary_key": {
                "config": {
                    "meta": {"test_scope": "landed_in_runs_not_proven", "scope_keys": ["order_id"]}
                }
            }
        }
    ]
    # its last_change_id (and the rejects view's) is proven once, by the bronze reconcile
    bronze = yaml.safe_load(planned.files[Path("models/bronze/shop/_bronze_shop__models.yml")])
    staging = next(m for m in bronze["models"] if m["name"] == "stg_shop__orders")
    reconcile = next(t for t in staging["data_tests"] if "change_log_reconciles" in t)
    assert reconcile["change_log_reconciles"]["config"]["meta"]["tested_columns"] == [
        "slv_orders.last_change_id",
        "slv_orders__rejects.last_change_id",
    ]


def test_a_composite_key_and_history(tmp_path: Path) -> None:
    contract = (
        "table: order_lines\nhistory: true\nprimary_key: [order_id, line_no]\ncolumns:\n"
        "  - {name: order_id, type: bigint}\n  - {name: line_no, type: integer}\n"
        "  - {name: sku, type: varchar}\n"
    )
    planned = plan(p := _project(tmp_path, contract, table="order_lines"), p / "contracts")
    folder = Path("models/silver/order_lines")
    latest = planned.files[folder / "slv_order_lines__latest.sql"]
    assert "unique_key=['order_id', 'line_no']" in latest
    history = planned.files[folder / "slv_order_lines__history.sql"]
    assert (
        "delete_keys_in(['order_id', 'line_no'], keys_with_landed_changes("
        "ref('slv_order_lines__changes'), ['order_id', 'line_no'], ref('slv_order_lines__latest')))"
    ) in history
    assert "change_log_versions('changes', ['order_id', 'line_no'], 'full_loads')" in history
    assert "delete_keys_absent_from_newer_full_load(ref('slv_order_lines__changes'))" in latest
    # valid_from hashed as text every engine writes alike (timestamp_key_text)
    key = "surrogate_key(['order_id', 'line_no', timestamp_key_text('valid_from')])"
    assert f"{key} }}}} as version_key" in history
    models = yaml.safe_load(planned.files[folder / "_silver_order_lines__models.yml"])
    by_name = {m["name"]: m for m in models["models"]}
    key_test = {
        "unique_combination_of_columns": {
            "arguments": {"columns": ["order_id", "line_no"]},
            "config": {
                "meta": {
                    "test_scope": "landed_in_runs_not_proven",
                    "scope_keys": ["order_id", "line_no"],
                }
            },
        }
    }
    assert key_test in by_name["slv_order_lines__latest"]["data_tests"]
    # the key columns not null in one test, over the rows the unproven runs landed; none of
    # them tested column by column
    not_null = {
        "columns_are_not_null": {
            "arguments": {"columns": ["order_id", "line_no"]},
            "config": {"meta": {"test_scope": "landed_in_runs_not_proven"}},
        }
    }
    assert not_null in by_name["slv_order_lines__latest"]["data_tests"]
    assert by_name["slv_order_lines__history"]["data_tests"] == [
        {"versions_do_not_overlap": {"arguments": {"key_columns": ["order_id", "line_no"]}}},
        {
            "columns_are_not_null": {
                "arguments": {
                    "columns": [
                        "order_id",
                        "line_no",
                        "version_number",
                        "valid_from",
                        "valid_to",
                        "is_current",
                        "last_landed_at",
                    ]
                }
            }
        },
    ]
    for model in by_name.values():
        for column in model["columns"]:
            assert "not_null" not in column.get("data_tests", []), (model["name"], column)
    history_columns = [c["name"] for c in by_name["slv_order_lines__history"]["columns"]]
    listed = by_name["slv_order_lines__history"]["data_tests"][1]["columns_are_not_null"]
    # in the order of the model's columns
    assert listed["arguments"]["columns"] == [
        c for c in history_columns if c in listed["arguments"]["columns"]
    ]
    # bronze: the key columns not null in one test, scoped as its other tests
    bronze = yaml.safe_load(planned.files[Path("models/bronze/shop/_bronze_shop__models.yml")])
    (staging,) = bronze["models"]
    assert {
        "columns_are_not_null": {
            "arguments": {"columns": ["order_id", "line_no"]},
            "config": {"meta": {"test_scope": "landing_runs_not_proven"}},
        }
    } in staging["data_tests"]
    assert [c["name"] for c in staging["columns"] if c.get("data_tests")] == ["change_id"]


@pytest.mark.parametrize(
    ("contract", "message"),
    [
        (
            BARE + "  - {name: c, type: varchar, rules: [{reference: no_seed.code}]}\n",
            "column c: reference no_seed.code: no seed seeds/no_seed.csv",
        ),
        (
            BARE + "  - {name: c, type: varchar, rules: [{reference: iso_countries.code}]}\n",
            "the seed has no column code",
        ),
        (BARE + "  - {name: change_id, type: varchar}\n", "name the generated models use"),
        # SQL reserved words: the silver models name columns bare, so they fail to parse
        (BARE + "  - {name: order, type: bigint}\n", "column 'order' is a reserved word"),
        (BARE + "  - {name: Qualify, type: varchar}\n", "column 'qualify' is a reserved word"),
        (
            BARE + "  - {name: d, type: varchar, document: {fields: [{name: group}]}}\n",
            "column 'group' is a reserved word",
        ),
        (
            BARE + "  - {name: c, type: varchar, rules: [not_null]}\n"
            "  - {name: d, type: varchar, rules: [{not_null: true, code: missing_c}]}\n",
            r"code\(s\) \['missing_c'\] used by more than one rule",
        ),
        (
            BARE + "  - {name: c, type: varchar, rules: [lower, {accepted_values: [a], "
            "action: unknown, unknown: Other}]}\n",
            "unknown value 'Other' is not standardised",
        ),
        (
            BARE + "  - {name: d, type: varchar, document: {fields: [{name: n, type: money}]}}\n",
            "not supported",
        ),
        (
            BARE + "  - {name: d, type: varchar, document: {fields: [{name: n, pth: x}]}}\n",
            r"document field n: unknown key\(s\) \['pth'\]",
        ),
        (
            BARE + "  - {name: d, type: bigint, document: {fields: [{name: n}]}}\n",
            "a document column holds text",
        ),
    ],
)
def test_bad_contracts_are_clear_errors(tmp_path: Path, contract: str, message: str) -> None:
    project = _project(tmp_path, contract)
    with pytest.raises(UserError, match=message) as caught:
        plan(project, project / "contracts")
    assert str(caught.value).startswith("contracts/shop/orders.yml: ")


def test_a_reserved_source_name_renamed_is_quoted_in_bronze_only(tmp_path: Path) -> None:
    # a source table with columns named `order` and `pivot` (DuckDB reserves both); the
    # contract renames them: bronze reads the source names quoted, silver uses the new names
    contract = BARE + (
        "  - {name: order, type: bigint, rename: order_no}\n"
        "  - {name: pivot, type: varchar, rename: pivot_point}\n"
    )
    project = _project(tmp_path, contract)
    planned = plan(project, project / "contracts")
    bronze = planned.files[Path("models/bronze/shop/stg_shop__orders.sql")]
    assert '"order" as order_no,' in bronze
    assert '"pivot" as pivot_point,' in bronze
    for path, text in planned.files.items():
        if path.suffix == ".sql" and path.parts[1] == "silver":
            assert not re.search(r"\b(order|pivot)\b,", text), path


def test_a_document_column_becomes_typed_fields(tmp_path: Path) -> None:
    contract = BARE + (
        "  - name: _doc\n    type: varchar\n    rename: document\n    document:\n"
        "      fields:\n        - {name: amount, path: payment.amount, type: 'decimal(10,2)'}\n"
        "        - {name: kind, rules: [trim, lower]}\n"
        "        - {name: paid_at, path: paid.$date, type: timestamp}\n"
        "        - {name: due_at, path: due, type: timestamp}\n"
    )
    planned = plan(p := _project(tmp_path, contract), p / "contracts")
    bronze = planned.files[Path("models/bronze/shop/stg_shop__orders.sql")]
    # a typed field keeps an object or an array as its JSON text (true); a text field does not
    assert "['amount_text', ['payment', 'amount'], true]," in bronze
    assert "['kind', ['kind']]," in bronze
    assert "{{ json_field_value('amount_text', 'decimal(10,2)') }} as amount," in bronze
    # epoch milliseconds are read only where the path ends at MongoDB's $date
    assert (
        "{{ json_field_value('paid_at_text', 'timestamp', date_value=true) }} as paid_at," in bronze
    )
    assert "{{ json_field_value('due_at_text', 'timestamp') }} as due_at," in bronze
    assert "_doc as document," in bronze and "{{ json_is_valid('_doc') }} as is_valid_document" in (
        bronze
    )
    changes = planned.files[Path("models/silver/orders/slv_orders__changes.sql")]
    # a document that is not JSON is rejected by default; a field that does not parse is
    # nulled (it is already) and flagged
    assert "not standardised.is_valid_document as is_invalid_document" in changes
    assert "['is_invalid_document', 'invalid_document']" in changes.split("quality_issues")[1]
    assert "['is_invalid_amount', 'invalid_amount']" in changes.split("quality_issues")[0]


def test_a_hand_written_model_replaces_the_generated_one(tmp_path: Path) -> None:
    project = _project(tmp_path, BARE)
    write(project, plan(project, project / "contracts"))
    generated = project / "models/silver/orders/slv_orders.sql"
    assert generated.exists()
    mine = project / "models/silver/slv_orders.sql"
    mine.write_text("select 1 as order_id\n")
    planned = plan(project, project / "contracts")
    assert planned.skipped == {"slv_orders": Path("models/silver/slv_orders.sql")}
    differences = write(project, planned)
    assert differences.stale == [Path("models/silver/orders/slv_orders.sql")]
    assert not generated.exists() and mine.exists()
    models = yaml.safe_load(
        (project / "models/silver/orders/_silver_orders__models.yml").read_text()
    )
    assert "slv_orders" not in {m["name"] for m in models["models"]}


def test_check_fails_on_edited_missing_or_stale_files_and_generate_repairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, BARE)
    args = ["models", "check", "--project", str(project), "--contracts", str(project / "contracts")]
    assert main(args) == 1  # nothing generated yet
    assert main(["models", "generate", *args[2:]]) == 0
    assert main(args) == 0
    latest = project / "models/silver/orders/slv_orders__latest.sql"
    latest.write_text(latest.read_text() + "-- edited\n")
    (project / "contracts/shop/orders.yml").rename(project / "contracts/shop/purchases.yml")
    (project / "contracts/shop/purchases.yml").write_text(BARE.replace("orders", "purchases"))
    capsys.readouterr()
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "stale (no contract): models/silver/orders/slv_orders__latest.sql" in out
    assert "missing: models/silver/purchases/slv_purchases.sql" in out
    assert main(["models", "generate", *args[2:]]) == 0
    assert main(args) == 0
    assert not (project / "models/silver/orders").exists()


def test_a_bad_contract_exits_2_with_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, BARE + "  - {name: c, type: varchar, rules: [upcase]}\n")
    code = main(
        ["models", "generate", "--project", str(project), "--contracts", str(project / "contracts")]
    )
    assert code == 2
    assert "contracts/shop/orders.yml: column c: rule 1: 'upcase' is not a rule" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("column", "name"),
    [
        ("{name: order, type: bigint}", "order"),  # reserved everywhere
        ("{name: SELECT, type: varchar}", "select"),  # Oracle-style upper case
        ("{name: raw, type: varchar}", "raw"),  # reserved on Redshift
        ("{name: first, type: varchar}", "first"),  # reserved on Athena
        ("{name: ok, type: varchar, rename: group}", "group"),  # a rename to one
        ("{name: d, type: varchar, document: {fields: [{name: limit}]}}", "limit"),
    ],
)
def test_a_reserved_word_as_a_models_column_is_refused_saying_rename(
    tmp_path: Path, column: str, name: str
) -> None:
    """The silver SQL, the macros and the tests use column names unquoted: a reserved word
    there breaks the build (DuckDB: `select order, ...`; Athena or Redshift: more words)."""
    project = _project(tmp_path, BARE + f"  - {column}\n")
    with pytest.raises(UserError, match=rf"column '{name}' is a reserved word in SQL") as caught:
        plan(project, project / "contracts")
    assert "rename:" in str(caught.value) and "\n" not in str(caught.value)


def test_a_reserved_source_column_renamed_is_read_quoted_in_bronze(tmp_path: Path) -> None:
    """Landing keeps the source's name (`order`, `RAW`); bronze quotes it and renames it."""
    contract = (
        "table: orders\nprimary_key: [order, GROUP]\ncolumns:\n"
        "  - {name: order, type: bigint, rename: order_no}\n"
        "  - {name: GROUP, type: bigint, rename: grp}\n"
        "  - {name: raw, type: varchar, rename: raw_text}\n"
        "  - {name: timestamp, type: timestamp, rename: changed_at}\n"
    )
    project = _project(tmp_path, contract)
    sql = plan(project, project / "contracts").files[
        Path("models/bronze/shop/stg_shop__orders.sql")
    ]
    for line in ('"order" as order_no,', '"GROUP" as grp,', '"raw" as raw_text,'):
        assert line in sql
    assert """{{ cast_timestamp('"timestamp"') }} as changed_at,""" in sql


def test_the_reserved_words_are_every_engines() -> None:
    """The words the offline Athena and Redshift checks look for (their published lists)."""
    from ingestion.identifiers import RESERVED_WORDS
    from warehouse_check.capabilities import RESERVED

    for words in RESERVED.values():
        assert {w.lower() for w in words} <= RESERVED_WORDS


@pytest.mark.parametrize(
    ("schema", "table", "entity", "message"),
    [
        ("dbo", "__EFMigrationsHistory", None, "table '__EFMigrationsHistory' cannot name"),
        ("my__app", "orders", None, "schema 'my__app' cannot name"),
        ("dbo", "Order__Lines", "order_lines", "table 'Order__Lines' cannot name"),
    ],
)
def test_a_folder_name_no_model_can_take_says_what_helps(
    tmp_path: Path, schema: str, table: str, entity: str | None, message: str
) -> None:
    """The bronze model is stg_<schema>__<table> whatever the entity: `entity:` cannot help
    with a schema or table name holding `__` (or starting or ending with `_`)."""
    contract = BARE.replace("table: orders", f"table: {table}")
    if entity:
        contract += f"entity: {entity}\n"
    project = _project(tmp_path, contract, schema=schema, table=table)
    with pytest.raises(UserError, match=message) as caught:
        plan(project, project / "contracts")
    assert "set entity" not in str(caught.value)
    what = message.split()[0]
    assert f"rename the {what} in the DMS task" in str(caught.value)


def test_an_entity_no_model_can_take_says_set_entity(tmp_path: Path) -> None:
    project = _project(tmp_path, BARE + "entity: bad__name\n")
    with pytest.raises(UserError, match=r"entity 'bad__name' cannot name a model.*set entity:"):
        plan(project, project / "contracts")


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("{name: " + "c" * 128 + ", type: varchar}", "column 'c{128}' is longer than 127"),
        (
            "{name: " + "c" * 120 + ", type: varchar, nullable: false}",
            "flag column 'is_missing_c{120}' is longer than 127",
        ),
    ],
)
def test_a_name_longer_than_redshift_allows_is_refused(
    tmp_path: Path, column: str, message: str
) -> None:
    """Redshift names are at most 127 bytes; the models add prefixes (is_missing_<column>)."""
    project = _project(tmp_path, BARE + f"  - {column}\n")
    with pytest.raises(UserError, match=message) as caught:
        plan(project, project / "contracts")
    assert "rename:" in str(caught.value) or "code:" in str(caught.value)


def test_an_entity_too_long_for_redshift_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, BARE + "entity: " + "e" * 115 + "\n")
    with pytest.raises(UserError, match=r"model slv_e{115}__changes is longer than 127"):
        plan(project, project / "contracts")
