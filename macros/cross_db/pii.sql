{#- Personal data for readers who must not see it in clear (gold *_masked models). `kind`:
      name     first letter of each of the first two words:  'Jane Doe' -> 'J*** D***'
      email    first letter and the domain:                  'jane@bank.example' -> 'j***@bank.example'
      phone    the last two digits:                          '+44 20 7946 0958' -> '***58'
      address  fully redacted:                               '***'
      year     the year of a date, as text:                  1984-05-01 -> '1984'
      hash     hex SHA-256 of the value (stable pseudonym for counting and joining)
    Null stays null. Only `hash` differs per engine (dispatch); the rest is standard SQL. -#}
{% macro mask_pii(column, kind) -%}
    {%- if kind == 'name' -%}
    case when {{ column }} is not null then
        substr({{ column }}, 1, 1) || '***'
        || case when {{ dbt.position("' '", column) }} > 0
            then ' ' || substr({{ column }}, {{ dbt.position("' '", column) }} + 1, 1) || '***'
            else '' end
    end
    {%- elif kind == 'email' -%}
    case when {{ column }} is not null then
        substr({{ column }}, 1, 1) || '***@' || {{ dbt.split_part(column, "'@'", 2) }}
    end
    {%- elif kind == 'phone' -%}
    case when {{ column }} is not null then
        '***' || substr({{ column }}, greatest(length({{ column }}) - 1, 1))
    end
    {%- elif kind == 'address' -%}
    case when {{ column }} is not null then '***' end
    {%- elif kind == 'year' -%}
    cast(extract(year from {{ column }}) as {{ dbt.type_string() }})
    {%- elif kind == 'hash' -%}
    {{ adapter.dispatch('sha256_hex')(column) }}
    {%- else -%}
    {{ exceptions.raise_compiler_error("mask_pii: unknown kind " ~ kind) }}
    {%- endif -%}
{%- endmacro %}


{#- Lowercase hex SHA-256 of a text expression. -#}
{% macro default__sha256_hex(expression) -%}
    lower(to_hex(sha256(to_utf8({{ expression }}))))
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro athena__sha256_hex(expression) -%}
    lower(to_hex(sha256(to_utf8({{ expression }}))))
{%- endmacro %}

{% macro redshift__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
