{#- The DMS ordering rule (shared/reference/dms-s3-format.md): per key, the last change by
    commit timestamp, then change sequence, then file order, then row position. Missing
    timestamps or sequences sort first (full-load files of older tasks have neither). -#}
{% macro change_order(direction='asc') -%}
    {%- set nulls = 'nulls first' if direction == 'asc' else 'nulls last' -%}
    change_committed_at {{ direction }} {{ nulls }},
    change_seq {{ direction }} {{ nulls }},
    source_file_order {{ direction }},
    source_row {{ direction }}
{%- endmacro %}


{#- One row per key: the latest change in `relation`, deletes included (callers drop them).
    Adds `changes_for_key`, how many changes the key has in the relation. -#}
{% macro latest_change_per_key(relation, key_columns) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by {{ change_order('desc') }}
            ) as change_recency,
            count(*) over (partition by {{ key_columns | join(', ') }}) as changes_for_key
        from {{ relation }}
    ) as ranked
    where change_recency = 1
{%- endmacro %}


{#- The reasons a row fails validation: `checks` is a list of [condition, code] pairs.
    Returns the codes that apply, comma-separated in rule order, or null when all pass. -#}
{% macro reject_reasons(checks) -%}
    nullif(substr(
        {%- for check in checks %}
        case when {{ check[0] }} then ',{{ check[1] }}' else '' end
        {%- if not loop.last %} ||{% endif %}
        {%- endfor %},
        2
    ), '')
{%- endmacro %}
