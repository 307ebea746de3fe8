"""Fit a parsed batch to its table contract, in DuckDB.

Every value is converted to its contract type only when the conversion is exact
(``exact_casts``); a row with a value that does not convert exactly, an unknown ``Op`` or a
null primary key gets a reason and goes to the quarantine instead of the raw zone. Columns
the contract does not know (schema drift) are kept as text; contract columns missing from
the file are null. Both are reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.contracts import RAW_METADATA_COLUMNS, TableContract
from ingestion.dmsfiles import DmsFile
from ingestion.errors import FileRejectedError
from ingestion.exact_casts import (
    PREVIEW,
    Conversion,
    commit_timestamp,
    conversion,
)
from ingestion.formats import OP_COLUMN
from ingestion.identifiers import IDENTIFIER, quote

# the lake's schemas moved to ``ingestion.schemas``; these names stay importable from here
# (scripts/dbt_offline.py imports them)
from ingestion.schemas import QUARANTINE_SCHEMA as QUARANTINE_SCHEMA
from ingestion.schemas import raw_schema as raw_schema


@dataclass
class ColumnPlan:
    """How a file's columns map onto the contract; decided once per file."""

    op: str | None
    commit_ts: str | None
    change_seq: str | None
    present: list[str]
    missing: list[str]
    """Contract columns the file lacks (landed as null), added-later ones included."""
    drift: list[str]
    notes: list[str] = field(default_factory=list)
    not_yet: list[str] = field(default_factory=list)
    """The ``missing`` columns the contract marks ``added_later``: a file written before the
    source gained them lacks them as a rule, so they are not reported as drift."""

    @property
    def missing_drift(self) -> list[str]:
        """The missing columns to report: those not marked ``added_later``."""
        return [c for c in self.missing if c not in self.not_yet]


def plan_columns(names: list[str], contract: TableContract, dms_file: DmsFile) -> ColumnPlan:
    by_lower = {n.lower(): n for n in names}
    if len(by_lower) != len(names):
        raise FileRejectedError(f"duplicate column names in header: {names}")
    for name in names:
        if not IDENTIFIER.match(name):
            raise FileRejectedError(
                f"column name {name[:80]!r} is not a plain identifier (letters, digits, _); "
                "rename it in the DMS task (a transformation rule with rule-action rename)"
            )
        if name.lower() in RAW_METADATA_COLUMNS:
            raise FileRejectedError(
                f"column {name}: the raw zone uses this name for its own metadata; rename the "
                "column in the DMS task (a transformation rule with rule-action rename)"
            )
    settings = contract.settings
    op = by_lower.get(OP_COLUMN.lower())
    if op is None and dms_file.kind == "cdc":
        raise FileRejectedError("CDC file without an Op column")
    ts = (
        by_lower.get(settings.timestamp_column_name.lower())
        if settings.timestamp_column_name
        else None
    )
    seq = (
        by_lower.get(settings.change_seq_column_name.lower())
        if settings.change_seq_column_name
        else None
    )
    contract_lower = {c.lower() for c in contract.column_names}
    present = [c for c in contract.column_names if c.lower() in by_lower]
    missing = [c for c in contract.column_names if c.lower() not in by_lower]
    meta = {x.lower() for x in (op, ts, seq) if x}
    drift = [n for n in names if n.lower() not in contract_lower and n.lower() not in meta]
    if not present:
        raise FileRejectedError(f"no contract column found in {names}")
    later = set(contract.added_later_columns)
    not_yet = [c for c in missing if c in later]
    plan = ColumnPlan(op, ts, seq, present, missing, drift, not_yet=not_yet)
    if plan.missing_drift:
        listed = ", ".join(plan.missing_drift)
        plan.notes.append(f"columns missing from file (landed as null): {listed}")
    if drift:
        plan.notes.append(f"columns not in the contract (landed as text): {', '.join(drift)}")
    return plan


def _build_sql(
    plan: ColumnPlan, contract: TableContract, source: pa.Schema
) -> tuple[str, list[tuple[str | None, str]]]:
    """One query that converts, checks and explains, over the batch (``source``).

    Four steps: each converted value is computed once (``__dmsw_v<i>``); the parts of the
    numbers a fast test did not settle (``__dmsw_n<i>``); the value checks, using both; the
    primary-key checks, using the landed columns. Returns the SQL and the value
    checks (the contract column each is about, None for the Op; its SQL over the batch).
    """
    names = {n.lower(): n for n in source.names}
    values: list[str] = []  # step 1: converted values
    parts: list[str] = []  # step 2: the parts of numbers the fast tests did not settle
    selects: list[str] = []  # step 3: the landed columns
    checks: list[str] = []  # step 3: reasons
    standalone: list[tuple[str | None, str]] = []  # the same checks over the batch alone

    def convert(column: str | None, converted: Conversion, alias: str) -> None:
        ref = f"__dmsw_v{len(values)}"
        values.append(f"{converted.value} as {ref}")
        selects.append(f"{ref} as {alias}")
        if converted.problem == "null":
            return
        parts_ref = None
        if converted.parts is not None:
            parts_ref = f"__dmsw_n{len(parts)}"
            parts.append(f"{converted.lazy_parts(ref)} as {parts_ref}")
        checks.append(converted.problem_of(ref, parts_ref))
        standalone.append((column, converted.problem_of()))

    if plan.op:
        op = quote(plan.op)
        selects.append(f"{op} as _dms_op")
        op_check = (
            f"case when {op} is null or {op} not in ('I', 'U', 'D') then 'unknown Op ' || "
            f"coalesce('''' || left({op}, {PREVIEW}) || '''', 'null') end"
        )
        checks.append(op_check)
        standalone.append((None, op_check))
    else:
        selects.append("'I' as _dms_op")
    if plan.commit_ts:
        ts = commit_timestamp(
            plan.commit_ts, quote(plan.commit_ts), source.field(plan.commit_ts).type
        )
        convert(plan.commit_ts, ts, "_dms_commit_ts")
    else:
        selects.append("cast(null as timestamp) as _dms_commit_ts")
    if plan.change_seq:
        selects.append(f"cast({quote(plan.change_seq)} as varchar) as _dms_change_seq")
    else:
        selects.append("cast(null as varchar) as _dms_change_seq")
    for column in contract.columns:
        ctype = column.column_type
        if column.name in plan.missing:
            selects.append(f"cast(null as {ctype.duckdb_type}) as {quote(column.name)}")
            continue
        name = names[column.name.lower()]
        converted = conversion(column.name, ctype, quote(name), source.field(name).type)
        convert(column.name, converted, quote(column.name))
    for name in plan.drift:
        selects.append(f"cast({quote(name)} as varchar) as {quote(name)}")
    key_checks = [
        f"case when {quote(key)} is null then 'primary key {key} is null' end"
        for key in contract.primary_key
    ]
    value_reason = f"nullif(concat_ws('; ', {', '.join(checks)}), '')" if checks else "null"
    step1 = f"select *, {', '.join(values)} from batch" if values else "select * from batch"
    step2 = f"select *, {', '.join(parts)} from ({step1})" if parts else step1
    step3 = f"select {', '.join(selects)}, {value_reason} as __value_reason, __row from ({step2})"
    sql = (
        "select * exclude (__value_reason), "
        f"nullif(concat_ws('; ', __value_reason, {', '.join(key_checks)}), '') as __reason "
        f"from ({step3})"
    )
    return sql, standalone


