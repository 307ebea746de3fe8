{#- DuckDB only: the run reports are JSON files in the lake (source landing.runs). -#}
{{ config(enabled=target.type == 'duckdb') }}

with source as (

    select * from {{ source('landing', 'runs') }}
    where run_id is not null

),

per_table as (

    {{ map_entries('source', 'tables', ['run_id', 'started_at']) }}

),

renamed as (

    select
        run_id as landing_run_id,
        {{ cast_timestamp('started_at') }} as started_at,
        split_part(entry_key, '.', 1) as source_schema,
        split_part(entry_key, '.', 2) as source_table,
        entry_value.files as files,
        coalesce(entry_value.files_quarantined, 0) as files_quarantined,
        entry_value.rows_landed as rows_landed,
        entry_value.rows_quarantined as rows_quarantined,
        entry_value.newest_commit_ts as newest_commit_at
    from per_table

)

select * from renamed
