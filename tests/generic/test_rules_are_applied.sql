{#- Proves, in one pass over a generated slv_<entity>__latest (where silver's values are first
    stored; docs/contracts.md), that the contract's rules were applied: what one
    is_standardised test per standardised column, one rule check per rule, a codes pattern on
    quality_issues and reject_reasons and not_null on is_deleted would prove, in one scan.
    Fails for each row that breaks a rule, naming in `problem` the first rule it breaks, in
    this order: each entry of `columns` in turn (its standardisation, then its rules in order),
    then quality_issues, reject_reasons, is_deleted.

    columns: a list of {name, standardised, rules}.
      standardised (optional): true, or {case: lower|upper, allow_blank, trimmed}. Every
        non-null value, deletes included, is trimmed (unless trimmed: false), not blank
        (unless allow_blank: true) and, with case, in that case.
      rules (optional): a list of {code, check, action, ...}. For each row that is not a
        delete, with `code` listed in quality_issues (reject_reasons for action reject):
          flag, reject  the code is listed exactly when the value fails the check;
          nullify       a listed row has a null value, an unlisted one passes the check;
          unknown       a listed row has the `unknown` value (a SQL literal), an unlisted one
                        passes the check.
        The check: not_null; accepted_values (values; quote: false for numbers); pattern;
        range (min_value, max_value as SQL, inclusive: true by default); reference (to, field:
        the value is among field's values in to). A null value passes every check but
        not_null.
    quality_issues, reject_reasons (optional): the contract's flag and reject codes; each
      non-null value is a comma-separated list of them.
    is_deleted is never null.

    The columns it checks are listed in the test's meta (tested_columns), which
    scripts/column_test_coverage.py counts as tested. -#}
{% test rules_are_applied(model, columns=[], quality_issues=[], reject_reasons=[]) %}
{%- set references = [] -%}
{%- set problems = [] -%}
{%- for column in columns -%}
    {%- set name = column['name'] -%}
    {%- set standardised = column.get('standardised') -%}
    {%- if standardised -%}
        {%- set options = standardised if standardised is mapping else {} -%}
        {%- set value = 'checked.' ~ name -%}
        {%- if options.get('trimmed', true) -%}
            {%- do problems.append((value ~ ' is not null and ' ~ value ~ ' != trim(' ~ value ~ ')', name ~ ' is not trimmed')) -%}
        {%- endif -%}
        {%- if not options.get('allow_blank', false) -%}
            {%- do problems.append((value ~ ' is not null and trim(' ~ value ~ ") = ''", name ~ ' is blank')) -%}
        {%- endif -%}
        {%- if options.get('case') in ('lower', 'upper') -%}
            {%- do problems.append((value ~ ' is not null and ' ~ value ~ ' != ' ~ options['case'] ~ '(' ~ value ~ ')', name ~ ' is not ' ~ options['case'] ~ ' case')) -%}
        {%- elif options.get('case') is not none -%}
            {{ exceptions.raise_compiler_error("rules_are_applied: unknown case " ~ options['case']) }}
        {%- endif -%}
    {%- endif -%}
    {%- for rule in column.get('rules') or [] -%}
        {%- set code = rule['code'] -%}
        {%- set check = rule['check'] -%}
        {%- set action = rule['action'] -%}
        {%- set codes = 'reject_reasons' if action == 'reject' else 'quality_issues' -%}
        {%- set listed -%}
            coalesce({{ dbt.position("'," ~ code ~ ",'", "',' || checked." ~ codes ~ " || ','") }} > 0, false)
        {%- endset -%}
        {%- set listed = modules.re.sub('\\s+', ' ', listed) -%}
        {%- set fails -%}
            {%- if check == 'not_null' -%}
            checked.{{ name }} is null
            {%- elif check == 'accepted_values' -%}
            checked.{{ name }} not in (
                {%- for value in rule['values'] -%}
                {% if rule.get('quote', true) %}'{{ value | replace("'", "''") }}'{% else %}{{ value }}{% endif %}{{ ', ' if not loop.last }}
                {%- endfor -%}
            )
            {%- elif check == 'pattern' -%}
            not {{ regexp_like('checked.' ~ name, "'" ~ rule['pattern'] | replace("'", "''") ~ "'") }}
            {%- elif check == 'range' -%}
            {%- set min_value = rule.get('min_value') -%}
            {%- set max_value = rule.get('max_value') -%}
            {%- set inclusive = rule.get('inclusive', true) -%}
            (
                {%- if min_value is not none %} checked.{{ name }} {{ '<' if inclusive else '<=' }} {{ min_value }}{% endif %}
                {%- if min_value is not none and max_value is not none %} or{% endif %}
                {%- if max_value is not none %} checked.{{ name }} {{ '>' if inclusive else '>=' }} {{ max_value }}{% endif %}
            )
            {%- elif check == 'reference' -%}
            {%- do references.append((name, rule['to'], rule['field'])) -%}
            checked.{{ name }} is not null and referenced_{{ references | length }}.referenced_value is null
            {%- else -%}
            {{ exceptions.raise_compiler_error("rules_are_applied: unknown check " ~ check) }}
            {%- endif -%}
        {%- endset -%}
        {%- if action in ('flag', 'reject', 'nullify', 'unknown') -%}
            {%- do problems.append(('not checked.is_deleted and not ' ~ listed ~ ' and coalesce(' ~ fails ~ ', false)', name ~ ' fails ' ~ check ~ ' but ' ~ code ~ ' is not in ' ~ codes)) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("rules_are_applied: unknown action " ~ action) }}
        {%- endif -%}
        {%- if action in ('flag', 'reject') -%}
            {%- do problems.append(('not checked.is_deleted and ' ~ listed ~ ' and not coalesce(' ~ fails ~ ', false)', code ~ ' is in ' ~ codes ~ ' but ' ~ name ~ ' passes ' ~ check)) -%}
        {%- elif action == 'nullify' -%}
            {%- do problems.append(('not checked.is_deleted and ' ~ listed ~ ' and checked.' ~ name ~ ' is not null', code ~ ' is in ' ~ codes ~ ' but ' ~ name ~ ' is not null')) -%}
        {%- else -%}
            {%- do problems.append(('not checked.is_deleted and ' ~ listed ~ ' and not coalesce(checked.' ~ name ~ ' = ' ~ rule['unknown'] ~ ', false)', code ~ ' is in ' ~ codes ~ ' but ' ~ name ~ ' is not the unknown value')) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endfor -%}
{%- for codes, kind in [('quality_issues', quality_issues), ('reject_reasons', reject_reasons)] -%}
    {%- if kind -%}
        {%- set alternatives = kind | join('|') -%}
        {%- set pattern = "'^(" ~ alternatives ~ ")(,(" ~ alternatives ~ "))*$'" -%}
        {%- do problems.append(('checked.' ~ codes ~ ' is not null and not ' ~ regexp_like('checked.' ~ codes, pattern), codes ~ ' is not a comma-separated list of the contract codes')) -%}
    {%- endif -%}
{%- endfor -%}
{%- do problems.append(('checked.is_deleted is null', 'is_deleted is null')) -%}

{#- the model may be a subquery with its own alias (a scoped test, a `where` config) -#}
with checked as (

    select * from {{ model }}

),

checked_rows as (

    select
        checked.change_id,
        checked.source_file,
        checked.source_row,
        case
            {%- for condition, problem in problems %}
            when {{ condition }}
                then '{{ problem | replace("'", "''") }}'
            {%- endfor %}
        end as problem
    from checked
    {%- for name, to, field in references %}
    left join (select distinct {{ field }} as referenced_value from {{ to }}) as referenced_{{ loop.index }}
        on referenced_{{ loop.index }}.referenced_value = checked.{{ name }}
    {%- endfor %}

)

select change_id, source_file, source_row, problem
from checked_rows
where problem is not null
{% endtest %}
