-- The same star as the dbt project (dim_customers, dim_accounts, dim_dates, fact_transactions),
-- written once as the simplest correct plain DuckDB SQL: the lower bound `make bench` measures
-- the project against. It starts from the same DMS files as `dmsw land` (not from our lake),
-- and applies the project's quality policy (docs/contracts.md): only unusable records are
-- rejected (a transaction without booking time or a C/D direction, an events document that is
-- not a JSON object), every other defect is cleaned and flagged in quality_issues, in the
-- contracts' rule order. Written by hand for the bank's four tables, not generated from the
-- contracts and not our compiled models. benchmarks/plain_duckdb.py runs it statement by
-- statement ({dms}: the DMS root, {seeds}: the project's seeds folder; `-- step:` names each
-- timed statement). Reporting currency EUR (= the rates' base), rates at most 7 days old.
--
-- Not done here, because nothing in the star needs it: lineage columns, a ledger, the silver
-- state incremental runs need (last_landed_at), reject and data-quality tables, bronze views.

-- step: land
-- Each table's files as typed rows, with the file (DMS order: full load first, then CDC by
-- name). A value that does not parse as its type puts the row in DuckDB's reject table
-- (store_rejects), the plain counterpart of landing's quarantine. "" is text, not NULL.
create table land_customers as
select
    Op as op, try_cast(dms_commit_ts as timestamp) as commit_ts, dms_change_seq as change_seq,
    case when parse_filename(filename) like 'LOAD%' then '0|' else '1|' end
        || parse_filename(filename) as file_order,
    * exclude (Op, dms_commit_ts, dms_change_seq, filename)
from read_csv('{dms}/core_banking/customers/*.csv*', header = true, filename = true,
    allow_quoted_nulls = false, store_rejects = true, auto_detect = false,
    columns = {
        'Op': 'varchar', 'dms_commit_ts': 'varchar', 'customer_id': 'bigint',
        'first_name': 'varchar', 'last_name': 'varchar', 'email': 'varchar',
        'phone': 'varchar', 'date_of_birth': 'date', 'gender': 'varchar',
        'address_line': 'varchar', 'city': 'varchar', 'country_code': 'varchar',
        'segment': 'varchar', 'created_at': 'timestamp', 'updated_at': 'timestamp',
        'dms_change_seq': 'varchar'});

-- step: land
create table land_accounts as
select
    Op as op, try_cast(dms_commit_ts as timestamp) as commit_ts, dms_change_seq as change_seq,
    case when parse_filename(filename) like 'LOAD%' then '0|' else '1|' end
        || parse_filename(filename) as file_order,
    * exclude (Op, dms_commit_ts, dms_change_seq, filename)
from read_csv('{dms}/core_banking/accounts/*.csv*', header = true, filename = true,
    allow_quoted_nulls = false, store_rejects = true, auto_detect = false,
    columns = {
        'Op': 'varchar', 'dms_commit_ts': 'varchar', 'account_id': 'bigint',
        'customer_id': 'bigint', 'account_number': 'varchar', 'account_type': 'varchar',
        'currency': 'varchar', 'status': 'varchar', 'opened_at': 'timestamp',
        'closed_at': 'timestamp', 'created_at': 'timestamp', 'updated_at': 'timestamp',
        'dms_change_seq': 'varchar'});

-- step: land
create table land_transactions as
select
    Op as op, try_cast(dms_commit_ts as timestamp) as commit_ts, dms_change_seq as change_seq,
    case when parse_filename(filename) like 'LOAD%' then '0|' else '1|' end
        || parse_filename(filename) as file_order,
    * exclude (Op, dms_commit_ts, dms_change_seq, filename)
