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
    disappear. `key_columns` is a column or a list (a composite key). Pass it as a string,
    pre_hook="{{ delete_changed_keys(...) }}", so that it is rendered when the model runs,
    not when it is parsed. -#}
{% macro delete_changed_keys(key_columns, changed_relation, landed_column='landed_at', condition=none) -%}
    {%- set keys = key_list(key_columns) -%}
    {%- set changed_keys -%}
        select {{ keys | join(', ') }} from {{ changed_relation }}
        where {{ landed_column }} > {{ landed_watermark() }}
        {%- if condition %} and ({{ condition }}){% endif %}
    {%- endset -%}
    {{ delete_keys_in(keys, changed_keys) }}
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


{#- The keys (`key_column`) of an entity kept with history whose history was landed since the
    model's last run (by its last_landed_at), or that were deleted since then: a key deleted
    in a table whose task writes no commit times keeps no version in slv_<entity>__history
    (history_relation), only its row in slv_<entity>__latest (latest_relation) says it
    changed. What gold's dimensions recompute. -#}
{% macro keys_with_landed_history(key_column, history_relation, latest_relation) -%}
    select {{ key_column }} from {{ history_relation }}
    where last_landed_at > {{ landed_watermark() }}
    union
    select {{ key_column }} from {{ latest_relation }}
    where is_deleted and landed_at > {{ landed_watermark() }}
{%- endmacro %}


{#- The accounts whose history, or whose owners' history, was landed since the model's last
    run (by its last_landed_at), or that were deleted (or whose owner was) since then
    (keys_with_landed_history): the rows that carry an account's or an owner's version keys
    and landing times (dim_accounts, fact_transactions) must be recomputed for them. Found on
    the small history and current-state tables, never by joining the large tables. -#}
{% macro accounts_with_landed_history(account_history, customer_history, account_latest, customer_latest) -%}
    select account_id from {{ account_history }}
    where last_landed_at > {{ landed_watermark() }}
        or customer_id in (
            {{ keys_with_landed_history('customer_id', customer_history, customer_latest) }}
        )
    union
    select account_id from {{ account_latest }}
    where is_deleted and landed_at > {{ landed_watermark() }}
{%- endmacro %}


{#- `delete from relation where <key> in (keys_query)`, per engine; `key_columns` is a column
    or a list. A composite key is matched with a correlated EXISTS (DuckDB, Redshift), which
    the three engines run, unlike a multi-column IN. Athena deletes from Iceberg tables with a
    MERGE ... WHEN MATCHED THEN DELETE (a row-level delete that takes any source query; the
    keys are made distinct, as MERGE allows one source row per target row). -#}
{% macro delete_where_key_in(relation, key_columns, keys_query) -%}
    {{ return(adapter.dispatch('delete_where_key_in')(relation, key_list(key_columns), keys_query)) }}
{%- endmacro %}

{% macro default__delete_where_key_in(relation, key_columns, keys_query) -%}
    {%- if key_columns | length == 1 %}
    delete from {{ relation }}
    where {{ key_columns[0] }} in (
        {{ keys_query }}
    )
    {%- else %}
    delete from {{ relation }}
    where exists (
        select 1 from (
            {{ keys_query }}
        ) as changed_keys
        where {% for key in key_columns -%}
            changed_keys.{{ key }} = {{ relation.identifier }}.{{ key }}
            {%- if not loop.last %} and {% endif %}
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}

{% macro athena__delete_where_key_in(relation, key_columns, keys_query) -%}
    merge into {{ relation }} as target
    using (
        select distinct {{ key_columns | join(', ') }} from (
            {{ keys_query }}
        ) as changed_keys
    ) as source
    on {% for key in key_columns -%}
        target.{{ key }} = source.{{ key }}{% if not loop.last %} and {% endif %}
    {%- endfor %}
    when matched then delete
{%- endmacro %}


{#- A key given as one column name or a list of them, as a list. -#}
{% macro key_list(key_columns) -%}
    {{ return([key_columns] if key_columns is string else key_columns | list) }}
{%- endmacro %}


{#- True for the rows of `outer` whose key is among the keys of `keys_from` (a CTE or
    relation name, or "(query) as alias" with alias `keys_alias`): a plain IN for one column,
    a correlated EXISTS for a composite key (a multi-column IN does not run on Athena). -#}
{% macro keys_in(key_columns, keys_from, outer, keys_alias=none) -%}
    {%- set keys = key_list(key_columns) -%}
    {%- if keys | length == 1 -%}
    {{ keys[0] }} in (select {{ keys[0] }} from {{ keys_from }})
    {%- else -%}
    {%- set alias = keys_alias or keys_from -%}
    exists (
        select 1 from {{ keys_from }}
        where {% for key in keys -%}
            {{ alias }}.{{ key }} = {{ outer }}.{{ key }}{% if not loop.last %} and {% endif %}
        {%- endfor %}
    )
    {%- endif -%}
{%- endmacro %}


{#- The keys a model rebuilt per key from a change log (the history models) recomputes: those
    with a change landed since its last run and, given the slv_<entity>__latest model, those
    whose delete a newer full load implied since then (delete_keys_absent_from_newer_full_
    load). A query returning the key columns. -#}
{% macro keys_with_landed_changes(changes_relation, key_columns, latest_relation=none) -%}
    {%- set keys = key_list(key_columns) | join(', ') -%}
    select {{ keys }} from {{ changes_relation }}
    where landed_at > {{ landed_watermark() }}
    {%- if latest_relation is not none %}
    union
    select {{ keys }} from {{ latest_relation }}
    where {{ deleted_by_newer_full_load() }}
        and landed_at > {{ landed_watermark() }}
    {%- endif %}
{%- endmacro %}


{#- Every change of the keys that have a change landed since the last run, or a delete that a
    newer full load implied (keys_with_landed_changes); all changes on a full run: what a
    model rebuilt per key (the history models) needs to recompute them. -#}
{% macro changes_of_changed_keys(changes_relation, key_columns, latest_relation=none) -%}
    {%- set keys = key_list(key_columns) -%}
    select * from {{ changes_relation }} as all_changes
    {%- if is_incremental() %}
    {%- set changed = '(' ~ keys_with_landed_changes(changes_relation, keys, latest_relation) ~ ') as changed_keys' %}
    where {{ keys_in(keys, changed, 'all_changes', 'changed_keys') }}
    {%- endif %}
{%- endmacro %}
