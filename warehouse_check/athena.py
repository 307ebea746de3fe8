"""dbt-athena against an AWS emulation whose Athena runs every query on an emulated warehouse.

moto's server (S3, Glue, Athena) runs in this process; dbt-athena talks to it through
``AWS_ENDPOINT_URL`` with its real code (boto3, pyathena). moto records Athena queries and
executes none; here each query is also executed on ``Warehouse`` (DuckDB) and its rows become
the query's result, so dbt sees real test failures, real years for the date dimension and the
real columns of every contract check. A statement the warehouse refuses fails the query, as
Athena would. The Glue catalog follows the warehouse (tables, views, Iceberg or Hive), and a
Glue table dbt-athena deletes through the API is dropped from the warehouse.

The raw tables are registered in Glue by ``ingestion.glue.register_lake`` (what ``dmsw land``
runs) over the lake's local folders, and read through ``raw_zone.py``. The workgroup enforces
its settings ("override client-side settings"), as docs/deploy.md says to configure it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from warehouse_check.engine import Warehouse
from warehouse_check.moto_server import REGION, moto_server
from warehouse_check.statement import StatementError

_STATE = threading.local()


def athena_type(duckdb_type: str) -> str:
    """The Athena (Trino) type name of a DuckDB column type of the emulation."""
    text = duckdb_type.upper()
    simple = {
        "VARCHAR": "varchar",
        "BIGINT": "bigint",
        "INTEGER": "integer",
        "SMALLINT": "smallint",
        "BOOLEAN": "boolean",
        "DOUBLE": "double",
        "FLOAT": "real",
        "DATE": "date",
        "TIMESTAMP": "timestamp(6)",
        "TIMESTAMP_MS": "timestamp(3)",
        "TIMESTAMP_S": "timestamp(0)",
        "TIMESTAMP WITH TIME ZONE": "timestamp(3) with time zone",
        "JSON": "json",
        "BLOB": "varbinary",
        "INTERVAL": "interval day to second",
    }
    if text in simple:
        return simple[text]
    if text.startswith("DECIMAL"):
        return text.lower().replace(" ", "")
    return text.lower()


def glue_type(duckdb_type: str) -> str:
    """The Glue column type of a DuckDB column type (Hive spelling)."""
    name = athena_type(duckdb_type)
    if name.startswith("timestamp("):
        return "timestamp"
    return {"varchar": "string", "integer": "int", "real": "float"}.get(name, name)


def _text(value: Any) -> dict[str, str]:
    """A value as Athena's GetQueryResults renders it."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"VarCharValue": "true" if value else "false"}
    if isinstance(value, datetime):
        return {"VarCharValue": value.strftime("%Y-%m-%d %H:%M:%S.%f")}
    if isinstance(value, date | Decimal | int | float):
        return {"VarCharValue": str(value)}
    return {"VarCharValue": str(value)}


class _GlueSync:
    """Keeps moto's Glue catalog equal to the warehouse's relations."""

    def __init__(self, warehouse: Warehouse, bucket: str, raw_database: str) -> None:
        from moto.glue.models import glue_backends

        self.warehouse = warehouse
        self.bucket = bucket
        self.raw_database = raw_database
        self.glue_backends = glue_backends

    @property
    def backend(self) -> Any:
        from moto.core.models import DEFAULT_ACCOUNT_ID

        return self.glue_backends[DEFAULT_ACCOUNT_ID][REGION]

    def __call__(self, event: str, schema: str, name: str) -> None:
        if schema == self.raw_database:
            return
        glue = self.backend
        _STATE.internal = True
        try:
            if event == "schema":
                if schema not in glue.databases:
                    glue.create_database(schema, {"Name": schema})
                return
            if schema not in glue.databases:
                glue.create_database(schema, {"Name": schema})
            tables = glue.databases[schema].tables
            tables.pop(name, None)
            if event == "created":
                relation = self.warehouse.relation(schema, name)
                if relation is not None:
                    glue.create_table(schema, name, self._table_input(relation))
        finally:
            _STATE.internal = False

    def _table_input(self, relation: Any) -> dict[str, Any]:
        view = relation.kind == "view"
        iceberg = relation.table_type == "iceberg"
        location = relation.location or (
            f"s3://{self.bucket}/warehouse/{relation.schema}/{relation.name}/"
        )
        return {
            "Name": relation.name,
            "TableType": "VIRTUAL_VIEW" if view else "EXTERNAL_TABLE",
            "Parameters": {"table_type": "ICEBERG"} if iceberg else {},
            "StorageDescriptor": {
                "Columns": [{"Name": c, "Type": glue_type(t)} for c, t in relation.columns],
                "Location": location,
            },
        }

    def restore(self) -> None:
        """Register every relation a previous run left in the warehouse."""
        for schema in self.warehouse.schemas():
            self("schema", schema, "")
        for relation in self.warehouse.relations():
            self("created", relation.schema, relation.name)


