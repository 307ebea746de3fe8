"""The peer: the bronze-to-gold build as one PySpark job in local mode, the way the Glue/Spark
systems before this project did it (read the raw zone, latest change per key, standardise and
validate, type 2 history from the change log, dimensions with unknown members, the fact with
point-in-time keys and the channel), written to Parquet.

    python benchmarks/spark_job.py --lake LAKE --out OUT [--cores 2] [--driver-memory 4g]

It follows the dbt models' rules (docs/changes.md; models/silver, models/gold) so that its
output can be checked against ours: row counts of the four gold tables and the sum of
`fact_transactions.signed_amount`. It prints one JSON line with those figures and the
seconds spent (session start, build and write). Needs the `bench` extra (pyspark) and Java 17.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FLOOR = "timestamp'1900-01-01 00:00:00'"
CEILING = "timestamp'9999-12-31 00:00:00'"
SEGMENTS = ("retail", "private", "business")
ACCOUNT_TYPES = ("checking", "savings", "credit_card", "loan")
ACCOUNT_STATUSES = ("active", "frozen", "closed")
TRANSACTION_STATUSES = ("pending", "posted", "reversed")
CHANNELS = ("mobile", "web", "branch", "atm", "pos")
EMAIL = r"^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _reasons(checks: list[tuple[str, str]]) -> str:
    """Comma-separated codes of the failing checks, null when all pass (as reject_reasons)."""
    parts = " || ".join(f"case when {cond} then ',{code}' else '' end" for cond, code in checks)
    return f"case when not is_deleted then nullif(substr({parts}, 2), '') end"


ORDER_DESC = (
    "change_committed_at desc nulls last, length(change_seq) desc nulls last, "
    "change_seq desc nulls last, source_file_order desc, source_row desc"
)
ORDER_ASC = (
    "change_committed_at asc nulls first, length(change_seq) asc nulls first, "
    "change_seq asc nulls first, source_file_order asc, source_row asc"
)
METADATA = (
    "md5(coalesce(cast(_dms_file as string), '_null_') || '|' || "
    "coalesce(cast(_dms_row as string), '_null_')) as change_id, "
    "_dms_op as change_op, _dms_commit_ts as change_committed_at, "
    "_dms_change_seq as change_seq, _dms_file_order as source_file_order, "
    "_dms_row as source_row, _landed_at as landed_at, _dms_op = 'D' as is_deleted"
)


def build(spark, lake: Path, out: Path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    sql = spark.sql

    def raw(schema: str, table: str) -> None:
        spark.read.parquet(str(lake / "raw" / schema / table)).createOrReplaceTempView(
            f"raw_{table}"
        )

    for schema, table in (
        ("core_banking", "customers"),
        ("core_banking", "accounts"),
        ("core_banking", "transactions"),
        ("events", "transaction_events"),
    ):
        raw(schema, table)
    for seed in ("iso_countries", "iso_currencies", "transaction_types"):
        spark.read.option("header", True).option("nullValue", None).csv(
            str(PROJECT / "seeds" / f"{seed}.csv")
        ).createOrReplaceTempView(seed)

    # silver: every change standardised and validated ------------------------------------
    customer_reasons = _reasons(
        [
            ("full_name is null", "missing_name"),
            (f"email is not null and not regexp_like(email, '{EMAIL}')", "invalid_email"),
            ("s.country_code is not null and c.country_code is null", "unknown_country"),
            (f"segment is null or segment not in {_in(SEGMENTS)}", "unknown_segment"),
        ]
    )
    account_reasons = _reasons(
        [
            ("c.currency_code is null", "unknown_currency"),
            (
                f"account_type is null or account_type not in {_in(ACCOUNT_TYPES)}",
                "unknown_account_type",
            ),
            (f"status is null or status not in {_in(ACCOUNT_STATUSES)}", "unknown_status"),
            ("customer_id is null", "missing_customer_id"),
        ]
    )
    transaction_reasons = _reasons(
        [
            ("c.currency_code is null", "unknown_currency"),
            ("direction is null or direction not in ('C', 'D')", "invalid_direction"),
            ("amount is null or amount <= 0", "non_positive_amount"),
            (f"status is null or status not in {_in(TRANSACTION_STATUSES)}", "unknown_status"),
            ("transaction_ts is null", "missing_transaction_ts"),
            ("account_id is null", "missing_account_id"),
        ]
    )
    event_reasons = _reasons(
        [
            ("not is_valid_json", "invalid_json"),
            ("is_valid_json and transaction_id is null", "missing_transaction_id"),
        ]
    )
    sql(f"""
        select s.*, {customer_reasons} as reject_reasons
        from (
            select *, case when first_name is null then last_name
                           when last_name is null then first_name
                           else first_name || ' ' || last_name end as full_name
            from (
                select customer_id,
                    nullif(trim(first_name), '') as first_name,
                    nullif(trim(last_name), '') as last_name,
                    nullif(lower(trim(email)), '') as email,
                    nullif(trim(phone), '') as phone, date_of_birth,
                    case when upper(trim(gender)) in ('F', 'M') then upper(trim(gender)) end
                        as gender,
                    nullif(trim(address_line), '') as address_line,
                    nullif(trim(city), '') as city,
                    nullif(upper(trim(country_code)), '') as country_code,
                    lower(trim(segment)) as segment, created_at, updated_at, {METADATA}
                from raw_customers)
        ) s left join iso_countries c on s.country_code = c.country_code
    """).createOrReplaceTempView("customer_changes")

    sql(f"""
        select s.*, {account_reasons} as reject_reasons
        from (
            select account_id, customer_id, trim(account_number) as account_number,
                lower(trim(account_type)) as account_type, upper(trim(currency)) as currency,
                lower(trim(status)) as status, opened_at, closed_at, created_at, updated_at,
                {METADATA}
            from raw_accounts
        ) s left join iso_currencies c on s.currency = c.currency_code
    """).createOrReplaceTempView("account_changes")

    sql(f"""
        select s.*, coalesce(t.transaction_category, 'uncategorised') as transaction_category,
            {transaction_reasons} as reject_reasons
        from (
            select transaction_id, account_id, transaction_ts, amount,
                upper(trim(direction)) as direction, upper(trim(currency)) as currency,
                lower(trim(transaction_type)) as transaction_type,
                lower(trim(status)) as status, balance_after, {METADATA}
            from raw_transactions
        ) s
        left join iso_currencies c on s.currency = c.currency_code
        left join transaction_types t on s.transaction_type = t.transaction_type
    """).createOrReplaceTempView("transaction_changes")

    sql(f"""
        select *, {event_reasons} as reject_reasons
        from (
            select _id as event_id,
                coalesce(try_parse_json(_doc) is not null, false) as is_valid_json,
                try_cast(get_json_object(_doc, '$.transaction_id') as bigint)
                    as transaction_id,
                case when lower(trim(get_json_object(_doc, '$.channel'))) in {_in(CHANNELS)}
                    then lower(trim(get_json_object(_doc, '$.channel'))) else 'unknown' end
                    as channel,
                try_to_timestamp(get_json_object(_doc, '$.occurred_at.$date')) as occurred_at,
                {METADATA}
            from raw_transaction_events)
    """).createOrReplaceTempView("event_changes")

    # silver: latest change per key (the ordering rule) ---------------------------------
    for entity, key in (
        ("transaction", "transaction_id"),
        ("event", "event_id"),
    ):
        sql(f"""
            select * except (change_recency) from (
                select *, row_number() over (partition by {key} order by {ORDER_DESC})
                    as change_recency
                from {entity}_changes)
            where change_recency = 1
        """).createOrReplaceTempView(f"{entity}_latest")

    sql("""
        select transaction_id, channel from (
            select transaction_id, channel, row_number() over (
                partition by transaction_id order by occurred_at asc nulls last, event_id asc
            ) as event_rank
            from event_latest
            where not is_deleted and reject_reasons is null and channel != 'unknown')
        where event_rank = 1
    """).createOrReplaceTempView("channels")

    # silver: type 2 history from the whole change log ----------------------------------
    for entity, key in (("customer", "customer_id"), ("account", "account_id")):
        sql(f"""
            select md5(coalesce(cast({key} as string), '_null_') || '|' ||
                       coalesce(cast(valid_from as string), '_null_')) as {entity}_key,
                *, row_number() over (partition by {key} order by valid_from)
                    as version_number,
                valid_to = {CEILING} as is_current
            from (
                select *,
                    case when change_number = 1 then {FLOOR}
                         else coalesce(change_committed_at, {FLOOR}) end as valid_from,
                    coalesce(lead(coalesce(change_committed_at, {FLOOR})) over (
                        partition by {key} order by {ORDER_ASC}), {CEILING}) as valid_to
                from (
                    select *, row_number() over (partition by {key} order by {ORDER_ASC})
                        as change_number
                    from {entity}_changes))
            where not is_deleted and valid_from < valid_to
        """).createOrReplaceTempView(f"{entity}_history")

    # gold -------------------------------------------------------------------------------
    unknown_key = "md5('-1')"
    dim_customers = sql(f"""
        select h.customer_key, h.customer_id, h.version_number, h.valid_from, h.valid_to,
            h.is_current, h.full_name, h.first_name, h.last_name, h.email, h.phone,
            h.date_of_birth, h.gender, h.address_line, h.city, h.country_code, c.country_name,
            h.segment, h.created_at, h.updated_at, false as is_unknown_member
        from customer_history h left join iso_countries c on h.country_code = c.country_code
        where h.reject_reasons is null
        union all
        select {unknown_key}, -1L, 1L, {FLOOR}, {CEILING}, true, 'Unknown customer',
            null, null, null, null, cast(null as date), null, null, null, null, null,
            'unknown', cast(null as timestamp), cast(null as timestamp), true
    """)
    dim_customers.createOrReplaceTempView("dim_customers")

    dim_accounts = sql(f"""
        select a.account_key, a.account_id, a.version_number, a.valid_from, a.valid_to,
            a.is_current, coalesce(c.customer_key, {unknown_key}) as customer_key,
            a.customer_id, a.account_type, a.currency, a.status, a.opened_at,
            cast(a.opened_at as date) as opened_date, cast(a.closed_at as date) as closed_date,
            a.status = 'closed' as is_closed, c.customer_key is not null as has_known_customer,
            false as is_unknown_member
        from account_history a
        left join dim_customers c
            on not c.is_unknown_member and a.customer_id = c.customer_id
            and a.valid_from >= c.valid_from and a.valid_from < c.valid_to
        where a.reject_reasons is null
        union all
        select {unknown_key}, -1L, 1L, {FLOOR}, {CEILING}, true, {unknown_key}, -1L,
            'unknown', 'XXX', 'unknown', cast(null as timestamp), cast(null as date),
            cast(null as date), false, false, true
    """)
    dim_accounts.createOrReplaceTempView("dim_accounts")

    fact = sql(f"""
        select t.transaction_id,
            coalesce(a.account_key, {unknown_key}) as account_key,
            coalesce(c.customer_key, {unknown_key}) as customer_key,
            cast(date_format(t.transaction_ts, 'yyyyMMdd') as int) as date_key,
            t.transaction_ts, cast(t.transaction_ts as date) as transaction_date, t.amount,
            case when t.direction = 'C' then t.amount else -t.amount end as signed_amount,
            t.currency, case when t.direction = 'C' then 'credit' else 'debit' end
                as direction,
            t.transaction_type, t.transaction_category, t.status,
            coalesce(ch.channel, 'unknown') as channel, t.balance_after, t.account_id,
            a.customer_id
        from transaction_latest t
        left join dim_accounts a
            on not a.is_unknown_member and t.account_id = a.account_id
            and t.transaction_ts >= a.valid_from and t.transaction_ts < a.valid_to
        left join dim_customers c
            on not c.is_unknown_member and a.customer_id = c.customer_id
            and t.transaction_ts >= c.valid_from and t.transaction_ts < c.valid_to
        left join channels ch on t.transaction_id = ch.transaction_id
        where not t.is_deleted and t.reject_reasons is null
    """)

    years = sql(f"""
        select min(y0), max(y1) from (
            select year(min(transaction_ts)) y0, year(max(transaction_ts)) y1
            from transaction_latest where not is_deleted and reject_reasons is null
            union all
            select least(year(min(opened_at)), year(min(closed_at))),
                   greatest(year(max(opened_at)), year(max(closed_at)))
            from (select * except (change_recency) from (
                      select *, row_number() over (partition by account_id
                          order by {ORDER_DESC}) as change_recency
                      from account_changes) where change_recency = 1)
            where not is_deleted and reject_reasons is null)
    """).first()
    first, last = int(years[0]), int(years[1])
    dim_dates = sql(f"""
        select cast(date_format(d, 'yyyyMMdd') as int) as date_key, d as date_day,
            year(d) as year, quarter(d) as quarter, month(d) as month,
            date_format(d, 'MMMM') as month_name, (dayofweek(d) + 5) % 7 + 1 as day_of_week,
            date_format(d, 'EEEE') as day_name, dayofweek(d) in (1, 7) as is_weekend
        from (select explode(sequence(date'{first}-01-01', date'{last}-12-31')) as d)
    """)

    for name, frame in (
        ("dim_customers", dim_customers),
        ("dim_accounts", dim_accounts),
        ("dim_dates", dim_dates),
        ("fact_transactions", fact),
    ):
        frame.write.mode("overwrite").parquet(str(out / name))

    checks: dict[str, object] = {}
    for name in ("dim_customers", "dim_accounts", "dim_dates", "fact_transactions"):
        checks[f"rows.{name}"] = spark.read.parquet(str(out / name)).count()
    total = (
        spark.read.parquet(str(out / "fact_transactions"))
        .selectExpr("sum(signed_amount)")
        .first()[0]
    )
    checks["sum.fact_transactions.signed_amount"] = str(total)
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--driver-memory", default="4g")
    args = parser.parse_args()

    started = time.perf_counter()
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("dms-warehouse-peer")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
        # a fair local configuration: few shuffle partitions for 2 cores, AQE on (default)
        .config("spark.sql.shuffle.partitions", str(max(4, args.cores * 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    session_seconds = time.perf_counter() - started
    checks = build(spark, args.lake, args.out)
    seconds = time.perf_counter() - started
    spark.stop()
    print(json.dumps({"seconds": seconds, "session_seconds": session_seconds, **checks}))


if __name__ == "__main__":
    main()
