{#- The rates with the days each one serves: from its rate day until the currency's next
    rate day (weekends and holidays take the last earlier rate), but no longer than
    var exchange_rates_max_age_days days: a day further from any rate has none (a missing
    rate, flagged in gold), rather than a stale one. -#}
with rates as (

    select rate_date, currency, rate from {{ ref('stg_fx__exchange_rates') }}

),

sequenced as (

    select
        rate_date,
        currency,
        rate,
        lead(rate_date) over (partition by currency order by rate_date) as next_rate_date,
        cast({{ dbt.dateadd('day', var('exchange_rates_max_age_days'), 'rate_date') }} as date)
            as expires_on
    from rates

),

validity as (

    select
        currency,
        rate_date as valid_from,
        case
            when next_rate_date < expires_on then next_rate_date
            else expires_on
        end as valid_to,
        rate
    from sequenced

)

select * from validity