from read_csv('{dms}/core_banking/transactions/*.csv*', header = true, filename = true,
    allow_quoted_nulls = false, store_rejects = true, auto_detect = false,
    columns = {
        'Op': 'varchar', 'dms_commit_ts': 'varchar', 'transaction_id': 'bigint',
        'account_id': 'bigint', 'transaction_ts': 'timestamp', 'amount': 'decimal(18,2)',
        'direction': 'varchar', 'currency': 'varchar', 'transaction_type': 'varchar',
        'status': 'varchar', 'balance_after': 'decimal(18,2)',
        'counterparty_account': 'varchar', 'description': 'varchar',
        'created_at': 'timestamp', 'updated_at': 'timestamp', 'dms_change_seq': 'varchar'});

-- step: land
-- The events: the three document fields the star uses, parsed once here (a field is text
-- only when it is a scalar; a document is usable only when it is a JSON object).
create table land_events as
select
    Op as op, try_cast(dms_commit_ts as timestamp) as commit_ts, dms_change_seq as change_seq,
    case when parse_filename(filename) like 'LOAD%' then '0|' else '1|' end
        || parse_filename(filename) as file_order,
    _id as event_id,
    coalesce(case when json_valid(_doc) then json_type(_doc) = 'OBJECT' end, false)
        as is_valid_json,
    case when json_valid(_doc) then
        json_extract(_doc, ['$."transaction_id"', '$."channel"', '$."occurred_at"."$date"'])
    end as fields
from read_csv('{dms}/events/transaction_events/*.csv*', header = true, filename = true,
    allow_quoted_nulls = false, store_rejects = true, auto_detect = false,
    columns = {
        'Op': 'varchar', 'dms_commit_ts': 'varchar', '_id': 'varchar', '_doc': 'varchar',
        'dms_change_seq': 'varchar'});

-- step: reference
create table countries as
select * from read_csv('{seeds}/iso_countries.csv', header = true, all_varchar = true);
create table currencies as
select * from read_csv('{seeds}/iso_currencies.csv', header = true, all_varchar = true);
create table transaction_types as
select * from read_csv('{seeds}/transaction_types.csv', header = true, all_varchar = true);
-- the factor into EUR per currency and day: 1 / the ECB's rate, from its day until the next
-- rate day, at most 7 days; EUR itself 1 on every day
create table eur_factors as
select
    currency,
    rate_date as valid_from,
    least(
        coalesce(lead(rate_date) over (partition by currency order by rate_date), date '9999-12-31'),
        rate_date + 7
    ) as valid_to,
    cast(1 / cast(rate as double) as decimal(18, 10)) as factor
from read_csv('{seeds}/ecb_euro_reference_rates.csv', header = true,
    columns = {'rate_date': 'date', 'base_currency': 'varchar', 'currency': 'varchar',
               'rate': 'decimal(18,6)'})
where currency != 'EUR'
union all
select 'EUR', date '1900-01-01', date '9999-12-31', 1;

