{#- Customer transaction totals, the one definition (the report, the analysis
    customer_transaction_totals and the saved query customer_transaction_totals read it or
    agree with it): one row per customer (customer_id, over all its versions) and one for the
    unknown customer (-1), the transactions the fact attributes to them, in the reporting
    currency; customers without a transaction have zeros. booked_amount_rank orders the
    known customers by booked amount (largest first, then customer_id). No personal data:
    names come from dim_customers_masked (or dim_customers) by latest_customer_key. -#}
with customer_versions as (

    select
        customer_id,
        customer_key,
        is_unknown_member,
        row_number() over (partition by customer_id order by valid_from desc) as recency
    from {{ ref('dim_customers') }}

),

customers as (

    select customer_id, customer_key as latest_customer_key, is_unknown_member
    from customer_versions
    where recency = 1

),

-- only the columns used: a CTE read twice is materialised whole by DuckDB
facts as (

    select
        transaction_id,
        customer_id,
        currency,
        status,
        amount_reporting,
        signed_amount_reporting
    from {{ ref('fact_transactions') }}

),

totals as (

    select
        customers.customer_id,
        customers.latest_customer_key,
        customers.is_unknown_member,
        {{ transaction_measures('facts') }}
    from customers
    left join facts on customers.customer_id = facts.customer_id
    group by customers.customer_id, customers.latest_customer_key, customers.is_unknown_member

),

currencies_used as (

    select distinct customer_id, currency from facts

),

currency_lists as (

    select
        customer_id,
        {{ dbt.listagg('currency', "', '", 'order by currency') }} as currencies
    from currencies_used
    group by customer_id

),

ranks as (

    select
        customer_id,
        row_number() over (
            order by booked_amount_reporting desc, customer_id asc
        ) as booked_amount_rank
    from totals
    where not is_unknown_member

),

ranked as (

    select
        totals.*,
        currency_lists.currencies,
        ranks.booked_amount_rank
    from totals
    left join currency_lists on totals.customer_id = currency_lists.customer_id
    left join ranks on totals.customer_id = ranks.customer_id

)

select
    customer_id,
    latest_customer_key,
    is_unknown_member,
    booked_amount_rank,
    cast('{{ reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
    transactions,
    posted_transactions,
    pending_transactions,
    reversed_transactions,
    unknown_status_transactions,
    booked_amount_reporting,
    booked_net_flow_reporting,
    pending_amount_reporting,
    reversed_amount_reporting,
    booked_without_rate,
    currencies
from ranked
