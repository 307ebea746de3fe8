"""The peer: the bronze-to-gold build as one PySpark job in local mode, the way the Glue/Spark
systems before this project did it (read the raw zone, standardise and flag with the
project's quality policy: reject only what cannot be used, docs/contracts.md; latest change
per key, type 2 history from the change log, dimensions with unknown members, the fact with
point-in-time keys, the channel and the amounts in EUR), written to Parquet. The same SQL as
benchmarks/plain_star.sql in Spark's dialect, from our lake instead of the DMS files.

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
EMAIL = r"^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$"
ISO_TS = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?$"
)
ORDER_ASC = (
    "_dms_commit_ts asc nulls first, length(_dms_change_seq) asc nulls first, "
    "_dms_change_seq asc nulls first, _dms_file_order asc, _dms_row asc"
)
ORDER_DESC = (
    "_dms_commit_ts desc nulls last, length(_dms_change_seq) desc nulls last, "
    "_dms_change_seq desc nulls last, _dms_file_order desc, _dms_row desc"
)
CHANGE = "_dms_op, _dms_commit_ts, _dms_change_seq, _dms_file_order, _dms_row"


def _flags(checks: list[tuple[str, str]]) -> str:
    """quality_issues: the codes of the failing checks in rule order, null when none fails."""
    parts = ", ".join(f"case when {cond} then '{code}' end" for cond, code in checks)
    return f"nullif(concat_ws(',', {parts}), '')"


def _bounds(key: str) -> str:
    """valid_from / valid_to of each change of `key` (docs/changes.md): the first from the
    floor, each to the next change's commit time, the last to the ceiling."""
    return f"""
        case when row_number() over (partition by {key} order by {ORDER_ASC}) = 1
            then {FLOOR} else coalesce(_dms_commit_ts, {FLOOR}) end as valid_from,
        coalesce(lead(coalesce(_dms_commit_ts, {FLOOR})) over (
            partition by {key} order by {ORDER_ASC}), {CEILING}) as valid_to"""


