{#- Casts that give null instead of failing when the text is not a number. dbt's own
    safe_cast is a plain cast on some adapters, so we keep our own. -#}

{% macro try_cast_number(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast_number')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast_number(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro redshift__try_cast_number(expression, data_type) -%}
    case
        when trim({{ expression }}) ~ '^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$'
            then cast(
                {%- if data_type | lower in ('bigint', 'integer', 'int', 'smallint') %}
                case when trim({{ expression }}) ~ '^[-+]?[0-9]+$' then trim({{ expression }}) end
                {%- else %}
                trim({{ expression }})
                {%- endif %}
                as {{ data_type }})
    end
{%- endmacro %}
