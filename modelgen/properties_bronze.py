"""The YAML of the generated bronze layer: each schema's raw-zone source (per engine, with its
freshness) and each table's ``stg_<schema>__<table>`` model, which tests what landing adds
(the change metadata, the keys) and reconciles the change log with silver."""

from __future__ import annotations

from typing import Any

from modelgen.properties import (
    CHANGE_METADATA,
    column_doc,
    column_entry,
    doc,
    model_meta,
    not_null_tests,
    with_scope,
)
from modelgen.spec import EntitySpec

SCOPE = "landing_runs_not_proven"
"""The meta test_scope of every test of a staging model: it reads only the landing runs no
whole build has proven yet (macros/ops/proven_landing_runs.sql, docs/changes.md)."""


def scoped(test: str | dict[str, Any]) -> dict[str, Any]:
    """A data test entry with the scope in its config's meta."""
    return with_scope(test, SCOPE)


def change_metadata_test() -> dict[str, Any]:
    """The one data test of a staging model's change metadata and lineage columns
    (tests/generic/test_change_metadata_is_valid.sql): every rule of those columns in one scan
    (change_op not null and I, U or D; commit time in range; change_seq digits; file, file
    order, row, landing run, landing time and load generation present; row and generation
    from 1). Its meta lists the columns it tests, for scripts/column_test_coverage.py."""
    return scoped(
        {
            "change_metadata_is_valid": {
                "config": {"meta": {"tested_columns": list(CHANGE_METADATA)}}
            }
        }
    )


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
    columns: list[dict[str, Any]] = [
        column_entry("change_id", doc("change_id"), [scoped("primary_key")])
    ]
    documents = {d.source: d for d in spec.documents}
    by_source = {c.source: c for c in spec.landed}
    key_columns: list[str] = []
    for contract_column in spec.contract.columns:
        document = documents.get(contract_column.name)
        if document is None:
            column = by_source[contract_column.name]
            if column.name in spec.key:
                key_columns.append(column.name)
            columns.append(
                column_entry(column.name, column_doc(spec, column.name), None, column.pii)
            )
            continue
        columns.append(
            column_entry(document.name, column_doc(spec, document.name), None, document.pii)
        )
        # never null by construction (json_is_valid: false for what does not parse): untested
        columns.append(column_entry(document.valid_column, column_doc(spec, document.valid_column)))
        for item in document.fields:
            columns.append(column_entry(item.name, column_doc(spec, item.name), None, item.pii))
            if item.text_column:
                columns.append(
                    column_entry(
                        item.text_column, column_doc(spec, item.text_column), None, item.pii
                    )
                )
    for name in CHANGE_METADATA:
        columns.append(column_entry(name, doc(name)))
    reconcile = scoped(
        {
            "change_log_reconciles": {
                "arguments": {
                    "key_columns": list(spec.key),
                    "latest_model": f"ref('{spec.model('latest')}')",
                    "current_model": f"ref('{spec.model()}')",
                    "rejects_model": f"ref('{spec.model('rejects')}')",
                },
                # each silver row's last_change_id is a latest change, placed once: the
                # current and rejects views' last_change_id are tested here, not again there
                "config": {
                    "meta": {
                        "tested_columns": [
                            f"{spec.model()}.last_change_id",
                            f"{spec.model('rejects')}.last_change_id",
                        ]
                    }
                },
            }
        }
    )
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
        "config": model_meta(spec, "staging"),
        # the key columns not null, in one scan (change_id has primary_key)
        "data_tests": [change_metadata_test(), *not_null_tests(key_columns, SCOPE), reconcile],
        "columns": columns,
    }
