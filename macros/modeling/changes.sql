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


{#- True for a row of a slv_<entity>__latest model that is a delete a newer full load implied
    (delete_keys_absent_from_newer_full_load marks them with an empty source_file_order). -#}
{% macro deleted_by_newer_full_load(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {{ prefix }}is_deleted and {{ prefix }}source_file_order = ''
{%- endmacro %}


{#- The full loads of a table after its first (reloads, or new LOAD files after a truncate;
    ingestion/generations.py), from its change log: per load_generation, when it was first
    landed and the earliest commit time among the LOAD rows landed then (null when the task
    writes no timestamp column). Full-load rows are those of LOAD files (source_file_order
    '0|...'). -#}
{% macro full_loads_begun(changes_relation) -%}
    with generations as (

        select load_generation, min(landed_at) as first_landed_at
        from {{ changes_relation }}
        where load_generation > 1
        group by load_generation

    )

    select
        generations.load_generation,
        generations.first_landed_at,
        min(
            case when changes.source_file_order like '0|%' then changes.change_committed_at end
        ) as began_at
    from generations
    inner join {{ changes_relation }} as changes
        on generations.load_generation = changes.load_generation
        and generations.first_landed_at = changes.landed_at
    group by generations.load_generation, generations.first_landed_at
{%- endmacro %}


{#- Post-hook of slv_<entity>__latest. When DMS delivers a table's full load again (a reload,
    or new LOAD files after a source TRUNCATE), the newest full load is the table's baseline:
    a key whose latest change comes from an older full load (a lower load_generation) is not
    in the new one and was not changed after it began, so the source no longer has it. Its
    row becomes a delete as of the first full load that lacks it: is_deleted, change_op 'D',
    change_committed_at when that full load began (null without timestamps), landed_at when
    it was first landed (so the models downstream take the delete in), its load_generation,
    no flags, and an empty source_file_order, which marks the row (deleted_by_newer_full_load)
    and sorts before any change of that full load. A key that the rest of the full load,
    landed later, does hold comes back. Changes nothing while a table has one full load; a
    full refresh and incremental runs give the same rows. Athena updates with a MERGE. -#}
{% macro delete_keys_absent_from_newer_full_load(changes_relation) -%}
    {{ return(adapter.dispatch('delete_keys_absent_from_newer_full_load')(changes_relation)) }}
{%- endmacro %}

{% macro default__delete_keys_absent_from_newer_full_load(changes_relation) -%}
    update {{ this }} as latest
    set
        is_deleted = true,
        change_op = 'D',
        change_committed_at = full_loads.began_at,
        change_seq = null,
        source_file_order = '',
        landed_at = full_loads.first_landed_at,
        load_generation = full_loads.load_generation,
        quality_issues = null,
        reject_reasons = null
    from (
        {{ full_loads_begun(changes_relation) }}
    ) as full_loads
    where latest.load_generation + 1 = full_loads.load_generation
        and not latest.is_deleted
{%- endmacro %}

{% macro athena__delete_keys_absent_from_newer_full_load(changes_relation) -%}
    merge into {{ this }} as latest
    using (
        {{ full_loads_begun(changes_relation) }}
    ) as full_loads
    on latest.load_generation + 1 = full_loads.load_generation
        and not latest.is_deleted
    when matched then update set
        is_deleted = true,
        change_op = 'D',
        change_committed_at = full_loads.began_at,
        change_seq = null,
        source_file_order = '',
        landed_at = full_loads.first_landed_at,
        load_generation = full_loads.load_generation,
        quality_issues = null,
        reject_reasons = null
{%- endmacro %}