-- step: customers
-- Every customer change cleaned and flagged; a version per change (the first from 1900, the
-- last to 9999; a delete ends one, several changes at one commit time leave the last).
create table customer_versions as
with cleaned as (
    select
        customer_id, op, commit_ts, change_seq, file_order,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(lower(trim(email)), '') as email,
        nullif(trim(phone), '') as phone,
        date_of_birth,
        nullif(upper(trim(gender)), '') as gender,
        nullif(trim(address_line), '') as address_line,
        nullif(trim(city), '') as city,
        nullif(upper(trim(country_code)), '') as country_code,
        lower(trim(segment)) as segment,
        created_at, updated_at
    from land_customers
),
checked as (
    select
        cleaned.* replace (
            case when regexp_full_match(email, '^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$')
                then email end as email,
            case when date_of_birth between date '1900-01-01' and date '2100-12-31'
                then date_of_birth end as date_of_birth,
            case when gender in ('F', 'M') then gender end as gender,
            countries.country_code as country_code,
            case when segment not in ('retail', 'private', 'business') then 'unknown'
                else segment end as segment
        ),
        countries.country_name,
        nullif(concat_ws(',',
            case when first_name is null then 'missing_first_name' end,
            case when last_name is null then 'missing_last_name' end,
            case when not regexp_full_match(email, '^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$')
                then 'invalid_email' end,
            case when date_of_birth not between date '1900-01-01' and date '2100-12-31'
                then 'implausible_date_of_birth' end,
            case when gender not in ('F', 'M') then 'unknown_gender' end,
            case when cleaned.country_code is not null and countries.country_code is null
                then 'unknown_country' end,
            case when segment is null then 'missing_segment' end,
            case when segment not in ('retail', 'private', 'business') then 'unknown_segment' end,
            case when created_at is null then 'missing_created_at' end,
            case when updated_at is null then 'missing_updated_at' end
        ), '') as quality_issues
    from cleaned left join countries on cleaned.country_code = countries.country_code
),
bounded as (
    select
        *,
        case when row_number() over w = 1 then timestamp '1900-01-01'
            else coalesce(commit_ts, timestamp '1900-01-01') end as valid_from,
        coalesce(lead(coalesce(commit_ts, timestamp '1900-01-01')) over w,
            timestamp '9999-12-31') as valid_to
    from checked
    window w as (partition by customer_id order by commit_ts nulls first,
        length(change_seq) nulls first, change_seq nulls first, file_order)
)
select
    * exclude (op, commit_ts, change_seq, file_order),
    row_number() over (partition by customer_id order by valid_from) as version_number
from bounded
where op != 'D' and valid_from < valid_to;

-- step: dim_customers
create table dim_customers as
select
    md5(cast(customer_id as varchar) || '|' || strftime(valid_from, '%Y-%m-%d %H:%M:%S.%f')) as customer_key,
    customer_id, version_number, valid_from, valid_to,
    valid_to = timestamp '9999-12-31' as is_current,
    case when first_name is null then last_name when last_name is null then first_name
        else first_name || ' ' || last_name end as full_name,
    first_name, last_name, email, phone, date_of_birth, gender, address_line, city,
    country_code, country_name, segment, created_at, updated_at, quality_issues,
    false as is_unknown_member
from customer_versions
union all
select md5('-1'), -1, 1, timestamp '1900-01-01', timestamp '9999-12-31', true,
    'Unknown customer', null, null, null, null, null, null, null, null, null, null,
    'unknown', null, null, null, true;

-- step: accounts
-- every account change cleaned and flagged, bounded as the customers' (deletes and collapsed
-- changes are dropped in dim_accounts; the latest change is the account's current state)
create table account_changes as
with cleaned as (
    select
        account_id, customer_id, op, commit_ts, change_seq, file_order,
        trim(account_number) as account_number,
        lower(trim(account_type)) as account_type,
        upper(trim(currency)) as currency,
        lower(trim(status)) as status,
        opened_at, closed_at, created_at, updated_at
    from land_accounts
),
checked as (
    select
        cleaned.* replace (
            case when account_type not in ('checking', 'savings', 'credit_card', 'loan')
                then 'unknown' else account_type end as account_type,
            case when status not in ('active', 'frozen', 'closed') then 'unknown'
                else status end as status
        ),
        nullif(concat_ws(',',
            case when customer_id is null then 'missing_customer_id' end,
            case when account_number is null then 'missing_account_number' end,
            case when account_type is null then 'missing_account_type' end,
            case when account_type not in ('checking', 'savings', 'credit_card', 'loan')
                then 'unknown_account_type' end,
            case when currency is null then 'missing_currency' end,
            case when currency is not null and currencies.currency_code is null
                then 'unknown_currency' end,
            case when status is null then 'missing_status' end,
            case when status not in ('active', 'frozen', 'closed') then 'unknown_status' end,
            case when opened_at is null then 'missing_opened_at' end,
            case when closed_at not between timestamp '1900-01-01' and timestamp '2100-12-31'
                then 'implausible_closed_at' end,
            case when created_at is null then 'missing_created_at' end,
            case when updated_at is null then 'missing_updated_at' end
        ), '') as quality_issues
    from cleaned left join currencies on cleaned.currency = currencies.currency_code
)
select
    * exclude (commit_ts, change_seq, file_order),
    case when row_number() over w = 1 then timestamp '1900-01-01'
        else coalesce(commit_ts, timestamp '1900-01-01') end as valid_from,
    coalesce(lead(coalesce(commit_ts, timestamp '1900-01-01')) over w,
        timestamp '9999-12-31') as valid_to,
    row_number() over w = count(*) over (partition by account_id) as is_latest_change
