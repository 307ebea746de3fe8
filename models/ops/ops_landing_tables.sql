{#- DuckDB only: built from the run reports (stg_landing__run_tables). -#}
{{ config(enabled=target.type == 'duckdb') }}

with run_tables as (

    select * from {{ ref('stg_landing__run_tables') }}

),

final as (

    select
        landing_run_id,
        started_at,
        source_schema,
        source_table,
        files,
        files_quarantined,
        rows_landed,
        rows_quarantined,
        newest_commit_at
    from run_tables

)

select * from final
