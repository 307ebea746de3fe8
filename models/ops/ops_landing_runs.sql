{#- DuckDB only: built from the run reports (stg_landing__runs). -#}
{{ config(enabled=target.type == 'duckdb') }}

with runs as (

    select * from {{ ref('stg_landing__runs') }}

),

final as (

    select
        landing_run_id,
        started_at,
        finished_at,
        duration_s,
        source_root,
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
    from runs

)

select * from final
