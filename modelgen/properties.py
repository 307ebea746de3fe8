"""The YAML and docs of the generated models: descriptions once, tests where values are made.

Each column's description is written once, as a docs block (``<entity>__<column>``) that
every model carrying the column references. Each value is tested once, in the first table
that stores it: ``slv_<entity>__latest`` (the ``__changes`` view computes the values for
every change; ``__latest`` keeps each key's latest one). The models that only pass values on
(``__changes``, the current view, ``__rejects``, ``__history``) carry their key tests and
the tests of what they add. Bronze tests what landing adds (change metadata, keys).
"""

from __future__ import annotations

from typing import Any

from modelgen.rules import Check
from modelgen.spec import EntitySpec, SilverColumn
from modelgen.sql import literal

CHANGE_METADATA = (
    "change_op",
    "change_committed_at",
    "change_seq",
    "source_file",
    "source_file_order",
    "source_row",
    "landing_run_id",
    "landed_at",
    "load_generation",
)
METADATA_TESTS: dict[str, list[Any]] = {
    "change_op": ["not_null", {"accepted_values": {"arguments": {"values": ["I", "U", "D"]}}}],
    "change_committed_at": [
        {
            "accepted_range": {
                "arguments": {
                    "min_value": "cast('1900-01-01' as date)",
                    "max_value": "cast('2100-12-31' as date)",
                }
            }
        }
    ],
    "change_seq": [{"matches_pattern": {"arguments": {"pattern": "^[0-9]+$"}}}],
    "source_file": ["not_null"],
    "source_file_order": ["not_null"],
    "source_row": ["not_null", {"accepted_range": {"arguments": {"min_value": 1}}}],
    "landing_run_id": ["not_null"],
    "landed_at": ["not_null"],
    "load_generation": ["not_null", {"accepted_range": {"arguments": {"min_value": 1}}}],
}


def doc(name: str) -> str:
    return f"{{{{ doc('{name}') }}}}"


def column_doc(spec: EntitySpec, column: str) -> str:
    return doc(f"{spec.entity}__{column}")


def _column(
    name: str, description: str, tests: list[Any] | None = None, pii: bool = False
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "description": description}
    if pii:
        entry["tags"] = ["pii"]
        entry["meta"] = {"personal_data": True}
    if tests:
        entry["data_tests"] = tests
    return entry


def _codes_pattern(codes: list[str]) -> str:
    alternatives = "|".join(codes)
    return f"^({alternatives})(,({alternatives}))*$"


def _sql_value(value: Any, column: SilverColumn) -> Any:
    return (
        value
        if isinstance(value, int | float) and not isinstance(value, bool)
        else literal(value, column)
    )


def standardisation_test(column: SilverColumn) -> Any:
    steps = column.rules.standardise
    if not steps:
        return None
    arguments: dict[str, Any] = {}
    if "lower" in steps:
        arguments["case"] = "lower"
    if "upper" in steps:
        arguments["case"] = "upper"
    if "trim" not in steps:
        arguments["trimmed"] = False
    if "nullif_blank" not in steps:
        arguments["allow_blank"] = True
    return {"is_standardised": {"arguments": arguments}} if arguments else "is_standardised"


def check_test(column: SilverColumn, check: Check) -> Any:
    """The data test proving a check was applied to the stored values: the code is listed
    exactly when the check fails (flag, reject), or the value was nulled or replaced."""
    if check.kind in ("parses", "json"):
        return None  # the text that did not parse is not stored in silver (bronze has it)
    arguments: dict[str, Any] = {"code": check.code, "check": check.kind, "action": check.action}
    if check.kind == "accepted_values":
        arguments["values"] = list(check.values)
        if not column.type.is_text:
            arguments["quote"] = False
    elif check.kind == "pattern":
        arguments["pattern"] = check.pattern
    elif check.kind == "range":
        assert check.range is not None
        if check.range.min is not None:
            arguments["min_value"] = _sql_value(check.range.min, column)
        if check.range.max is not None:
            arguments["max_value"] = _sql_value(check.range.max, column)
        if not check.range.inclusive:
            arguments["inclusive"] = False
    elif check.kind == "reference":
        assert check.reference is not None
        arguments["to"] = f"ref('{check.reference.seed}')"
        arguments["field"] = check.reference.column
    if check.action == "unknown":
        assert check.unknown is not None
        arguments["unknown"] = _sql_value(check.unknown, column)
    return {"rule_is_applied": {"arguments": arguments}}


