{#- Proves that a contract rule was applied to a column (generated on slv_<entity>__latest,
    where silver's values are first stored; docs/contracts.md). For each row that is not a
    delete, with `code` listed in quality_issues (reject_reasons for action reject):
      flag, reject  the code is listed exactly when the value fails the check;
      nullify       a listed row has a null value, an unlisted one passes the check;
      unknown       a listed row has the `unknown` value, an unlisted one passes the check.
    The check: not_null; accepted_values (values); pattern; range (min_value, max_value,
    inclusive, as SQL); reference (to, field: the value is among field's values in to). A
    null value passes every check but not_null. Fails for every row that breaks this. -#}
{% test rule_is_applied(model, column_name, code, check, action, values=none, quote=true, pattern=none, min_value=none, max_value=none, inclusive=true, to=none, field=none, unknown=none) %}
{%- set codes = 'reject_reasons' if action == 'reject' else 'quality_issues' -%}
{%- set listed -%}
    coalesce({{ dbt.position("'," ~ code ~ ",'", "',' || " ~ codes ~ " || ','") }} > 0, false)
{%- endset -%}
{%- set fails -%}
    {%- if check == 'not_null' -%}
    {{ column_name }} is null
    {%- elif check == 'accepted_values' -%}
    {{ column_name }} not in (
        {%- for value in values -%}
        {% if quote %}'{{ value | replace("'", "''") }}'{% else %}{{ value }}{% endif %}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
    {%- elif check == 'pattern' -%}
    not {{ regexp_like(column_name, "'" ~ pattern | replace("'", "''") ~ "'") }}
    {%- elif check == 'range' -%}
    (
        {%- if min_value is not none %} {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}{% endif %}
        {%- if min_value is not none and max_value is not none %} or{% endif %}
        {%- if max_value is not none %} {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}{% endif %}
    )
    {%- elif check == 'reference' -%}
    {{ column_name }} is not null and not exists (
        select 1 from {{ to }} as referenced where referenced.{{ field }} = checked.{{ column_name }}
    )
    {%- else -%}
    {{ exceptions.raise_compiler_error("rule_is_applied: unknown check " ~ check) }}
    {%- endif -%}
{%- endset -%}
select {{ column_name }}, quality_issues, reject_reasons
from {{ model }} as checked
where not is_deleted
    and (
        {%- if action in ('flag', 'reject') %}
        {{ listed }} != coalesce({{ fails }}, false)
        {%- elif action == 'nullify' %}
        ({{ listed }} and {{ column_name }} is not null)
        or (not {{ listed }} and coalesce({{ fails }}, false))
        {%- else %}
        ({{ listed }} and not coalesce({{ column_name }} = {{ unknown }}, false))
        or (not {{ listed }} and coalesce({{ fails }}, false))
        {%- endif %}
    )
{% endtest %}
