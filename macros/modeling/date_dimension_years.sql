{#- The first and last calendar year among the given (relation, column) pairs, queried when
    the model runs; none when there is no date at all (an empty dimension). While parsing,
    the current year. -#}
{% macro date_dimension_years(columns) -%}
    {%- set this_year = modules.datetime.date.today().year -%}
    {%- if not execute -%}
        {{ return([this_year, this_year]) }}
    {%- endif -%}
    {%- set query -%}
        select min(first_year), max(last_year) from (
        {%- for relation, column in columns %}
            select
                min(extract(year from {{ column }})) as first_year,
                max(extract(year from {{ column }})) as last_year
            from {{ relation }}
            {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
        ) as years
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row[0] is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return([row[0] | int, row[1] | int]) }}
{%- endmacro %}