def value_tests(spec: EntitySpec, column: SilverColumn) -> list[Any]:
    if column.name in spec.key:
        return [] if len(spec.key) > 1 else ["unique", "not_null"]
    tests = [standardisation_test(column)] + [check_test(column, c) for c in column.rules.checks]
    unique: list[Any] = []
    for test in tests:
        if test is not None and test not in unique:
            unique.append(test)
    return unique


def _key_model_tests(spec: EntitySpec) -> list[Any]:
    if len(spec.key) == 1:
        return []
    return [{"unique_combination_of_columns": {"arguments": {"columns": list(spec.key)}}}]


def _key_columns(spec: EntitySpec, unique: bool = True) -> list[dict[str, Any]]:
    tests = ["unique", "not_null"] if unique and len(spec.key) == 1 else ["not_null"]
    columns = {c.name: c for c in spec.columns}
    return [_column(k, column_doc(spec, k), tests, columns[k].pii) for k in spec.key]


def _attributes(spec: EntitySpec, tested: bool) -> list[dict[str, Any]]:
    return [
        _column(c.name, column_doc(spec, c.name), value_tests(spec, c) if tested else None, c.pii)
        for c in spec.columns
        if c.name not in spec.key
    ]


def _codes_column(spec: EntitySpec, name: str, reject: bool, tested: bool) -> dict[str, Any]:
    codes = [c.code for _, c in spec.checks if (c.action == "reject") == reject]
    tests = (
        [{"matches_pattern": {"arguments": {"pattern": _codes_pattern(codes)}}}]
        if tested and codes
        else None
    )
    return _column(name, doc(f"col_{name}"), tests)


def _meta(spec: EntitySpec, role: str) -> dict[str, Any]:
    return {"meta": {"generated_from": spec.origin, "role": role}}


def sources(schema: str, specs: list[EntitySpec]) -> dict[str, Any]:
    """The raw-zone source of one schema: DuckDB reads the Parquet files in place; Athena the
    Glue tables landing registers, their ``__epoch_us`` twins (timestamps as epoch
    microseconds: Athena reads a Glue timestamp at millisecond precision); Redshift the plain
    tables through the Spectrum schema over them (default ``raw_zone``: RAW is reserved)."""
    return {
        "version": 2,
        "sources": [
            {
                "name": schema,
                "schema": (
                    "{{ env_var('GLUE_DATABASE', 'raw') if target.type == 'athena'\n"
                    "else env_var('REDSHIFT_SPECTRUM_SCHEMA', 'raw_zone')"
                    " if target.type == 'redshift'\n"
                    f"else '{schema}' }}}}"
                ),
                "description": (
                    f"Source schema `{schema}` as AWS DMS replicated it and `dmsw land` landed it "
                    f"in the raw zone (contracts/{schema}/): one row per DMS change record."
                ),
                "config": {
                    "external_location": (
                        "read_parquet('{{ env_var('LAKE_DIR', 'data/lake') }}"
                        f"/raw/{schema}/{{name}}/*.parquet', union_by_name = true)"
                    ),
                    **source_freshness(),
                },
                "tables": [
                    {
                        "name": spec.table,
                        "identifier": (
                            f"{{{{ '{schema}__{spec.table}' ~ ('__epoch_us' if target.type =="
                            " 'athena' else '') if target.type != 'duckdb'"
                            f" else '{spec.table}' }}}}"
                        ),
                        "description": spec.contract.description
                        or f"Change records of {spec.contract.qualified_name}.",
                        **table_freshness(spec),
                    }
                    for spec in specs
                ],
            }
        ],
    }


