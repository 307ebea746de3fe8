{#- The DMS change metadata and lineage columns every raw table carries, renamed to our
    conventions. Used by each bronze model, so all change logs look alike. -#}
{% macro change_metadata() -%}
        _dms_op as change_op,
        _dms_commit_ts as change_committed_at,
        {{ try_cast_number('_dms_change_seq', 'decimal(38, 0)') }} as change_seq,
        _dms_file as source_file,
        _dms_file_order as source_file_order,
        _dms_row as source_row,
        _landing_run_id as landing_run_id,
        _landed_at as landed_at
{%- endmacro %}
