{#- Fails for every row where `expression` is not true (null counts as a failure). Attached
    to a column (column_name), it counts as that column's test; the expression names the
    columns it checks. -#}
{% test expression_is_true(model, expression, where_clause=none, column_name=none) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}