def _loaded_at(column: str) -> str:
    """A raw-zone timestamp column as dbt's freshness reads it: Athena reads the raw tables
    with timestamps as epoch microseconds (the __epoch_us Glue tables), converted as the
    cast_timestamp macro does (macros are not available where dbt renders sources)."""
    return (
        "{{ 'cast(from_unixtime_nanos(cast(' ~ " + column + " ~ ' as decimal(38, 0)) * 1000)"
        " as timestamp(6))' if target.type == 'athena' else " + column + " }}"
    )


COMMIT_TIME = _loaded_at(
    "('_landed_at' if var('freshness_from', 'commit') == 'landing' else '_dms_commit_ts')"
)
LANDING_TIME = _loaded_at("'_landed_at'")
DEFAULT_FRESHNESS = {
    "warn_after": {"count": "{{ var('freshness_warn_after_hours', 24) }}", "period": "hour"},
    "error_after": {"count": "{{ var('freshness_error_after_hours', 72) }}", "period": "hour"},
}


def source_freshness() -> dict[str, Any]:
    """A schema's ``dbt source freshness`` defaults: the newest DMS commit time (the replication
    lag; with the dbt var ``freshness_from: landing``, the newest landing time: the demo's
    commits are old by construction), thresholds from the vars ``freshness_*_after_hours``."""
    return {"loaded_at_field": COMMIT_TIME, "freshness": DEFAULT_FRESHNESS}


def table_freshness(spec: EntitySpec) -> dict[str, Any]:
    """What a table changes of its schema's freshness: landing time when its files carry no
    commit time, the contract's thresholds, or no check at all (``freshness: false``)."""
    limits = spec.contract.freshness
    config: dict[str, Any] = {}
    if not spec.contract.settings.timestamp_column_name:
        config["loaded_at_field"] = LANDING_TIME
    if not limits.checked:
        config["freshness"] = None
    elif limits.warn_after_hours is not None and limits.error_after_hours is not None:
        config["freshness"] = {
            "warn_after": {"count": limits.warn_after_hours, "period": "hour"},
            "error_after": {"count": limits.error_after_hours, "period": "hour"},
        }
    return {"config": config} if config else {}


def bronze_model(spec: EntitySpec) -> dict[str, Any]:
    columns: list[dict[str, Any]] = [_column("change_id", doc("change_id"), ["unique", "not_null"])]
    documents = {d.source: d for d in spec.documents}
    by_source = {c.source: c for c in spec.landed}
    for contract_column in spec.contract.columns:
        document = documents.get(contract_column.name)
        if document is None:
            column = by_source[contract_column.name]
            tests = ["not_null"] if column.name in spec.key else None
            columns.append(_column(column.name, column_doc(spec, column.name), tests, column.pii))
            continue
        columns.append(_column(document.name, column_doc(spec, document.name), None, document.pii))
        columns.append(
            _column(document.valid_column, column_doc(spec, document.valid_column), ["not_null"])
        )
        for item in document.fields:
            columns.append(_column(item.name, column_doc(spec, item.name), None, item.pii))
            if item.text_column:
                columns.append(
                    _column(item.text_column, column_doc(spec, item.text_column), None, item.pii)
                )
    for name in CHANGE_METADATA:
        columns.append(_column(name, doc(name), METADATA_TESTS.get(name)))
    reconcile = {
        "change_log_reconciles": {
            "arguments": {
                "key_columns": list(spec.key),
                "latest_model": f"ref('{spec.model('latest')}')",
                "current_model": f"ref('{spec.model()}')",
                "rejects_model": f"ref('{spec.model('rejects')}')",
            }
        }
    }
    return {
        "name": spec.staging,
        "description": (
            f"Change records of {spec.contract.qualified_name}, one row per DMS record (full load "
            "and CDC), typed by the landing contract, with the change metadata silver orders by."
            + (
                " JSON documents are parsed into columns here (missing fields are null)."
                if spec.documents
                else ""
            )
        ),
        "config": _meta(spec, "staging"),
        "data_tests": [reconcile],
        "columns": columns,
    }


