"""`make run SOURCE=<your DMS root>` with roots that are not our demo data: an empty folder,
and roots holding only one of our tables. The steps `make run` takes (land, the generated
models checked, `dbt build` with every data and unit test, docs) must succeed, with empty
tables downstream; no test of the build may depend on the demo data's content. The masking
test's negative control, which needs a clear value to find, runs here on rows written by hand.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.pipeline import Pipeline
from support.project import PROJECT

pytestmark = pytest.mark.dbt

DMSW = str(Path(sys.executable).with_name("dmsw"))
HEADER = (
    "Op,dms_commit_ts,customer_id,first_name,last_name,email,phone,date_of_birth,gender,"
    "address_line,city,country_code,segment,created_at,updated_at,dms_change_seq"
)
CUSTOMERS = "\n".join(
    [
        HEADER,
        "I,2026-03-01 08:00:00.000000,1,Ann,Lee,ann@example.com,,1980-01-02,F,1 Main St,Brno,cz,"
        "retail,2020-01-01 00:00:00,2020-01-01 00:00:00,",
        'I,2026-03-01 08:00:00.000000,2,"  ",,Not An Email,,,,,Praha,CZ,private,'
        "2020-01-01 00:00:00,2020-01-01 00:00:00,",
        "I,2026-03-01 08:00:00.000000,3,,Novak,bo@example.com,,,X,,Ostrava,QQ,Business,"
        "2020-01-01 00:00:00,2020-01-01 00:00:00,",
    ]
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("own_roots")


@pytest.fixture
def pipeline(root: Path) -> Iterator[Pipeline]:
    """A fresh DMS root, lake and warehouse; dbt's target folder is kept (parsed once)."""
    for name in ("dms", "lake", "warehouse.duckdb", "warehouse.duckdb.wal"):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    yield Pipeline(root)


def run_like_make_run(pipeline: Pipeline) -> None:
    """`make run SOURCE=<root>` without writing into the project: land, models check, dbt
    build, docs."""
    source, lake = str(pipeline.dms), str(pipeline.lake)
    landed = pipeline.run(DMSW, "land", "--source", source, "--lake", lake)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    checked = pipeline.run(DMSW, "models", "check")
    assert checked.returncode == 0, checked.stdout
    pipeline.dbt("build")
    pipeline.dbt("docs", "generate", "--static")


def _count(pipeline: Pipeline, relation: str, where: str = "") -> int:
    return int(pipeline.query(f"select count(*) from {relation} {where}")[0][0])


def test_an_empty_folder_builds_empty_tables(pipeline: Pipeline) -> None:
    run_like_make_run(pipeline)
    for relation in (
        "silver.slv_customers",
        "silver.slv_transactions__latest",
        "silver.slv_accounts__history",
        "silver.slv_transaction_channels",
        "gold.fact_transactions",
        "gold.dim_dates",
        "gold.metricflow_time_spine",
    ):
        assert _count(pipeline, relation) == 0, relation
    # only the unknown members
    assert pipeline.query("select customer_id from gold.dim_customers") == [(-1,)]
    assert pipeline.query("select account_id from gold.dim_accounts") == [(-1,)]
    assert _count(pipeline, "silver.slv_data_quality", "where current_rows > 0") == 0


def test_a_root_with_only_customers_builds_and_keeps_every_customer(pipeline: Pipeline) -> None:
    pipeline.write("core_banking/customers/LOAD00000001.csv", CUSTOMERS + "\n")
    run_like_make_run(pipeline)
    customers = pipeline.query(
        "select customer_id, full_name, email, country_code, segment, quality_issues "
        "from gold.dim_customers where not is_unknown_member order by customer_id"
    )
    assert customers == [
        (1, "Ann Lee", "ann@example.com", "CZ", "retail", None),
        (2, None, None, "CZ", "private", "missing_first_name,missing_last_name,invalid_email"),
        (3, "Novak", "bo@example.com", None, "business",
         "missing_first_name,unknown_gender,unknown_country"),
    ]  # fmt: skip
    for relation in ("gold.fact_transactions", "gold.dim_dates", "silver.slv_transaction_events"):
        assert _count(pipeline, relation) == 0, relation


