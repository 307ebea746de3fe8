{#- One row per day, whole calendar years from the earliest to the latest date the star
    refers to (transaction dates, account open and close dates), whatever years they are;
    no rows when the data has no date at all (an empty warehouse). -#}
{%- set found = date_dimension_years([
    (ref('slv_transactions'), 'transaction_ts'),
    (ref('slv_accounts'), 'opened_at'),
    (ref('slv_accounts'), 'closed_at'),
]) -%}
{%- set years = found or [1900, 1900] -%}

with days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ years[0] ~ "-01-01' as date)",
        "cast('" ~ (years[1] + 1) ~ "-01-01' as date)",
    ) }}

),

calendar as (

    select
        {{ date_key('date_day') }} as date_key,
        cast(date_day as date) as date_day,
        cast(extract(year from date_day) as integer) as year,
        cast(extract(quarter from date_day) as integer) as quarter,
        cast(extract(month from date_day) as integer) as month,
        case cast(extract(month from date_day) as integer)
            {%- for name in ['January', 'February', 'March', 'April', 'May', 'June', 'July',
                'August', 'September', 'October', 'November', 'December'] %}
            when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as month_name,
        cast({{ iso_day_of_week('date_day') }} as integer) as day_of_week,
        case cast({{ iso_day_of_week('date_day') }} as integer)
            {%- for name in ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday',
                'Sunday'] %}
            when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as day_name,
        cast({{ iso_day_of_week('date_day') }} as integer) in (6, 7) as is_weekend
    from days
    where
        date_day < cast('{{ years[1] + 1 }}-01-01' as date)
        and {{ 'true' if found else 'false' }}

)

select * from calendar
