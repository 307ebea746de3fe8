{#- Every listed column of a model is not null, in one scan instead of one `not_null` test per
    column (one dbt node and one scan each). Fails with one row per row of the model that has
    a null in any of `columns` (a row with several nulls is one failing row): the listed
    columns themselves, then `null_columns`, the names of the null ones, comma-separated in
    the order of `columns`. Portable SQL (is null, case, ||): the same on DuckDB, Athena and
    Redshift. Scoped tests (meta test_scope) read only the runs not proven yet and a `where`
    config applies, as for every generic test (get_where_subquery).

    columns: the column names, in the model's column order; a column that has primary_key is
    not listed again (primary_key proves it is not null). scripts/column_test_coverage.py
    counts each listed column as tested. -#}
{% test columns_are_not_null(model, columns) %}
{%- if not columns -%}
    {{ exceptions.raise_compiler_error("columns_are_not_null: list at least one column") }}
{%- endif %}
with checked as (

    select * from {{ model }}

),

null_columns as (

    select
        {%- for column in columns %}
        checked.{{ column }},
        {%- endfor %}
        {%- for column in columns %}
        case when checked.{{ column }} is null then '{{ column }},' else '' end{{ ' ||' if not loop.last }}
        {%- endfor %} as null_columns
    from checked
    where
        {%- for column in columns %}
        {{ 'or ' if not loop.first }}checked.{{ column }} is null
        {%- endfor %}

)

select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    substring(null_columns, 1, length(null_columns) - 1) as null_columns
from null_columns
{% endtest %}
