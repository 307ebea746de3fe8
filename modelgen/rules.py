"""The rule vocabulary of a contract column: standardisations and checks with consequences.

A column's ``rules`` (docs/contracts.md) is a list. A string is a standardisation, applied in
order to text values: ``trim``, ``lower``, ``upper``, ``nullif_blank`` (or ``not_null``,
short for ``{not_null: true}``). A mapping is a check with exactly one of ``not_null``,
``accepted_values``, ``pattern``, ``range``, ``reference``, and optionally:

- ``action``: ``flag`` (default: keep the value, list the code in ``quality_issues``),
  ``nullify`` (null the value and flag), ``unknown`` (replace the value with ``unknown``
  and flag), or ``reject`` (the record goes to ``slv_<entity>__rejects``);
- ``code``: the flag or reject code (default from the check and the column name);
- ``unknown``: the replacement value, with ``action: unknown``;
- ``description``: what the rule means (the quality codes seed shows it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ingestion.column_types import ColumnType
from ingestion.errors import UserError

STANDARDISERS = ("trim", "lower", "upper", "nullif_blank")
CHECKS = ("not_null", "accepted_values", "pattern", "range", "reference")
ACTIONS = ("flag", "nullify", "unknown", "reject")
RULE_KEYS = {*CHECKS, "action", "code", "unknown", "description"}
CODE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
NUMERIC = ("smallint", "integer", "bigint", "decimal", "double")
DEFAULT_CODES = {
    "not_null": "missing_{}",
    "accepted_values": "unknown_{}",
    "pattern": "invalid_{}",
    "range": "out_of_range_{}",
    "reference": "unknown_{}",
    "parses": "invalid_{}",
    "json": "invalid_{}",
}

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Range:
    """Inclusive (by default) bounds; either may be missing."""

    min: Scalar | None
    max: Scalar | None
    inclusive: bool = True


@dataclass(frozen=True)
class Reference:
    """A seed column the value must appear in: ``<seed>.<column>``."""

    seed: str
    column: str


@dataclass(frozen=True)
class Check:
    """One check of a column and what happens to a value (or record) that fails it.

    ``kind`` is one of ``CHECKS``, or ``parses`` (a document field's text is not of the
    field's type) or ``json`` (a document column is not valid JSON), which modelgen adds.
    """

    kind: str
    action: str
    code: str
    values: tuple[Scalar, ...] = ()
    pattern: str | None = None
    range: Range | None = None
    reference: Reference | None = None
    unknown: Scalar | None = None
    description: str | None = None

    @property
    def changes_value(self) -> bool:
        return self.action in ("nullify", "unknown")

    def explain(self, column: str) -> str:
        """What the check means, for the quality codes seed (the rule's description if any)."""
        if self.description:
            return self.description
        what = {
            "not_null": f"{column} is missing",
            "accepted_values": f"{column} is not one of {', '.join(map(str, self.values))}",
            "pattern": f"{column} does not match {self.pattern}",
            "range": f"{column} is outside {_range_text(self.range)}",
            "reference": f"{column} is not in {self.reference.seed}.{self.reference.column}"
            if self.reference
            else "",
            "parses": f"{column} is present but not a valid value of its type",
            "json": f"{column} is not valid JSON",
        }[self.kind]
        then = {
            "flag": "kept and flagged",
            "nullify": "set to null and flagged",
            "unknown": f"set to {self.unknown!r} and flagged",
            "reject": "the record is rejected",
        }[self.action]
        return f"{what}: {then}"


@dataclass(frozen=True)
class ColumnRules:
    """A column's standardisations (in order) and its checks (in order)."""

    standardise: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()


def _range_text(bounds: Range | None) -> str:
    if bounds is None:
        return ""
    low = "[" if bounds.inclusive else "("
    high = "]" if bounds.inclusive else ")"
    return f"{low}{bounds.min if bounds.min is not None else ''}, " + (
        f"{bounds.max if bounds.max is not None else ''}{high}"
    )


def parse_rules(
    rules: Sequence[Any], column: str, column_type: ColumnType, where: str
) -> ColumnRules:
    """Parse a column's rules, or raise UserError naming the file, column and rule."""
    standardise: list[str] = []
    checks: list[Check] = []
    for number, rule in enumerate(rules, start=1):
        origin = f"{where}: column {column}: rule {number}"
        if rule == "not_null":
            rule = {"not_null": True}
        if isinstance(rule, str):
            if rule not in STANDARDISERS:
                raise UserError(
                    f"{origin}: {rule!r} is not a rule (standardisations: "
                    f"{', '.join(STANDARDISERS)}; checks are mappings: {', '.join(CHECKS)})"
                )
            if not column_type.is_text:
                raise UserError(f"{origin}: {rule} applies to text columns, not {column_type}")
            standardise.append(rule)
        elif isinstance(rule, dict):
            checks.append(parse_check(rule, column, column_type, origin))
        else:
            raise UserError(f"{origin}: expected a name or a mapping, got {rule!r}")
    return ColumnRules(tuple(standardise), tuple(checks))


def parse_check(rule: dict[str, Any], column: str, column_type: ColumnType, origin: str) -> Check:
    """One check mapping, e.g. ``{pattern: '^[A-Z]{2}$', action: nullify, code: bad_code}``."""
    unknown_keys = set(rule) - RULE_KEYS
    if unknown_keys:
        raise UserError(
            f"{origin}: unknown key(s) {sorted(unknown_keys)}; known: {sorted(RULE_KEYS)}"
        )
    kinds = [k for k in CHECKS if k in rule]
    if len(kinds) != 1:
        raise UserError(f"{origin}: a check needs exactly one of {', '.join(CHECKS)}")
    kind = kinds[0]
    action = rule.get("action", "flag")
    if action not in ACTIONS:
        raise UserError(f"{origin}: action {action!r} is not one of {', '.join(ACTIONS)}")
    code = rule.get("code", DEFAULT_CODES[kind].format(column))
    if not isinstance(code, str) or not CODE.match(code):
        raise UserError(f"{origin}: code {code!r} must be lower-case letters, digits and _")
    description = rule.get("description")
    if description is not None and not isinstance(description, str):
        raise UserError(f"{origin}: description must be text")
    argument = rule[kind]
    check = Check(kind, action, code, description=description)
    if kind == "not_null":
        if argument is not True:
            raise UserError(f"{origin}: write not_null: true")
        if action == "nullify":
            raise UserError(f"{origin}: not_null cannot nullify (the value is already null)")
    elif kind == "accepted_values":
        check = _with_values(check, argument, column_type, origin)
    elif kind == "pattern":
        if not column_type.is_text:
            raise UserError(f"{origin}: pattern applies to text columns, not {column_type}")
        if not isinstance(argument, str) or not argument:
            raise UserError(f"{origin}: pattern must be a regular expression (text)")
        try:
            re.compile(argument)
        except re.error as exc:
            raise UserError(f"{origin}: pattern {argument!r} is not valid: {exc}") from exc
        check = _replace(check, pattern=argument)
    elif kind == "range":
        check = _with_range(check, argument, column_type, origin)
    else:
        check = _with_reference(check, argument, column_type, origin)
    return _with_unknown(check, rule, column_type, origin)


def _replace(check: Check, **changes: Any) -> Check:
    fields = {name: getattr(check, name) for name in check.__dataclass_fields__}
    fields.update(changes)
    return Check(**fields)


def _with_values(check: Check, values: Any, column_type: ColumnType, origin: str) -> Check:
    if not isinstance(values, list) or not values:
        raise UserError(f"{origin}: accepted_values must be a non-empty list")
    parsed = tuple(literal_value(v, column_type, f"{origin}: accepted value") for v in values)
    return _replace(check, values=parsed)


def _with_range(check: Check, bounds: Any, column_type: ColumnType, origin: str) -> Check:
    if column_type.name not in (*NUMERIC, "date", "timestamp"):
        raise UserError(
            f"{origin}: range applies to numbers, dates and timestamps, not {column_type}"
        )
    if not isinstance(bounds, dict) or not set(bounds) <= {"min", "max", "inclusive"}:
        raise UserError(f"{origin}: range takes min, max and inclusive, e.g. {{min: 0}}")
    if bounds.get("min") is None and bounds.get("max") is None:
        raise UserError(f"{origin}: range needs min or max")
    inclusive = bounds.get("inclusive", True)
    if not isinstance(inclusive, bool):
        raise UserError(f"{origin}: range inclusive must be true or false")
    low, high = (
        literal_value(bounds[k], column_type, f"{origin}: range {k}")
        if bounds.get(k) is not None
        else None
        for k in ("min", "max")
    )
    return _replace(check, range=Range(low, high, inclusive))


def _with_reference(check: Check, target: Any, column_type: ColumnType, origin: str) -> Check:
    if not isinstance(target, str) or target.count(".") != 1:
        raise UserError(f"{origin}: reference must be <seed>.<column>, got {target!r}")
    seed, column = target.split(".")
    for part in (seed, column):
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", part):
            raise UserError(f"{origin}: reference {target!r} is not <seed>.<column>")
    if not (column_type.is_text or column_type.name in ("smallint", "integer", "bigint")):
        raise UserError(
            f"{origin}: reference applies to text and integer columns, not {column_type}"
        )
    return _replace(check, reference=Reference(seed, column))


def _with_unknown(
    check: Check, rule: dict[str, Any], column_type: ColumnType, origin: str
) -> Check:
    if check.action == "unknown":
        if rule.get("unknown") is None:
            raise UserError(f"{origin}: action unknown needs the value to use (unknown: ...)")
        value = literal_value(rule["unknown"], column_type, f"{origin}: unknown")
        return _replace(check, unknown=value)
    if "unknown" in rule:
        raise UserError(f"{origin}: unknown is only used with action: unknown")
    return check


def literal_value(value: Any, column_type: ColumnType, origin: str) -> Scalar:
    """A YAML value checked against the column's type (dates and timestamps as ISO text)."""
    name = column_type.name
    if isinstance(value, bool) or name == "boolean":
        if not isinstance(value, bool) or name != "boolean":
            raise UserError(f"{origin}: {value!r} does not fit {column_type}")
        return value
    if name in NUMERIC:
        if not isinstance(value, int | float):
            raise UserError(f"{origin}: {value!r} is not a number ({column_type})")
        if name in ("smallint", "integer", "bigint") and not isinstance(value, int):
            raise UserError(f"{origin}: {value!r} is not an integer ({column_type})")
        return value
    if name in ("date", "timestamp"):
        text = value.isoformat(sep=" ") if isinstance(value, datetime) else value
        text = text.isoformat() if isinstance(text, date) else text
        try:
            parsed = datetime.fromisoformat(str(text))
        except ValueError as exc:
            raise UserError(f"{origin}: {value!r} is not an ISO {name}") from exc
        return parsed.date().isoformat() if name == "date" else parsed.isoformat(sep=" ")
    if not isinstance(value, str):
        raise UserError(f"{origin}: {value!r} must be text for a {column_type} column (quote it)")
    return value
