{#- The rules of a bronze change log's DMS change metadata and landing lineage columns (the
    change_metadata macro), checked in one pass over the model instead of one scan per rule
    and column. Fails for each row that breaks a rule, naming in `problem` the first rule it
    breaks (in the order below):

    change_op not null and one of I, U, D; change_committed_at, when known, between 1900-01-01
    and 2100-12-31; change_seq, when known, digits only; source_file, source_file_order,
    landing_run_id, landed_at not null; source_row and load_generation not null and at
    least 1.

    The columns it checks are listed in the test's meta (tested_columns), which
    scripts/column_test_coverage.py counts as tested. -#}
{% test change_metadata_is_valid(model) %}
with change_metadata as (

    select
        change_id,
        change_op,
        change_committed_at,
        change_seq,
        source_file,
        source_file_order,
        source_row,
        landing_run_id,
        landed_at,
        load_generation
    from {{ model }}

),

checked as (

    select
        change_id,
        source_file,
        source_row,
        case
            when change_op is null then 'change_op is null'
            when change_op not in ('I', 'U', 'D') then 'change_op is not I, U or D'
            when change_committed_at < cast('1900-01-01' as date)
                or change_committed_at > cast('2100-12-31' as date)
                then 'change_committed_at is outside 1900-01-01 to 2100-12-31'
            when change_seq is not null and not {{ regexp_like('change_seq', "'^[0-9]+$'") }}
                then 'change_seq is not digits only'
            when source_file is null then 'source_file is null'
            when source_file_order is null then 'source_file_order is null'
            when source_row is null then 'source_row is null'
            when source_row < 1 then 'source_row is below 1'
            when landing_run_id is null then 'landing_run_id is null'
            when landed_at is null then 'landed_at is null'
            when load_generation is null then 'load_generation is null'
            when load_generation < 1 then 'load_generation is below 1'
        end as problem
    from change_metadata

)

select change_id, source_file, source_row, problem
from checked
where problem is not null
{% endtest %}
