{#- A typed field of a JSON document from its text (json_fields_select gives text): exactly
    the value written, or null when the text is not a value of the type (no rounding:
    '12.7', '0x1F' or '1e3' are not bigints; a decimal keeps at most its scale). Generated
    bronze models use it for every document field that is not text. -#}
{% macro json_field_value(text, data_type) -%}
    {%- set type = data_type | lower | replace(' ', '') -%}
    {#- the integer and decimal patterns are narrower than try_cast_number's: their try_cast
        needs no second pattern (one regular expression per value, not two) -#}
    {%- if type in ('smallint', 'integer', 'bigint') -%}
    case when {{ regexp_like(text, "'^-?[0-9]+$'") }} then try_cast({{ text }} as {{ type }}) end
    {%- elif type.startswith('decimal') -%}
    {%- set scale = (type.split(',')[1] | replace(')', '')) if ',' in type else '0' -%}
    case when {{ regexp_like(text, "'^-?[0-9]+([.][0-9]{0," ~ scale ~ "})?$'") }}
        then try_cast({{ text }} as {{ data_type }}) end
    {%- elif type in ('double', 'doubleprecision') -%}
    {{ try_cast_number(text, 'double precision') }}
    {%- elif type == 'boolean' -%}
    case lower({{ text }}) when 'true' then true when 'false' then false end
    {%- elif type.startswith('timestamp') -%}
    {{ parse_iso8601_timestamp(text) }}
    {%- else -%}
    {{ exceptions.raise_compiler_error("json_field_value: unsupported type " ~ data_type) }}
    {%- endif -%}
{%- endmacro %}
