{#- Transaction totals per booking day and channel, in the reporting currency: one row per
    day and channel with transactions (the report's daily chart). -#}
with facts as (

    select * from {{ ref('fact_transactions') }}

)

select
    facts.transaction_date,
    facts.channel,
    cast('{{ reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
    {{ transaction_measures('facts') }}
from facts
group by facts.transaction_date, facts.channel
