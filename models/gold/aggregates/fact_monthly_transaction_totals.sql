{#- Transaction totals per calendar month of booking, in the reporting currency: one row per
    month of dim_dates (months without a transaction have zeros), with the known customers
    who had a transaction that month. -#}
with months as (

    select distinct cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from {{ ref('dim_dates') }}

),

facts as (

    select
        transaction_id,
        customer_id,
        status,
        amount_reporting,
        signed_amount_reporting,
        cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as month_start
    from {{ ref('fact_transactions') }}

)

select
    months.month_start,
    cast('{{ reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
    {{ transaction_measures('facts') }},
    cast(count(distinct case
        when facts.customer_id != {{ unknown_member_id() }} then facts.customer_id
    end) as bigint) as active_customers
from months
left join facts on months.month_start = facts.month_start
group by months.month_start
