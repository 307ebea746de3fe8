{#- Warns when this dbt invocation is the first to see quarantined records or whole files
    (first_seen_invocation_id, ops.ops_landing_quarantine), so each one warns once, in the
    first build after it landed; errors when there are more than the var quarantine_error_above
    (default 1000; a file quarantined whole counts as one). -#}
{% test no_new_quarantine(model) %}
    {{ config(
        severity='error',
        warn_if='>0',
        error_if='>' ~ var('quarantine_error_above', 1000),
    ) }}

    select *
    from {{ model }}
    where first_seen_invocation_id = '{{ invocation_id }}'
{% endtest %}
