{#- DuckDB only: built from the run reports (ops_landing_tables). -#}
{{ config(enabled=target.type == 'duckdb') }}

with run_tables as (

    select * from {{ ref('ops_landing_tables') }}

),

final as (

    select
        source_schema,
        source_table,
        count(*) as runs,
        sum(files) as files,
        sum(files_quarantined) as files_quarantined,
        sum(rows_landed) as rows_landed,
        sum(rows_quarantined) as rows_quarantined,
        max(case when rows_landed > 0 then started_at end) as last_landed_at,
        max(newest_commit_at) as newest_commit_at
    from run_tables
    group by source_schema, source_table

)

select * from final
