{#- Exchange rates and the reporting currency (docs: models/_columns__docs.md, fx_conversion).

    reporting_currency()    the var reporting_currency (default EUR), checked: three capital
                            letters, else the build stops with a one-line error.
    exchange_rates_from()   'seed' (the ECB seed, demo and tests) or 'source' (production:
                            source fx.exchange_rates); var exchange_rates_from, else the
                            environment variable EXCHANGE_RATES_FROM, else 'seed'.
    convert_amount(a, r)    an amount times a rate into the reporting currency, rounded half
                            away from zero to the cent: exact decimal arithmetic on every engine
                            (widened first so a large amount cannot overflow). -#}

{% macro reporting_currency() -%}
    {%- set code = var('reporting_currency') | string -%}
    {%- if not modules.re.fullmatch('[A-Z]{3}', code) -%}
        {{ exceptions.raise_compiler_error("var reporting_currency: '" ~ code ~ "' is not an ISO 4217 code (three capital letters, e.g. EUR)") }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}

{% macro exchange_rates_base_currency() -%}
    {%- set code = var('exchange_rates_base_currency') | string -%}
    {%- if not modules.re.fullmatch('[A-Z]{3}', code) -%}
        {{ exceptions.raise_compiler_error("var exchange_rates_base_currency: '" ~ code ~ "' is not an ISO 4217 code (three capital letters, e.g. EUR)") }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}

{% macro exchange_rates_from() -%}
    {%- set where = var('exchange_rates_from', env_var('EXCHANGE_RATES_FROM', 'seed')) | string -%}
    {%- if where not in ('seed', 'source') -%}
        {{ exceptions.raise_compiler_error("exchange_rates_from: '" ~ where ~ "' is neither 'seed' (the ECB demo seed) nor 'source' (the rates table of source fx.exchange_rates)") }}
    {%- endif -%}
    {{ return(where) }}
{%- endmacro %}

{% macro convert_amount(amount, rate) -%}
    cast(round(cast({{ amount }} as decimal(28, 2)) * {{ rate }}, 2) as decimal(18, 2))
{%- endmacro %}