def build(spark, lake: Path, out: Path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    sql = spark.sql
    for schema, table in (
        ("core_banking", "customers"),
        ("core_banking", "accounts"),
        ("core_banking", "transactions"),
        ("events", "transaction_events"),
    ):
        spark.read.parquet(str(lake / "raw" / schema / table)).createOrReplaceTempView(
            f"raw_{table}"
        )
    for seed in ("iso_countries", "iso_currencies", "transaction_types"):
        spark.read.option("header", True).csv(
            str(PROJECT / "seeds" / f"{seed}.csv")
        ).createOrReplaceTempView(seed)
    spark.read.option("header", True).schema(
        "rate_date date, base_currency string, currency string, rate decimal(18,6)"
    ).csv(str(PROJECT / "seeds" / "ecb_euro_reference_rates.csv")).createOrReplaceTempView(
        "ecb_rates"
    )
    # the factor into EUR (the reporting currency, the rates' base) per currency and day: a
    # rate serves until the next rate day, at most 7 days; EUR itself 1 on every day
    sql("""
        select currency, rate_date as valid_from,
            least(coalesce(lead(rate_date) over (partition by currency order by rate_date),
                           date'9999-12-31'), date_add(rate_date, 7)) as valid_to,
            cast(1 / cast(rate as double) as decimal(18, 10)) as factor
        from ecb_rates where currency != 'EUR'
        union all
        select 'EUR', date'1900-01-01', date'9999-12-31', cast(1 as decimal(18, 10))
    """).createOrReplaceTempView("eur_factors")

    # customers: every change cleaned and flagged (none is rejected), a version per change
    customer_flags = _flags([
        ("first_name is null", "missing_first_name"),
        ("last_name is null", "missing_last_name"),
        (f"not email rlike '{EMAIL}'", "invalid_email"),
        ("date_of_birth not between date'1900-01-01' and date'2100-12-31'",
         "implausible_date_of_birth"),
        ("gender not in ('F', 'M')", "unknown_gender"),
        ("s.country_code is not null and c.country_code is null", "unknown_country"),
        ("segment is null", "missing_segment"),
        ("segment not in ('retail', 'private', 'business')", "unknown_segment"),
        ("created_at is null", "missing_created_at"),
        ("updated_at is null", "missing_updated_at"),
    ])  # fmt: skip
    sql(f"""
        select customer_id, {CHANGE}, first_name, last_name,
            case when email rlike '{EMAIL}' then email end as email, phone,
            case when date_of_birth between date'1900-01-01' and date'2100-12-31'
                then date_of_birth end as date_of_birth,
            case when gender in ('F', 'M') then gender end as gender, address_line, city,
            c.country_code, c.country_name,
            case when segment not in ('retail', 'private', 'business') then 'unknown'
                else segment end as segment,
            created_at, updated_at, {customer_flags} as quality_issues
        from (
            select customer_id, {CHANGE},
                nullif(trim(first_name), '') as first_name,
                nullif(trim(last_name), '') as last_name,
                nullif(lower(trim(email)), '') as email, nullif(trim(phone), '') as phone,
                date_of_birth, nullif(upper(trim(gender)), '') as gender,
                nullif(trim(address_line), '') as address_line, nullif(trim(city), '') as city,
                nullif(upper(trim(country_code)), '') as country_code,
                lower(trim(segment)) as segment, created_at, updated_at
            from raw_customers
        ) s left join iso_countries c on s.country_code = c.country_code
    """).createOrReplaceTempView("customer_changes")
    sql(f"""
        select *, row_number() over (partition by customer_id order by valid_from)
            as version_number
        from (select *, {_bounds("customer_id")} from customer_changes)
        where _dms_op != 'D' and valid_from < valid_to
    """).createOrReplaceTempView("customer_versions")
    dim_customers = sql(f"""
        select md5(concat(cast(customer_id as string), '|',
                          date_format(valid_from, 'yyyy-MM-dd HH:mm:ss.SSSSSS'))) as customer_key,
            customer_id, version_number, valid_from, valid_to, valid_to = {CEILING} as is_current,
            case when first_name is null then last_name when last_name is null then first_name
                else concat(first_name, ' ', last_name) end as full_name,
            first_name, last_name, email, phone, date_of_birth, gender, address_line, city,
            country_code, country_name, segment, created_at, updated_at, quality_issues,
            false as is_unknown_member
        from customer_versions
        union all
        select md5('-1'), -1L, 1L, {FLOOR}, {CEILING}, true, 'Unknown customer', null, null,
            null, null, cast(null as date), null, null, null, null, null, 'unknown',
            cast(null as timestamp), cast(null as timestamp), null, true
    """)
    dim_customers.createOrReplaceTempView("dim_customers")

    # accounts: cleaned and flagged (none is rejected), versions as the customers'
    account_flags = _flags([
        ("customer_id is null", "missing_customer_id"),
        ("account_number is null", "missing_account_number"),
        ("account_type is null", "missing_account_type"),
        ("account_type not in ('checking', 'savings', 'credit_card', 'loan')",
         "unknown_account_type"),
        ("currency is null", "missing_currency"),
        ("currency is not null and c.currency_code is null", "unknown_currency"),
        ("status is null", "missing_status"),
        ("status not in ('active', 'frozen', 'closed')", "unknown_status"),
        ("opened_at is null", "missing_opened_at"),
        ("closed_at not between timestamp'1900-01-01' and timestamp'2100-12-31'",
         "implausible_closed_at"),
        ("created_at is null", "missing_created_at"),
        ("updated_at is null", "missing_updated_at"),
    ])  # fmt: skip
    sql(f"""
        select *, {_bounds("account_id")},
            row_number() over (partition by account_id order by {ORDER_DESC}) = 1
                as is_latest_change
        from (
            select account_id, customer_id, {CHANGE}, account_number,
                case when account_type not in ('checking', 'savings', 'credit_card', 'loan')
                    then 'unknown' else account_type end as account_type,
                currency,
                case when status not in ('active', 'frozen', 'closed') then 'unknown'
                    else status end as status,
                opened_at, closed_at, created_at, updated_at, {account_flags} as quality_issues
            from (
                select account_id, customer_id, {CHANGE},
                    trim(account_number) as account_number,
                    lower(trim(account_type)) as account_type,
                    upper(trim(currency)) as currency, lower(trim(status)) as status,
                    opened_at, closed_at, created_at, updated_at
                from raw_accounts
            ) s left join iso_currencies c on s.currency = c.currency_code)
    """).createOrReplaceTempView("account_changes")
    dim_accounts = sql(f"""
        select md5(concat(cast(a.account_id as string), '|',
                          date_format(a.valid_from, 'yyyy-MM-dd HH:mm:ss.SSSSSS'))) as account_key,
            a.account_id, a.version_number, a.valid_from, a.valid_to,
            a.valid_to = {CEILING} as is_current,
            coalesce(c.customer_key, md5('-1')) as customer_key,
            coalesce(c.customer_id, -1L) as customer_id, a.customer_id as source_customer_id,
            a.account_type, a.currency, a.status, a.opened_at,
            cast(a.opened_at as date) as opened_date, cast(a.closed_at as date) as closed_date,
            a.status = 'closed' as is_closed, c.customer_key is not null as has_known_customer,
            a.quality_issues, false as is_unknown_member
        from (
            select *, row_number() over (partition by account_id order by valid_from)
                as version_number
            from account_changes where _dms_op != 'D' and valid_from < valid_to
        ) a
        left join dim_customers c
            on not c.is_unknown_member and a.customer_id = c.customer_id
            and a.valid_from >= c.valid_from and a.valid_from < c.valid_to
        union all
        select md5('-1'), -1L, 1L, {FLOOR}, {CEILING}, true, md5('-1'), -1L, null, 'unknown',
            'XXX', 'unknown', cast(null as timestamp), cast(null as date), cast(null as date),
            false, false, null, true
    """)
    dim_accounts.createOrReplaceTempView("dim_accounts")

    # transactions: the latest change; rejected only without booking time or a C/D direction
    transaction_flags = _flags([
        ("account_id is null", "missing_account_id"),
        ("amount is null", "missing_amount"),
        ("amount <= 0", "non_positive_amount"),
        ("currency is null", "missing_currency"),
        ("currency is not null and c.currency_code is null", "unknown_currency"),
        ("s.transaction_type is null", "missing_transaction_type"),
        ("s.transaction_type is not null and t.transaction_type is null",
         "unmapped_transaction_type"),
        ("status is null", "missing_status"),
        ("status not in ('pending', 'posted', 'reversed')", "unknown_status"),
        ("created_at is null", "missing_created_at"),
        ("updated_at is null", "missing_updated_at"),
    ])  # fmt: skip
    sql(f"""
        select s.transaction_id, s.account_id, s.transaction_ts, s.amount, s.direction,
            s.currency, s.transaction_type,
            case when status not in ('pending', 'posted', 'reversed') then 'unknown'
                else status end as status,
            s.balance_after,
            coalesce(t.transaction_category, 'uncategorised') as transaction_category,
            {transaction_flags} as quality_issues
        from (
            select transaction_id, account_id, transaction_ts, amount,
                upper(trim(direction)) as direction, upper(trim(currency)) as currency,
                lower(trim(transaction_type)) as transaction_type,
                lower(trim(status)) as status, balance_after, created_at, updated_at, _dms_op
            from (
                select *, row_number() over (partition by transaction_id order by {ORDER_DESC})
                    as change_recency
                from raw_transactions)
            where change_recency = 1
        ) s
        left join iso_currencies c on s.currency = c.currency_code
        left join transaction_types t on s.transaction_type = t.transaction_type
        where s._dms_op != 'D' and s.transaction_ts is not null and s.direction in ('C', 'D')
    """).createOrReplaceTempView("transactions")

    # channels: the channel of each transaction's earliest event naming a known one; an
    # events document that is not a JSON object is rejected
    sql(f"""
        select transaction_id, channel from (
            select transaction_id, channel, row_number() over (
                partition by transaction_id order by occurred_at asc nulls last, _id asc
            ) as event_rank
            from (
                select _id,
                    case when transaction_id_text rlike '^-?[0-9]+$'
                        then cast(transaction_id_text as bigint) end as transaction_id,
                    nullif(lower(trim(channel_text)), '') as channel,
                    case when occurred_at_text rlike '{ISO_TS}'
                        then date_trunc('millisecond', try_to_timestamp(occurred_at_text))
                    end as occurred_at
                from (
                    select _id, get_json_object(_doc, '$.transaction_id') as transaction_id_text,
                        get_json_object(_doc, '$.channel') as channel_text,
                        get_json_object(_doc, '$.occurred_at.$date') as occurred_at_text
                    from (
                        select *, row_number() over (partition by _id order by {ORDER_DESC})
                            as change_recency
                        from raw_transaction_events)
                    where change_recency = 1 and _dms_op != 'D'
                        and ltrim(_doc) like '{{%' and get_json_object(_doc, '$') is not null))
            where transaction_id is not null
                and channel in ('mobile', 'web', 'branch', 'atm', 'pos'))
        where event_rank = 1
    """).createOrReplaceTempView("channels")

    fact = sql("""
        select t.transaction_id,
            coalesce(a.account_key, md5('-1')) as account_key,
            coalesce(c.customer_key, md5('-1')) as customer_key,
            cast(date_format(t.transaction_ts, 'yyyyMMdd') as int) as date_key,
            t.transaction_ts, cast(t.transaction_ts as date) as transaction_date, t.amount,
            case when t.direction = 'C' then t.amount else -t.amount end as signed_amount,
            t.currency, 'EUR' as reporting_currency, r.factor as reporting_rate,
            cast(round(cast(t.amount as decimal(28, 2)) * r.factor, 2) as decimal(18, 2))
                as amount_reporting,
            case when t.direction = 'C'
                then cast(round(cast(t.amount as decimal(28, 2)) * r.factor, 2) as decimal(18, 2))
                else -cast(round(cast(t.amount as decimal(28, 2)) * r.factor, 2) as decimal(18, 2))
            end as signed_amount_reporting,
            case when t.direction = 'C' then 'credit' else 'debit' end as direction,
            t.transaction_type, t.transaction_category, t.status,
            coalesce(ch.channel, 'unknown') as channel, t.balance_after,
            coalesce(a.account_id, -1L) as account_id, t.account_id as source_account_id,
            coalesce(c.customer_id, -1L) as customer_id,
            case when r.factor is not null then t.quality_issues
                else concat(coalesce(concat(t.quality_issues, ','), ''), 'missing_rate')
            end as quality_issues
        from transactions t
        left join dim_accounts a
            on not a.is_unknown_member and t.account_id = a.account_id
            and t.transaction_ts >= a.valid_from and t.transaction_ts < a.valid_to
        left join dim_customers c
            on not c.is_unknown_member and a.source_customer_id = c.customer_id
            and t.transaction_ts >= c.valid_from and t.transaction_ts < c.valid_to
        left join channels ch on t.transaction_id = ch.transaction_id
        left join eur_factors r
            on t.currency = r.currency
            and cast(t.transaction_ts as date) >= r.valid_from
            and cast(t.transaction_ts as date) < r.valid_to
    """)

    years = sql("""
        select min(y), max(y) from (
            select year(transaction_ts) as y from transactions
            union all
            select year(opened_at) from account_changes where is_latest_change and _dms_op != 'D'
            union all
            select year(closed_at) from account_changes where is_latest_change and _dms_op != 'D')
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
