{#- Read from the staging model, not from ops_landing_quarantine: the no_new_quarantine test
    on that model may error, and dbt build skips what depends on a failed test. -#}
with quarantine as (

    select * from {{ ref('stg_landing__quarantine') }}

),

classified as (

    select
        landing_run_id,
        source_schema,
        source_table,
        landed_at,
        source_row is null as is_whole_file,
        {{ quarantine_reason_kind('reason') }} as reason_kind
    from quarantine

),

final as (

    select
        landing_run_id,
        source_schema,
        source_table,
        reason_kind,
        min(landed_at) as landed_at,
        sum(case when is_whole_file then 0 else 1 end) as records,
        sum(case when is_whole_file then 1 else 0 end) as whole_files
    from classified
    group by landing_run_id, source_schema, source_table, reason_kind

)

select * from final
