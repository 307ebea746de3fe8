{#- Fails for every group whose totals differ between the model and `source_model`: the
    measures ({alias: aggregate expression}) per value of the `group_by` columns (the same
    names on both sides; none: the whole relation), with `where` / `source_where` filtering
    each side. `source_measures` gives the source side's expressions when they differ (an
    aggregate table's sum(transactions) against the fact's count(*)); default: `measures`.
    A group present on one side only counts as 0 (or null) on the other. Ties a gold table
    back to silver's current state: e.g. the fact's count and sum of amount per currency
    against slv_transactions. -#}
{% test reconciles_with(model, source_model, measures, group_by=[], where=none, source_where=none, source_measures=none) %}
{%- set group_key -%}
    {%- if group_by -%}
    {%- for column in group_by -%}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '(null)')
        {%- if not loop.last %} || '|' || {% endif -%}
    {%- endfor -%}
    {%- else -%}
    'all rows'
    {%- endif -%}
{%- endset -%}
with model_totals as (

    select
        {{ group_key }} as group_key,
        {%- for alias, expression in measures.items() %}
        {{ expression }} as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    group by 1

),

source_totals as (

    select
        {{ group_key }} as group_key,
        {%- for alias, expression in (source_measures or measures).items() %}
        {{ expression }} as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ source_model }}
    {%- if source_where %}
    where {{ source_where }}
    {%- endif %}
    group by 1

)

select
    coalesce(model_totals.group_key, source_totals.group_key) as group_key,
    {%- for alias in measures %}
    model_totals.{{ alias }} as model_{{ alias }},
    source_totals.{{ alias }} as source_{{ alias }}{{ ',' if not loop.last }}
    {%- endfor %}
from model_totals
full outer join source_totals on model_totals.group_key = source_totals.group_key
where
    {%- for alias in measures %}
    coalesce(model_totals.{{ alias }}, 0) != coalesce(source_totals.{{ alias }}, 0)
    {%- if not loop.last %} or{% endif %}
    {%- endfor %}
{% endtest %}
