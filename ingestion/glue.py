"""Register the raw tables and the quarantine in the AWS Glue Data Catalog.

After a run on an S3 lake, each contracted table becomes (or is updated as) an external
Parquet table ``<schema>__<table>`` at ``<lake>/raw/<schema>/<table>/`` with the contract's
columns mapped to Hive types, the DMS change metadata, any drift columns seen, and the lineage
columns; the quarantine becomes ``landing_quarantine`` and the committed runs (``commits``)
``landing_committed_runs``. Athena and Redshift Spectrum can then
query them with no crawler. Tables are not partitioned (one Parquet file per DMS file).

Athena reads a Glue ``timestamp`` column of a Parquet file at millisecond precision; the raw
zone keeps microseconds. So each table also gets a twin ``<name>__epoch_us`` over the same
files, whose timestamp columns are declared ``bigint``: Athena then reads them as epoch
microseconds, exactly, and the dbt staging models turn them into timestamp(6) (macro
``cast_timestamp``). Redshift Spectrum reads the plain tables (microseconds kept).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from botocore.exceptions import ClientError

from ingestion import commits
from ingestion.aws import aws_call
from ingestion.contracts import TableContract
from ingestion.identifiers import check_identifier
from ingestion.lake import Lake
from ingestion.schemas import QUARANTINE_SCHEMA, raw_schema

QUARANTINE_TABLE = "landing_quarantine"
EPOCH_US_SUFFIX = "__epoch_us"
COMMITTED_TABLE = "landing_committed_runs"
_PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    },
}


def hive_type(arrow: pa.DataType, epoch_us: bool = False) -> str:
    """The Glue/Hive type that reads an Arrow type of the raw zone (timestamps as ``bigint``
    epoch microseconds with `epoch_us`)."""
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
        if epoch_us and arrow.unit != "us":
            raise ValueError(f"epoch microseconds from a {arrow} column")
        return "bigint" if epoch_us else "timestamp"
    if isinstance(arrow, pa.Decimal128Type):
        return f"decimal({arrow.precision},{arrow.scale})"
    raise ValueError(f"no Glue type for {arrow}")


def table_input(
    name: str, schema: pa.Schema, location: str, description: str, epoch_us: bool = False
) -> dict[str, Any]:
    columns = [
        {"Name": check_identifier(f.name, "column").lower(), "Type": hive_type(f.type, epoch_us)}
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

    def upsert(
        self,
        name: str,
        schema: pa.Schema,
        location: str,
        description: str,
        epoch_us: bool = False,
    ) -> str:
        """Create the table, or update it when its columns or location changed."""
        wanted = table_input(name, schema, location, description, epoch_us)
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
    """Upsert every raw table, the quarantine and the committed runs, each with its
    ``__epoch_us`` twin (module docstring); returns what happened per Glue table."""
    tables: list[tuple[str, pa.Schema, str, str]] = []
    for contract in contracts.values():
        name = f"{contract.schema}__{contract.table}".lower()
        schema = raw_schema(contract, drift.get(contract.qualified_name))
        location = lake.store.url(lake.table_dir("raw", contract.schema, contract.table))
        description = f"DMS changes of {contract.qualified_name}, landed by dmsw"
        tables.append((name, schema, location, description))
    description = "rows and files dmsw could not land"
    tables.append((QUARANTINE_TABLE, QUARANTINE_SCHEMA, lake.store.url("quarantine"), description))
    location = lake.store.url(commits.COMMITTED_DIR)
    description = "landing runs whose rows readers may take"
    tables.append((COMMITTED_TABLE, commits.SCHEMA, location, description))
    done: dict[str, str] = {}
    for name, schema, location, description in tables:
        done[name] = catalog.upsert(name, schema, location, description)
        twin = f"{description} (timestamps as epoch microseconds, for Athena)"
        done[name + EPOCH_US_SUFFIX] = catalog.upsert(
            name + EPOCH_US_SUFFIX, schema, location, twin, epoch_us=True
        )
    return done
