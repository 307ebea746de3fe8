{#- One row per entry of a map column: the `carry` columns, `entry_key` and `entry_value`.
    DuckDB only (the run reports read as JSON, stg_landing__run_tables); elsewhere a compile
    error. -#}
{% macro map_entries(relation, map_column, carry) -%}
    {{ return(adapter.dispatch('map_entries')(relation, map_column, carry)) }}
{%- endmacro %}

{% macro default__map_entries(relation, map_column, carry) -%}
    {#- models using it are disabled elsewhere; dbt still renders them while parsing -#}
    {%- if execute -%}
        {{ exceptions.raise_compiler_error("map_entries: not available on " ~ target.type) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__map_entries(relation, map_column, carry) -%}
    select
        {%- for column in carry %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        entries.entry.key as entry_key,
        entries.entry.value as entry_value
    from {{ relation }}, unnest(map_entries({{ relation }}.{{ map_column }})) as entries (entry)
{%- endmacro %}
