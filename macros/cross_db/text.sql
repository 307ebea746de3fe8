{#- A text type that holds any value the project handles: dbt.type_string(), except on
    Redshift, whose plain varchar (and text) is varchar(256), counted in bytes; a longer
    value cast to it would not survive. -#}
{% macro long_text_type() -%}
    {{ return(adapter.dispatch('long_text_type')()) }}
{%- endmacro %}

{% macro default__long_text_type() -%}
    {{ dbt.type_string() }}
{%- endmacro %}

{% macro redshift__long_text_type() -%}
    varchar(65535)
{%- endmacro %}
