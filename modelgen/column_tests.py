"""The data tests of a column's contract rules, written where its values are stored
(``slv_<entity>__latest``): the standardisation holds, and each check's code is listed exactly
where the check fails."""

from __future__ import annotations

from typing import Any

from modelgen.rules import Check
from modelgen.spec import EntitySpec, SilverColumn
from modelgen.sql import literal


def codes_pattern(codes: list[str]) -> str:
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
