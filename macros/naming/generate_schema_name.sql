{#- Layers live in schemas named exactly bronze, silver, gold (and reference for seeds),
    not <target schema>_<layer>. A model without a custom schema uses the target's. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