def test_the_masking_test_finds_a_clear_column_on_rows_written_here(pipeline: Pipeline) -> None:
    """The negative control of no_clear_personal_data (it left dbt build: it needs a clear
    value in the data): on these customers, city passed through in clear is found, and the
    masked columns are not."""
    pipeline.write("core_banking/customers/LOAD00000001.csv", CUSTOMERS + "\n")
    pipeline.land()
    pipeline.dbt("build", "--select", "+dim_customers_masked", "--resource-type", "model",
                 "--resource-type", "seed")  # fmt: skip

    def leaks(columns: str) -> set[tuple[str, int]]:
        shown = pipeline.dbt(
            "show",
            "--inline",
            "{{ test_no_clear_personal_data(model=ref('dim_customers_masked'), "
            "clear_relation=ref('dim_customers'), key_column='customer_id', "
            f"columns={columns}) }}}}",
            "--output",
            "json",
            "--limit",
            "100",
        ).stdout
        rows = json.loads(shown[shown.index('{\n  "show"') :])["show"]
        return {(row["masked_column"], int(row["key_value"])) for row in rows}

    assert leaks("{'city': ['city']}") == {("city", 1), ("city", 2), ("city", 3)}
    masked = "{'full_name_masked': ['full_name', 'first_name', 'last_name'], "
    masked += (
        "'email_masked': ['email'], 'phone_masked': ['phone'], 'address_masked': ['address_line']}"
    )
    assert leaks(masked) == set()


EVENTS = [
    ("a", '{"transaction_id": 1000234, "event_type": "Authorized", "channel": "mobile", '
          '"occurred_at": {"$date": "2026-03-14T09:21:07.512Z"}, "device": {"os": "android", '
          '"ip": "203.0.113.24"}, "risk": {"score": 0.07}}'),
    ("b", '{"transaction_id": "1000235", "event_type": "posted"}'),
    ("c", '{"transaction_id": 1000236, "channel": "web"'),
    ("d", '{"transaction_id": "TX-9", "channel": "fax", "occurred_at": {"$date": "not a date"}}'),
    ("e", '{"transaction_id": 12.7, "risk": {"score": "high"}}'),
    ("f", '{"transaction_id": "0x1F", "risk": {"score": 1.5}}'),
    # JSON's own whitespace before an object; a negative integer as a string
    ("g", ' \t{"transaction_id": "-42", "channel": "pos"}'),
    # valid JSON that is not an object: an array, a string holding object text, a number
    ("h", '[{"transaction_id": 7}]'),
    ("i", '"{\\"transaction_id\\": 8}"'),
    ("j", "9"),
    # an integer no bigint can hold, and one with a sign JSON does not write
    ("k", '{"transaction_id": 99999999999999999999, "channel": "atm"}'),
    ("l", '{"transaction_id": "+5", "channel": "web"}'),
]  # fmt: skip


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def test_a_root_with_only_events_parses_documents_exactly(pipeline: Pipeline) -> None:
    """The events documents (fields declared in contracts/events/transaction_events.yml):
    missing fields are null, a numeric string is a number, a value that is not exactly of
    its type is null and flagged (never rounded), a document that is not a JSON object
    (not JSON, or an array, a string or a number) is rejected."""
    lines = ["Op,dms_commit_ts,_id,_doc,dms_change_seq"]
    lines += [f"I,2026-03-01 08:00:00.000000,{key},{_csv_field(doc)}," for key, doc in EVENTS]
    pipeline.write("events/transaction_events/LOAD00000001.csv", "\n".join(lines) + "\n")
    run_like_make_run(pipeline)
    rows = pipeline.query(
        "select event_id, transaction_id, event_type, channel, occurred_at, device_os, "
        "risk_score, quality_issues from silver.slv_transaction_events order by event_id"
    )
    occurred = pipeline.query(
        "select occurred_at from silver.slv_transaction_events where event_id = 'a'"
    )[0][0]
    assert occurred.isoformat() == "2026-03-14T09:21:07.512000"
    assert rows == [
        ("a", 1000234, "authorized", "mobile", occurred, "android", 0.07, None),
        ("b", 1000235, "posted", None, None, None, None, None),
        ("d", None, None, "unknown", None, None, None,
         "invalid_transaction_id,missing_transaction_id,unknown_channel,invalid_occurred_at"),
        ("e", None, None, None, None, None, None,
         "invalid_transaction_id,missing_transaction_id,invalid_risk_score"),
        ("f", None, None, None, None, None, None,
         "invalid_transaction_id,missing_transaction_id,out_of_range_risk_score"),
        ("g", -42, None, "pos", None, None, None, None),
        ("k", None, None, "atm", None, None, None,
         "invalid_transaction_id,missing_transaction_id"),
        ("l", None, None, "web", None, None, None,
         "invalid_transaction_id,missing_transaction_id"),
    ]  # fmt: skip
    assert pipeline.query(
        "select event_id, reject_reasons from silver.slv_transaction_events__rejects "
        "order by event_id"
    ) == [("c", "invalid_json"), ("h", "invalid_json"), ("i", "invalid_json"),
          ("j", "invalid_json")]  # fmt: skip
    assert pipeline.query(
        "select transaction_id_text from bronze.stg_events__transaction_events "
        "where event_id in ('d', 'e', 'f') order by event_id"
    ) == [("TX-9",), ("12.7",), ("0x1F",)]
    assert _count(pipeline, "gold.fact_transactions") == 0


