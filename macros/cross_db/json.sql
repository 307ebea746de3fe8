{#- JSON text columns (the DocumentDB `_doc`). Invalid JSON yields null, never an error. -#}

{% macro json_is_valid(json_text) -%}
    {{ return(adapter.dispatch('json_is_valid')(json_text)) }}
{%- endmacro %}

{% macro default__json_is_valid(json_text) -%}
    (try(json_parse({{ json_text }})) is not null)
{%- endmacro %}

{% macro duckdb__json_is_valid(json_text) -%}
    coalesce(json_valid({{ json_text }}), false)
{%- endmacro %}

{% macro athena__json_is_valid(json_text) -%}
    (try(json_parse({{ json_text }})) is not null)
{%- endmacro %}

{% macro redshift__json_is_valid(json_text) -%}
    coalesce(is_valid_json({{ json_text }}), false)
{%- endmacro %}


{#- The scalar at a path of object keys, as text; null when absent or the JSON is invalid.
    `keys` is a list of key names, e.g. ['occurred_at', '$date']. -#}
{% macro json_extract_text(json_text, keys) -%}
    {{ return(adapter.dispatch('json_extract_text')(json_text, keys)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_text, keys) -%}
    json_extract_scalar(try(json_parse({{ json_text }})), '$
    {%- for key in keys -%}["{{ key }}"]{%- endfor -%}')
{%- endmacro %}

{% macro duckdb__json_extract_text(json_text, keys) -%}
    case when json_valid({{ json_text }}) then json_extract_string({{ json_text }}, '$
    {%- for key in keys -%}."{{ key }}"{%- endfor -%}') end
{%- endmacro %}

{% macro athena__json_extract_text(json_text, keys) -%}
    json_extract_scalar(try(json_parse({{ json_text }})), '$
    {%- for key in keys -%}["{{ key }}"]{%- endfor -%}')
{%- endmacro %}

{% macro redshift__json_extract_text(json_text, keys) -%}
    json_extract_path_text({{ json_text }}
    {%- for key in keys -%}, '{{ key }}'{%- endfor -%}, true)
{%- endmacro %}
