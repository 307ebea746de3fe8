{#- Fails for every row of a masked model where a masked column gives a clear personal value
    away: it equals one of the clear values of `clear_relation` (any key), or contains the
    same key's clear value (of four characters or more). `columns` maps each masked column to
    the clear columns it is derived from; `key_column` joins the two relations. -#}
{% test no_clear_personal_data(model, clear_relation, key_column, columns) %}
{%- for masked, clear_columns in columns.items() %}
{%- for clear in clear_columns %}
select
    '{{ masked }}' as masked_column,
    '{{ clear }}' as clear_column,
    masked_rows.{{ key_column }} as key_value
from {{ model }} as masked_rows
where masked_rows.{{ masked }} in (
    select cast({{ clear }} as {{ long_text_type() }}) from {{ clear_relation }}
    where {{ clear }} is not null
)
or exists (
    select 1 from {{ clear_relation }} as clear_rows
    where clear_rows.{{ key_column }} = masked_rows.{{ key_column }}
        and length(cast(clear_rows.{{ clear }} as {{ long_text_type() }})) >= 4
        and {{ dbt.position("cast(clear_rows." ~ clear ~ " as " ~ long_text_type() ~ ")", "masked_rows." ~ masked) }} > 0
)
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
