{#- Every change record in a bronze change log is accounted for exactly once: superseded by a
    later change of its key, the key's deleting change, the key's current row in silver, or
    the key's rejected row. Fails for each change that is in none, or in more than one, of
    these places, and for each key whose latest change is missing or doubled.

    latest_model: one row per key with change_id, is_deleted (the *__latest model);
    current_model / rejects_model: rows carrying last_change_id.

    Scoped to the landing runs not proven yet (meta test_scope, macros/ops/
    proven_landing_runs.sql), `model` holds only those runs' changes: each is placed exactly
    once as above, and each key they touch has exactly one row in latest_model (its latest
    change may be an earlier, proven one: a late change loses). -#}
{% test change_log_reconciles(model, key_columns, latest_model, current_model, rejects_model) %}
{%- set scoped = (config.get('meta') or {}).get('test_scope') == 'landing_runs_not_proven'
    and landing_runs_to_test() is not none -%}
with changes as (

    select change_id, {{ key_columns | join(', ') }} from {{ model }}

),

latest as (

    select change_id as last_change_id, is_deleted from {{ latest_model }}

),

placed as (

    select last_change_id, 1 as in_current, 0 as in_rejects from {{ current_model }}
    union all
    select last_change_id, 0 as in_current, 1 as in_rejects from {{ rejects_model }}

),

placements as (

    select
        last_change_id,
        sum(in_current) as in_current,
        sum(in_rejects) as in_rejects
    from placed
    group by last_change_id

),

classified as (

    select
        changes.change_id,
        latest.last_change_id is null as is_superseded,
        coalesce(latest.is_deleted, false) as is_deleted,
        coalesce(placements.in_current, 0) as in_current,
        coalesce(placements.in_rejects, 0) as in_rejects
    from changes
    left join latest on changes.change_id = latest.last_change_id
    left join placements on changes.change_id = placements.last_change_id

),

keys_without_one_latest as (

    {% if scoped -%}
    select {% for key in key_columns %}changed_keys.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    from (select distinct {{ key_columns | join(', ') }} from changes) as changed_keys
    left join {{ latest_model }} as latest_rows
        on {% for key in key_columns %}latest_rows.{{ key }} = changed_keys.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    group by {% for key in key_columns %}changed_keys.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    having count(latest_rows.change_id) != 1
    {%- else -%}
    select {{ key_columns | join(', ') }}
    from changes
    left join latest on changes.change_id = latest.last_change_id
    group by {{ key_columns | join(', ') }}
    having count(latest.last_change_id) != 1
    {%- endif %}

),

unplaced_latest as (

    select placements.last_change_id
    from placements
    left join latest on placements.last_change_id = latest.last_change_id
    where latest.last_change_id is null

)

select change_id as failing_id, 'change not placed exactly once' as problem
from classified
where not (
    (is_superseded and in_current + in_rejects = 0)
    or (not is_superseded and is_deleted and in_current + in_rejects = 0)
    or (not is_superseded and not is_deleted and in_current + in_rejects = 1)
)

union all

select cast({{ key_columns[0] }} as {{ long_text_type() }}), 'key without exactly one latest change'
from keys_without_one_latest

union all

select last_change_id, 'silver row whose change is not a latest change'
from unplaced_latest
{% endtest %}
