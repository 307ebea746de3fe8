{#- The DMS change metadata and lineage columns every raw table carries, renamed to our
    conventions (load_generation: the table's full load the row belongs to, 1 for rows landed
    before full loads were numbered). Used by each bronze model, so all change logs look
    alike. The change sequence stays text (a 35-digit number does not fit a bigint, and casting every row to
    decimal(38, 0) costs more than it gives): change_order compares it by length, then text,
    which is numeric order for digit strings. -#}
{% macro change_metadata() -%}
        _dms_op as change_op,
        {{ cast_timestamp('_dms_commit_ts') }} as change_committed_at,
        _dms_change_seq as change_seq,
        _dms_file as source_file,
        _dms_file_order as source_file_order,
        _dms_row as source_row,
        _landing_run_id as landing_run_id,
        {{ cast_timestamp('_landed_at') }} as landed_at,
        coalesce(_load_generation, 1) as load_generation
{%- endmacro %}


{#- A change record's id: the hash of its source file and row position; for rows of a later
    full load of the table (load_generation above 1: a LOAD file delivered again under the
    same name), with the generation too. Rows of the first full load keep the id they always
    had. -#}
{% macro change_id() -%}
    case
        when coalesce(_load_generation, 1) = 1
            then {{ surrogate_key(['_dms_file', '_dms_row']) }}
        else {{ surrogate_key(['_dms_file', '_dms_row', '_load_generation']) }}
    end
{%- endmacro %}


{#- The change-log columns every slv_<entity>__changes model passes on after its business
    columns: the delete flag and the change metadata the ordering rule and lineage need.
    From a bronze model (is_deleted derived from change_op), or, with passed_on=true, from a
    CTE that already has them. -#}
{% macro change_log_columns(passed_on=false) -%}
        {% if passed_on %}is_deleted{% else %}change_op = 'D' as is_deleted{% endif %},
        change_id,
        change_op,
        change_committed_at,
        change_seq,
        source_file,
        source_file_order,
        source_row,
        landed_at,
        load_generation
{%- endmacro %}
