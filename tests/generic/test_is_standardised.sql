{#- Silver standardises text: trimmed, blank as null, codes in one case. Fails for every
    non-null value with leading or trailing spaces (unless trimmed=false), a blank value
    (unless allow_blank), or, with case='lower' or 'upper', a value not in that case. -#}
{% test is_standardised(model, column_name, case=none, allow_blank=false, trimmed=true) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and (
        1 = 0
        {%- if trimmed %}
        or {{ column_name }} != trim({{ column_name }})
        {%- endif %}
        {%- if not allow_blank %}
        or trim({{ column_name }}) = ''
        {%- endif %}
        {%- if case == 'lower' %}
        or {{ column_name }} != lower({{ column_name }})
        {%- elif case == 'upper' %}
        or {{ column_name }} != upper({{ column_name }})
        {%- endif %}
    )
{% endtest %}
