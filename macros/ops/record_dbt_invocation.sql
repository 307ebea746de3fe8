{#- The on-run-end hook (dbt_project.yml): records this dbt invocation in ops.ops_dbt_invocations
    (one row: command, times, counts of models and tests by status, source freshness, rows per
    layer) and every node it ran in ops.ops_dbt_results. Runs after build, run, test, seed,
    snapshot and source freshness (flags: source_freshness_run_project_hooks). Rows: what the
    adapter reports for the statement; DuckDB reports none, so there the rows of each table
    built are counted (count(*), cheap on DuckDB). Nothing is recorded until both ops tables
    exist (the first build creates them). Plain INSERT ... VALUES: the same on DuckDB, Athena
    (Iceberg) and Redshift. -#}
{% macro record_dbt_invocation(results) -%}
    {#- docs generate and compile run the hook too, but build nothing: not recorded -#}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed', 'snapshot', 'freshness') -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set invocations = ops_relation('ops_dbt_invocations') -%}
    {%- set node_results = ops_relation('ops_dbt_results') -%}
    {%- if invocations is none or node_results is none -%}
        {{- log('ops: ops_dbt_invocations or ops_dbt_results not built yet: this dbt invocation is not recorded', info=true) -}}
        {{- return('') -}}
    {%- endif -%}

    {%- set finished = modules.datetime.datetime.now(modules.pytz.utc) -%}
    {%- set counts = {} -%}
    {%- set rows_by_layer = {} -%}
    {%- set values = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- set status = result.status | string -%}
        {%- set kind = 'test' if node.resource_type == 'unit_test' else node.resource_type -%}
        {%- set key = kind ~ ':' ~ status -%}
        {%- do counts.update({key: counts.get(key, 0) + 1}) -%}
        {%- set layer = ops_layer(node) -%}
        {%- set row_count = ops_row_count(result) -%}
        {%- if row_count is not none and layer is not none and kind in ('model', 'seed') -%}
            {%- do rows_by_layer.update({layer: rows_by_layer.get(layer, 0) + row_count}) -%}
        {%- endif -%}
        {%- set loaded = result.max_loaded_at if result.max_loaded_at is defined else none -%}
        {%- set age = result.age if result.age is defined else none -%}
        {#- a table without rows: dbt measures from year 1; recorded as no time, no age -#}
        {%- if loaded is not none and loaded.year == 1 -%}
            {%- set loaded, age = none, none -%}
        {%- endif -%}
        {%- do values.append('(' ~ [
            ops_text(invocation_id),
            ops_text(node.unique_id, 1000),
            ops_text(node.resource_type),
            ops_text(node.source_name ~ '.' ~ node.name if node.resource_type == 'source' else node.name, 1000),
            ops_text(layer),
            ops_text(status),
            ops_number(result.execution_time),
            ops_number(row_count),
            ops_number(result.failures),
            ops_timestamp(loaded),
            ops_number(age),
            ops_text(result.message, 500),
        ] | join(', ') ~ ')') -%}
    {%- endfor -%}

    {%- for chunk in values | batch(200) -%}
        {%- call statement('ops_dbt_results', auto_begin=False) -%}
            insert into {{ node_results }} (
                invocation_id, unique_id, resource_type, node_name, layer, status, execution_s,
                row_count, failures, max_loaded_at, age_s, message
            ) values
            {{ chunk | join(',\n') }}
        {%- endcall -%}
    {%- endfor -%}

    {%- set failed = counts.get('model:error', 0) + counts.get('test:fail', 0) + counts.get('test:error', 0)
        + counts.get('seed:error', 0) + counts.get('source:error', 0) + counts.get('source:runtime error', 0)
        + counts.get('snapshot:error', 0) -%}
    {%- call statement('ops_dbt_invocations', auto_begin=False) -%}
        insert into {{ invocations }} (
            invocation_id, command, started_at, finished_at, duration_s, target_name, dbt_version,
            is_full_refresh, succeeded, models_built, models_failed, models_skipped, tests_passed,
            tests_warned, tests_failed, sources_fresh, sources_stale, rows_bronze, rows_silver,
            rows_gold
        ) values (
            {{ ops_text(invocation_id) }},
            {{ ops_text(flags.WHICH) }},
            {{ ops_timestamp(run_started_at) }},
            {{ ops_timestamp(finished) }},
            {{ ops_number((finished - run_started_at).total_seconds()) }},
            {{ ops_text(target.name) }},
            {{ ops_text(dbt_version) }},
            {{ 'true' if flags.FULL_REFRESH else 'false' }},
            {{ 'true' if failed == 0 else 'false' }},
            {{ counts.get('model:success', 0) }},
            {{ counts.get('model:error', 0) }},
            {{ counts.get('model:skipped', 0) }},
            {{ counts.get('test:pass', 0) }},
            {{ counts.get('test:warn', 0) }},
            {{ counts.get('test:fail', 0) + counts.get('test:error', 0) }},
            {{ counts.get('source:pass', 0) }},
            {{ counts.get('source:warn', 0) + counts.get('source:error', 0) + counts.get('source:runtime error', 0) }},
            {{ ops_number(rows_by_layer.get('bronze')) }},
            {{ ops_number(rows_by_layer.get('silver')) }},
            {{ ops_number(rows_by_layer.get('gold')) }}
        )
    {%- endcall -%}
    {{- return('') -}}
{%- endmacro %}


{#- The relation of one of this project's models, or none when it is not built (yet). -#}
{% macro ops_relation(name) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name == name and node.package_name == project_name -%}
            {{- return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return(none) -}}
{%- endmacro %}


{#- The layer (schema) a result belongs to: the model's or seed's schema, a source's schema
    name, the schema of the model a test is attached to. -#}
{% macro ops_layer(node) -%}
    {%- if node.resource_type == 'source' -%}
        {{- return(node.source_name) -}}
    {%- elif node.resource_type in ('model', 'seed', 'snapshot') -%}
        {{- return(node.schema) -}}
    {%- elif node.attached_node is defined and node.attached_node in graph.nodes -%}
        {{- return(graph.nodes[node.attached_node].schema) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}


{#- Rows of a model or seed result: what the adapter reports (rows_affected), else, on DuckDB,
    the rows of the table just built; none for views, tests and what failed. -#}
{% macro ops_row_count(result) -%}
    {%- set node = result.node -%}
    {%- set reported = (result.adapter_response or {}).get('rows_affected') -%}
    {%- if reported is number and reported >= 0 -%}
        {{- return(reported) -}}
    {%- endif -%}
    {%- if target.type != 'duckdb' or (result.status | string) != 'success'
        or node.resource_type not in ('model', 'seed')
        or node.config.materialized not in ('table', 'incremental', 'seed') -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- if relation is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set counted = run_query('select count(*) from ' ~ relation) -%}
    {{- return(counted.columns[0].values()[0] | int) -}}
{%- endmacro %}


{% macro ops_text(value, limit=250) -%}
    {%- if value is none or value is not defined -%}
        {{- return('null') -}}
    {%- endif -%}
    {#- backslashes are escapes in some engines' literals: written as slashes -#}
    {{- return("'" ~ ((value | string)[:limit] | replace("\\", "/") | replace("'", "''")) ~ "'") -}}
{%- endmacro %}


{#- A number as a literal; a fraction with 3 decimals (seconds), which every engine assigns
    to the tables' decimal columns. -#}
{% macro ops_number(value) -%}
    {%- if value is none or value is not defined -%}
        {{- return('null') -}}
    {%- elif value is integer -%}
        {{- return(value | string) -}}
    {%- endif -%}
    {{- return('%.3f' | format(value)) -}}
{%- endmacro %}


{#- A datetime (aware: converted to UTC) as a timestamp literal, or null. -#}
{% macro ops_timestamp(value) -%}
    {%- if value is none or value is not defined -%}
        {{- return('null') -}}
    {%- endif -%}
    {%- set utc = value.astimezone(modules.pytz.utc) if value.tzinfo is not none else value -%}
    {{- return(timestamp_literal(utc)) -}}
{%- endmacro %}


{#- The text type of the ops tables: Redshift's plain varchar holds 256 bytes, too few for
    dbt's node ids (test names run to hundreds of characters). -#}
{% macro ops_text_type() -%}
    {{ return(adapter.dispatch('ops_text_type')()) }}
{%- endmacro %}

{% macro default__ops_text_type() -%}
    {{ dbt.type_string() }}
{%- endmacro %}

{% macro redshift__ops_text_type() -%}
    varchar(65535)
{%- endmacro %}
