{#- A typed field of a JSON document from its text (json_fields_select gives text, and an
    object or an array as its JSON text): exactly the value written, or null when the text is
    not a value of the type (no rounding: '12.7', '0x1F' or '1e3' are not bigints; a decimal
    keeps at most its scale). Generated bronze models use it for every document field that is
    not text.

    MongoDB extended JSON (docs/contracts.md): a number type also reads an object with exactly
    one of $numberLong, $numberInt, $numberDouble, $numberDecimal holding a string, as that
    string (then parsed as above). With `date_value` (the generator sets it when the field's
    path ends at `$date`) a timestamp also reads milliseconds since the epoch, written as a
    JSON integer or as {"$numberLong": "<ms>"}, exactly, within the years 1 to 9999. Any other
    object or array is not a value: null, and its text flags the field. -#}
{% macro json_field_value(text, data_type, date_value=false) -%}
    {%- set type = data_type | lower | replace(' ', '') -%}
    {%- if type in ('smallint', 'integer', 'bigint', 'double', 'doubleprecision')
        or type.startswith('decimal') -%}
    {%- set text = extended_json_number(text) -%}
    {%- endif -%}
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
    {%- elif type.startswith('timestamp') and date_value -%}
    {%- set wrapped = "'^[{] *\"[$]numberLong\" *: *\"-?[0-9]{1,15}\" *[}]$'" -%}
    case
        when {{ regexp_like(text, "'^-?[0-9]{1,15}$'") }}
            then {{ epoch_millis_value(text) }}
        when left({{ text }}, 1) = '{' and {{ regexp_like(text, wrapped) }}
            then {{ epoch_millis_value("split_part(" ~ text ~ ", '\"', 4)") }}
        else {{ parse_iso8601_timestamp(text) }}
    end
    {%- elif type.startswith('timestamp') -%}
    {{ parse_iso8601_timestamp(text) }}
    {%- else -%}
    {{ exceptions.raise_compiler_error("json_field_value: unsupported type " ~ data_type) }}
    {%- endif -%}
{%- endmacro %}


{#- The text of a number field, unwrapped when it is an extended-JSON number: the JSON text
    of an object with exactly one key, $numberLong, $numberInt, $numberDouble or
    $numberDecimal, whose value is a string. The string is the text between the third and the
    fourth double quote (the pattern allows none inside it). Spaces around the key and the
    value are allowed (the engines write an object's text without them). -#}
{% macro extended_json_number(text) -%}
    {%- set pattern =
        "'^[{] *\"[$]number(Long|Int|Double|Decimal)\" *: *\"[^\"]*\" *[}]$'" -%}
    (case when left({{ text }}, 1) = '{' and {{ regexp_like(text, pattern) }}
        then split_part({{ text }}, '"', 4) else {{ text }} end)
{%- endmacro %}


{#- A timestamp from text that is an integer of at most 15 digits: milliseconds since
    1970-01-01 UTC, when within 0001-01-01 and 9999-12-31 23:59:59.999 (null otherwise). -#}
{% macro epoch_millis_value(text) -%}
    {%- set millis = 'cast(' ~ text ~ ' as bigint)' -%}
    case when {{ millis }} between -62135596800000 and 253402300799999
        then {{ timestamp_from_epoch_millis(millis) }} end
{%- endmacro %}