def _patch_moto(warehouse: Warehouse, statements_log: Path | None) -> None:
    from moto.athena.models import AthenaBackend, QueryResults
    from moto.athena.responses import AthenaResponse
    from moto.glue.models import GlueBackend

    original_start = AthenaBackend.start_query_execution
    log_lock = threading.Lock()

    def start_query_execution(self: Any, query: str, *args: Any, **kwargs: Any) -> str:
        exec_id: str = original_start(self, query, *args, **kwargs)
        if statements_log is not None:
            with log_lock, statements_log.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"sql": query}) + "\n")
        execution = self.executions[exec_id]
        try:
            result = warehouse.execute(query)
        except StatementError as exc:
            execution._status = "FAILED"
            execution.transitions = [("FAILED", "FAILED")]
            execution.failure_reason = str(exc)[:1000]
            return exec_id
        if result.columns:
            info = [
                {"Name": n, "Label": n, "Type": athena_type(t).split("(")[0]}
                for n, t in result.columns
            ]
            header = {"Data": [{"VarCharValue": n} for n, _ in result.columns]}
            rows = [{"Data": [_text(v) for v in row]} for row in result.rows]
            self.query_results[exec_id] = QueryResults([header, *rows], info)
        return exec_id

    original_response = AthenaResponse.get_query_execution

    def get_query_execution(self: Any) -> str:
        body = json.loads(original_response(self))
        execution = self.athena_backend.executions[self._get_param("QueryExecutionId")]
        reason = getattr(execution, "failure_reason", None)
        if reason:
            body["QueryExecution"]["Status"]["State"] = "FAILED"
            body["QueryExecution"]["Status"]["StateChangeReason"] = reason
        return json.dumps(body)

    original_delete = GlueBackend.delete_table

    def delete_table(self: Any, database_name: str, table_name: str) -> Any:
        if not getattr(_STATE, "internal", False):
            warehouse.drop(database_name, table_name)
        return original_delete(self, database_name, table_name)

    AthenaBackend.start_query_execution = start_query_execution  # type: ignore[method-assign]
    AthenaResponse.get_query_execution = get_query_execution  # type: ignore[method-assign]
    GlueBackend.delete_table = delete_table  # type: ignore[method-assign]


@contextmanager
def athena_backend(
    database: Path, lake: Path, statements_log: Path | None = None
) -> Iterator[Warehouse]:
    """Emulated AWS for dbt-athena; yields the warehouse (`database`: awsdatacatalog.duckdb)."""
    import boto3
    from moto.moto_api import state_manager

    from warehouse_check.raw_zone import create_views, register_raw_tables

    state_manager.set_transition(
        model_name="athena::execution", transition={"progression": "immediate"}
    )
    os.environ.setdefault("ATHENA_POLL_INTERVAL", "0.01")
    bucket = os.environ.setdefault("LAKE_BUCKET", "dms-warehouse-lake")
    workgroup = os.environ.setdefault("ATHENA_WORKGROUP", "dms-warehouse")
    raw_database = os.environ.setdefault("GLUE_DATABASE", "raw")

    def read_csv(location: str) -> bytes:
        bucket_name, _, prefix = location.removeprefix("s3://").partition("/")
        listed = s3.list_objects_v2(Bucket=bucket_name, Prefix=prefix.rstrip("/") + "/")
        keys = sorted(o["Key"] for o in listed.get("Contents", []))
        if len(keys) != 1:
            raise StatementError(f"expected one CSV file under {location}, found {len(keys)}")
        body: bytes = s3.get_object(Bucket=bucket_name, Key=keys[0])["Body"].read()
        return body

    failures = database.with_name("failures.jsonl")
    warehouse = Warehouse(database, "athena", failure_log=failures, csv_reader=read_csv)
    try:
        with moto_server():
            s3 = boto3.client("s3", region_name=REGION)
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
            boto3.client("athena", region_name=REGION).create_work_group(
                Name=workgroup,
                Configuration={
                    "ResultConfiguration": {"OutputLocation": f"s3://{bucket}/athena-results/"},
                    "EnforceWorkGroupConfiguration": True,
                },
            )
            glue = boto3.client("glue", region_name=REGION)
            tables = register_raw_tables(glue, raw_database, lake)
            create_views(warehouse, raw_database, tables)
            sync = _GlueSync(warehouse, bucket, raw_database)
            sync.restore()
            warehouse.listeners.append(sync)
            _patch_moto(warehouse, statements_log)
            yield warehouse
    finally:
        warehouse.close()