@dataclass
class Conformed:
    """A batch fitted to its contract."""

    good: pa.Table
    """Rows for the raw zone (with ``__row``)."""
    bad: pa.Table
    """Rows for the quarantine: ``__row``, ``__reason``, ``__raw`` (the record as JSON)."""
    problems: dict[str, int]
    """Per column, the rows whose value does not fit its type (in ``bad``)."""


class Conformer:
    """Casts the batches of one file; keeps one DuckDB connection for the whole run."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        # timestamps with a zone (some Parquet files) become UTC wall-clock time
        connection.execute("set TimeZone = 'UTC'")
        self._query: tuple[str, duckdb.DuckDBPyRelation] | None = None
        """The last query's text and its relation. A relation keeps no result: each run
        executes its text again over the ``batch`` registered at that moment. The batches of
        a file give the same text, so its relation is made (parsed and bound) once, not per
        batch (about 15 ms of the 45 ms a transactions query costs beyond its rows)."""

    def conform(
        self,
        batch: pa.RecordBatch,
        positions: np.ndarray,
        plan: ColumnPlan,
        contract: TableContract,
    ) -> Conformed:
        """Split the batch into rows for the raw zone and for the quarantine, with reasons."""
        table = pa.Table.from_batches([batch]).append_column("__row", pa.array(positions))
        sql, checked = _build_sql(plan, contract, batch.schema)
        try:
            self.connection.register("batch", table)
            result = self._relation(sql).to_arrow_table()
        except duckdb.Error as exc:
            self._query = None
            raise FileRejectedError(f"cannot cast to the contract: {exc}") from exc
        finally:
            self.connection.unregister("batch")
        if result.column("__reason").null_count == result.num_rows:  # no bad row: no copies
            good = result.drop_columns(["__reason"])
            bad = pa.table(
                {
                    "__row": result.column("__row").slice(0, 0),
                    "__reason": result.column("__reason").slice(0, 0),
                    "__raw": pa.array([], pa.string()),
                }
            )
            return Conformed(good, bad, {})
        bad_mask = pc.is_valid(result.column("__reason"))
        good = result.filter(pc.invert(bad_mask)).drop_columns(["__reason"])
        bad = result.filter(bad_mask)
        problems = self._problems(table.filter(bad_mask), checked) if len(bad) else {}
        raw = [
            json.dumps(record, default=str, ensure_ascii=False)
            for record in _as_records(pa.Table.from_batches([batch]).filter(bad_mask))
        ]
        bad = bad.select(["__row", "__reason"]).append_column("__raw", pa.array(raw, pa.string()))
        return Conformed(good, bad, problems)

    def _relation(self, sql: str) -> duckdb.DuckDBPyRelation:
        """The relation of ``sql`` (made while ``batch`` is registered: it is bound then)."""
        if self._query is None or self._query[0] != sql:
            self._query = (sql, self.connection.sql(sql))
        return self._query[1]

    def _problems(self, bad: pa.Table, checks: list[tuple[str | None, str]]) -> dict[str, int]:
        """Per column, the quarantined rows whose value does not fit its type (the checks are
        run again on those rows only: usually few)."""
        counted = [(column, sql) for column, sql in checks if column]
        if not counted:
            return {}
        sql = "select " + ", ".join(f"count({check})" for _, check in counted) + " from bad"
        try:
            self.connection.register("bad", bad)
            counts = self.connection.execute(sql).fetchall()[0]
        finally:
            self.connection.unregister("bad")
        return {c: int(n) for (c, _), n in zip(counted, counts, strict=True) if n}


def _as_records(table: pa.Table) -> list[dict[str, object]]:
    """Rows as dicts for the quarantine's raw record; timestamps as their exact text (Python
    datetimes cannot hold nanoseconds)."""
    columns = [c.cast(pa.string()) if pa.types.is_timestamp(c.type) else c for c in table.columns]
    records: list[dict[str, object]] = pa.table(columns, names=table.column_names).to_pylist()
    return records
