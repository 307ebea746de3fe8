{#- The first and last calendar year among the given (relation, column) pairs, queried when
    the model runs. Defaults to the current year when there is no data (or while parsing). -#}
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
    {%- set first = (row[0] | int) if row[0] is not none else this_year -%}
    {%- set last = (row[1] | int) if row[1] is not none else this_year -%}
    {{ return([first, last]) }}
{%- endmacro %}
