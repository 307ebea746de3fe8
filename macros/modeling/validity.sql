{#- Validity bounds of slowly changing dimension versions. The first version of a key is
    valid from the floor (it covers everything before the key was first replicated: migrated
    history is decades older than the DMS full load); the current version is valid to the
    ceiling. Fixed values rather than nulls keep point-in-time joins a plain range test. -#}
{% macro timestamp_floor() -%}
    cast('1900-01-01 00:00:00' as {{ timestamp_type() }})
{%- endmacro %}

{% macro timestamp_ceiling() -%}
    cast('9999-12-31 00:00:00' as {{ timestamp_type() }})
{%- endmacro %}


{#- One row per version of each key from a change log holding every change (the
    slv_<entity>__changes models): a version starts at its change's commit time (the floor
    for the changes at the key's first commit time) and ends where the key's next change starts, or at the
    ceiling. Deletes start no version but end the one before. Several changes at the same
    commit time leave only the last. `full_loads` (optional; full_loads_begun): the table's
    later full loads (a reload, or new LOAD files after a truncate). A full load that does not
    hold a key the key had (and had not deleted) is a delete when it began, before the key's
    changes of that full load (a key inserted again after it has a gap): the version before
    ends there, or at the key's next change if that starts earlier (a change landed with the
    new full load but committed before it began: a late file of the old one keeps the key, as
    in slv_<entity>__latest); at the floor without timestamps (no version is left). Adds valid_from, valid_to,
    is_current, version_number and last_landed_at (the latest landing time among the key's
    changes and the full loads that deleted it). `key_columns` is a column or a list (a
    composite key). -#}
{% macro change_log_versions(relation, key_columns, full_loads=none) -%}
    {%- set keys = key_list(key_columns) -%}
    {%- set partition = keys | join(', ') -%}
    with ordered as (

        select
            *,
            row_number() over (
                partition by {{ partition }} order by {{ change_order('asc') }}
            ) as change_number,
            lead(load_generation) over (
                partition by {{ partition }} order by {{ change_order('asc') }}
            ) as next_generation,
            max(landed_at) over (partition by {{ partition }}) as changes_landed_at
        from {{ relation }}

    ),

    {% if full_loads is not none -%}
    key_full_loads as (

        -- the full loads (load_generation) a key has changes in, and whether LOAD rows
        select
            {{ partition }},
            load_generation,
            max(case when {{ from_full_load() }} then 1 else 0 end) as in_full_load
        from ordered
        group by {{ partition }}, load_generation

    ),

    absences as (

        -- the table's later full loads that do not hold a key it had before
        select
            {%- for key in keys %}
            first_seen.{{ key }},
            {%- endfor %}
            {{ full_loads }}.load_generation,
            {{ full_loads }}.began_at,
            {{ full_loads }}.first_landed_at
        from (
            select {{ partition }}, min(load_generation) as first_generation
            from key_full_loads
            group by {{ partition }}
        ) as first_seen
        inner join {{ full_loads }}
            on {{ full_loads }}.load_generation > first_seen.first_generation
        left join key_full_loads as held
            on held.load_generation = {{ full_loads }}.load_generation
            and held.in_full_load = 1
            {%- for key in keys %}
            and held.{{ key }} = first_seen.{{ key }}
            {%- endfor %}
        where held.load_generation is null

    ),

    absence_ends as (

        -- a version ends at the first absence after its change (before its next change),
        -- when that full load began; a key already deleted is not deleted again
        select
            ordered.change_id,
            {%- for key in keys %}
            ordered.{{ key }},
            {%- endfor %}
            min(coalesce(absences.began_at, {{ timestamp_floor() }})) as ended_at,
            min(absences.first_landed_at) as ended_landed_at
        from ordered
        inner join absences
            on absences.load_generation > ordered.load_generation
            and (
                ordered.next_generation is null
                or absences.load_generation <= ordered.next_generation
            )
            {%- for key in keys %}
            and absences.{{ key }} = ordered.{{ key }}
            {%- endfor %}
        where not ordered.is_deleted
        group by ordered.change_id, {% for key in keys %}ordered.{{ key }}{{ ', ' if not loop.last }}{% endfor %}

    ),

    absence_landings as (

        select {{ partition }}, max(ended_landed_at) as absences_landed_at
        from absence_ends
        group by {{ partition }}

    ),

    ended as (

        select
            ordered.*,
            absence_ends.change_id is not null as has_ended,
            absence_ends.ended_at,
            coalesce(
                absence_landings.absences_landed_at, ordered.changes_landed_at
            ) as absences_landed_at
        from ordered
        left join absence_ends on ordered.change_id = absence_ends.change_id
        left join absence_landings
            on {% for key in keys -%}
            ordered.{{ key }} = absence_landings.{{ key }}{% if not loop.last %} and {% endif %}
            {%- endfor %}

    ),

    {% endif -%}
    firsts as (

        -- the commit time of each key's first change
        select
            *,
            min(
                case
                    when change_number = 1
                        then coalesce(change_committed_at, {{ timestamp_floor() }})
                end
            ) over (partition by {{ partition }}) as first_committed_at
        from {{ 'ended' if full_loads is not none else 'ordered' }}

    ),

    starts as (

        -- a version starts at its change's commit time; the changes at the key's first
        -- commit time (before any other) start at the floor, so that, as at any commit
        -- time, only the last of them is left
        select
            *,
            case
                when change_number < coalesce(
                    min(
                        case
                            when coalesce(change_committed_at, {{ timestamp_floor() }})
                                <> first_committed_at
                                then change_number
                        end
                    ) over (partition by {{ partition }}),
                    change_number + 1
                ) then {{ timestamp_floor() }}
                else coalesce(change_committed_at, {{ timestamp_floor() }})
            end as started_at
        from firsts

    ),

    bounded as (

        select
            *,
            started_at as valid_from,
            {%- set next_start %}
            coalesce(
                lead(started_at) over (
                    partition by {{ partition }} order by {{ change_order('asc') }}
                ),
                {{ timestamp_ceiling() }}
            )
            {%- endset %}
            {%- if full_loads is not none %}
            case
                when has_ended then least(ended_at, {{ next_start }})
                else {{ next_start }}
            end as valid_to,
            {%- else %}
            {{ next_start }} as valid_to,
            {%- endif %}
            {%- if full_loads is not none %}
            greatest(changes_landed_at, absences_landed_at) as last_landed_at
            {%- else %}
            changes_landed_at as last_landed_at
            {%- endif %}
        from starts

    ),

    versions as (

        select
            *,
            row_number() over (
                partition by {{ partition }} order by valid_from
            ) as version_number,
            valid_to = {{ timestamp_ceiling() }} as is_current
        from bounded
        where not is_deleted
            and valid_from < valid_to

    )

    select * from versions
{%- endmacro %}
