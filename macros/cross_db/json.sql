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


{#- `select *, <field> as <alias>, ... from <relation>`: several scalars of one JSON text
    column as text columns, null when absent or when the JSON is invalid. `fields` is a list
    of [alias, keys]. DuckDB parses each document once for all fields; the other engines use
    json_extract_text per field. -#}
{% macro json_fields_select(relation, json_text, fields) -%}
    {{ return(adapter.dispatch('json_fields_select')(relation, json_text, fields)) }}
{%- endmacro %}

{% macro default__json_fields_select(relation, json_text, fields) -%}
    select
        *,
        {%- for alias, keys in fields %}
        {{ json_extract_text(json_text, keys) }} as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro duckdb__json_fields_select(relation, json_text, fields) -%}
    select
        * exclude (json_fields__),
        {%- for alias, keys in fields %}
        json_fields__[{{ loop.index }}] as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            case when json_valid({{ json_text }}) then json_extract_string({{ json_text }}, [
                {%- for alias, keys in fields -%}
                '$
                {%- for key in keys -%}."{{ key }}"{%- endfor -%}
                '{{ ', ' if not loop.last }}
                {%- endfor -%}
            ]) end as json_fields__
        from {{ relation }}
    ) as with_json_fields
{%- endmacro %}