from checked
window w as (partition by account_id order by commit_ts nulls first,
    length(change_seq) nulls first, change_seq nulls first, file_order);

-- step: dim_accounts
create table dim_accounts as
with versions as (
    select
        *,
        row_number() over (partition by account_id order by valid_from) as version_number
    from account_changes
    where op != 'D' and valid_from < valid_to
)
select
    md5(cast(a.account_id as varchar) || '|' || strftime(a.valid_from, '%Y-%m-%d %H:%M:%S.%f'))
        as account_key,
    a.account_id, a.version_number, a.valid_from, a.valid_to,
    a.valid_to = timestamp '9999-12-31' as is_current,
    coalesce(c.customer_key, md5('-1')) as customer_key,
    coalesce(c.customer_id, -1) as customer_id,
    a.customer_id as source_customer_id,
    a.account_type, a.currency, a.status, a.opened_at,
    cast(a.opened_at as date) as opened_date, cast(a.closed_at as date) as closed_date,
    a.status = 'closed' as is_closed, c.customer_key is not null as has_known_customer,
    a.quality_issues, false as is_unknown_member
from versions a
left join dim_customers c
    on not c.is_unknown_member and a.customer_id = c.customer_id
    and a.valid_from >= c.valid_from and a.valid_from < c.valid_to
union all
select md5('-1'), -1, 1, timestamp '1900-01-01', timestamp '9999-12-31', true, md5('-1'), -1,
    null, 'unknown', 'XXX', 'unknown', null, null, null, false, false, null, true;

-- step: transactions
-- each transaction's latest change; rejected: no booking time, a direction that is not C/D
create table transactions as
with latest as (
    select * from land_transactions
    qualify row_number() over (partition by transaction_id order by commit_ts desc nulls last,
        length(change_seq) desc nulls last, change_seq desc nulls last, file_order desc) = 1
),
cleaned as (
    select
        * exclude (direction, currency, transaction_type, status),
        upper(trim(direction)) as direction,
        upper(trim(currency)) as currency,
        lower(trim(transaction_type)) as transaction_type,
        lower(trim(status)) as status
    from latest
    where op != 'D'
)
select
    cleaned.* replace (
        case when status not in ('pending', 'posted', 'reversed') then 'unknown'
            else status end as status
    ),
    coalesce(types.transaction_category, 'uncategorised') as transaction_category,
    nullif(concat_ws(',',
        case when account_id is null then 'missing_account_id' end,
        case when amount is null then 'missing_amount' end,
        case when amount <= 0 then 'non_positive_amount' end,
        case when currency is null then 'missing_currency' end,
        case when currency is not null and currencies.currency_code is null
            then 'unknown_currency' end,
        case when cleaned.transaction_type is null then 'missing_transaction_type' end,
        case when cleaned.transaction_type is not null and types.transaction_type is null
            then 'unmapped_transaction_type' end,
        case when status is null then 'missing_status' end,
        case when status not in ('pending', 'posted', 'reversed') then 'unknown_status' end,
        case when created_at is null then 'missing_created_at' end,
        case when updated_at is null then 'missing_updated_at' end
    ), '') as quality_issues
from cleaned
left join currencies on cleaned.currency = currencies.currency_code
left join transaction_types types on cleaned.transaction_type = types.transaction_type
where transaction_ts is not null and direction in ('C', 'D');