def silver_models(spec: EntitySpec, skipped: set[str]) -> list[dict[str, Any]]:
    """The property entries of the entity's silver models (minus hand-written ones)."""
    table = spec.contract.qualified_name
    metadata_columns = [
        _column(name, doc(name)) for name in CHANGE_METADATA if name != "landing_run_id"
    ]
    key_list = ", ".join(spec.key)
    models: list[dict[str, Any]] = [
        {
            "name": spec.model("changes"),
            "description": (
                f"Every change record of {table}, standardised and checked by the rules of "
                f"{spec.origin} (a view): values cleaned, quality_issues flagged, reject_reasons "
                f"for records that cannot be used. {spec.model('latest')} and "
                + (
                    f"{spec.model('history')} read from here."
                    if spec.history
                    else "nothing else read from here."
                )
            ),
            "config": {
                "meta": {
                    "generated_from": spec.origin,
                    "role": "changes",
                    # the values computed here are tested where they are stored
                    "tested_in": spec.model("latest"),
                }
            },
            "columns": [
                *_key_columns(spec, unique=False),
                *_attributes(spec, tested=False),
                _codes_column(spec, "quality_issues", False, False),
                _codes_column(spec, "reject_reasons", True, False),
                _column("is_deleted", doc("col_is_deleted")),
                _column("change_id", doc("change_id"), ["unique", "not_null"]),
                *metadata_columns,
            ],
        },
        {
            "name": spec.model("latest"),
            "description": (
                f"Each {key_list} of {table} with its latest change (deletes included, "
                "is_deleted), rejected ones included (reject_reasons). Incremental (rows replaced "
                "by key): a run reads only the changes landed since the last run. The values of "
                f"{spec.model('changes')} are tested here, where they are first stored."
            ),
            "config": _meta(spec, "latest"),
            "data_tests": _key_model_tests(spec),
            "columns": [
                *_key_columns(spec),
                *_attributes(spec, tested=True),
                _codes_column(spec, "quality_issues", False, True),
                _codes_column(spec, "reject_reasons", True, True),
                _column("is_deleted", doc("col_is_deleted"), ["not_null"]),
                _column("change_id", doc("change_id"), ["unique", "not_null"]),
                *metadata_columns,
            ],
        },
        {
            "name": spec.model(),
            "description": (
                f"The current state of {table}: every {key_list} that exists in the source "
                "and was not rejected, one row each, with its quality flags (a view)."
            ),
            "config": _meta(spec, "current"),
            "data_tests": _key_model_tests(spec),
            "columns": [
                *_key_columns(spec),
                *_attributes(spec, tested=False),
                _codes_column(spec, "quality_issues", False, False),
                _column("last_change_id", doc("col_last_change_id"), ["unique", "not_null"]),
            ],
        },
        {
            "name": spec.model("rejects"),
            "description": (
                f"The {key_list} of {table} that exist in the source but whose latest change "
                "cannot be used, with every reason (a view); the record is in bronze at "
                "source_file, source_row."
            ),
            "config": _meta(spec, "rejects"),
            "data_tests": _key_model_tests(spec),
            "columns": [
                *_key_columns(spec),
                _column(
                    "reject_reason",
                    doc("col_reject_reason"),
                    [
                        "not_null",
                        {
                            "relationships": {
                                "arguments": {"to": "ref('quality_codes')", "field": "code"}
                            }
                        },
                    ],
                ),
                _codes_column(spec, "reject_reasons", True, False),
                _column("last_change_id", doc("col_last_change_id"), ["unique", "not_null"]),
                _column("last_changed_at", doc("col_last_changed_at")),
                _column("source_file", doc("source_file"), ["not_null"]),
                _column("source_row", doc("source_row"), ["not_null"]),
            ],
        },
    ]
    if spec.history:
        models.append(
            {
                "name": spec.model("history"),
                "description": (
                    f"Every version of every {key_list} of {table} (type 2), from the full change "
                    "log. Incremental: a run recomputes the history of keys with changes landed "
                    "since the last run. {{ doc('scd2_choice') }}"
                ),
                "config": _meta(spec, "history"),
                "data_tests": [
                    {"versions_do_not_overlap": {"arguments": {"key_columns": list(spec.key)}}}
                ],
                "columns": [
                    _column("version_key", doc("col_version_key"), ["unique", "not_null"]),
                    *_key_columns(spec, unique=False),
                    _column("version_number", doc("col_version_number"), ["not_null"]),
                    _column("valid_from", doc("col_valid_from"), ["not_null"]),
                    _column("valid_to", doc("col_valid_to"), ["not_null"]),
                    _column("is_current", doc("col_is_current"), ["not_null"]),
                    *_attributes(spec, tested=False),
                    _codes_column(spec, "quality_issues", False, False),
                    _codes_column(spec, "reject_reasons", True, False),
                    _column("change_id", doc("col_version_change_id"), ["unique", "not_null"]),
                    _column("change_committed_at", doc("change_committed_at")),
                    _column("last_landed_at", doc("col_last_landed_at"), ["not_null"]),
                ],
            }
        )
    for model in models:
        if model.get("data_tests") == []:
            del model["data_tests"]
    return [m for m in models if m["name"] not in skipped]


