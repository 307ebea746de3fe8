{#- The per-currency breakdown of the monthly totals: one row per month and currency with
    transactions, in that currency and in the reporting currency. Adds up to
    fact_monthly_transaction_totals (tested). -#}
with facts as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as month_start
    from {{ ref('fact_transactions') }}

)

select
    facts.month_start,
    facts.currency,
    cast('{{ reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
    {{ transaction_measures('facts', own_currency=true) }}
from facts
group by facts.month_start, facts.currency
