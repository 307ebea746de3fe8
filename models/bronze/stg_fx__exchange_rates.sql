{#- The exchange rates, typed: one row per day and quoted currency, rate = units of the
    currency for one unit of the base currency. Production reads its own rates table (source
    fx.exchange_rates, with exchange_rates_from = 'source'); the demo and the tests read the
    ECB seed (the default). -#}
with source as (

    {% if exchange_rates_from() == 'source' -%}
    select * from {{ source('fx', 'exchange_rates') }}
    {%- else -%}
    select * from {{ ref('ecb_euro_reference_rates') }}
    {%- endif %}

),

renamed as (

    select
        cast(rate_date as date) as rate_date,
        upper(trim(cast(base_currency as {{ dbt.type_string() }}))) as base_currency,
        upper(trim(cast(currency as {{ dbt.type_string() }}))) as currency,
        cast(rate as decimal(18, 6)) as rate
    from source

)

select * from renamed
