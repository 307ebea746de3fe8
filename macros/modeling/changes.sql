{#- The DMS ordering rule (shared/reference/dms-s3-format.md): per key, the last change by
    commit timestamp, then change sequence (a digit string: by length, then text, which is
    numeric order), then file order, then row position. Missing timestamps or sequences sort
    first (full-load files of older tasks have neither). Before all of these, the table's
    full load the change belongs to (load_generation, ingestion/generations.py): a reload's
    rows, and the changes landed after it, come after everything landed before it. -#}
{% macro change_order(direction='asc') -%}
    {%- set nulls = 'nulls first' if direction == 'asc' else 'nulls last' -%}
    load_generation {{ direction }},
    change_committed_at {{ direction }} {{ nulls }},
    length(change_seq) {{ direction }} {{ nulls }},
    change_seq {{ direction }} {{ nulls }},
    source_file_order {{ direction }},
    source_row {{ direction }}
{%- endmacro %}


{#- One row per key: the latest change in `relation` (a change log with a unique change_id),
    deletes included (callers drop them). Returns exactly the relation's columns. -#}
{% macro latest_change_per_key(relation, key_columns) -%}
    {{ return(adapter.dispatch('latest_change_per_key')(relation, key_columns)) }}
{%- endmacro %}

{#- The ordering rule's row number per key (1 = the latest change). -#}
{% macro change_recency(key_columns) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by {{ change_order('desc') }}
    )
{%- endmacro %}

{#- Portable form (Athena has no QUALIFY): rank the change ids, join the winners back. -#}
{% macro default__latest_change_per_key(relation, key_columns) -%}
    select {{ relation }}.*
    from {{ relation }}
    inner join (
        select
            change_id as latest_change_id,
            {{ change_recency(key_columns) }} as change_recency
        from {{ relation }}
    ) as ranked
        on {{ relation }}.change_id = ranked.latest_change_id
        and ranked.change_recency = 1
{%- endmacro %}

{#- DuckDB and Redshift filter the window directly: one pass over the rows, no join back on
    change_id (at 10M transactions 19 s instead of 36 s in DuckDB, docs/benchmarks.md).
    Redshift wants an alias on the relation before QUALIFY. -#}
{% macro duckdb__latest_change_per_key(relation, key_columns) -%}
    select latest_candidates.* from {{ relation }} as latest_candidates
    qualify {{ change_recency(key_columns) }} = 1
{%- endmacro %}

{% macro redshift__latest_change_per_key(relation, key_columns) -%}
    {{ return(duckdb__latest_change_per_key(relation, key_columns)) }}
{%- endmacro %}


{#- The latest change per key from a change log (a slv_<entity>__changes model), kept up to
    date incrementally: an incremental run reads only the changes landed since the last run
    (after the largest landed_at the model holds) and ranks them together with the ordering
    columns of the rows the model holds for the same keys; a new change that wins replaces
    the held row, a key whose held row still wins is left alone. A late change (older than
    the state held) therefore loses, and a batch has one row per key, as MERGE needs. Only
    the ordering columns of the held rows are read, not the whole rows. `key_columns` is a
    column or a list (a composite key). With its post-hook delete_keys_absent_from_newer_
    full_load (the keys a reload or truncate dropped), the one place that decides a key's
    state. A held delete that a newer full load implied is not ranked: any change of the key
    landed later (a late file of that full load holding it) replaces it. -#}
{% macro incremental_latest_change(changes_relation, key_columns) -%}
    {%- set keys = key_list(key_columns) -%}
    {%- set ordering_columns = keys + ['change_id', 'load_generation', 'change_committed_at',
        'change_seq', 'source_file_order', 'source_row'] -%}
    with new_changes as (

        select * from {{ changes_relation }}
        where 1 = 1 {{ landed_since_last_run('landed_at', 'landed_at') }}

    ),

    {% if is_incremental() -%}
    ranked_changes as (

        select {{ ordering_columns | join(', ') }} from new_changes
        union all
        select {{ ordering_columns | join(', ') }} from {{ this }} as held
        where {{ keys_in(keys, 'new_changes', 'held') }}
            and not ({{ deleted_by_newer_full_load('held') }})

    ),

    winners as (

        {{ latest_change_per_key('ranked_changes', keys) }}

    ),

    latest as (

        select * from new_changes
        where change_id in (select change_id from winners)

    )
    {%- else -%}
    latest as (

        {{ latest_change_per_key('new_changes', keys) }}

    )
    {%- endif %}

    select * from latest
{%- endmacro %}
