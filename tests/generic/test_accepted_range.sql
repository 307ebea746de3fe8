{#- Fails for every non-null value outside [min_value, max_value] (either bound optional;
    `inclusive: false` makes the bounds strict). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
{%- set lower = '>=' if inclusive else '>' -%}
{%- set upper = '<=' if inclusive else '<' -%}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not (
        {%- if min_value is not none %} {{ column_name }} {{ lower }} {{ min_value }}{% endif %}
        {%- if min_value is not none and max_value is not none %} and{% endif %}
        {%- if max_value is not none %} {{ column_name }} {{ upper }} {{ max_value }}{% endif %}
    )
{% endtest %}
