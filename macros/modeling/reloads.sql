{#- Reloads and truncates (docs/changes.md): when DMS delivers a table's full load again (a
    reloaded or restarted task writes its LOAD files again; after a source TRUNCATE it deletes
    the table's files and writes new LOAD files), landing numbers the new full load
    (load_generation, ingestion/generations.py). The newest full load is the table's
    baseline: a key whose latest change comes from an older full load is not in the new one
    and was not changed after it began, so the source no longer has it. -#}


{#- True for a change read from a LOAD file (its source_file_order starts with 0|). -#}
{% macro from_full_load(alias=none) -%}
    {{ alias ~ '.' if alias else '' }}source_file_order like '0|%'
{%- endmacro %}


{#- The table's full loads after its first, from its change log: per load_generation with
    rows from LOAD files, when those were first landed (first_landed_at) and the earliest
    commit time among the LOAD rows landed then (began_at: null when the task writes no
    timestamp column). Only the first landing counts, so a LOAD file of the same full load
    landed later cannot move began_at: an incremental run and a full refresh agree. -#}
{% macro full_loads_begun(changes_relation) -%}
    select
        generations.load_generation,
        generations.first_landed_at,
        min(changes.change_committed_at) as began_at
    from (
        select load_generation, min(landed_at) as first_landed_at
        from {{ changes_relation }}
        where load_generation > 1 and {{ from_full_load() }}
        group by load_generation
    ) as generations
    inner join {{ changes_relation }} as changes
        on generations.load_generation = changes.load_generation
        and generations.first_landed_at = changes.landed_at
    where {{ from_full_load('changes') }}
    group by generations.load_generation, generations.first_landed_at
{%- endmacro %}


{#- For each load_generation the rows of `latest_relation` come from, the first full load
    after it (full_loads_begun): next_generation, began_at, first_landed_at. One row per
    load_generation, so an UPDATE or MERGE matches each row at most once. -#}
{% macro next_full_loads(latest_relation, changes_relation) -%}
    select load_generation, next_generation, began_at, first_landed_at
    from (
        select
            held.load_generation,
            full_loads.load_generation as next_generation,
            full_loads.began_at,
            full_loads.first_landed_at,
            row_number() over (
                partition by held.load_generation order by full_loads.load_generation
            ) as nearest
        from (select distinct load_generation from {{ latest_relation }}) as held
        inner join (
            {{ full_loads_begun(changes_relation) }}
        ) as full_loads
            on held.load_generation < full_loads.load_generation
    ) as candidates
    where nearest = 1
{%- endmacro %}


{#- True for a row of a slv_<entity>__latest model that is a delete a newer full load implied
    (delete_keys_absent_from_newer_full_load marks them with an empty source_file_order). -#}
{% macro deleted_by_newer_full_load(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {{ prefix }}is_deleted and {{ prefix }}source_file_order = ''
{%- endmacro %}


{#- Post-hook of slv_<entity>__latest: a key whose latest change comes from an older full load
    than the table's newest becomes a delete, as of the first full load after its change
    (next_full_loads): is_deleted, change_op 'D', change_committed_at when that full load
    began, landed_at when it was first landed (so the models downstream take the delete in),
    its load_generation, and an empty source_file_order, which marks the row
    (deleted_by_newer_full_load; incremental_latest_change lets any later change of the key
    replace it). The other columns keep the row as it was, as a DMS delete does. Changes
    nothing while a table has one full load; a full refresh and incremental runs give the
    same rows. The target is named, not aliased (Redshift takes no alias there); Athena
    updates Iceberg rows with a MERGE. -#}
{% macro delete_keys_absent_from_newer_full_load(changes_relation) -%}
    {{ return(adapter.dispatch('delete_keys_absent_from_newer_full_load')(changes_relation)) }}
{%- endmacro %}

{% macro default__delete_keys_absent_from_newer_full_load(changes_relation) -%}
    update {{ this }}
    set
        is_deleted = true,
        change_op = 'D',
        change_committed_at = next_full_loads.began_at,
        change_seq = null,
        source_file_order = '',
        landed_at = next_full_loads.first_landed_at,
        load_generation = next_full_loads.next_generation
    from (
        {{ next_full_loads(this, changes_relation) }}
    ) as next_full_loads
    where {{ this.identifier }}.load_generation = next_full_loads.load_generation
        and not {{ this.identifier }}.is_deleted
{%- endmacro %}

{% macro athena__delete_keys_absent_from_newer_full_load(changes_relation) -%}
    merge into {{ this }} as latest
    using (
        {{ next_full_loads(this, changes_relation) }}
    ) as next_full_loads
        on latest.load_generation = next_full_loads.load_generation
        and not latest.is_deleted
    when matched then update set
        is_deleted = true,
        change_op = 'D',
        change_committed_at = next_full_loads.began_at,
        change_seq = null,
        source_file_order = '',
        landed_at = next_full_loads.first_landed_at,
        load_generation = next_full_loads.next_generation
{%- endmacro %}
