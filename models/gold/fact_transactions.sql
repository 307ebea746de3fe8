{#- Grain: one row per transaction in its current state (pending, posted or reversed).
    account_key and customer_key are the versions valid at transaction_ts (point in time);
    account_id and customer_id name the same rows, for current-state joins. A transaction
    whose account has no version at that time (an orphan account_id, a rejected account)
    joins the unknown members (key and id -1) instead of disappearing; source_account_id
    keeps the account id as the source has it. Transactions silver flags (an unknown currency,
    an unmapped type: quality_issues) are kept, so the fact adds up to the source's books; the
    category comes from the transaction_types seed ('uncategorised' for unmapped types).
    Amounts are also in the reporting currency, at the factor of the booking date
    (slv_exchange_rates__reporting); without one they are null and the row is flagged
    missing_rate.

    Incremental: a run recomputes the transactions whose own change, account history,
    owner's history or events were landed since the last run, or whose factor into the
    reporting currency changed, and replaces their rows; the pre-hook first deletes
    transactions that were deleted or became invalid. `last_landed_at` is the latest landing
    time among everything a row was derived from, so an incremental run and a full refresh
    give identical rows. -#}
{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_keys('transaction_id', ref('slv_transactions__latest'), condition='is_deleted or reject_reasons is not null') }}",
    )
}}

-- deleted accounts and owners:
-- depends_on: {{ ref('slv_accounts__latest') }} {{ ref('slv_customers__latest') }}

with transaction_states as (

    select * from {{ ref('slv_transactions__latest') }}

),

account_history as (

    select account_id, customer_id, last_landed_at from {{ ref('slv_accounts__history') }}

),

customer_history as (

    select customer_id, last_landed_at from {{ ref('slv_customers__history') }}

),

event_states as (

    select transaction_id, landed_at as last_landed_at
    from {{ ref('slv_transaction_events__latest') }}

),

reporting_rates as (

    select currency, valid_from, valid_to, reporting_currency, reporting_rate
    from {{ ref('slv_exchange_rates__reporting') }}

),

{% if is_incremental() -%}
-- the booking days whose factor into the reporting currency is not the one stored (new or
-- corrected rates, another reporting currency): their transactions are recomputed. Found on
-- the distinct (currency, day, factor) the fact holds, a few thousand rows.
stored_rates as (

    select distinct currency, transaction_date, reporting_currency, reporting_rate
    from {{ this }}

),

stale_rate_days as (

    select stored_rates.currency, stored_rates.transaction_date
    from stored_rates
    left join reporting_rates
        on stored_rates.currency = reporting_rates.currency
        and stored_rates.transaction_date >= reporting_rates.valid_from
        and stored_rates.transaction_date < reporting_rates.valid_to
    where stored_rates.reporting_currency != '{{ reporting_currency() }}'
        or coalesce(stored_rates.reporting_rate, -1) != coalesce(reporting_rates.reporting_rate, -1)

),

changed_rates as (

    select facts.transaction_id
    from {{ this }} as facts
    inner join stale_rate_days
        on facts.currency = stale_rate_days.currency
        and facts.transaction_date = stale_rate_days.transaction_date

),

changed_accounts as (

    {{ accounts_with_landed_history(
        'account_history', 'customer_history',
        ref('slv_accounts__latest'), ref('slv_customers__latest')
    ) }}

),

changed_events as (

    select transaction_id from event_states
    where last_landed_at > {{ landed_watermark() }}

),

-- reads the model itself rather than the transaction_states CTE: a CTE used twice is
-- materialised whole by DuckDB (every column of 10M rows)
changed_transactions as (

    select transaction_id from {{ ref('slv_transactions__latest') }}
    where landed_at > {{ landed_watermark() }}
        or account_id in (select account_id from changed_accounts)
        or transaction_id in (select transaction_id from changed_events)
        or transaction_id in (select transaction_id from changed_rates)

),

{% endif -%}
transactions as (

    select * from transaction_states
    where not is_deleted
        and reject_reasons is null
        {%- if is_incremental() %}
        and transaction_id in (select transaction_id from changed_transactions)
        {%- endif %}

),

accounts as (

    select account_key, account_id, source_customer_id, valid_from, valid_to
    from {{ ref('dim_accounts') }}
    where not is_unknown_member

),

customers as (

    select customer_key, customer_id, valid_from, valid_to
    from {{ ref('dim_customers') }}
    where not is_unknown_member

),

channels as (

    select transaction_id, channel from {{ ref('slv_transaction_channels') }}

),

