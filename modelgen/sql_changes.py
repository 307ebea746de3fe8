"""The SQL of ``slv_<entity>__changes``: every change record standardised and checked by the
rules of its table's contract, as readable SQL (one standardised expression per column, one
boolean per check, one consequence per column)."""

from __future__ import annotations

from modelgen.rules import Check
from modelgen.spec import EntitySpec, SilverColumn
from modelgen.sql import INDENT, WIDTH, cte, header, indented_lines, item_lines, literal


def standardised_expression(column: SilverColumn) -> str:
    expression = column.name
    trimmed = False
    for step in column.rules.standardise:
        if step == "trim":
            expression, trimmed = f"trim({expression})", True
        elif step in ("lower", "upper"):
            expression = f"{step}({expression})"
        elif trimmed:
            expression = f"nullif({expression}, '')"
        else:
            expression = f"case when trim({expression}) = '' then null else {expression} end"
    return expression if expression == column.name else f"{expression} as {column.name}"


def check_condition(column: SilverColumn, check: Check) -> list[str]:
    """True when the standardised value (in CTE ``standardised``) fails the check: the
    condition on one line, or the same split over lines (the first and last hold brackets)."""
    value = f"standardised.{column.name}"
    if check.kind == "not_null":
        return [f"{value} is null"]
    if check.kind == "accepted_values":
        values = ", ".join(literal(v, column) for v in check.values)
        return [f"{value} not in ({values})", f"{value} not in (", f"{INDENT}{values}", ")"]
    if check.kind == "pattern":
        assert check.pattern is not None
        sql = "'" + check.pattern.replace("'", "''") + "'"
        pattern = '"' + sql.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return [
            f'not {{{{ regexp_like("{value}", {pattern}) }}}}',
            "not {{ regexp_like(",
            f'{INDENT}"{value}",',
            f"{INDENT}{pattern},",
            ") }}",
        ]
    if check.kind == "range":
        assert check.range is not None
        below, above = ("<", ">") if check.range.inclusive else ("<=", ">=")
        outside = []
        if check.range.min is not None:
            outside.append(f"{value} {below} {literal(check.range.min, column)}")
        if check.range.max is not None:
            outside.append(f"{value} {above} {literal(check.range.max, column)}")
        if len(outside) == 1:
            return outside
        return [f"({' or '.join(outside)})", "(", *_joined_lines(outside, "or"), ")"]
    if check.kind == "reference":
        assert check.reference is not None
        parts = [f"{value} is not null", f"known_{column.name}.{check.reference.column} is null"]
    else:
        assert check.kind == "parses" and column.text_column is not None
        parts = [f"standardised.{column.text_column} is not null", f"{value} is null"]
    return [" and ".join(parts), "(", *_joined_lines(parts, "and"), ")"]


def _joined_lines(parts: list[str], operator: str) -> list[str]:
    return [INDENT + (part if n == 0 else f"{operator} {part}") for n, part in enumerate(parts)]


def _select_item(lines: list[str], alias: str, indent: int) -> list[str]:
    """``<expression> as <alias>`` at ``indent``: on one line when it fits, else the
    multi-line form (lines[1:]) with the alias after the closing bracket."""
    pad = INDENT * indent
    one = f"{pad}{lines[0]} as {alias}"
    if len(one) <= WIDTH or len(lines) == 1:
        return [one]
    *body, close = lines[1:]
    return [pad + body[0], *(pad + line for line in body[1:]), f"{pad}{close} as {alias}"]


def consequence_expression(column: SilverColumn, spec: EntitySpec) -> list[str]:
    """The column's final value: nulled or replaced where a check says so, else standardised."""
    cases = []
    for check in column.rules.checks:
        if check.action == "nullify" and check.kind != "parses":
            cases.append(f"when {spec.flag_column(check)} then null")
        elif check.action == "unknown":
            assert check.unknown is not None
            cases.append(f"when {spec.flag_column(check)} then {literal(check.unknown, column)}")
    if not cases:
        return [column.name]
    one = f"case {' '.join(cases)} else {column.name} end"
    return [one, "case", *(INDENT + c for c in cases), f"{INDENT}else {column.name}", "end"]


def _codes(spec: EntitySpec, reject: bool) -> str:
    pairs = [
        f"['{spec.flag_column(check)}', '{check.code}']"
        for _, check in spec.checks
        if (check.action == "reject") == reject
    ]
    name = "reject_reasons" if reject else "quality_issues"
    if not pairs:
        return f"cast(null as {{{{ dbt.type_string() }}}}) as {name}"
    body = ",\n".join(INDENT * 3 + pair for pair in pairs)
    call = f"{{{{ rule_codes([\n{body},\n{INDENT * 2}]) }}}}"
    return f"case when not is_deleted then {call} end as {name}"


def changes(spec: EntitySpec) -> str:
    """``slv_<entity>__changes``: every change record, standardised and checked (a view)."""
    ctes = [cte("changes", f"{INDENT}select * from {{{{ ref('{spec.staging}') }}}}")]
    references = [
        (column, check)
        for column in spec.columns
        for check in column.rules.checks
        if check.reference is not None
    ]
    for column, check in references:
        assert check.reference is not None
        ctes.append(
            cte(
                f"known_{column.name}",
                f"{INDENT}select distinct {check.reference.column} from "
                f"{{{{ ref('{check.reference.seed}') }}}}",
            )
        )
    standardised = [standardised_expression(c) for c in spec.columns]
    for document in spec.documents:
        standardised.append(document.valid_column)
        standardised += [f.text_column for f in document.fields if f.text_column]
    ctes.append(
        cte(
            "standardised",
            f"{INDENT}select\n{indented_lines(standardised, 2, last_comma=True)}\n"
            f"{INDENT * 2}{{{{ change_log_columns() }}}}\n{INDENT}from changes",
        )
    )
    flags = [[f"{INDENT * 2}standardised.*"]]
    for document in spec.documents:
        flags.append(
            [
                f"{INDENT * 2}not standardised.{document.valid_column} as "
                + spec.flag_column(document.invalid)
            ]
        )
    columns = {c.name: c for c in spec.columns}
    for name, check in spec.checks:
        if check.kind != "json":
            flags.append(
                _select_item(check_condition(columns[name], check), spec.flag_column(check), 2)
            )
    joins = "".join(
        f"\n{INDENT}left join known_{column.name}\n{INDENT * 2}on standardised.{column.name} = "
        f"known_{column.name}.{check.reference.column}"
        for column, check in references
        if check.reference is not None
    )
    ctes.append(
        cte("checked", f"{INDENT}select\n{item_lines(flags)}\n{INDENT}from standardised{joins}")
    )
    final: list[list[str]] = []
    for column in spec.columns:
        expression = consequence_expression(column, spec)
        if len(expression) == 1:
            final.append([f"{INDENT * 2}{column.name}"])
        else:
            final.append(_select_item(expression, column.name, 2))
    final += [[INDENT * 2 + _codes(spec, reject=False)], [INDENT * 2 + _codes(spec, reject=True)]]
    ctes.append(
        cte(
            "validated",
            f"{INDENT}select\n{item_lines(final)},\n"
            f"{INDENT * 2}{{{{ change_log_columns(passed_on=true) }}}}\n{INDENT}from checked",
        )
    )
    config = "{{ config(materialized='view') }}\n\n"
    return (
        header(spec.origin)
        + config
        + "with "
        + ",\n\n".join(ctes)
        + "\n\nselect * from validated\n"
    )
