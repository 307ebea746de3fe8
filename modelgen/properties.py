"""The YAML of the generated silver models: descriptions once, tests where values are made.

Each column's description is written once, as a docs block (``<entity>__<column>``,
``docs_blocks``) that every model carrying the column references. Each value is tested once,
in the first table that stores it: ``slv_<entity>__latest`` (the ``__changes`` view computes
the values for every change; ``__latest`` keeps each key's latest one; the tests are in
``column_tests``). The models that only pass values on carry the tests of what they add:
the current and rejects views filter ``__latest``'s rows, so its key test covers theirs
(``meta.primary_key_tested_in``); ``__history`` has its own key tests. The current and rejects
views' ``last_change_id`` (each a latest change, placed once) is proven by bronze's
``change_log_reconciles``, and the lineage ``__rejects`` passes on (``source_file``,
``source_row``) is tested in bronze. ``__changes`` passes
bronze's rows on one for one: its key (``change_id``) and the entity key are tested in bronze
(``meta.primary_key_tested_in``), not again over the view chain; so is ``change_id`` in
``__latest`` (a subset of those rows, its own key tested there). Bronze
(``properties_bronze``) tests what landing adds (change metadata, keys). The helpers here
(docs references, column entries) serve both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelgen.column_tests import rules_test
from modelgen.spec import EntitySpec

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


def doc(name: str) -> str:
    return f"{{{{ doc('{name}') }}}}"


def column_doc(spec: EntitySpec, column: str) -> str:
    return doc(f"{spec.entity}__{column}")


def column_entry(
    name: str, description: str, tests: list[Any] | None = None, pii: bool = False
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "description": description}
    if pii:
        entry["tags"] = ["pii"]
        entry["meta"] = {"personal_data": True}
    if tests:
        entry["data_tests"] = tests
    return entry


LATEST_SCOPE = "landed_in_runs_not_proven"
"""The meta test_scope of ``__latest``'s tests: they read the rows landed by the runs no whole
build has proven yet, and a key test every row of those rows' keys
(macros/ops/proven_landing_runs.sql, docs/changes.md)."""


def with_scope(
    test: str | dict[str, Any], scope: str, keys: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A data test entry with the scope (and the keys it widens to) in its config's meta."""
    name, body = (test, {}) if isinstance(test, str) else next(iter(test.items()))
    config = dict(body.get("config", {}))
    meta = {**config.get("meta", {}), "test_scope": scope}
    if keys:
        meta["scope_keys"] = list(keys)
    config["meta"] = meta
    return {name: {**body, "config": config}}


def not_null_tests(columns: Sequence[str], scope: str | None = None) -> list[dict[str, Any]]:
    """A model's one test that these columns (in its column order) are never null
    (tests/generic/test_columns_are_not_null.sql): one node and one scan instead of a
    ``not_null`` per column; with the scope in its meta when given; none for no column."""
    if not columns:
        return []
    test = {"columns_are_not_null": {"arguments": {"columns": list(columns)}}}
    return [with_scope(test, scope) if scope else test]


def _key_model_tests(spec: EntitySpec) -> list[Any]:
    """A composite key's tests in ``__latest``: unique over every row of the keys the unproven
    runs landed, not null over the rows they landed (a single key has primary_key)."""
    if len(spec.key) == 1:
        return []
    test = {"unique_combination_of_columns": {"arguments": {"columns": list(spec.key)}}}
    return [with_scope(test, LATEST_SCOPE, spec.key), *not_null_tests(spec.key, LATEST_SCOPE)]


def _key_columns(spec: EntitySpec, unique: bool = True) -> list[dict[str, Any]]:
    """The key columns: in ``__latest`` (unique) a single key's primary_key, scoped to the new
    rows and the rows of their keys (a composite key is tested by the model's tests,
    ``_key_model_tests``); in ``__history`` the model's not-null test lists them."""
    tests: list[Any] | None = None
    if unique and len(spec.key) == 1:
        tests = [with_scope("primary_key", LATEST_SCOPE, spec.key)]
    columns = {c.name: c for c in spec.columns}
    return [column_entry(k, column_doc(spec, k), tests, columns[k].pii) for k in spec.key]


def passes_key_on(spec: EntitySpec, column: str) -> bool:
    """True when ``slv_<entity>__changes`` passes a key column on from bronze unchanged (no
    standardisation, no check that nulls or replaces it): bronze's not_null on it holds here
    too, row for row, so it is not tested again (``_changes_key_tests`` lists the others)."""
    silver = {c.name: c for c in spec.columns}[column]
    return not silver.rules.standardise and not any(
        check.changes_value for check in silver.rules.checks
    )


def _changes_key_columns(spec: EntitySpec) -> list[dict[str, Any]]:
    columns = {c.name: c for c in spec.columns}
    return [column_entry(k, column_doc(spec, k), None, columns[k].pii) for k in spec.key]


def _changes_key_tests(spec: EntitySpec) -> list[dict[str, Any]]:
    """Not null on the key columns ``__changes`` computes (standardised or checked); the ones
    it passes on from bronze unchanged are tested there."""
    return not_null_tests([k for k in spec.key if not passes_key_on(spec, k)])


def _attributes(spec: EntitySpec) -> list[dict[str, Any]]:
    return [
        column_entry(c.name, column_doc(spec, c.name), None, c.pii)
        for c in spec.columns
        if c.name not in spec.key
    ]