-- step: channels
-- each transaction's channel: that of its earliest event naming a known channel
create table channels as
with latest as (
    select * from land_events
    qualify row_number() over (partition by event_id order by commit_ts desc nulls last,
        length(change_seq) desc nulls last, change_seq desc nulls last, file_order desc) = 1
),
scalars as (
    select
        event_id,
        list_transform(fields, lambda f: case
            when left(f, 1) = '"' then f ->> '$'
            when left(f, 1) not in ('{', '[', 'n') then cast(f as varchar) end) as texts
    from latest
    where op != 'D' and is_valid_json
),
typed as (
    select
        event_id,
        case when regexp_full_match(texts[1], '^-?[0-9]+$') then try_cast(texts[1] as bigint)
            end as transaction_id,
        nullif(lower(trim(texts[2])), '') as channel,
        case when regexp_full_match(texts[3], '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$')
            then date_trunc('millisecond', cast(timezone('UTC',
                try_cast(replace(texts[3], 'T', ' ') as timestamptz)) as timestamp)) end
            as occurred_at
    from scalars
)
select transaction_id, channel from typed
where transaction_id is not null and channel in ('mobile', 'web', 'branch', 'atm', 'pos')
qualify row_number() over (partition by transaction_id
    order by occurred_at asc nulls last, event_id asc) = 1;

-- step: fact_transactions
-- one row per usable transaction, with the account and customer versions valid at its time
create table fact_transactions as
select
    t.transaction_id,
    coalesce(a.account_key, md5('-1')) as account_key,
    coalesce(c.customer_key, md5('-1')) as customer_key,
    cast(strftime(t.transaction_ts, '%Y%m%d') as integer) as date_key,
    t.transaction_ts,
    cast(t.transaction_ts as date) as transaction_date,
    t.amount,
    case when t.direction = 'C' then t.amount else -t.amount end as signed_amount,
    t.currency,
    'EUR' as reporting_currency,
    r.factor as reporting_rate,
    cast(round(cast(t.amount as decimal(28, 2)) * r.factor, 2) as decimal(18, 2))
        as amount_reporting,
    case when t.direction = 'C'
        then cast(round(cast(t.amount as decimal(28, 2)) * r.factor, 2) as decimal(18, 2))
        else -cast(round(cast(t.amount as decimal(28, 2)) * r.factor, 2) as decimal(18, 2))
    end as signed_amount_reporting,
    case when t.direction = 'C' then 'credit' else 'debit' end as direction,
    t.transaction_type,
    t.transaction_category,
    t.status,
    coalesce(ch.channel, 'unknown') as channel,
    t.balance_after,
    coalesce(a.account_id, -1) as account_id,
    t.account_id as source_account_id,
    coalesce(c.customer_id, -1) as customer_id,
    case when r.factor is not null then t.quality_issues
        else coalesce(t.quality_issues || ',', '') || 'missing_rate' end as quality_issues
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
    and cast(t.transaction_ts as date) < r.valid_to;

-- step: dim_dates
-- whole years from the first to the last date the star refers to: transaction dates, the
-- current accounts' open and close dates
create table dim_dates as
with years as (
    select min(y) as y0, max(y) as y1 from (
        select year(transaction_ts) as y from transactions
        union all
        select year(opened_at) from account_changes where is_latest_change and op != 'D'
        union all
        select year(closed_at) from account_changes where is_latest_change and op != 'D'
    )
),
days as (
    select cast(unnest(generate_series(make_date(y0, 1, 1), make_date(y1, 12, 31),
        interval 1 day)) as date) as date_day
    from years
    where y0 is not null
)
select
    cast(strftime(date_day, '%Y%m%d') as integer) as date_key,
    date_day,
    cast(year(date_day) as integer) as year,
    cast(quarter(date_day) as integer) as quarter,
    cast(month(date_day) as integer) as month,
    monthname(date_day) as month_name,
    cast(isodow(date_day) as integer) as day_of_week,
    dayname(date_day) as day_name,
    isodow(date_day) in (6, 7) as is_weekend
from days;
