{#- Type 2 history checks for one key (a column, or key_columns for a composite key):
    versions do not overlap (each ends no later than the next begins), every version has
    valid_from < valid_to, and a key has at most one current version, the one that ends at
    the ceiling. Fails for each offending version. -#}
{% test versions_do_not_overlap(model, key_column=none, key_columns=none, valid_from='valid_from', valid_to='valid_to', current_flag='is_current') %}
{%- set partition = key_list(key_columns if key_columns else key_column) | join(', ') -%}
with versions as (

    select
        {{ partition }},
        {{ valid_from }} as version_from,
        {{ valid_to }} as version_to,
        {{ current_flag }} as version_is_current,
        lead({{ valid_from }}) over (
            partition by {{ partition }} order by {{ valid_from }}
        ) as next_from,
        sum(case when {{ current_flag }} then 1 else 0 end) over (
            partition by {{ partition }}
        ) as current_versions
    from {{ model }}

)

select *
from versions
where version_from >= version_to
    or next_from < version_to
    or current_versions > 1
    or (version_is_current and version_to != {{ timestamp_ceiling() }})
    or (not version_is_current and version_to = {{ timestamp_ceiling() }})
{% endtest %}
