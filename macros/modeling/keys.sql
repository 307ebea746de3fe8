{#- A surrogate key: the md5 of the natural key's parts as text, nulls marked, '|' between
    parts. Deterministic across runs and engines (dbt.hash is md5 on all three) for parts whose
    text is the same on every engine: text, integers, decimals, dates. A timestamp part must be
    passed as timestamp_key_text(column) (engines write timestamps as text differently). The
    parts are cast to long_text_type(): on Redshift a plain varchar holds only 256 bytes. -#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ long_text_type() ~ "), '_null_')") -%}
    {%- endfor -%}
    {{ adapter.dispatch('key_hash')(parts | join(" || '|' || ")) }}
{%- endmacro %}

{#- md5 as lowercase hex: dbt.hash, except on Redshift, where dbt.hash casts to a 256-byte
    varchar first. -#}
{% macro default__key_hash(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro redshift__key_hash(expression) -%}
    md5({{ expression }})
{%- endmacro %}


{#- The natural id of the unknown member in every dimension, and its surrogate key. -#}
{% macro unknown_member_id() -%}
    -1
{%- endmacro %}

{% macro unknown_member_key() -%}
    {{ surrogate_key([unknown_member_id()]) }}
{%- endmacro %}
