{#- DuckDB only: the run reports are JSON files in the lake (source landing.runs). -#}
{{ config(enabled=target.type == 'duckdb') }}

with source as (

    -- source('landing', 'runs'), or no rows before the first landing run's report
    select * from {{ landing_run_reports() }}

),

renamed as (

    select
        run_id as landing_run_id,
        {{ cast_timestamp('started_at') }} as started_at,
        {{ cast_timestamp('finished_at') }} as finished_at,
        duration_s,
        source as source_root,
        lake,
        files_seen,
        files_landed,
        files_already_landed,
        files_duplicate,
        files_quarantined,
        files_failed,
        files_vanished,
        files_stopped,
        rows_landed,
        rows_quarantined
    from source
    -- a JSON file in _ledger/runs/ that is not a run report has no run_id
    where run_id is not null

)

select * from renamed
