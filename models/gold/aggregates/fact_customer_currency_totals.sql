{#- The per-currency breakdown of customer transaction totals: one row per customer
    (customer_id, -1 for the unknown customer) and currency they have transactions in, in
    that currency and in the reporting currency. Adds up to fact_customer_transaction_totals
    (tested). -#}
with facts as (

    select * from {{ ref('fact_transactions') }}

)

select
    facts.customer_id,
    facts.currency,
    cast('{{ reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
    {{ transaction_measures('facts', own_currency=true) }}
from facts
group by facts.customer_id, facts.currency
