"""dbt-redshift with its driver replaced by one that runs every statement on an emulated
warehouse.

dbt-redshift cannot talk to PostgreSQL (and no Redshift is available offline), so
``redshift_connector.connect`` is replaced for the run: every statement dbt-redshift sends,
with its bound parameters, is recorded and executed on ``Warehouse`` (DuckDB), and dbt reads
its real rows. dbt's own catalog questions (the relations of a schema, a relation's columns,
the schemas, view dependencies) are answered from the warehouse's catalog in the shape of
Redshift's system views; they are counted, not executed.

The raw zone is the Spectrum external schema over the Glue tables ``ingestion.glue`` registers
(the plain ones, timestamps with microseconds), read through ``raw_zone.py``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from warehouse_check.engine import Warehouse
from warehouse_check.statement import Result, StatementError, strip_comments

PROJECT = Path(__file__).resolve().parents[1]

# PostgreSQL type oids, as redshift_connector describes result columns
_OIDS = {
    "VARCHAR": 1043,
    "BIGINT": 20,
    "INTEGER": 23,
    "SMALLINT": 21,
    "BOOLEAN": 16,
    "DOUBLE": 701,
    "FLOAT": 700,
    "DATE": 1082,
    "TIMESTAMP": 1114,
    "TIMESTAMP WITH TIME ZONE": 1184,
}
_TYPE_NAMES = {
    "VARCHAR": "character varying",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
}
_LIST_RELATIONS = re.compile(
    r"from information_schema\.tables\s+where table_schema ilike '([^']+)'"
)
_COLUMNS_OF = re.compile(r"table_name\s*=\s*'([^']+)'")
_CATALOG_WORDS = ("pg_backend_pid", "pg_namespace", "information_schema", "pg_depend", "svv_")


def oid(duckdb_type: str) -> int:
    text = duckdb_type.upper()
    return 1700 if text.startswith("DECIMAL") else _OIDS.get(text, 25)


class Catalog:
    """Answers dbt-redshift's catalog queries from the warehouse (None: not a catalog query)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def answer(self, sql: str) -> Result | None:
        lowered = sql.lower()
        if not any(word in lowered for word in _CATALOG_WORDS):
            return None
        text = " ".join(strip_comments(lowered).split())
        if text == "select pg_backend_pid()":
            return Result([("pg_backend_pid", "INTEGER")], [(1,)])
        if text == "select distinct nspname from pg_namespace":
            return Result([("nspname", "VARCHAR")], [(s,) for s in self.warehouse.schemas()])
        if found := _LIST_RELATIONS.search(text):
            rows = [
                (self.warehouse.catalog, r.name, r.schema, r.kind)
                for r in self.warehouse.relations(found.group(1))
            ]
            names = ["database", "name", "schema", "type"]
            return Result([(n, "VARCHAR") for n in names], rows)
        if "from pg_depend" in text:
            names = ["dependent_schema", "dependent_name", "referenced_schema", "referenced_name"]
            return Result([(n, "VARCHAR") for n in names], [])
        if "information_schema" in text and "column_name" in text and "columns" in text:
            return self._columns(text)
        if "from svv_relation_privileges" in text:
            return self._privileges(text)
        return None

    def _privileges(self, text: str) -> Result:
        """The grants the emulator recorded on a relation (svv_relation_privileges)."""
        schema = re.search(r"namespace_name = '([^']+)'", text)
        name = re.search(r"relation_name = '([^']+)'", text)
        columns = [(n, "VARCHAR") for n in ("identity_name", "identity_type", "privilege_type")]
        if not schema or not name:
            return Result(columns, [])
        rows = self.warehouse.grants(f"{schema.group(1)}.{name.group(1)}")
        return Result(
            columns, [(grantee, "role", privilege.upper()) for privilege, grantee in rows]
        )

    def _columns(self, text: str) -> Result:
        names = ["column_name", "data_type", "character_maximum_length"]
        names += ["numeric_precision", "numeric_scale"]
        columns = [(n, "VARCHAR") for n in names]
        found = _COLUMNS_OF.search(text)
        schema = re.search(r"table_schema\s*=\s*'([^']+)'", text)
        if not found:
            return Result(columns, [])
        rows = []
        for relation in self.warehouse.relations(schema.group(1) if schema else None):
            if relation.name != found.group(1):
                continue
            for name, kind in relation.columns:
                precision = scale = None
                if kind.upper().startswith("DECIMAL"):
                    precision, scale = (int(x) for x in re.findall(r"\d+", kind)[:2])
                type_name = "numeric" if precision is not None else _TYPE_NAMES.get(kind, kind)
                size = 256 if kind == "VARCHAR" else None
                rows.append((name, type_name, size, precision, scale))
            break
        return Result(columns, rows)