# MongoDB extended JSON (docs/contracts.md): the number wrappers, and a $date in
# milliseconds since the epoch (canonical {"$numberLong": ...}, or a bare integer)
EXTENDED = [
    ("m", '{"transaction_id": {"$numberLong": "1000234"}, "risk": {"score": '
          '{"$numberDouble": "0.25"}}, '
          '"occurred_at": {"$date": {"$numberLong": "-4830336000000"}}}'),
    ("n", '{"transaction_id": {"$numberInt": "7"}, "risk": {"score": {"$numberDecimal": "0.5"}}, '
          '"occurred_at": {"$date": 1588261200000}}'),
    # an array, an unrelated object: not values, flagged
    ("o", '{"transaction_id": [1000234], "channel": "web", "risk": {"score": {"x": 1}}}'),
    ("p", '{"transaction_id": {"x": 1}, "occurred_at": {"$date": ["2026-03-14"]}}'),
    # a wrapper's string is parsed as any text: not an integer, out of range
    ("q", '{"transaction_id": {"$numberDouble": "12.7"}, "risk": {"score": '
          '{"$numberDecimal": "1.5"}}}'),
    # not a wrapper: two keys, a number instead of a string; a $date beyond 9999
    ("r", '{"transaction_id": {"$numberLong": "5", "$numberInt": "5"}, '
          '"occurred_at": {"$date": {"$numberLong": "253402300800000"}}}'),
    ("s", '{"transaction_id": {"$numberLong": 5}, "occurred_at": {"$date": 1.5e12}}'),
    # as before: a number, a numeric string, an ISO $date; the last millisecond of 9999
    ("t", '{"transaction_id": 1000235, "occurred_at": {"$date": "2026-03-14T09:21:07.512Z"}, '
          '"risk": {"score": "0.07"}}'),
    ("u", '{"transaction_id": "1000236", "occurred_at": {"$date": 253402300799999}}'),
    # a string holding a wrapper's JSON text reads as the wrapper (Redshift cannot tell them
    # apart, so no engine does)
    ("v", '{"transaction_id": "{\\"$numberLong\\": \\"8\\"}"}'),
]  # fmt: skip


