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


{#- A pre-hook for models rebuilt per key (history, channels, facts): on incremental runs,
    delete the rows of every key that has input landed since the last run (and meets
    `condition`, when given), so the model's select can insert their recomputed rows; rows
    that no longer exist (a version cancelled by a late delete, a deleted transaction)
    disappear. Pass it as a string, pre_hook="{{ delete_changed_keys(...) }}", so that it is
    rendered when the model runs, not when it is parsed. -#}
{% macro delete_changed_keys(key_column, changed_relation, landed_column='landed_at', condition=none) -%}
    {%- set changed_keys -%}
        select {{ key_column }} from {{ changed_relation }}
        where {{ landed_column }} > {{ landed_watermark() }}
        {%- if condition %} and ({{ condition }}){% endif %}
    {%- endset -%}
    {{ delete_keys_in(key_column, changed_keys) }}
{%- endmacro %}


{#- A pre-hook for a key set given as a query (delete_changed_keys above builds one; see also
    accounts_with_landed_history): on incremental runs delete the model's rows of those keys;
    otherwise a statement that does nothing. -#}
{% macro delete_keys_in(key_column, keys_query) -%}
    {%- if is_incremental() -%}
    {{ delete_where_key_in(this, key_column, keys_query) }}
    {%- else -%}
    select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}


{#- The accounts whose history, or whose owners' history, was landed since the model's last
    run (by its last_landed_at): the rows that carry an account's or an owner's version keys
    and landing times (dim_accounts, fact_transactions) must be recomputed for them. Found on
    the small history tables, never by joining the large tables. -#}
{% macro accounts_with_landed_history(account_history, customer_history) -%}
    select account_id from {{ account_history }}
    where last_landed_at > {{ landed_watermark() }}
        or customer_id in (
            select customer_id from {{ customer_history }}
            where last_landed_at > {{ landed_watermark() }}
        )
{%- endmacro %}


{#- `delete from relation where key_column in (keys_query)`, per engine. Athena deletes from
    Iceberg tables with a MERGE ... WHEN MATCHED THEN DELETE (a row-level delete that takes
    any source query; the keys are made distinct, as MERGE allows one source row per target
    row). -#}
{% macro delete_where_key_in(relation, key_column, keys_query) -%}
    {{ return(adapter.dispatch('delete_where_key_in')(relation, key_column, keys_query)) }}
{%- endmacro %}

{% macro default__delete_where_key_in(relation, key_column, keys_query) -%}
    delete from {{ relation }}
    where {{ key_column }} in (
        {{ keys_query }}
    )
{%- endmacro %}

{% macro athena__delete_where_key_in(relation, key_column, keys_query) -%}
    merge into {{ relation }} as target
    using (
        select distinct {{ key_column }} from (
            {{ keys_query }}
        ) as changed_keys
    ) as source
    on target.{{ key_column }} = source.{{ key_column }}
    when matched then delete
{%- endmacro %}


{#- Every change of the keys that have a change landed since the last run (all changes, on a
    full run): what a model rebuilt per key (the history models) needs to recompute them. -#}
{% macro changes_of_changed_keys(changes_relation, key_column) -%}
    select * from {{ changes_relation }}
    {%- if is_incremental() %}
    where {{ key_column }} in (
        select {{ key_column }} from {{ changes_relation }}
        where 1 = 1 {{ landed_since_last_run('landed_at') }}
    )
    {%- endif %}
{%- endmacro %}
