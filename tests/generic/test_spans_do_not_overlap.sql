{#- Spans of validity per key ([valid_from, valid_to), e.g. the days a rate serves) are not
    empty and do not overlap: each ends no later than the key's next one begins. Fails for
    each offending span. versions_do_not_overlap adds the type 2 checks (is_current). -#}
{% test spans_do_not_overlap(model, key_column=none, key_columns=none, valid_from='valid_from', valid_to='valid_to') %}
{%- set partition = key_list(key_columns if key_columns else key_column) | join(', ') -%}
with spans as (

    select
        {{ partition }},
        {{ valid_from }} as span_from,
        {{ valid_to }} as span_to,
        lead({{ valid_from }}) over (
            partition by {{ partition }} order by {{ valid_from }}
        ) as next_from
    from {{ model }}

)

select *
from spans
where not span_from < span_to
    or next_from < span_to
{% endtest %}
