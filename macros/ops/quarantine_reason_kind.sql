{#- A quarantine reason with the values it quotes blanked and the place a whole file was kept
    left out, so that reasons group: "amount: '12.7' does not fit bigint: ..." becomes
    "amount: '...' does not fit bigint: ...". -#}
{% macro quarantine_reason_kind(reason) -%}
    {{ regexp_replace_all(
        regexp_replace_all(reason, "'; kept at .*$'", "''"),
        "'''[^'']*'''",
        "'''...'''"
    ) }}
{%- endmacro %}
