"""The SQL of the silver models built on ``slv_<entity>__changes``: the latest change per key
(incremental; its post-hook deletes the keys a newer full load lacks), the current state, the
rejects, the type 2 history, and the data quality counts of every entity."""

from __future__ import annotations

from modelgen.spec import EntitySpec
from modelgen.sql import INDENT, cte, header, indented_lines, jinja_list, key_parts


def _key_argument(spec: EntitySpec) -> str:
    return jinja_list(list(spec.key))


SCHEMA_CHANGE = "('sync_all_columns' if target.type == 'duckdb' else 'append_new_columns')"
"""The incremental silver tables follow their contract's columns: new ones are added and, on
DuckDB, a changed type is altered too, so that a value of a widened type (``decimal(12,2)``
to ``decimal(14,3)``) lands as it is rather than cast into the type the table was created
with (``1.005`` would become ``1.01``). On Athena and Redshift, which alter few types, a type
change needs a full refresh (docs/onboarding.md)."""


def _unique_key(spec: EntitySpec) -> str:
    return f"'{spec.key[0]}'" if len(spec.key) == 1 else jinja_list(list(spec.key))


def latest(spec: EntitySpec) -> str:
    """``slv_<entity>__latest``: each key's latest change, incremental; the post-hook deletes
    the keys a newer full load of the table no longer holds (a reload or a truncate)."""
    changes = spec.model("changes")
    return (
        header(spec.origin) + "{{\n    config(\n        materialized='incremental',\n"
        f"        unique_key={_unique_key(spec)},\n"
        f"        on_schema_change={SCHEMA_CHANGE},\n"
        '        post_hook="{{ delete_keys_absent_from_newer_full_load('
        f"ref('{changes}')) }}}}\",\n"
        "    )\n}}\n\n"
        f"{{{{ incremental_latest_change(ref('{changes}'), {_key_argument(spec)}) }}}}\n"
    )


def current(spec: EntitySpec) -> str:
    """``slv_<entity>``: the keys that exist and are not rejected: the current state."""
    columns = [c.name for c in spec.columns] + ["quality_issues", "change_id as last_change_id"]
    ctes = [
        cte("latest", f"{INDENT}select * from {{{{ ref('{spec.model('latest')}') }}}}"),
        cte(
            "current_rows",
            f"{INDENT}select\n{indented_lines(columns, 2)}\n{INDENT}from latest\n"
            f"{INDENT}where not is_deleted and reject_reasons is null",
        ),
    ]
    config = "{{ config(materialized='view') }}\n\n"
    return (
        header(spec.origin)
        + config
        + "with "
        + ",\n\n".join(ctes)
        + "\n\nselect * from current_rows\n"
    )


def rejects(spec: EntitySpec) -> str:
    """``slv_<entity>__rejects``: the keys whose latest change was rejected, with the reasons."""
    columns = [
        *spec.key,
        "{{ dbt.split_part('reject_reasons', \"','\", 1) }} as reject_reason",
        "reject_reasons",
        "change_id as last_change_id",
        "change_committed_at as last_changed_at",
        "source_file",
        "source_row",
    ]
    ctes = [
        cte("latest", f"{INDENT}select * from {{{{ ref('{spec.model('latest')}') }}}}"),
        cte(
            "rejected",
            f"{INDENT}select\n{indented_lines(columns, 2)}\n{INDENT}from latest\n"
            f"{INDENT}where not is_deleted and reject_reasons is not null",
        ),
    ]
    config = "{{ config(materialized='view') }}\n\n"
    return (
        header(spec.origin) + config + "with " + ",\n\n".join(ctes) + "\n\nselect * from rejected\n"
    )


def history(spec: EntitySpec) -> str:
    """``slv_<entity>__history``: every version of every key (type 2), incremental per key."""
    key = _key_argument(spec)
    changes_model = spec.model("changes")
    columns = [
        # valid_from as text that every engine writes alike (macros/cross_db/timestamps.sql)
        f"{{{{ surrogate_key([{key_parts(spec)}, timestamp_key_text('valid_from')]) }}}}"
        " as version_key",
        *spec.key,
        "version_number",
        "valid_from",
        "valid_to",
        "is_current",
        *[c.name for c in spec.columns if c.name not in spec.key],
        "quality_issues",
        "reject_reasons",
        "change_id",
        "change_committed_at",
        "last_landed_at",
    ]
    changes = f"ref('{changes_model}')"
    latest = f"ref('{spec.model('latest')}')"
    return (
        header(spec.origin) + "{{\n    config(\n        materialized='incremental',\n"
        "        unique_key='version_key',\n"
        f"        on_schema_change={SCHEMA_CHANGE},\n"
        f'        pre_hook="{{{{ delete_keys_in({key}, keys_with_landed_changes({changes}, '
        f'{key}, {latest})) }}}}",\n'
        "    )\n}}\n\n"
        "with "
        + cte(
            "changes",
            f"{INDENT}{{{{ changes_of_changed_keys(\n{INDENT * 2}{changes}, {key}, {latest}\n"
            f"{INDENT}) }}}}",
        )
        + ",\n\n"
        + cte("full_loads", f"{INDENT}{{{{ full_loads_begun({changes}) }}}}")
        + ",\n\n"
        + cte(
            "versions",
            f"{INDENT}{{{{ change_log_versions('changes', {key}, 'full_loads') }}}}",
        )
        + f"\n\nselect\n{indented_lines(columns, 1)}\nfrom versions\n"
    )


def data_quality(specs: list[EntitySpec], origin: str) -> str:
    """``slv_data_quality``: per entity and code, how many current rows carry it."""
    parts = []
    for spec in specs:
        parts.append(
            f"{INDENT}select '{spec.entity}' as entity, quality_issues as codes\n"
            f"{INDENT}from {{{{ ref('{spec.model()}') }}}}\n"
            f"{INDENT}where quality_issues is not null"
        )
        parts.append(
            f"{INDENT}select '{spec.entity}' as entity, reject_reasons as codes\n"
            f"{INDENT}from {{{{ ref('{spec.model('rejects')}') }}}}"
        )
    flagged = f"\n{INDENT}union all\n".join(parts)
    position = (
        "{{ dbt.position(\"',' || quality_codes.code || ','\", \"',' || flagged.codes || ','\") }}"
    )
    counted = (
        f"{INDENT}select\n"
        f"{INDENT * 2}quality_codes.entity,\n{INDENT * 2}quality_codes.code,\n"
        f"{INDENT * 2}quality_codes.column_name,\n{INDENT * 2}quality_codes.consequence,\n"
        f"{INDENT * 2}count(flagged.codes) as current_rows\n"
        f"{INDENT}from quality_codes\n{INDENT}left join flagged\n"
        f"{INDENT * 2}on quality_codes.entity = flagged.entity\n"
        f"{INDENT * 2}and {position} > 0\n"
        f"{INDENT}group by\n{INDENT * 2}quality_codes.entity,\n{INDENT * 2}quality_codes.code,\n"
        f"{INDENT * 2}quality_codes.column_name,\n{INDENT * 2}quality_codes.consequence"
    )
    ctes = [
        cte(
            "quality_codes",
            f"{INDENT}select entity, code, column_name, consequence from "
            "{{ ref('quality_codes') }}",
        ),
        cte("flagged", flagged),
        cte("counted", counted),
    ]
    return (
        header(origin)
        + "{{ config(materialized='view') }}\n\n"
        + "with "
        + ",\n\n".join(ctes)
        + "\n\nselect * from counted\n"
    )
