{#- The landing runs this dbt run reads: those committed when it started. A table, built
    first (every generated stg_ model reads only the raw rows of these runs), so every model
    of one dbt run sees the same complete landing runs, whatever lands meanwhile: a run that
    commits during this dbt run is read by the next one (its landing time is later than every
    run here; ingestion/commits.py). -#}
{{ config(materialized='table') }}

with source as (

    select * from {{ source('landing', 'committed_runs') }}

),

renamed as (

    select
        landing_run_id,
        {{ cast_timestamp('landed_at') }} as landed_at,
        {{ cast_timestamp('committed_at') }} as committed_at,
        committed_by_run_id
    from source

)

select * from renamed
