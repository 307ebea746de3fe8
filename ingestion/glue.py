"""Register the raw tables and the quarantine in the AWS Glue Data Catalog.

After a run on an S3 lake, each contracted table becomes (or is updated as) an external
Parquet table ``<schema>__<table>`` at ``<lake>/raw/<schema>/<table>/`` with the contract's
columns mapped to Hive types, the DMS change metadata, any drift columns seen, and the lineage
columns; the quarantine becomes ``landing_quarantine`` and the committed runs (``commits``)
``landing_committed_runs``. Athena and Redshift Spectrum can then query them with no crawler.
Tables are not partitioned (one Parquet file per DMS file).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from botocore.exceptions import ClientError

from ingestion import commits
from ingestion.contracts import TableContract, check_identifier
from ingestion.lake import Lake
from ingestion.s3 import aws_call
from ingestion.schemas import QUARANTINE_SCHEMA, raw_schema

QUARANTINE_TABLE = "landing_quarantine"
COMMITTED_TABLE = "landing_committed_runs"
_PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    },
}


def hive_type(arrow: pa.DataType) -> str:
    """The Glue/Hive type that reads an Arrow type of the raw zone."""
    if pa.types.is_int64(arrow):
        return "bigint"
    if pa.types.is_int32(arrow):
        return "int"
    if pa.types.is_int16(arrow):
        return "smallint"
    if pa.types.is_float64(arrow):
        return "double"
    if pa.types.is_boolean(arrow):
        return "boolean"
    if pa.types.is_string(arrow):
        return "string"
    if pa.types.is_binary(arrow):
        return "binary"
    if pa.types.is_date32(arrow):
        return "date"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    if isinstance(arrow, pa.Decimal128Type):
        return f"decimal({arrow.precision},{arrow.scale})"
    raise ValueError(f"no Glue type for {arrow}")


def table_input(name: str, schema: pa.Schema, location: str, description: str) -> dict[str, Any]:
    columns = [
        {"Name": check_identifier(f.name, "column").lower(), "Type": hive_type(f.type)}
        for f in schema
    ]
    return {
        "Name": check_identifier(name, "table"),
        "Description": description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "StorageDescriptor": {
            "Columns": columns,
            "Location": location.rstrip("/") + "/",
            **_PARQUET,
        },
    }


class GlueCatalog:
    """Creates the database if needed; creates or updates tables (``upsert``)."""

    def __init__(self, glue: Any, database: str) -> None:
        self.glue = glue
        self.database = check_identifier(database, "Glue database")
        with aws_call(f"Glue create database {self.database}"):
            try:
                glue.create_database(DatabaseInput={"Name": self.database})
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "AlreadyExistsException":
                    raise

    def upsert(self, name: str, schema: pa.Schema, location: str, description: str) -> str:
        """Create the table, or update it when its columns or location changed."""
        wanted = table_input(name, schema, location, description)
        with aws_call(f"Glue table {self.database}.{name}"):
            try:
                current = self.glue.get_table(DatabaseName=self.database, Name=name)["Table"]
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
                    raise
                self.glue.create_table(DatabaseName=self.database, TableInput=wanted)
                return "created"
        descriptor = current.get("StorageDescriptor", {})
        known = [c["Name"] for c in descriptor.get("Columns", [])]
        # the contract decides types; columns an earlier run added (drift) are kept
        columns = {c["Name"]: c for c in descriptor.get("Columns", [])}
        for column in wanted["StorageDescriptor"]["Columns"]:
            columns[column["Name"]] = column
        ordered = [columns[n] for n in known] + [
            c for c in wanted["StorageDescriptor"]["Columns"] if c["Name"] not in known
        ]
        if (
            ordered == descriptor.get("Columns")
            and descriptor.get("Location") == (wanted["StorageDescriptor"]["Location"])
        ):
            return "unchanged"
        wanted["StorageDescriptor"]["Columns"] = ordered
        with aws_call(f"Glue update table {self.database}.{name}"):
            self.glue.update_table(DatabaseName=self.database, TableInput=wanted)
        return "updated"


def register_lake(
    catalog: GlueCatalog,
    lake: Lake,
    contracts: dict[tuple[str, str], TableContract],
    drift: dict[str, list[str]],
) -> dict[str, str]:
    """Upsert every raw table, the quarantine and the committed runs; returns what happened
    per Glue table."""
    done: dict[str, str] = {}
    for contract in contracts.values():
        name = f"{contract.schema}__{contract.table}".lower()
        schema = raw_schema(contract, drift.get(contract.qualified_name))
        location = lake.store.url(lake.table_dir("raw", contract.schema, contract.table))
        description = f"DMS changes of {contract.qualified_name}, landed by dmsw"
        done[name] = catalog.upsert(name, schema, location, description)
    location = lake.store.url("quarantine")
    done[QUARANTINE_TABLE] = catalog.upsert(
        QUARANTINE_TABLE, QUARANTINE_SCHEMA, location, "rows and files dmsw could not land"
    )
    location = lake.store.url(commits.COMMITTED_DIR)
    done[COMMITTED_TABLE] = catalog.upsert(
        COMMITTED_TABLE, commits.SCHEMA, location, "landing runs whose rows readers may take"
    )
    return done