transaction_types as (

    select transaction_type, transaction_category from {{ ref('transaction_types') }}

),

account_landings as (

    select account_id, max(last_landed_at) as last_landed_at
    from account_history
    group by account_id

),

customer_landings as (

    select customer_id, max(last_landed_at) as last_landed_at
    from customer_history
    group by customer_id

),

-- the reporting factor per (currency, booking day) the transactions have, found on those few
-- thousand distinct days rather than by a range join of every transaction against every rate
-- period of its currency (at 2M transactions that join was two thirds of the model's time)
booking_days as (

    select distinct currency, cast(transaction_ts as date) as transaction_date
    from {{ ref('slv_transactions__latest') }}

),

booking_day_rates as (

    select booking_days.currency, booking_days.transaction_date, reporting_rates.reporting_rate
    from booking_days
    inner join reporting_rates
        on booking_days.currency = reporting_rates.currency
        and booking_days.transaction_date >= reporting_rates.valid_from
        and booking_days.transaction_date < reporting_rates.valid_to

),

event_landings as (

    select transaction_id, max(last_landed_at) as last_landed_at
    from event_states
    -- only the transactions this run builds: an incremental run must not scan every event
    where transaction_id in (select transaction_id from transactions)
    group by transaction_id

),

joined as (

    select
        transactions.transaction_id,
        coalesce(accounts.account_key, {{ unknown_member_key() }}) as account_key,
        coalesce(customers.customer_key, {{ unknown_member_key() }}) as customer_key,
        {{ date_key('transactions.transaction_ts') }} as date_key,
        transactions.transaction_ts,
        cast(transactions.transaction_ts as date) as transaction_date,
        transactions.amount,
        case
            when transactions.direction = 'C' then transactions.amount
            else -transactions.amount
        end as signed_amount,
        transactions.currency,
        cast('{{ reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
        reporting_rates.reporting_rate,
        {{ convert_amount('transactions.amount', 'reporting_rates.reporting_rate') }}
            as amount_reporting,
        case when transactions.direction = 'C' then 'credit' else 'debit' end as direction,
        transactions.transaction_type,
        coalesce(transaction_types.transaction_category, 'uncategorised') as transaction_category,
        transactions.status,
        coalesce(channels.channel, 'unknown') as channel,
        transactions.balance_after,
        coalesce(accounts.account_id, cast({{ unknown_member_id() }} as bigint)) as account_id,
        transactions.account_id as source_account_id,
        coalesce(customers.customer_id, cast({{ unknown_member_id() }} as bigint)) as customer_id,
        case
            when reporting_rates.reporting_rate is not null then transactions.quality_issues
            when transactions.quality_issues is null then 'missing_rate'
            else transactions.quality_issues || ',missing_rate'
        end as quality_issues,
        greatest(
            transactions.landed_at,
            coalesce(account_landings.last_landed_at, {{ timestamp_floor() }}),
            coalesce(customer_landings.last_landed_at, {{ timestamp_floor() }}),
            coalesce(event_landings.last_landed_at, {{ timestamp_floor() }})
        ) as last_landed_at
    from transactions
    left join accounts
        on transactions.account_id = accounts.account_id
        and transactions.transaction_ts >= accounts.valid_from
        and transactions.transaction_ts < accounts.valid_to
    left join customers
        on accounts.source_customer_id = customers.customer_id
        and transactions.transaction_ts >= customers.valid_from
        and transactions.transaction_ts < customers.valid_to
    left join channels on transactions.transaction_id = channels.transaction_id
    left join transaction_types
        on transactions.transaction_type = transaction_types.transaction_type
    left join account_landings on transactions.account_id = account_landings.account_id
    left join customer_landings on accounts.source_customer_id = customer_landings.customer_id
    left join event_landings on transactions.transaction_id = event_landings.transaction_id
    left join booking_day_rates as reporting_rates
        on transactions.currency = reporting_rates.currency
        and cast(transactions.transaction_ts as date) = reporting_rates.transaction_date

),

facts as (

    select
        transaction_id,
        account_key,
        customer_key,
        date_key,
        transaction_ts,
        transaction_date,
        amount,
        signed_amount,
        currency,
        reporting_currency,
        reporting_rate,
        amount_reporting,
        case
            when direction = 'credit' then amount_reporting
            else -amount_reporting
        end as signed_amount_reporting,
        direction,
        transaction_type,
        transaction_category,
        status,
        channel,
        balance_after,
        account_id,
        source_account_id,
        customer_id,
        quality_issues,
        last_landed_at
    from joined

)

select * from facts
