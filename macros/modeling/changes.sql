{#- The DMS ordering rule (shared/reference/dms-s3-format.md): per key, the last change by
    commit timestamp, then change sequence (a digit string: by length, then text, which is
    numeric order), then file order, then row position. Missing timestamps or sequences sort
    first (full-load files of older tasks have neither). -#}
{% macro change_order(direction='asc') -%}
    {%- set nulls = 'nulls first' if direction == 'asc' else 'nulls last' -%}
    change_committed_at {{ direction }} {{ nulls }},
    length(change_seq) {{ direction }} {{ nulls }},
    change_seq {{ direction }} {{ nulls }},
    source_file_order {{ direction }},
    source_row {{ direction }}
{%- endmacro %}


{#- One row per key: the latest change in `relation` (a change log with a unique change_id),
    deletes included (callers drop them). Returns exactly the relation's columns. -#}
{% macro latest_change_per_key(relation, key_columns) -%}
    select {{ relation }}.*
    from {{ relation }}
    inner join (
        select
            change_id as latest_change_id,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by {{ change_order('desc') }}
            ) as change_recency
        from {{ relation }}
    ) as ranked
        on {{ relation }}.change_id = ranked.latest_change_id
        and ranked.change_recency = 1
{%- endmacro %}


{#- The latest change per key from a change log (a slv_<entity>__changes model), kept up to
    date incrementally: an incremental run reads only the changes landed since the last run
    (after the largest landed_at the model holds), adds the current rows of the same keys from
    the model itself, and keeps whichever is latest by the ordering rule. A late change (older
    than the state held) therefore loses, and a batch has one row per key, as MERGE needs. -#}
{% macro incremental_latest_change(changes_relation, key_column) -%}
    with new_changes as (

        select * from {{ changes_relation }}
        where 1 = 1 {{ landed_since_last_run('landed_at', 'landed_at') }}

    ),

    candidates as (

        select * from new_changes
        {%- if is_incremental() %}
        union all
        select * from {{ this }}
        where {{ key_column }} in (select {{ key_column }} from new_changes)
        {%- endif %}

    ),

    latest as (

        {{ latest_change_per_key('candidates', [key_column]) }}

    )

    select * from latest
{%- endmacro %}
