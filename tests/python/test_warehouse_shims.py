"""The pieces of the offline Athena/Redshift proof, each on hand-written input with the answer
the engine documents (warehouse_check/): the DuckDB shims of engine functions, the translation
to DuckDB, the engine rules the emulated warehouse enforces, the raw zone as each engine reads
it, and the static capability checks. Pure DuckDB and sqlglot: no dbt, no AWS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from warehouse_check import shims
from warehouse_check.capabilities import check_sql, sql_blocks, strict_type_conflicts
from warehouse_check.engine import Warehouse
from warehouse_check.raw_zone import create_views, data_files
from warehouse_check.shims import Dialect
from warehouse_check.statement import StatementError, strip_comments
from warehouse_check.translate import TranslationError, parse, to_duckdb


def run(dialect: Dialect, sql: str) -> list[tuple[Any, ...]]:
    """Translate one engine statement and run it on a DuckDB connection with the shims."""
    con = duckdb.connect()
    shims.install(con, dialect)
    (tree,) = parse(sql, dialect)
    return con.execute(to_duckdb(tree, dialect)).fetchall()


def one(dialect: Dialect, sql: str) -> Any:
    return run(dialect, sql)[0][0]


# -- Trino (Athena) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "path", "expected"),
    [
        ('{"a": {"b": "x"}}', '$["a"]["b"]', "x"),
        ('{"a": {"b": "x"}}', "$.a.b", "x"),
        ('{"id": 1000234}', '$["id"]', "1000234"),
        ('{"ok": true}', '$["ok"]', "true"),
        ('{"a": {"b": "x"}}', '$["a"]', None),  # an object is not a scalar
        ('{"a": [1, 2]}', '$["a"]', None),  # nor an array
        ('{"a": null}', '$["a"]', None),
        ('{"a": 1}', '$["missing"]', None),
        ('{"occurred_at": {"$date": "2026-03-14T09:21:07.512Z"}}', '$["occurred_at"]["$date"]',
         "2026-03-14T09:21:07.512Z"),
    ],
)  # fmt: skip
def test_trino_json_extract_scalar_gives_scalars_only(
    document: str, path: str, expected: str | None
) -> None:
    assert one("athena", f"select json_extract_scalar(json_parse('{document}'), '{path}')") == (
        expected
    )


def test_trino_json_parse_fails_on_invalid_json_and_try_makes_it_null() -> None:
    assert one("athena", """select try(json_parse('{"a": 1'))""") is None
    assert one("athena", """select try(json_parse('[1, 2]')) is not null""") is True
    with pytest.raises(duckdb.Error):
        run("athena", """select json_parse('{"a": 1')""")


@pytest.mark.parametrize(
    ("document", "path", "expected"),
    [
        ('{"a": {"b": "x"}}', '$["a"]', '{"b":"x"}'),
        ('{"a": [1, 2]}', '$["a"]', "[1,2]"),
        ('{"a": {"$numberLong": "99"}}', '$["a"]', '{"$numberLong":"99"}'),
        ('{"a": 1}', '$["a"]', None),  # a scalar: json_extract_scalar reads it
        ('{"a": "x"}', '$["a"]', None),
        ('{"a": null}', '$["a"]', None),
        ('{"a": 1}', '$["missing"]', None),
    ],
)  # fmt: skip
def test_trino_json_extract_is_json_scalar_and_json_format(
    document: str, path: str, expected: str | None
) -> None:
    """default__json_extract_text with keep_json: an object or an array as its JSON text."""
    value = f"json_extract(json_parse('{document}'), '{path}')"
    assert one("athena", f"select case when not is_json_scalar({value}) "
               f"then json_format({value}) end") == expected  # fmt: skip


def test_trino_is_json_scalar_and_json_format_as_documented() -> None:
    assert run(
        "athena",
        "select is_json_scalar(json_parse('1')), is_json_scalar(json_parse('[1, 2, 3]')),"
        " json_format(json_parse('[1, 2, 3]')), json_format(json_parse('\"a\"'))",
    )[0] == (True, False, "[1,2,3]", '"a"')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-14T09:21:07.512Z", datetime(2026, 3, 14, 9, 21, 7, 512000)),
        ("2026-03-14T09:21:07.512999Z", datetime(2026, 3, 14, 9, 21, 7, 512000)),  # ms kept
        ("2026-03-14T10:21:07+01:00", datetime(2026, 3, 14, 9, 21, 7)),
        ("2026-03-14T09:21:07", datetime(2026, 3, 14, 9, 21, 7)),  # no offset: UTC session
        ("2026-03-14 09:21:07", None),  # Trino's parser needs the 'T'
        ("2026-02-30T10:00:00Z", None),
        ("2026-03-14T09:21:07.512Zjunk", None),
    ],
)
def test_trino_from_iso8601_timestamp(text: str, expected: datetime | None) -> None:
    sql = f"select cast(try(from_iso8601_timestamp('{text}')) at time zone 'UTC' as timestamp(6))"
    assert one("athena", sql) == expected


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 2, 23, 58, 0, 123401),
        datetime(1969, 12, 31, 23, 59, 59, 999999),  # before the epoch: floor, not truncation
        datetime(9999, 12, 31, 23, 59, 59, 999999),  # beyond bigint nanoseconds
        datetime(1, 1, 1, 0, 0, 0, 1),
    ],
)
def test_trino_from_unixtime_nanos_keeps_every_microsecond(value: datetime) -> None:
    micros = (value - datetime(1970, 1, 1)) // pd_microsecond()
    sql = (
        f"select cast(from_unixtime_nanos(cast({micros} as decimal(38, 0)) * 1000) as timestamp(6))"
    )
    assert one("athena", sql) == value


def pd_microsecond() -> Any:
    from datetime import timedelta

    return timedelta(microseconds=1)


def test_trino_text_of_a_timestamp_has_its_precisions_digits() -> None:
    row = run(
        "athena",
        "select cast(cast('2026-03-01 08:00:00' as timestamp(6)) as varchar),"
        " cast(cast('2026-03-01 08:00:00.5' as timestamp(3)) as varchar),"
        " cast(cast('2026-03-01' as date) as varchar), cast(cast(42 as bigint) as varchar)",
    )[0]
    assert row == ("2026-03-01 08:00:00.000000", "2026-03-01 08:00:00.500", "2026-03-01", "42")


def test_trino_semantics_duckdb_does_not_share() -> None:
    # greatest is null when any argument is; integers divide as integers, toward zero;
    # date - date is an interval of days; timestamp(3) rounds the microseconds
    row = run(
        "athena",
        "select greatest(1, null), 7 / 2, -7 / 2,"
        " to_milliseconds(cast('2026-01-03' as date) - cast('2026-01-01' as date)),"
        " cast(cast('2026-01-01 00:00:00.123500' as timestamp(6)) as timestamp(3))",
    )[0]
    assert row == (None, 3, -3, 172_800_000, datetime(2026, 1, 1, 0, 0, 0, 124000))


def test_trino_md5_and_sha256_of_text_are_the_usual_hex_digests() -> None:
    # md5('abc') and sha256('abc') from RFC 1321 / FIPS 180-2
    row = run(
        "athena", "select lower(to_hex(md5(to_utf8('abc')))), lower(to_hex(sha256(to_utf8('abc'))))"
    )[0]
    assert row[0] == "900150983cd24fb0d6963f7d28e17f72"
    assert row[1] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# -- Redshift -------------------------------------------------------------------------------


def test_redshift_json_extract_path_text_as_documented() -> None:
    doc = '{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}'  # the example of the Redshift manual
    assert one("redshift", f"select json_extract_path_text('{doc}', 'f4', 'f6')") == "star"
    assert one("redshift", f"select json_extract_path_text('{doc}', 'f4', 'nope')") is None
    assert one("redshift", f"select json_extract_path_text('{doc}', 'f2')") == '{"f3":1}'
    broken = doc[:-1]
    assert one("redshift", f"select json_extract_path_text('{broken}', 'f4', 'f6', true)") is None
    with pytest.raises(duckdb.Error, match="invalid JSON"):
        run("redshift", f"select json_extract_path_text('{broken}', 'f4', 'f6')")


def test_redshift_json_extract_path_text_keeps_an_extended_json_number_as_text() -> None:
    doc = '{"n": {"$numberLong": "99"}, "d": {"$date": 1588261200000}}'
    assert one("redshift", f"select json_extract_path_text('{doc}', 'n', true)") == (
        '{"$numberLong":"99"}'
    )
    assert one("redshift", f"select json_extract_path_text('{doc}', 'd', '$date', true)") == (
        "1588261200000"
    )


@pytest.mark.parametrize("millis", [-4830336000000, -1, 0, 1588261200000, 253402300799999])
def test_redshift_epoch_milliseconds_as_a_timestamp_exactly(millis: int) -> None:
    """redshift__timestamp_from_epoch_millis: whole days and the remaining milliseconds,
    both toward zero (Redshift divides integers as integers)."""
    expected = datetime(1970, 1, 1) + timedelta(milliseconds=millis)
    value = f"cast({millis} as bigint)"
    sql = (
        f"select cast('1970-01-01 00:00:00' as timestamp) + ({value} / 86400000)"
        f" * interval '1 day' + ({value} % 86400000) * interval '1 millisecond'"
    )
    assert one("redshift", sql) == expected


def test_redshift_varchar_holds_bytes_and_a_plain_varchar_256() -> None:
    assert one("redshift", f"select cast('{'a' * 256}' as varchar)") == "a" * 256
    with pytest.raises(duckdb.Error, match="value too long"):
        run("redshift", f"select cast('{'ž' * 129}' as varchar)")  # 258 bytes
    assert one("redshift", f"select cast('{'ž' * 200}' as varchar(400))") == "ž" * 200
    with pytest.raises(duckdb.Error, match="value too long"):
        run("redshift", f"select cast('{'€' * 4}' as varchar(10))")  # 12 bytes
    with pytest.raises(duckdb.Error, match="boolean"):
        run("redshift", "select cast(true as varchar)")


def test_redshift_convert_timezone_and_is_valid_json() -> None:
    row = run(
        "redshift",
        "select convert_timezone('UTC', cast('2026-03-14 10:21:07+01' as timestamptz)),"
        """ is_valid_json('{"a": 1}'), is_valid_json('{"a": 1'), is_valid_json(null)""",
    )[0]
    assert row == (datetime(2026, 3, 14, 9, 21, 7), True, False, None)


def test_redshift_ltrim_takes_the_characters_to_trim() -> None:
    """redshift__json_is_valid trims JSON's whitespace (space, tab, LF, CR) before the '{'."""
    chars = "' ' || chr(9) || chr(10) || chr(13)"
    assert one("redshift", f"select ltrim(chr(9) || chr(10) || ' {{}}', {chars})") == "{}"
    assert one("redshift", "select ltrim('  x ')") == "x "


def test_redshift_regex_match_is_a_search_not_a_full_match() -> None:
    assert run("redshift", "select 'ab12' ~ '[0-9]+', 'ab' ~ '^[0-9]+$'")[0] == (True, False)


# -- translation ----------------------------------------------------------------------------


def test_an_unknown_engine_function_is_an_error_not_a_guess() -> None:
    (tree,) = parse("select approx_set(x) from t", "athena")
    with pytest.raises(TranslationError, match="APPROX_SET"):
        to_duckdb(tree, "athena")
    (tree,) = parse("select json_extract_path_text(d, k) from t", "redshift")
    with pytest.raises(TranslationError, match="string literal"):
        to_duckdb(tree, "redshift")


def test_athena_timestamp_types_keep_their_precision_in_duckdb() -> None:
    con = duckdb.connect()
    shims.install(con, "athena")
    sql = (
        "select cast('2026-01-01' as timestamp) a, cast('2026-01-01' as timestamp(3)) b,"
        " cast('2026-01-01' as timestamp(6)) c"
    )
    (tree,) = parse(sql, "athena")
    types = [str(d[1]) for d in con.execute(to_duckdb(tree, "athena")).description]
    assert types == ["TIMESTAMP_MS", "TIMESTAMP_MS", "TIMESTAMP"]


def test_comments_are_stripped_outside_string_literals_only() -> None:
    sql = "/* {\"app\": \"dbt\"} */ select 'a--b', '/*x*/' -- tail\n, 1 /* c */;"
    assert strip_comments(sql) == "select 'a--b', '/*x*/' \n, 1"


# -- the emulated warehouses' engine rules --------------------------------------------------


@pytest.fixture
def athena(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "awsdatacatalog.duckdb", "athena")


@pytest.fixture
def redshift(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "dev.duckdb", "redshift", failure_log=tmp_path / "failures.jsonl")


def ctas(table_type: str, select: str, location: bool = True) -> str:
    where = ", location='s3://lake/warehouse/s/t/1'" if location else ""
    key = "location" if table_type == "iceberg" else "external_location"
    return (
        f"""create table "awsdatacatalog"."s"."t" with (table_type='{table_type}'"""
        f"{where.replace('location', key) if location else ''}, format='parquet') as {select}"
    )


def test_athena_hive_tables_refuse_timestamp6_and_iceberg_tables_timestamp3(
    athena: Warehouse,
) -> None:
    athena.execute("create schema if not exists s")
    with pytest.raises(StatementError, match=r"hive table s.t needs timestamp\(3\)"):
        athena.execute(ctas("hive", "select cast('2026-01-01' as timestamp(6)) as ts"))
    with pytest.raises(StatementError, match=r"iceberg table s.t needs timestamp\(6\)"):
        athena.execute(ctas("iceberg", "select cast('2026-01-01' as timestamp) as ts"))
    athena.execute(ctas("iceberg", "select cast('2026-01-01' as timestamp(6)) as ts"))
    relation = athena.relation("s", "t")
    assert relation is not None and relation.table_type == "iceberg"


def test_athena_hive_table_without_its_own_location_is_refused(athena: Warehouse) -> None:
    athena.execute("create schema if not exists s")
    with pytest.raises(StatementError, match="query-result prefix"):
        athena.execute(ctas("hive", "select 1 as n", location=False))
    athena.execute(ctas("hive", "select 1 as n"))  # with external_location: accepted


def test_athena_refuses_qualify(athena: Warehouse) -> None:
    with pytest.raises(StatementError, match="does not parse as athena"):
        athena.execute("select 1 as a qualify row_number() over (order by 1) = 1")


def test_redshift_refuses_values_as_a_table_but_not_in_an_insert(redshift: Warehouse) -> None:
    redshift.execute('create schema if not exists "s"')
    redshift.execute('create table "dev"."s"."t" ("a" integer)')
    redshift.execute('insert into "dev"."s"."t" ("a") values (%s), (%s)', [1, 2])
    with pytest.raises(StatementError, match="VALUES list as a table"):
        redshift.execute("select * from (values (1), (2)) as v (a)")
    assert redshift.execute('select sum(a) from "dev"."s"."t"').rows == [(3,)]


def test_redshift_declared_varchar_length_counts_bytes(redshift: Warehouse) -> None:
    redshift.execute('create schema if not exists "s"')
    redshift.execute('create table "dev"."s"."t" ("name" varchar(10) not null, "n" bigint)')
    redshift.execute("""insert into "dev"."s"."t" (select 'ŘŘŘŘŘ' as name, 1 as n)""")  # 10
    with pytest.raises(StatementError, match="CHECK constraint"):
        redshift.execute("""insert into "dev"."s"."t" (select 'ŘŘŘŘŘŘ' as name, 2 as n)""")
    failures = (redshift.failure_log or Path()).read_text(encoding="utf-8")
    assert "ŘŘŘŘŘŘ" in failures  # the refused statement is recorded, not skipped


def test_redshift_grants_go_to_roles(redshift: Warehouse) -> None:
    redshift.execute('create schema if not exists "s"')
    redshift.execute('create table "dev"."s"."t" ("a" integer)')
    redshift.execute('grant select on "dev"."s"."t" to role data_team')
    assert redshift.grants("s.t") == [("select", "data_team")]
    with pytest.raises(StatementError, match="roles"):
        redshift.execute('grant select on "dev"."s"."t" to dbt_user')


def test_a_statement_that_cannot_be_emulated_fails_with_its_reason(redshift: Warehouse) -> None:
    with pytest.raises(StatementError, match="not emulated"):
        redshift.execute("vacuum sort only")


# -- the raw zone as each engine reads it ---------------------------------------------------


@pytest.fixture
def raw_table(tmp_path: Path) -> dict[str, Any]:
    folder = tmp_path / "lake" / "raw" / "s" / "t"
    folder.mkdir(parents=True)
    schema = pa.schema([pa.field("id", pa.int64()), pa.field("ts", pa.timestamp("us"))])
    rows = [
        (1, datetime(2026, 3, 2, 23, 58, 0, 123401)),
        (2, datetime(2026, 3, 2, 23, 58, 59, 999999)),  # rounds into the next second
        (3, datetime(2026, 3, 2, 23, 58, 0, 123500)),  # half a millisecond: rounds up
    ]
    table = pa.table({"id": [r[0] for r in rows], "ts": [r[1] for r in rows]}, schema=schema)
    pq.write_table(table, folder / "LOAD00000001__a.parquet")
    pq.write_table(table.slice(0, 1), folder / "_schema.parquet")  # not data (Hive's rule)
    return {
        "Name": "s__t",
        "StorageDescriptor": {"Location": str(folder) + "/", "Columns": []},
    }


def columns(table: dict[str, Any], **types: str) -> dict[str, Any]:
    described = [{"Name": n, "Type": t} for n, t in types.items()]
    return {**table, "StorageDescriptor": {**table["StorageDescriptor"], "Columns": described}}


def test_athena_reads_a_glue_timestamp_at_millisecond_precision(
    raw_table: dict[str, Any], athena: Warehouse
) -> None:
    create_views(athena, "raw", [columns(raw_table, id="bigint", ts="timestamp")])
    rows = athena.execute('select id, ts from "raw"."s__t" order by id').rows
    assert rows == [
        (1, datetime(2026, 3, 2, 23, 58, 0, 123000)),
        (2, datetime(2026, 3, 2, 23, 59, 0)),
        (3, datetime(2026, 3, 2, 23, 58, 0, 124000)),
    ]


def test_athena_reads_a_glue_bigint_over_a_timestamp_as_epoch_microseconds(
    raw_table: dict[str, Any], athena: Warehouse
) -> None:
    create_views(athena, "raw", [columns(raw_table, id="bigint", ts="bigint")])
    rows = athena.execute('select id, ts from "raw"."s__t" order by id').rows
    epoch = datetime(1970, 1, 1)
    assert rows[0] == (1, (datetime(2026, 3, 2, 23, 58, 0, 123401) - epoch) // pd_microsecond())


def test_spectrum_keeps_microseconds_and_missing_columns_are_null(
    raw_table: dict[str, Any], redshift: Warehouse
) -> None:
    create_views(redshift, "raw_zone", [columns(raw_table, id="bigint", ts="timestamp",
                                                 added="string")])  # fmt: skip
    rows = redshift.execute('select id, ts, added from "raw_zone"."s__t" order by id').rows
    assert rows[1] == (2, datetime(2026, 3, 2, 23, 58, 59, 999999), None)
    assert len(rows) == 3  # _schema.parquet is not read


def test_a_glue_type_the_parquet_column_cannot_have_is_an_error(
    raw_table: dict[str, Any], athena: Warehouse
) -> None:
    with pytest.raises(StatementError, match=r"cannot read raw\.s__t\.ts"):
        create_views(athena, "raw", [columns(raw_table, id="bigint", ts="string")])


def test_data_files_skip_hidden_and_underscore_names(raw_table: dict[str, Any]) -> None:
    files = data_files(raw_table["StorageDescriptor"]["Location"])
    assert [Path(f).name for f in files] == ["LOAD00000001__a.parquet"]


# -- static capability checks ---------------------------------------------------------------


def test_reserved_words_are_found_where_they_are_identifiers() -> None:
    guide = "create external schema raw\nfrom data catalog database 'raw'\niam_role 'arn';"
    assert [f.rule for f in check_sql(guide, "redshift", "guide")] == ["reserved word"]
    fixed = guide.replace("schema raw", "schema raw_zone")
    assert check_sql(fixed, "redshift", "guide") == []
    assert [f.rule for f in check_sql("select tag from t", "redshift", "q")] == ["reserved word"]
    assert check_sql('select "tag" from t', "redshift", "q") == []
    assert check_sql("select tag from t", "athena", "q") == []


def test_constructs_and_functions_an_engine_lacks() -> None:
    values = "select * from (values (1, 'a')) as fixture (n, s)"
    assert [f.detail for f in check_sql(values, "redshift", "u")] == ["VALUES list used as a table"]
    assert check_sql(values, "athena", "u") == []
    qualify = "select a from t qualify row_number() over (order by a) = 1"
    assert next(f.detail for f in check_sql(qualify, "athena", "m")) == r"\bqualify\b"
    found = check_sql("select json_valid(d), try(json_parse(d)) from t", "redshift", "m")
    assert {f.rule for f in found} == {"foreign function"} and len(found) == 3
    assert check_sql("select 'json_valid(x)' as s", "athena", "m") == []  # in a literal


def test_strict_types_find_text_mixed_with_numbers_or_times() -> None:
    schema: dict[str, object] = {
        "awsdatacatalog": {"s": {"t": {"id": "bigint", "ts": "timestamp(6)", "code": "varchar"}}}
    }
    table = '"awsdatacatalog"."s"."t"'
    bad = [
        f"select * from {table} where id = '5'",
        f"select * from {table} where ts > '2026-01-01'",
        f"select coalesce(id, code) from {table}",
        f"select case when id > 1 then id else code end from {table}",
        f"select * from {table} where code in (1, 2)",
    ]
    for sql in bad:
        assert [f.rule for f in strict_type_conflicts(sql, schema, "q")] == ["strict types"], sql
    good = f"select coalesce(id, 0), greatest(ts, cast('2026-01-01' as timestamp(6))) from {table}"
    assert strict_type_conflicts(good, schema, "q") == []


def test_guide_sql_blocks_must_say_their_engine() -> None:
    grant = "grant usage on schema s to <user>;"
    text = f"x\n```sql redshift\n{grant}\n```\n```sql athena\nselect 2\n```\n"
    assert sql_blocks(text) == [
        ("redshift", "grant usage on schema s to placeholder;\n"),
        ("athena", "select 2\n"),
    ]
    with pytest.raises(ValueError, match="engine"):
        sql_blocks("```sql\nselect 1\n```\n")


def test_values_of_every_type_survive_a_round_trip_through_athena_results() -> None:
    from warehouse_check.athena import _text, athena_type

    assert _text(datetime(2026, 1, 1, 0, 0, 0, 5)) == {"VarCharValue": "2026-01-01 00:00:00.000005"}
    assert _text(True) == {"VarCharValue": "true"} and _text(None) == {}
    assert _text(Decimal("1.50")) == {"VarCharValue": "1.50"}
    assert _text(date(2026, 1, 2)) == {"VarCharValue": "2026-01-02"}
    assert athena_type("TIMESTAMP_MS") == "timestamp(3)" and athena_type("DECIMAL(18,2)") == (
        "decimal(18,2)"
    )
    assert datetime(2026, 1, 1, tzinfo=UTC).tzinfo is UTC