def test_a_root_with_only_events_reads_extended_json_and_flags_objects(
    pipeline: Pipeline,
) -> None:
    """A typed document field reads MongoDB's extended-JSON wrappers ($numberLong, $numberInt,
    $numberDouble, $numberDecimal; a $date in epoch milliseconds), exactly; any other object
    or array in a typed field is null and flagged, its JSON text kept in bronze."""
    lines = ["Op,dms_commit_ts,_id,_doc,dms_change_seq"]
    lines += [f"I,2026-03-01 08:00:00.000000,{key},{_csv_field(doc)}," for key, doc in EXTENDED]
    pipeline.write("events/transaction_events/LOAD00000001.csv", "\n".join(lines) + "\n")
    run_like_make_run(pipeline)
    epoch = datetime(1970, 1, 1)
    before_1970 = epoch + timedelta(milliseconds=-4830336000000)
    in_2020 = epoch + timedelta(milliseconds=1588261200000)
    assert (before_1970, in_2020) == (datetime(1816, 12, 7, 8), datetime(2020, 4, 30, 15, 40))
    last = datetime(9999, 12, 31, 23, 59, 59, 999000)
    assert pipeline.query(
        "select event_id, transaction_id, channel, occurred_at, risk_score, quality_issues "
        "from silver.slv_transaction_events order by event_id"
    ) == [
        ("m", 1000234, None, before_1970, 0.25, None),
        ("n", 7, None, in_2020, 0.5, None),
        ("o", None, "web", None, None,
         "invalid_transaction_id,missing_transaction_id,invalid_risk_score"),
        ("p", None, None, None, None,
         "invalid_transaction_id,missing_transaction_id,invalid_occurred_at"),
        ("q", None, None, None, None,
         "invalid_transaction_id,missing_transaction_id,out_of_range_risk_score"),
        ("r", None, None, None, None,
         "invalid_transaction_id,missing_transaction_id,invalid_occurred_at"),
        ("s", None, None, None, None,
         "invalid_transaction_id,missing_transaction_id,invalid_occurred_at"),
        ("t", 1000235, None, datetime(2026, 3, 14, 9, 21, 7, 512000), 0.07, None),
        ("u", 1000236, None, last, None, None),
        ("v", 8, None, None, None, None),
    ]  # fmt: skip
    # the text as written stays in bronze; an object or an array as its JSON text
    texts = pipeline.query(
        "select event_id, transaction_id_text, occurred_at_text, risk_score_text "
        "from bronze.stg_events__transaction_events where event_id in ('m', 'o', 'p') "
        "order by event_id"
    )
    assert texts == [
        ("m", '{"$numberLong":"1000234"}', '{"$numberLong":"-4830336000000"}',
         '{"$numberDouble":"0.25"}'),
        ("o", "[1000234]", None, '{"x":1}'),
        ("p", '{"x":1}', '["2026-03-14"]', None),
    ]  # fmt: skip
    assert _count(pipeline, "silver.slv_transaction_events__rejects") == 0


# (text as bronze holds it, decimal(6,2), integer, smallint, double): exact or null
WRAPPED_NUMBERS = [
    ('{"$numberDecimal":"1.50"}', "1.50", None, None, "1.5"),
    ('{"$numberDecimal":"1.005"}', None, None, None, "1.005"),  # a third decimal: not rounded
    ('{"$numberDecimal":"-12"}', "-12.00", "-12", "-12", "-12.0"),
    ('{ "$numberInt" : "70000" }', None, "70000", None, "70000.0"),  # spaces; > smallint, (6,2)
    ('{"$numberDouble":"1e3"}', None, None, None, "1000.0"),
    ('{"$numberDouble":"NaN"}', None, None, None, None),
    ('{"$numberLong":""}', None, None, None, None),
    ('{"$numberlong":"5"}', None, None, None, None),  # keys are case-sensitive
    ('{"$numberLong":"5","x":1}', None, None, None, None),
    ('["5"]', None, None, None, None),
    ("2.5", "2.50", None, None, "2.5"),  # unchanged: plain text
]  # fmt: skip


def test_json_field_value_reads_wrapped_numbers_exactly_into_every_number_type(
    pipeline: Pipeline,
) -> None:
    """The wrappers into decimal, integer, smallint and double: the string inside is parsed as
    any field's text (a decimal keeps at most its scale, never rounded)."""
    values = ", ".join("('" + text.replace("'", "''") + "')" for text, *_ in WRAPPED_NUMBERS)
    rows = pipeline.show(
        "select t, cast({{ json_field_value('t', 'decimal(6,2)') }} as varchar) as d,"
        " cast({{ json_field_value('t', 'integer') }} as varchar) as i,"
        " cast({{ json_field_value('t', 'smallint') }} as varchar) as s,"
        " cast({{ json_field_value('t', 'double') }} as varchar) as f"
        f" from (values {values}) as v(t)"
    )
    assert sorted((r["t"], r["d"], r["i"], r["s"], r["f"]) for r in rows) == sorted(WRAPPED_NUMBERS)


def test_the_project_uses_no_dbt_test_that_needs_rows(root: Path) -> None:
    """No data test in the project asserts that rows exist (error_if/warn_if on 0 rows)."""
    found = [
        str(path.relative_to(PROJECT))
        for path in (PROJECT / "models").rglob("*.yml")
        if '"= 0"' in path.read_text(encoding="utf-8")
    ]
    assert found == []
