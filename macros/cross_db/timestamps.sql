{#- An ISO 8601 timestamp text ('2026-03-14T09:21:07.512Z', with or without an offset) as a
    UTC timestamp without time zone; null when it does not parse. -#}
{% macro parse_iso8601_timestamp(text) -%}
    {{ return(adapter.dispatch('parse_iso8601_timestamp')(text)) }}
{%- endmacro %}

{% macro default__parse_iso8601_timestamp(text) -%}
    cast(try(from_iso8601_timestamp({{ text }})) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro duckdb__parse_iso8601_timestamp(text) -%}
    cast(timezone('UTC', try_cast({{ text }} as timestamptz)) as timestamp)
{%- endmacro %}

{% macro athena__parse_iso8601_timestamp(text) -%}
    cast(try(from_iso8601_timestamp({{ text }})) at time zone 'UTC' as timestamp(6))
{%- endmacro %}

{% macro redshift__parse_iso8601_timestamp(text) -%}
    case when {{ text }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}'
        then convert_timezone('UTC', cast(replace({{ text }}, 'T', ' ') as timestamptz))
    end
{%- endmacro %}


{#- ISO day of week of a date: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro athena__iso_day_of_week(date_expression) -%}
    day_of_week({{ date_expression }})
{%- endmacro %}

{% macro redshift__iso_day_of_week(date_expression) -%}
    (case when extract(dow from {{ date_expression }}) = 0 then 7
        else extract(dow from {{ date_expression }}) end)
{%- endmacro %}


{#- A date as the integer yyyymmdd (the date dimension's key). Standard SQL, no dispatch. -#}
{% macro date_key(date_expression) -%}
    cast(
        extract(year from {{ date_expression }}) * 10000
        + extract(month from {{ date_expression }}) * 100
        + extract(day from {{ date_expression }})
        as integer
    )
{%- endmacro %}


{#- The timestamp type of the warehouse's tables: timestamp(6) on Athena, whose Iceberg tables
    store microseconds (and refuse the timestamp(3) that literals and Glue/Hive tables give);
    the adapter's timestamp type elsewhere. -#}
{% macro timestamp_type() -%}
    {{ return(adapter.dispatch('timestamp_type')()) }}
{%- endmacro %}

{% macro default__timestamp_type() -%}
    {{ dbt.type_timestamp() }}
{%- endmacro %}

{% macro athena__timestamp_type() -%}
    timestamp(6)
{%- endmacro %}


{#- A timestamp column read from the raw zone, as the warehouse's timestamp type (a no-op cast
    on DuckDB and Redshift; timestamp(3) to timestamp(6) on Athena). -#}
{% macro cast_timestamp(expression) -%}
    cast({{ expression }} as {{ timestamp_type() }})
{%- endmacro %}