class FakeCursor:
    def __init__(self, connection: FakeConnection) -> None:
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def __enter__(self) -> FakeCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, operation: str, args: Any = None, **_: Any) -> FakeCursor:
        result = self.connection.run(operation, args)
        self.description = [
            (name, oid(kind), None, None, None, None, None) for name, kind in result.columns
        ] or None
        self._rows = list(result.rows)
        self.rowcount = len(self._rows)
        return self

    def executemany(self, operation: str, args: Sequence[Any]) -> FakeCursor:
        for row in args:
            self.execute(operation, row)
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        count = len(self._rows) if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        pass


class FakeConnection:
    """What redshift_connector.connect returns, for dbt-redshift."""

    def __init__(self, warehouse: Warehouse, log: Path | None, lock: threading.Lock) -> None:
        self.warehouse = warehouse
        self.catalog = Catalog(warehouse)
        self.log = log
        self.lock = lock
        self.autocommit = True

    def run(self, sql: str, args: Any) -> Result:
        answered = self.catalog.answer(sql)
        if self.log is not None:  # catalog queries are dbt-redshift's own, marked as such
            entry = {"sql": sql, "params": _jsonable(args), "catalog": answered is not None}
            with self.lock, self.log.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry) + "\n")
        if answered is not None:
            self.warehouse.counts["catalog query answered"] += 1
            return answered
        try:
            return self.warehouse.execute(sql, list(args) if args else None)
        except StatementError as exc:
            import redshift_connector  # type: ignore[import-untyped]

            raise redshift_connector.ProgrammingError(str(exc)) from exc

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


def _jsonable(args: Any) -> Any:
    if args is None:
        return None
    return [str(a) if a is not None else None for a in args]


@contextmanager
def redshift_backend(
    database: Path, lake: Path, statements_log: Path | None = None
) -> Iterator[Warehouse]:
    """dbt-redshift on the emulated warehouse (`database`: dev.duckdb)."""
    import os

    import boto3
    import redshift_connector

    from warehouse_check.moto_server import REGION, moto_server
    from warehouse_check.raw_zone import create_views, register_raw_tables

    failures = database.with_name("failures.jsonl")
    warehouse = Warehouse(database, "redshift", failure_log=failures)
    spectrum = os.environ.setdefault("REDSHIFT_SPECTRUM_SCHEMA", "raw_zone")
    with moto_server():  # the Glue tables the landing registers, read through Spectrum
        glue = boto3.client("glue", region_name=REGION)
        tables = [
            t
            for t in register_raw_tables(glue, "raw", lake)
            if not t["Name"].endswith("__epoch_us")  # Athena's twins
        ]
    create_views(warehouse, spectrum, tables)
    lock = threading.Lock()

    def connect(**_: Any) -> FakeConnection:
        return FakeConnection(warehouse, statements_log, lock)

    original = redshift_connector.connect
    redshift_connector.connect = connect
    try:
        yield warehouse
    finally:
        redshift_connector.connect = original
        warehouse.close()
