{#- The codes of the rules a row fails: `checks` is a list of [condition, code] pairs (in
    generated models the condition is a boolean flag column, e.g. is_invalid_email).
    Returns the codes that apply, comma-separated in rule order, or null when none does; a
    condition that is null does not apply. The codes are only assembled for rows that fail
    something (most rows fail nothing). -#}
{% macro rule_codes(checks) -%}
    {%- if not checks -%}
    cast(null as {{ dbt.type_string() }})
    {%- else -%}
    case when
        {%- for check in checks %} {{ check[0] }}{% if not loop.last %} or{% endif %}{% endfor %}
    then substr(
        {%- for check in checks %}
        case when {{ check[0] }} then ',{{ check[1] }}' else '' end
        {%- if not loop.last %} ||{% endif %}
        {%- endfor %},
        2
    ) end
    {%- endif -%}
{%- endmacro %}
