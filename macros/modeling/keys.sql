{#- A surrogate key: the md5 of the natural key's parts as text, nulls marked, '|' between
    parts. Deterministic across runs and engines (dbt.hash is md5 on all three). -#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
    {%- endfor -%}
    {{ dbt.hash(parts | join(" || '|' || ")) }}
{%- endmacro %}


{#- The natural id of the unknown member in every dimension, and its surrogate key. -#}
{% macro unknown_member_id() -%}
    -1
{%- endmacro %}

{% macro unknown_member_key() -%}
    {{ surrogate_key([unknown_member_id()]) }}
{%- endmacro %}
