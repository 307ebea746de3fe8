{#- DuckDB only: the run reports are JSON files in the lake (source landing.runs). -#}
{{ config(enabled=target.type == 'duckdb') }}

with source as (

    -- source('landing', 'runs'), or no rows before the first landing run's report
    select * from {{ landing_run_reports() }}
    where run_id is not null

),

per_table as (

    {{ map_entries('source', 'tables', ['run_id', 'started_at']) }}

),

renamed as (

    select
        per_table.run_id as landing_run_id,
        {{ cast_timestamp('per_table.started_at') }} as started_at,
        split_part(per_table.entry_key, '.', 1) as source_schema,
        split_part(per_table.entry_key, '.', 2) as source_table,
        per_table.entry_value.files,
        coalesce(per_table.entry_value.files_quarantined, 0) as files_quarantined,
        per_table.entry_value.rows_landed,
        per_table.entry_value.rows_quarantined,
        per_table.entry_value.newest_commit_ts as newest_commit_at
    from per_table

)

select * from renamed
