{#- Incremental runs read only what was landed since the model's last run. The watermark is
    the largest landing time the model has already taken in (a column of the model itself),
    so a rerun with nothing new reads nothing new, and a full refresh reads everything. -#}

{#- The watermark as a scalar subquery: the latest `column` in this model, or the floor when
    the model is empty. Only meaningful inside `is_incremental()`. -#}
{% macro landed_watermark(column='last_landed_at') -%}
    (select coalesce(max({{ column }}), {{ timestamp_floor() }}) from {{ this }})
{%- endmacro %}


{#- `and <landed_column> > watermark` on incremental runs, nothing otherwise. -#}
{% macro landed_since_last_run(landed_column='landed_at', watermark_column='last_landed_at') -%}
    {%- if is_incremental() %}
    and {{ landed_column }} > {{ landed_watermark(watermark_column) }}
    {%- endif %}
{%- endmacro %}


{#- A pre-hook for models rebuilt per key (history, channels): on incremental runs, delete
    every row of the keys that have input landed since the last run, so the model's select can
    insert their recomputed rows (rows that no longer exist, e.g. a version cancelled by a late
    delete, disappear). `keys_sql` selects the key column from the changed input. -#}
{% macro delete_changed_keys(key_column, keys_sql) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ key_column }} in ({{ keys_sql }})
    {%- else -%}
    select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}