def _codes_column(name: str) -> dict[str, Any]:
    return column_entry(name, doc(f"col_{name}"))


def model_meta(spec: EntitySpec, role: str) -> dict[str, Any]:
    return {"meta": {"generated_from": spec.origin, "role": role}}


def _passes_latest_on(spec: EntitySpec, role: str) -> dict[str, Any]:
    """The current and rejects views filter ``__latest``'s rows: at most one per key, the key
    passed on unchanged, so ``__latest``'s key test covers them (not re-run over the view)."""
    meta = model_meta(spec, role)
    meta["meta"]["primary_key_tested_in"] = spec.model("latest")
    return meta


def _key_columns_passed_on(spec: EntitySpec) -> list[dict[str, Any]]:
    columns = {c.name: c for c in spec.columns}
    return [column_entry(k, column_doc(spec, k), None, columns[k].pii) for k in spec.key]


def silver_models(spec: EntitySpec, skipped: set[str]) -> list[dict[str, Any]]:
    """The property entries of the entity's silver models (minus hand-written ones)."""
    table = spec.contract.qualified_name
    metadata_columns = [
        column_entry(name, doc(name)) for name in CHANGE_METADATA if name != "landing_run_id"
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
                    # one row per bronze row, change_id passed on: its key test is bronze's
                    "primary_key_tested_in": spec.staging,
                }
            },
            "data_tests": _changes_key_tests(spec),
            "columns": [
                *_changes_key_columns(spec),
                *_attributes(spec),
                _codes_column("quality_issues"),
                _codes_column("reject_reasons"),
                column_entry("is_deleted", doc("col_is_deleted")),
                column_entry("change_id", doc("change_id")),
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
            "config": model_meta(spec, "latest"),
            "data_tests": [*_key_model_tests(spec), with_scope(rules_test(spec), LATEST_SCOPE)],
            "columns": [
                *_key_columns(spec),
                *_attributes(spec),
                _codes_column("quality_issues"),
                _codes_column("reject_reasons"),
                column_entry("is_deleted", doc("col_is_deleted")),
                column_entry("change_id", doc("change_id")),
                *metadata_columns,
            ],
        },
        {
            "name": spec.model(),
            "description": (
                f"The current state of {table}: every {key_list} that exists in the source "
                "and was not rejected, one row each, with its quality flags (a view)."
            ),
            "config": _passes_latest_on(spec, "current"),
            "columns": [
                *_key_columns_passed_on(spec),
                *_attributes(spec),
                _codes_column("quality_issues"),
                column_entry("last_change_id", doc("col_last_change_id")),
            ],
        },
        {
            "name": spec.model("rejects"),
            "description": (
                f"The {key_list} of {table} that exist in the source but whose latest change "
                "cannot be used, with every reason (a view); the record is in bronze at "
                "source_file, source_row."
            ),
            "config": _passes_latest_on(spec, "rejects"),
            "data_tests": not_null_tests(["reject_reason"]),
            "columns": [
                *_key_columns_passed_on(spec),
                column_entry(
                    "reject_reason",
                    doc("col_reject_reason"),
                    [
                        {
                            "relationships": {
                                "arguments": {"to": "ref('quality_codes')", "field": "code"}
                            }
                        },
                    ],
                ),
                _codes_column("reject_reasons"),
                column_entry("last_change_id", doc("col_last_change_id")),
                column_entry("last_changed_at", doc("col_last_changed_at")),
                column_entry("source_file", doc("source_file")),
                column_entry("source_row", doc("source_row")),
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
                "config": model_meta(spec, "history"),
                "data_tests": [
                    {"versions_do_not_overlap": {"arguments": {"key_columns": list(spec.key)}}},
                    *not_null_tests(
                        [
                            *spec.key,
                            "version_number",
                            "valid_from",
                            "valid_to",
                            "is_current",
                            "last_landed_at",
                        ]
                    ),
                ],
                "columns": [
                    column_entry("version_key", doc("col_version_key"), ["primary_key"]),
                    *_key_columns(spec, unique=False),
                    column_entry("version_number", doc("col_version_number")),
                    column_entry("valid_from", doc("col_valid_from")),
                    column_entry("valid_to", doc("col_valid_to")),
                    column_entry("is_current", doc("col_is_current")),
                    *_attributes(spec),
                    _codes_column("quality_issues"),
                    _codes_column("reject_reasons"),
                    column_entry("change_id", doc("col_version_change_id"), ["primary_key"]),
                    column_entry("change_committed_at", doc("change_committed_at")),
                    column_entry("last_landed_at", doc("col_last_landed_at")),
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
            {"unique_combination_of_columns": {"arguments": {"columns": ["entity", "code"]}}},
            *not_null_tests(["entity", "code", "column_name"]),
        ],
        "columns": [
            column_entry("entity", "The entity (slv_<entity>) the rule belongs to."),
            column_entry("code", "The flag or reject code."),
            column_entry("column_name", "The column the rule checks."),
            column_entry(
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
            column_entry(
                "current_rows",
                "How many current source rows carry the code (rejected rows for reject codes).",
                [{"accepted_range": {"arguments": {"min_value": 0}}}],
            ),
        ],
    }
