{#- The factor that turns one unit of each currency into the reporting currency (var
    reporting_currency), over the days both rates serve. Rates are quoted against one base
    (var exchange_rates_base_currency): the factor is rate(reporting) / rate(currency), the
    base itself being 1 on every day, so a cross rate goes through the base. The reporting
    currency converts to itself at 1 on every day, with or without rates. -#}
{%- set reporting = reporting_currency() -%}
{%- set base = exchange_rates_base_currency() -%}

with rates as (

    select currency, valid_from, valid_to, rate from {{ ref('slv_exchange_rates') }}
    union all
    select
        '{{ base }}' as currency,
        cast('1900-01-01' as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        cast(1 as decimal(18, 6)) as rate

),

reporting_rates as (

    select valid_from, valid_to, rate from rates
    where currency = '{{ reporting }}'

),

crossed as (

    select
        rates.currency,
        case
            when rates.valid_from > reporting_rates.valid_from then rates.valid_from
            else reporting_rates.valid_from
        end as valid_from,
        case
            when rates.valid_to < reporting_rates.valid_to then rates.valid_to
            else reporting_rates.valid_to
        end as valid_to,
        cast(
            cast(reporting_rates.rate as double precision) / cast(rates.rate as double precision)
            as decimal(18, 10)
        ) as reporting_rate
    from rates
    inner join reporting_rates
        on rates.valid_from < reporting_rates.valid_to
        and rates.valid_to > reporting_rates.valid_from
    where rates.currency != '{{ reporting }}'

),

same_currency as (

    select
        '{{ reporting }}' as currency,
        cast('1900-01-01' as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        cast(1 as decimal(18, 10)) as reporting_rate

),

factors as (

    select * from crossed
    union all
    select * from same_currency

)

select
    currency,
    valid_from,
    valid_to,
    cast('{{ reporting }}' as {{ dbt.type_string() }}) as reporting_currency,
    reporting_rate
from factors
