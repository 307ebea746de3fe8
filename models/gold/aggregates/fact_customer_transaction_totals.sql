{#- Customer transaction totals, the one definition (the report, the analysis
    customer_transaction_totals and the saved query customer_transaction_totals read it or
    agree with it): one row per customer (customer_id, over all its versions) and one for the
    unknown customer (-1), the transactions the fact attributes to them, in the reporting
    currency; customers without a transaction have zeros. The currencies are in the
    breakdown, fact_customer_currency_totals. booked_amount_rank orders the
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
        ranks.booked_amount_rank
    from totals
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
    booked_without_rate
from ranked
