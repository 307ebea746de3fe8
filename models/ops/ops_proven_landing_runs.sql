{#- The landing runs a whole `dbt build` has proven: filled by the on-run-end hook
    (macros/ops/proven_landing_runs.sql) with every committed landing run and the project's
    checksum, once a build of the whole project ran every data test and none failed. The tests
    of the generated bronze change logs and silver `__latest` models then read only what the
    runs not proven yet landed (docs/changes.md); the on-run-start hook deletes the proofs of
    other code. The model only creates the table (no rows); --full-refresh empties it, so a
    full refresh tests every change again and proves the runs anew. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
) }}

with columns as (

    select
        cast(null as {{ ops_text_type() }}) as landing_run_id,
        cast(null as {{ ops_text_type() }}) as proven_by_invocation_id,
        cast(null as {{ timestamp_type() }}) as proven_at,
        cast(null as {{ ops_text_type() }}) as project_checksum

)

select * from columns
where 1 = 0