def data_quality_model(origin: str) -> dict[str, Any]:
    return {
        "name": "slv_data_quality",
        "description": (
            "The quality rules of every contract (the quality_codes seed) with the number of "
            "current source rows each applies to: flags on current rows (quality_issues) and "
            "rejects (reject_reasons). A view: counted when read. {{ doc('silver_layer') }}"
        ),
        "config": {"meta": {"generated_from": origin, "role": "quality"}},
        "data_tests": [
            {"unique_combination_of_columns": {"arguments": {"columns": ["entity", "code"]}}}
        ],
        "columns": [
            _column("entity", "The entity (slv_<entity>) the rule belongs to.", ["not_null"]),
            _column("code", "The flag or reject code.", ["not_null"]),
            _column("column_name", "The column the rule checks.", ["not_null"]),
            _column(
                "consequence",
                "flag, nullify, unknown (the value is kept, nulled or replaced; the row is "
                "flagged) or reject.",
                [
                    {
                        "accepted_values": {
                            "arguments": {"values": ["flag", "nullify", "unknown", "reject"]}
                        }
                    }
                ],
            ),
            _column(
                "current_rows",
                "How many current source rows carry the code (rejected rows for reject codes).",
                [{"accepted_range": {"arguments": {"min_value": 0}}}],
            ),
        ],
    }


def _rules_text(column: SilverColumn) -> str:
    parts = []
    if column.rules.standardise:
        parts.append("standardised in silver: " + ", ".join(column.rules.standardise))
    for check in column.rules.checks:
        parts.append(f"`{check.code}`: {check.explain(column.name)}")
    if not parts:
        return ""
    text = "; ".join(parts) + "."
    if any(mark in text for mark in ("{{", "{%", "{#")):
        text = "{% raw %}" + text + "{% endraw %}"
    return "\n\n" + text[0].upper() + text[1:]


def docs(spec: EntitySpec) -> str:
    """The docs blocks of the entity's columns (one per column, used by every model)."""
    blocks: list[tuple[str, str]] = []
    columns = {c.name: c for c in spec.columns}
    for column in spec.landed:
        blocks.append((column.name, column.description + _rules_text(column)))
    for document in spec.documents:
        blocks.append(
            (document.name, document.description + " Kept in bronze; its fields are columns.")
        )
        blocks.append(
            (
                document.valid_column,
                f"Whether {document.name} parses as JSON. `{document.invalid.code}`: "
                + document.invalid.explain(document.name)
                + ".",
            )
        )
        for item in document.fields:
            blocks.append((item.name, item.description + _rules_text(columns[item.name])))
            if item.text_column:
                blocks.append(
                    (
                        item.text_column,
                        f"`{'.'.join(item.path)}` as written in the document (text).",
                    )
                )
    out = [f"<!-- Generated by `dmsw models generate` from {spec.origin}: edit the contract. -->\n"]
    for name, text in blocks:
        out.append(f"{{% docs {spec.entity}__{name} %}}\n{text.strip()}\n{{% enddocs %}}\n")
    return "\n".join(out)
