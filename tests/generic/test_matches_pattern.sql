{#- Fails for every non-null value of the column that does not match the regular expression
    `pattern` (a plain string; anchor it with ^ and $ for a full match). -#}
{% test matches_pattern(model, column_name, pattern) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not {{ regexp_like(column_name, "'" ~ pattern | replace("'", "''") ~ "'") }}
{% endtest %}
