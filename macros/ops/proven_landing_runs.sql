{#- What the tests of the generated bronze change logs read (docs/changes.md, "What the tests
    read"). A landing run is proven once a `dbt build` of the whole project ran every data test
    and none failed: the on-run-end hook then records every landing run that build read
    (stg_landing__committed_runs) in ops.ops_proven_landing_runs. A test whose meta has
    test_scope: landing_runs_not_proven (the generator sets it on the tests of every
    stg_<schema>__<table>) reads only the rows of the committed runs not proven yet. Every
    change is tested again with --full-refresh, with the var test_all_changes, and while
    nothing is proven (the first build). Plain SQL: the same on DuckDB, Athena and Redshift. -#}


{#- dbt wraps the model of every generic test in this macro (its `where` config). For a test
    scoped to the runs not proven, the rows of those runs only; then dbt's own handling. -#}
{% macro get_where_subquery(relation) -%}
    {%- set scope = (config.get('meta') or {}).get('test_scope') -%}
    {%- if scope == 'landing_runs_not_proven' -%}
        {%- set runs = landing_runs_to_test() -%}
        {%- if runs is not none -%}
            {%- set relation -%}
                (select * from {{ relation }} where {{ landing_runs_filter(runs) }}) as scoped_to_runs
            {%- endset -%}
        {%- endif -%}
    {%- endif -%}
    {{- return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -}}
{%- endmacro %}


{#- The committed landing runs no whole build has proven yet, or none: test every change
    (--full-refresh, the var test_all_changes, no run proven yet, or the tables not built). -#}
{% macro landing_runs_to_test() -%}
    {%- if not execute or flags.FULL_REFRESH or var('test_all_changes', false) -%}
        {{- return(none) -}}
    {%- endif -%}
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
    build read and no earlier build proved is recorded as proven. A build with a failing test,
    a model error, or --select / --exclude / --resource-type leaving any test out proves
    nothing: its runs are tested again by the next build. -#}
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
        insert into {{ proven }} (landing_run_id, proven_by_invocation_id, proven_at)
        select
            landing_run_id,
            {{ ops_text(invocation_id) }},
            {{ ops_timestamp(modules.datetime.datetime.now(modules.pytz.utc)) }}
        from {{ committed }}
        where landing_run_id not in (
            select landing_run_id from {{ proven }} where landing_run_id is not null
        )
    {%- endcall -%}
    {{- return('') -}}
{%- endmacro %}
