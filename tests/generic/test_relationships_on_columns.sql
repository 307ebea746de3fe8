{#- Every row's combination of `columns` exists in `to` (same column names there): e.g. a
    fact's surrogate key and natural id name one and the same dimension row. A row with a
    null in any of the columns fails too, so it also proves them not null. Attached to a
    column (column_name), it counts as that column's test. -#}
{% test relationships_on_columns(model, to, columns, column_name=none) %}
{#- the model may be a subquery with its own alias (a `where` config) -#}
with child as (

    select * from {{ model }}

)

select child.*
from child
where not exists (
    select 1
    from {{ to }} as parent
    where
        {%- for column in columns %}
        parent.{{ column }} = child.{{ column }}{{ ' and' if not loop.last }}
        {%- endfor %}
)
{% endtest %}
