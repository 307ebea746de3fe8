{#- JSON text columns (the DocumentDB `_doc`). The same answers on every engine: a document is
    valid when it is a JSON object (what DocumentDB stores); a field is read as text only when
    it is a scalar (a string, number or boolean), null when absent, JSON null, an object or an
    array, or when the document is invalid. Never an error. With `keep_json` (the generator
    sets it for typed fields) an object or an array is read as its JSON text instead, so that
    json_field_value can read MongoDB's extended-JSON wrappers and flag any other object. -#}

{% macro json_is_valid(json_text) -%}
    {{ return(adapter.dispatch('json_is_valid')(json_text)) }}
{%- endmacro %}

{% macro default__json_is_valid(json_text) -%}
    (try(cast(json_parse({{ json_text }}) as map(varchar, json))) is not null)
{%- endmacro %}

{#- Valid JSON whose first character after JSON's own whitespace is '{' is an object: one
    parse (the engine's validity check), where json_type would parse every document again. -#}
{% macro duckdb__json_is_valid(json_text) -%}
    coalesce(json_valid({{ json_text }}) and {{ json_text_opens_object(json_text) }}, false)
{%- endmacro %}

{% macro redshift__json_is_valid(json_text) -%}
    coalesce(is_valid_json({{ json_text }}) and {{ json_text_opens_object(json_text) }}, false)
{%- endmacro %}

{#- True when the text's first character after JSON's whitespace (space, tab, LF, CR) is '{'
    (DuckDB and Redshift both have ltrim with characters and chr). -#}
{% macro json_text_opens_object(json_text) -%}
    left(ltrim({{ json_text }}, ' ' || chr(9) || chr(10) || chr(13)), 1) = '{'
{%- endmacro %}


{#- The scalar at a path of object keys, as text (see above for when it is null). `keys` is a
    list of key names, e.g. ['occurred_at', '$date']. With `keep_json`, an object or an array
    is its JSON text (as the engine writes it: no spaces on DuckDB and Athena). -#}
{% macro json_extract_text(json_text, keys, keep_json=false) -%}
    {{ return(adapter.dispatch('json_extract_text')(json_text, keys, keep_json)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_text, keys, keep_json=false) -%}
    {%- set path -%}'${% for key in keys %}["{{ key }}"]{% endfor %}'{%- endset -%}
    {%- set parsed = 'try(json_parse(' ~ json_text ~ '))' -%}
    {%- if keep_json -%}
    coalesce(json_extract_scalar({{ parsed }}, {{ path }}),
        case when not is_json_scalar(json_extract({{ parsed }}, {{ path }}))
            then json_format(json_extract({{ parsed }}, {{ path }})) end)
    {%- else -%}
    json_extract_scalar({{ parsed }}, {{ path }})
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__json_extract_text(json_text, keys, keep_json=false) -%}
    {%- set path -%}'${% for key in keys %}."{{ key }}"{% endfor %}'{%- endset -%}
    case when json_valid({{ json_text }})
        and json_type({{ json_text }}, {{ path }}) not in ('OBJECT', 'ARRAY', 'NULL')
        then json_extract_string({{ json_text }}, {{ path }})
    {%- if keep_json %}
        when json_valid({{ json_text }})
        and json_type({{ json_text }}, {{ path }}) in ('OBJECT', 'ARRAY')
        then cast(json_extract({{ json_text }}, {{ path }}) as varchar)
    {%- endif %} end
{%- endmacro %}

{#- Redshift's json_extract_path_text gives an object or array as its JSON text: such a value
    (text that is itself a JSON object or array) is null here, unless `keep_json`. A string
    field whose content is JSON object text is therefore null on Redshift only; with
    `keep_json` it reads as that object on every engine (json_field_value sees text only). -#}
{% macro redshift__json_extract_text(json_text, keys, keep_json=false) -%}
    {%- set value -%}
    json_extract_path_text({{ json_text }}
    {%- for key in keys -%}, '{{ key }}'{%- endfor -%}, true)
    {%- endset -%}
    {%- if keep_json -%}
    {{ value }}
    {%- else -%}
    case when not coalesce(is_valid_json({{ value }}) and left({{ value }}, 1) in ('{', '['), false)
        then {{ value }} end
    {%- endif -%}
{%- endmacro %}


{#- `select *, <field> as <alias>, ... from <relation>`: several scalars of one JSON text
    column as text columns, with json_extract_text's rules. `fields` is a list of
    [alias, keys] or [alias, keys, keep_json]. DuckDB parses each document once for all
    fields; the other engines use json_extract_text per field. -#}
{% macro json_fields_select(relation, json_text, fields) -%}
    {{ return(adapter.dispatch('json_fields_select')(relation, json_text, fields)) }}
{%- endmacro %}

{% macro default__json_fields_select(relation, json_text, fields) -%}
    select
        *,
        {%- for item in fields %}
        {{ json_extract_text(json_text, item[1], item[2] if item | length > 2 else false) }}
            as {{ item[0] }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro duckdb__json_fields_select(relation, json_text, fields) -%}
    select
        * exclude (json_fields__),
        {#- each field as minified JSON text: a string starts with '"', an object '{', an
            array '[', JSON null 'n'; a number or a boolean is its own text; an object or an
            array is its JSON text when kept -#}
        {%- for item in fields %}
        {%- set field = 'json_fields__[' ~ loop.index ~ ']' %}
        {%- set keep_json = item[2] if item | length > 2 else false %}
        case
            when left({{ field }}, 1) = '"' then {{ field }} ->> '$'
            when left({{ field }}, 1) not in ({{ "'n'" if keep_json else "'{', '[', 'n'" }})
                then cast({{ field }} as varchar)
        end as {{ item[0] }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            case when json_valid({{ json_text }}) then json_extract({{ json_text }}, [
                {%- for item in fields -%}
                '$
                {%- for key in item[1] -%}."{{ key }}"{%- endfor -%}
                '{{ ', ' if not loop.last }}
                {%- endfor -%}
            ]) end as json_fields__
        from {{ relation }}
    ) as with_json_fields
{%- endmacro %}
