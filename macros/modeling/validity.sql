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
    for the key's first change) and ends where the key's next change starts, or at the
    ceiling. Deletes start no version but end the one before. Several changes at the same
    commit time leave only the last. Adds valid_from, valid_to, is_current, version_number
    and last_landed_at (the latest landing time among the key's changes). `key_columns` is a
    column or a list (a composite key). -#}
{% macro change_log_versions(relation, key_columns) -%}
    {%- set partition = key_list(key_columns) | join(', ') -%}
    with ordered as (

        select
            *,
            row_number() over (
                partition by {{ partition }} order by {{ change_order('asc') }}
            ) as change_number,
            max(landed_at) over (partition by {{ partition }}) as last_landed_at
        from {{ relation }}

    ),

    bounded as (

        select
            *,
            case
                when change_number = 1 then {{ timestamp_floor() }}
                else coalesce(change_committed_at, {{ timestamp_floor() }})
            end as valid_from,
            coalesce(
                lead(coalesce(change_committed_at, {{ timestamp_floor() }})) over (
                    partition by {{ partition }} order by {{ change_order('asc') }}
                ),
                {{ timestamp_ceiling() }}
            ) as valid_to
        from ordered

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
