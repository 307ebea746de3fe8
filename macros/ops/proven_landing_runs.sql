{#- What the tests of the generated bronze change logs and silver `__latest` models read
    (docs/changes.md, "What the tests read"). A landing run is proven once a `dbt build` of the
    whole project ran every data test and none failed: the on-run-end hook then records every
    landing run that build read (stg_landing__committed_runs) in ops.ops_proven_landing_runs,
    with the checksum of the project's code it ran. A test whose meta has test_scope:
    landing_runs_not_proven (the generator sets it on the tests of every stg_<schema>__<table>)
    reads only the rows of the committed runs not proven yet; test_scope:
    landed_in_runs_not_proven (the tests of every slv_<entity>__latest) reads only the rows
    whose landed_at is one of those runs', and with meta scope_keys, every row of the keys those
    rows have. Every row is tested again with --full-refresh, with the var test_all_changes,
    while nothing is proven (the first build), and once the project's code changed (the
    on-run-start hook forgets proofs made by other code). Plain SQL: the same on DuckDB, Athena
    and Redshift. -#}


{#- dbt wraps the model of every generic test in this macro (its `where` config). For a test
    scoped to the runs not proven, the rows of those runs only; then dbt's own handling. -#}
{% macro get_where_subquery(relation) -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- set scope = meta.get('test_scope') -%}
    {%- if scope in ('landing_runs_not_proven', 'landed_in_runs_not_proven') -%}
        {%- set runs = landing_runs_to_test() -%}
        {%- if runs is not none -%}
            {%- set relation = scoped_to_runs(relation, runs, scope, meta.get('scope_keys')) -%}
        {%- endif -%}
    {%- endif -%}
    {{- return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -}}
{%- endmacro %}


{#- The rows of `relation` a scoped test reads: those of the runs (by landing_run_id), or
    those landed by them (by landed_at, the landing time each run stamps on its rows); with
    keys, also every row of the keys such rows have (a key test sees a new row beside an old
    row of its key). -#}
{% macro scoped_to_runs(relation, runs, scope, keys=none) -%}
    {%- if scope == 'landing_runs_not_proven' -%}
        {%- set rows_of_runs = landing_runs_filter(runs) -%}
    {%- else -%}
        {%- set rows_of_runs = landed_in_runs_filter(runs) -%}
    {%- endif -%}
    {%- if keys -%}
        {%- set touched -%}
            (select {{ keys | join(', ') }} from {{ relation }} where {{ rows_of_runs }}) as touched_keys
        {%- endset -%}
        {#- the new rows themselves too: a null key matches no key -#}
        {%- set rows_of_runs = '(' ~ rows_of_runs ~ ' or ' ~ keys_in(keys, touched, 'scoped_rows', keys_alias='touched_keys') ~ ')' -%}
    {%- endif -%}
    {{- return('(select * from ' ~ relation ~ ' as scoped_rows where ' ~ rows_of_runs ~ ') as scoped_to_runs') -}}
{%- endmacro %}


{#- The committed landing runs no whole build has proven yet, or none: test every change
    (--full-refresh, the var test_all_changes, no run proven yet, or the tables not built).
    Asked once per dbt invocation, by the first scoped test it compiles (or once per thread,
    by threads compiling their first ones at the same moment), and kept in the invocation's
    graph dict under its invocation_id (each scoped test used to run the two queries again:
    30 ms a test): within an invocation the answer cannot change, as the
    committed runs are a table built before any scoped test (stg_landing__committed_runs)
    and proofs are written only by the on-run-end hook. -#}
{% macro landing_runs_to_test() -%}
    {%- if not execute or flags.FULL_REFRESH or var('test_all_changes', false) -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set asked = graph.setdefault('dms_warehouse_landing_runs_to_test', {}) -%}
    {%- if invocation_id not in asked -%}
        {%- do asked.update({invocation_id: unproven_landing_runs()}) -%}
    {%- endif -%}
    {{- return(asked[invocation_id]) -}}
{%- endmacro %}

{% macro unproven_landing_runs() -%}
    {%- set proven = ops_relation('ops_proven_landing_runs') -%}
    {%- set committed = ops_relation('stg_landing__committed_runs') -%}
    {%- if proven is none or committed is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set counted = run_query('select count(*) from ' ~ proven) -%}
    {%- if (counted.columns[0].values()[0] | int) == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set unproven = run_query(
        'select landing_run_id from ' ~ committed ~ ' where landing_run_id not in ('
        ~ 'select landing_run_id from ' ~ proven ~ ' where landing_run_id is not null)'
    ) -%}
    {{- return(unproven.columns[0].values() | map('string') | list) -}}
{%- endmacro %}


{#- The rows landed by these landing runs: their landing time is one of the runs' (none: no
    row). -#}
{% macro landed_in_runs_filter(runs) -%}
    {%- if runs | length == 0 -%}
        1 = 0
    {%- else -%}
        landed_at in (select landed_at from {{ ops_relation('stg_landing__committed_runs') }} where {{ landing_runs_filter(runs) }})
    {%- endif -%}
{%- endmacro %}


{#- The rows of these landing runs (none: no row). -#}
{% macro landing_runs_filter(runs) -%}
    {%- if runs | length == 0 -%}
        1 = 0
    {%- else -%}
        landing_run_id in ({% for run in runs %}{{ ops_text(run) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}


{#- The on-run-end hook (dbt_project.yml): after a `dbt build` in which every data test of the
    project ran and none failed or errored (warn is not a failure), every landing run that
    build read and no earlier build proved is recorded as proven, with the project's checksum.
    A build with a failing test, a model error, or --select / --exclude / --resource-type
    leaving any test out proves nothing: its runs are tested again by the next build. -#}
{% macro record_proven_landing_runs(results) -%}
    {%- if not execute or flags.WHICH != 'build' -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set proven = ops_relation('ops_proven_landing_runs') -%}
    {%- set committed = ops_relation('stg_landing__committed_runs') -%}
    {%- if proven is none or committed is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set test_status = {} -%}
    {%- for result in results -%}
        {%- set status = result.status | string -%}
        {%- if status in ('error', 'fail', 'runtime error', 'skipped') -%}
            {{- log('ops: a node did not pass (' ~ result.node.unique_id ~ '): no landing run is proven by this build', info=true) -}}
            {{- return('') -}}
        {%- endif -%}
        {%- if result.node.resource_type == 'test' -%}
            {%- do test_status.update({result.node.unique_id: status}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values() -%}
        {#- tests of models disabled on this target (DuckDB-only ones) are in the graph too -#}
        {%- if node.resource_type == 'test' and node.config.enabled
            and test_status.get(node.unique_id) not in ('pass', 'warn') -%}
            {{- log('ops: not every data test ran in this build: no landing run is proven by it', info=true) -}}
            {{- return('') -}}
        {%- endif -%}
    {%- endfor -%}
    {%- call statement('record_proven_landing_runs', auto_begin=False) -%}
        insert into {{ proven }} (landing_run_id, proven_by_invocation_id, proven_at, project_checksum)
        select
            landing_run_id,
            {{ ops_text(invocation_id) }},
            {{ ops_timestamp(modules.datetime.datetime.now(modules.pytz.utc)) }},
            {{ ops_text(project_checksum()) }}
        from {{ committed }}
        where landing_run_id not in (
            select landing_run_id from {{ proven }} where landing_run_id is not null
        )
    {%- endcall -%}
    {{- return('') -}}
{%- endmacro %}


{#- The checksum of the project's code: every enabled model, seed, snapshot and data test
    (its file's checksum, its config and, for a generic test, its arguments; not how a
    failure is reported: severity, error_if, warn_if, store_failures) and every macro of the
    project. A proof holds only for the code that made it: the on-run-start hook forgets the
    proofs made with another checksum. The vars are not in it (dbt gives no list of them):
    after changing a var a rule reads, build with --vars '{test_all_changes: true}'. -#}
{% macro project_checksum() -%}
    {%- set reporting_only = ['severity', 'error_if', 'warn_if', 'store_failures', 'store_failures_as'] -%}
    {%- set parts = [] -%}
    {%- for unique_id in graph.nodes.keys() | sort -%}
        {%- set node = graph.nodes[unique_id] -%}
        {%- if node.resource_type in ('model', 'seed', 'snapshot', 'test') and node.config.enabled -%}
            {%- set config = {} -%}
            {%- for key, value in node.config.items() if not (node.resource_type == 'test' and key in reporting_only) -%}
                {%- do config.update({key: value}) -%}
            {%- endfor -%}
            {%- do parts.append(unique_id ~ ' ' ~ node.checksum.checksum ~ ' ' ~ tojson(config, sort_keys=true)
                ~ ' ' ~ tojson(node.get('test_metadata'), sort_keys=true)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set macros = context[project_name] -%}
    {%- for name in macros.keys() | sort -%}
        {%- do parts.append(name ~ ' ' ~ local_md5(macros[name].macro.macro_sql)) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{%- endmacro %}


{#- The on-run-start hook (dbt_project.yml): forget the proofs made by other code (another
    checksum, or none: a warehouse proven before checksums were recorded), so that this build
    tests every row again after the project changed (an incremental model keeps the rows it
    wrote with the old code). Nothing to do when every proof is this code's. -#}
{% macro forget_proofs_of_other_code() -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set proven = ops_relation('ops_proven_landing_runs') -%}
    {%- if proven is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(proven) | map(attribute='name') | map('lower') | list -%}
    {%- if 'project_checksum' in columns -%}
        {%- set other_code = 'project_checksum is null or project_checksum <> ' ~ ops_text(project_checksum()) -%}
    {%- else -%}
        {%- set other_code = '1 = 1' -%}
    {%- endif -%}
    {%- set found = run_query('select count(*) from ' ~ proven ~ ' where ' ~ other_code) -%}
    {%- if (found.columns[0].values()[0] | int) > 0 -%}
        {{- log('ops: the project changed since its landing runs were proven: this build tests every row again', info=true) -}}
        {%- call statement('forget_proofs_of_other_code') -%}
            delete from {{ proven }} where {{ other_code }}
        {%- endcall -%}
    {%- endif -%}
    {#- the queries above opened a transaction (not on Athena): dbt rolls the start hooks'
        connection back, so commit here -#}
    {%- do adapter.commit() -%}
    {{- return('') -}}
{%- endmacro %}
