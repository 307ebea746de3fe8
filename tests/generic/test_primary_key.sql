{#- A single-column primary key, in one scan instead of `unique` and `not_null` (two nodes,
    two scans). Fails for each value of the column that occurs more than once, and for null
    when any row's key is null: all nulls are one group, so one failing row however many they
    are (`occurrences` counts the rows). Scoped bronze tests (meta test_scope) read only the
    runs not proven yet, as every generic test (get_where_subquery). -#}
{% test primary_key(model, column_name) %}
select {{ column_name }}, count(*) as occurrences
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null
{% endtest %}
