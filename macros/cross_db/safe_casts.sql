{#- A number from text, or null when the text is not one: the same on every engine. The text
    (spaces around it ignored) must be a whole number for an integer type, a decimal number
    (optionally with an exponent) otherwise; a value the type cannot hold is null too. Checked
    against the pattern before the (try) cast because the engines' own casts disagree:
    DuckDB's try_cast rounds '12.7' to 13 as a bigint, Trino refuses it, Redshift's cast
    fails the query. dbt's safe_cast is a plain cast on some adapters, so we keep our own. -#}
{% macro try_cast_number(expression, data_type) -%}
    {%- set text = 'trim(' ~ expression ~ ')' -%}
    {%- if data_type | lower in ('bigint', 'integer', 'int', 'smallint') -%}
        {%- set pattern = "'^[-+]?[0-9]+$'" -%}
    {%- else -%}
        {%- set pattern = "'^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$'" -%}
    {%- endif -%}
    case when {{ regexp_like(text, pattern) }} then try_cast({{ text }} as {{ data_type }}) end
{%- endmacro %}
