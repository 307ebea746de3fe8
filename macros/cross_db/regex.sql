{#- True when `expression` matches the regular expression `pattern` (a SQL string literal). -#}
{% macro regexp_like(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_like')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_like(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regexp_like(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro athena__regexp_like(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro redshift__regexp_like(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}
