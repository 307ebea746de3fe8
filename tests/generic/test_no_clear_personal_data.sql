{#- Fails for each key of a masked model where a masked column gives a clear personal value
    away: it equals one of the clear values of `clear_relation` (any key), or contains the
    same key's clear value (of four characters or more). `columns` maps each masked column to
    the clear columns it is derived from; `key_column` joins the two relations. Each relation
    is read once: its columns become (column, value) rows, compared in two joins (the same
    results as a pair of lookups per mapped column, tests/python/test_no_clear_personal_data_
    test.py). -#}
{% test no_clear_personal_data(model, clear_relation, key_column, columns) %}
{%- set text = long_text_type() -%}
{%- set clear_columns = [] -%}
{%- for clears in columns.values() -%}
    {%- for clear in clears -%}
        {%- if clear not in clear_columns -%}{%- do clear_columns.append(clear) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor -%}
{#- the model may be a subquery with its own alias (a `where` config) -#}
with masked_source as (

    select * from {{ model }}

),

masked_rows as (

    select
        {{ key_column }} as key_value,
        {%- for masked in columns %}
        cast({{ masked }} as {{ text }}) as {{ masked }}{{ ',' if not loop.last }}
        {%- endfor %}
    from masked_source

),

clear_rows as (

    select
        {{ key_column }} as key_value,
        {%- for clear in clear_columns %}
        cast({{ clear }} as {{ text }}) as {{ clear }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ clear_relation }} as clear_source

),

pairs as (

    {%- for masked, clears in columns.items() %}
    {%- set outer = loop %}
    {%- for clear in clears %}
    select '{{ masked }}' as masked_column, '{{ clear }}' as clear_column
    {%- if not (loop.last and outer.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}

),

masked_values as (

    select
        masked_rows.key_value,
        pairs.masked_column,
        pairs.clear_column,
        case pairs.masked_column
            {%- for masked in columns %}
            when '{{ masked }}' then masked_rows.{{ masked }}
            {%- endfor %}
        end as masked_value
    from masked_rows
    cross join pairs

),

clear_values as (

    select
        clear_rows.key_value,
        clear_names.clear_column,
        case clear_names.clear_column
            {%- for clear in clear_columns %}
            when '{{ clear }}' then clear_rows.{{ clear }}
            {%- endfor %}
        end as clear_value
    from clear_rows
    cross join (select distinct clear_column from pairs) as clear_names

),

leaks as (

    select masked_values.masked_column, masked_values.clear_column, masked_values.key_value
    from masked_values
    inner join clear_values
        on masked_values.clear_column = clear_values.clear_column
        and masked_values.masked_value = clear_values.clear_value

    union all

    select masked_values.masked_column, masked_values.clear_column, masked_values.key_value
    from masked_values
    inner join clear_values
        on masked_values.clear_column = clear_values.clear_column
        and masked_values.key_value = clear_values.key_value
    where length(clear_values.clear_value) >= 4
        and {{ dbt.position("clear_values.clear_value", "masked_values.masked_value") }} > 0

)

select distinct masked_column, clear_column, key_value
from leaks
{% endtest %}
