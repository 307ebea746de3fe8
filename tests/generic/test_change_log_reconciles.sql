{#- Every change record in a bronze change log is accounted for exactly once: superseded by a
    later change of its key, the key's deleting change, the key's current row in silver, or
    the key's rejected row. Fails for each change that is in none, or in more than one, of
    these places, for each key whose latest change is missing or doubled, and for each current
    or rejected row whose change is not a latest change.

    latest_model: one row per key with change_id, is_deleted (the *__latest model);
    current_model / rejects_model: rows carrying last_change_id.

    Scoped to the landing runs not proven yet (meta test_scope, macros/ops/
    proven_landing_runs.sql), `model` holds only those runs' changes: each is placed exactly
    once as above, each key they touch has exactly one row in latest_model (its latest
    change may be an earlier, proven one: a late change loses), and silver is read only for
    those keys (an inner join to their distinct keys): no current or rejected row of them
    carries a change that is not latest. This proves the same as reading all of silver: a
    silver row has its change's key (latest_model holds change rows; current and rejects are
    views taking key and last_change_id from one latest row), so the counts of a new change
    are the same; a row of an untouched key could fail only the third check, which the
    views cannot fail (their last_change_id is a latest change_id), and a build that proved
    the older runs read it; a run rewrites only the latest rows of keys with new changes,
    and a newer full load's deletes flip is_deleted of untouched keys without a new change,
    which takes their rows out of the views and keeps their change latest: nothing to name
    in either form (docs/changes.md, "What the tests read").

    One join: silver's rows (latest, current, rejects: one union) are counted once by change id
    (latest, deleting, placed), and the change log is left-joined to those counts once; the
    full mode's key check groups that joined result by key (docs/benchmarks.md: at 2M, less
    than half the memory of the four joins it replaces).
    Scoped, the key check joins the keys of the new changes to latest_model's rows of those
    keys, the rows silver's union reads (DuckDB scans latest_model once for both). Each
    failing row is a change id, or a key's first column, with the problem. -#}
{% test change_log_reconciles(model, key_columns, latest_model, current_model, rejects_model) %}
{%- set scoped = (config.get('meta') or {}).get('test_scope') == 'landing_runs_not_proven'
    and landing_runs_to_test() is not none -%}
{#- scoped: silver's rows of the keys the new changes touch only -#}
{%- set touched_keys -%}
    {%- if scoped %}
    inner join changed_keys
        on {% for key in key_columns %}silver_rows.{{ key }} = changed_keys.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif -%}
{%- endset -%}
with changes as (

    select change_id, {{ key_columns | join(', ') }} from {{ model }}

),

{% if scoped -%}
changed_keys as (

    select distinct {{ key_columns | join(', ') }} from changes

),

latest_rows as (

    select
        silver_rows.change_id,
        silver_rows.is_deleted,
        {% for key in key_columns %}silver_rows.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ latest_model }} as silver_rows
    {{ touched_keys }}

),

{%- endif %}

silver as (

    select
        change_id,
        1 as is_latest,
        case when is_deleted then 1 end as is_deleted,
        cast(null as integer) as placed
    from {{ 'latest_rows' if scoped else latest_model }}

    union all

    select silver_rows.last_change_id, null, null, 1 from {{ current_model }} as silver_rows
    {{- touched_keys }}

    union all

    select silver_rows.last_change_id, null, null, 1 from {{ rejects_model }} as silver_rows
    {{- touched_keys }}

),

by_change as (

    select
        change_id,
        count(is_latest) as is_latest,
        count(is_deleted) as is_deleted,
        count(placed) as placed
    from silver
    group by change_id

),

classified as (

    select
        changes.change_id,
        {% for key in key_columns %}changes.{{ key }},
        {% endfor %}coalesce(by_change.is_latest, 0) as is_latest,
        coalesce(by_change.is_deleted, 0) as is_deleted,
        coalesce(by_change.placed, 0) as placed
    from changes
    left join by_change on changes.change_id = by_change.change_id

),

keys_without_one_latest as (

    {% if scoped -%}
    select {% for key in key_columns %}changed_keys.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    from changed_keys
    left join latest_rows
        on {% for key in key_columns %}latest_rows.{{ key }} = changed_keys.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    group by {% for key in key_columns %}changed_keys.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    having count(latest_rows.change_id) != 1
    {%- else -%}
    select {{ key_columns | join(', ') }}
    from classified
    group by {{ key_columns | join(', ') }}
    having sum(is_latest) != 1
    {%- endif %}

)

select change_id as failing_id, 'change not placed exactly once' as problem
from classified
where not (
    (is_latest = 0 and placed = 0)
    or (is_latest > 0 and is_deleted > 0 and placed = 0)
    or (is_latest > 0 and is_deleted = 0 and placed = 1)
)

union all

select cast({{ key_columns[0] }} as {{ long_text_type() }}), 'key without exactly one latest change'
from keys_without_one_latest

union all

select change_id, 'silver row whose change is not a latest change'
from by_change
where is_latest = 0 and placed > 0
{% endtest %}
