{#- The measures of the gold aggregates (fact_*_totals), defined once: the select-list of
    aggregates over the rows of fact_transactions aliased `facts`, grouped by the caller.
    The aggregates' left joins leave facts' columns null where a group has no transaction:
    every count and sum is then 0, never null (empty is 0).

    Booked = posted: only posted transactions count in booked_* amounts; pending and reversed
    ones are summed apart; a status silver could not map ('unknown') counts only in
    `transactions` and `unknown_status_transactions`. Reporting amounts leave out what has
    no rate (booked_without_rate counts those). With own_currency=true (callers grouped by
    currency) the amounts in the transactions' own currency come too. The MetricFlow
    metrics (models/semantic/) define the same numbers; tests/python/test_finance.py checks
    they agree. -#}
{% macro transaction_measures(facts='facts', own_currency=false) -%}
    {%- set posted = facts ~ ".status = 'posted'" -%}
    cast(count({{ facts }}.transaction_id) as bigint) as transactions,
    {{ count_where(posted) }} as posted_transactions,
    {{ count_where(facts ~ ".status = 'pending'") }} as pending_transactions,
    {{ count_where(facts ~ ".status = 'reversed'") }} as reversed_transactions,
    {{ count_where(facts ~ ".status = 'unknown'") }} as unknown_status_transactions,
    {%- if own_currency %}
    {{ sum_where(facts ~ '.amount', posted) }} as booked_amount,
    {{ sum_where(facts ~ '.signed_amount', posted) }} as booked_net_flow,
    {{ sum_where(facts ~ '.amount', facts ~ ".status = 'pending'") }} as pending_amount,
    {{ sum_where(facts ~ '.amount', facts ~ ".status = 'reversed'") }} as reversed_amount,
    {%- endif %}
    {{ sum_where(facts ~ '.amount_reporting', posted) }} as booked_amount_reporting,
    {{ sum_where(facts ~ '.signed_amount_reporting', posted) }} as booked_net_flow_reporting,
    {{ sum_where(facts ~ '.amount_reporting', facts ~ ".status = 'pending'") }}
        as pending_amount_reporting,
    {{ sum_where(facts ~ '.amount_reporting', facts ~ ".status = 'reversed'") }}
        as reversed_amount_reporting,
    {{ count_where(posted ~ ' and ' ~ facts ~ '.amount_reporting is null') }} as booked_without_rate
{%- endmacro %}

{#- How many rows meet a condition (0 when none), as a bigint on every engine. -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as bigint)
{%- endmacro %}

{#- The sum of an amount over the rows that meet a condition, 0 when none, as decimal(38,2)
    (what sum gives on every engine). -#}
{% macro sum_where(amount, condition) -%}
    cast(coalesce(sum(case when {{ condition }} then {{ amount }} end), 0) as decimal(38, 2))
{%- endmacro %}
