{#- An ISO 8601 timestamp text as a UTC timestamp without time zone, the same on every engine:
    'YYYY-MM-DD', 'T' or a space, 'HH:MM:SS', up to six fractional digits, then nothing, 'Z'
    or an offset '+HH:MM' / '-HH:MM' (a text without offset is UTC). Milliseconds are kept,
    further digits dropped (Athena's parser keeps milliseconds; a DocumentDB date has no
    more). Any other text, and an impossible date such as Feb 30, gives null, never an
    error: the text is checked against the whole pattern before it is parsed, and the parse
    itself is a try. -#}
{% macro iso8601_timestamp_pattern() -%}
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$'
{%- endmacro %}

{% macro parse_iso8601_timestamp(text) -%}
    {{ return(adapter.dispatch('parse_iso8601_timestamp')(text)) }}
{%- endmacro %}

{% macro default__parse_iso8601_timestamp(text) -%}
    case when {{ regexp_like(text, iso8601_timestamp_pattern()) }} then
        cast(try(from_iso8601_timestamp(replace({{ text }}, ' ', 'T'))) at time zone 'UTC'
            as {{ timestamp_type() }})
    end
{%- endmacro %}

{% macro duckdb__parse_iso8601_timestamp(text) -%}
    case when {{ regexp_like(text, iso8601_timestamp_pattern()) }} then
        date_trunc('millisecond',
            cast(timezone('UTC', try_cast(replace({{ text }}, 'T', ' ') as timestamptz)) as timestamp))
    end
{%- endmacro %}

{% macro redshift__parse_iso8601_timestamp(text) -%}
    case when {{ regexp_like(text, iso8601_timestamp_pattern()) }} then
        date_trunc('milliseconds',
            convert_timezone('UTC', try_cast(replace({{ text }}, 'T', ' ') as timestamptz)))
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


{#- A timestamp column read from the raw zone, as the warehouse's timestamp type. DuckDB and
    Redshift (Spectrum) read the raw zone's microseconds: a no-op cast. Athena reads a Glue
    timestamp at millisecond precision, so on Athena the sources are the landing's
    `__epoch_us` Glue tables, whose timestamp columns are bigint epoch microseconds
    (ingestion/glue.py), made timestamp(6) here, exactly. -#}
{% macro cast_timestamp(expression) -%}
    {{ return(adapter.dispatch('cast_timestamp')(expression)) }}
{%- endmacro %}

{% macro default__cast_timestamp(expression) -%}
    cast({{ expression }} as {{ timestamp_type() }})
{%- endmacro %}

{% macro athena__cast_timestamp(expression) -%}
    cast(from_unixtime_nanos(cast({{ expression }} as decimal(38, 0)) * 1000) as timestamp(6))
{%- endmacro %}


{#- A timestamp as text for hashing into a key, the same on every engine:
    'YYYY-MM-DD HH:MM:SS.ffffff' (engines write a timestamp cast to text differently:
    Trino always with six digits, DuckDB and Redshift without trailing zeros). -#}
{% macro timestamp_key_text(expression) -%}
    {{ return(adapter.dispatch('timestamp_key_text')(expression)) }}
{%- endmacro %}

{% macro default__timestamp_key_text(expression) -%}
    cast(cast({{ expression }} as timestamp(6)) as varchar)
{%- endmacro %}

{% macro duckdb__timestamp_key_text(expression) -%}
    strftime({{ expression }}, '%Y-%m-%d %H:%M:%S.%f')
{%- endmacro %}

{% macro redshift__timestamp_key_text(expression) -%}
    to_char({{ expression }}, 'YYYY-MM-DD HH24:MI:SS.US')
{%- endmacro %}


{#- A Python datetime (e.g. dbt's run_started_at, UTC) as a timestamp literal of the
    warehouse's timestamp type, without its time zone. -#}
{% macro timestamp_literal(moment) -%}
    cast('{{ moment.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ timestamp_type() }})
{%- endmacro %}


{#- A timestamp of the warehouse's timestamp type from a bigint of milliseconds since
    1970-01-01 00:00:00 UTC (negative before), exactly (integers only, no double). -#}
{% macro timestamp_from_epoch_millis(millis) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_millis')(millis)) }}
{%- endmacro %}

{% macro default__timestamp_from_epoch_millis(millis) -%}
    cast(from_unixtime_nanos(cast({{ millis }} as decimal(38, 0)) * 1000000)
        as {{ timestamp_type() }})
{%- endmacro %}

{% macro duckdb__timestamp_from_epoch_millis(millis) -%}
    make_timestamp({{ millis }} * 1000)
{%- endmacro %}

{#- whole days and the remaining milliseconds (integer division and remainder, both toward
    zero: their sum is exact; each factor fits an integer) -#}
{% macro redshift__timestamp_from_epoch_millis(millis) -%}
    (cast('1970-01-01 00:00:00' as timestamp)
        + ({{ millis }} / 86400000) * interval '1 day'
        + ({{ millis }} % 86400000) * interval '1 millisecond')
{%- endmacro %}
