"""The data test of a table's contract rules, written where its values are stored
(``slv_<entity>__latest``): one ``rules_are_applied`` test (tests/generic/) that checks, in one
scan, that each standardisation holds, each check's code is listed exactly where the check
fails (or the value was nulled or replaced), ``quality_issues`` and ``reject_reasons`` hold
only the contract's codes, and ``is_deleted`` is never null."""

from __future__ import annotations

from typing import Any

from modelgen.rules import Check
from modelgen.spec import EntitySpec, SilverColumn
from modelgen.sql import literal


def _sql_value(value: Any, column: SilverColumn) -> Any:
    return (
        value
        if isinstance(value, int | float) and not isinstance(value, bool)
        else literal(value, column)
    )


def standardisation(column: SilverColumn) -> Any:
    """What the column's standardisation proves: None (none), True (trimmed, not blank), or
    the options that differ: case, trimmed false, allow_blank true."""
    steps = column.rules.standardise
    if not steps:
        return None
    options: dict[str, Any] = {}
    if "lower" in steps:
        options["case"] = "lower"
    if "upper" in steps:
        options["case"] = "upper"
    if "trim" not in steps:
        options["trimmed"] = False
    if "nullif_blank" not in steps:
        options["allow_blank"] = True
    return options or True


def check_rule(column: SilverColumn, check: Check) -> dict[str, Any] | None:
    """The rule proving a check was applied to the stored values: the code is listed exactly
    when the check fails (flag, reject), or the value was nulled or replaced."""
    if check.kind in ("parses", "json"):
        return None  # the text that did not parse is not stored in silver (bronze has it)
    rule: dict[str, Any] = {"code": check.code, "check": check.kind, "action": check.action}
    if check.kind == "accepted_values":
        rule["values"] = list(check.values)
        if not column.type.is_text:
            rule["quote"] = False
    elif check.kind == "pattern":
        rule["pattern"] = check.pattern
    elif check.kind == "range":
        assert check.range is not None
        if check.range.min is not None:
            rule["min_value"] = _sql_value(check.range.min, column)
        if check.range.max is not None:
            rule["max_value"] = _sql_value(check.range.max, column)
        if not check.range.inclusive:
            rule["inclusive"] = False
    elif check.kind == "reference":
        assert check.reference is not None
        rule["to"] = f"ref('{check.reference.seed}')"
        rule["field"] = check.reference.column
    if check.action == "unknown":
        assert check.unknown is not None
        rule["unknown"] = _sql_value(check.unknown, column)
    return rule


def column_rules(spec: EntitySpec, column: SilverColumn) -> dict[str, Any] | None:
    """The column's entry in ``rules_are_applied``: its standardisation and its rules (none
    for a key column: its key tests stand)."""
    if column.name in spec.key:
        return None
    entry: dict[str, Any] = {"name": column.name}
    standardised = standardisation(column)
    if standardised is not None:
        entry["standardised"] = standardised
    rules: list[dict[str, Any]] = []
    for check in column.rules.checks:
        rule = check_rule(column, check)
        if rule is not None and rule not in rules:
            rules.append(rule)
    if rules:
        entry["rules"] = rules
    return entry if len(entry) > 1 else None


def codes(spec: EntitySpec, reject: bool) -> list[str]:
    return [c.code for _, c in spec.checks if (c.action == "reject") == reject]


def rules_test(spec: EntitySpec) -> dict[str, Any]:
    """The one data test of ``slv_<entity>__latest``'s values (every rule in one scan); its
    meta lists the columns it tests, for scripts/column_test_coverage.py."""
    columns = [e for e in (column_rules(spec, c) for c in spec.columns) if e is not None]
    arguments: dict[str, Any] = {"columns": columns} if columns else {}
    tested = [e["name"] for e in columns]
    for name, reject in (("quality_issues", False), ("reject_reasons", True)):
        if found := codes(spec, reject):
            arguments[name] = found
            tested.append(name)
    tested.append("is_deleted")
    # named: dbt would otherwise spell every argument in the test's name
    body: dict[str, Any] = {"name": f"rules_are_applied_{spec.model('latest')}"}
    if arguments:
        body["arguments"] = arguments
    return {"rules_are_applied": {**body, "config": {"meta": {"tested_columns": tested}}}}
