{#- The reasons a row fails validation: `checks` is a list of [condition, code] pairs.
    Returns the codes that apply, comma-separated in rule order, or null when all pass. -#}
{% macro reject_reasons(checks) -%}
    nullif(substr(
        {%- for check in checks %}
        case when {{ check[0] }} then ',{{ check[1] }}' else '' end
        {%- if not loop.last %} ||{% endif %}
        {%- endfor %},
        2
    ), '')
{%- endmacro %}
