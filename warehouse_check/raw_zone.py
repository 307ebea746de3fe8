"""The raw zone as Athena or Redshift Spectrum reads it: one DuckDB view per Glue table.

The views are built from the Glue tables exactly as ``ingestion/glue.py`` registers them (the
same code the landing job runs), reading the Parquet files under each table's location:

- a column is read by name with the Glue type; a Parquet column the Glue type cannot read is
  an error (the engine would fail the query), a Glue column no file has is null;
- Athena reads a Glue ``timestamp`` as timestamp(3): the raw zone's microseconds are rounded
  to milliseconds, as Trino's Parquet reader does; a Glue ``bigint`` over a Parquet timestamp
  gives its raw value, epoch microseconds (Trino reads INT64 timestamps as bigint);
- Spectrum reads a Glue ``timestamp`` with its microseconds (Redshift's timestamp precision);
- files whose name starts with ``_`` or ``.`` are not data (Hive's rule; the landing's empty
  ``_schema.parquet``), subfolders are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warehouse_check.engine import Warehouse
from warehouse_check.shims import Dialect
from warehouse_check.statement import StatementError

PROJECT = Path(__file__).resolve().parents[1]

# Glue (Hive) type -> the Parquet column types (as DuckDB describes them) that the engine reads
# as that type, and the DuckDB expression that gives the engine's value.
_SAME = "{c}"


def _reading(dialect: Dialect, glue_type: str, parquet_type: str) -> str | None:
    """How the engine reads a Parquet column declared `glue_type`; None: it cannot."""
    glue_type = glue_type.lower()
    simple = {
        "string": ("VARCHAR",),
        "bigint": ("BIGINT",),
        "int": ("INTEGER",),
        "smallint": ("SMALLINT",),
        "double": ("DOUBLE",),
        "boolean": ("BOOLEAN",),
        "date": ("DATE",),
        "binary": ("BLOB",),
    }
    if glue_type in simple:
        if parquet_type in simple[glue_type]:
            return _SAME
        if dialect == "athena" and glue_type == "bigint" and parquet_type == "TIMESTAMP":
            return "epoch_us({c})"
        return None
    if glue_type == "timestamp":
        if parquet_type != "TIMESTAMP":
            return None
        return "cast({c} as TIMESTAMP_MS)" if dialect == "athena" else _SAME
    if re.fullmatch(r"decimal\(\d+,\d+\)", glue_type):
        wanted = "DECIMAL(" + glue_type[8:-1].replace(",", ",") + ")"
        return _SAME if parquet_type.replace(" ", "") == wanted else None
    return None


_DUCKDB_TYPE = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "smallint": "SMALLINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "binary": "BLOB",
}


def _null_of(dialect: Dialect, glue_type: str) -> str:
    glue_type = glue_type.lower()
    if glue_type == "timestamp":
        return "TIMESTAMP_MS" if dialect == "athena" else "TIMESTAMP"
    return _DUCKDB_TYPE.get(glue_type, glue_type.upper())


def register_raw_tables(glue: Any, database: str, lake: Path) -> list[dict[str, Any]]:
    """Register the lake's raw tables in Glue as `dmsw land --glue` does (its own code,
    ingestion.glue.register_lake, drift columns included); returns the Glue tables."""
    import pyarrow.parquet as pq

    from ingestion.contracts import load_contracts
    from ingestion.glue import GlueCatalog, register_lake
    from ingestion.lake import Lake
    from ingestion.schemas import raw_schema

    contracts = load_contracts(PROJECT / "contracts")
    drift: dict[str, list[str]] = {}
    for contract in contracts.values():
        known = set(raw_schema(contract).names)
        folder = lake / "raw" / contract.schema / contract.table
        extra: set[str] = set()
        for path in folder.glob("*.parquet"):
            extra |= set(pq.read_schema(path).names) - known
        if extra:
            drift[contract.qualified_name] = sorted(extra)
    register_lake(GlueCatalog(glue, database), Lake(lake), contracts, drift)
    pages = glue.get_paginator("get_tables").paginate(DatabaseName=database)
    return [dict(table) for page in pages for table in page["TableList"]]


def data_files(location: str) -> list[str]:
    """The data files under a table location (local lake), by Hive's naming rule."""
    root = Path(location.removeprefix("file://"))
    files = [
        p
        for p in sorted(root.rglob("*.parquet"))
        if not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts)
    ]
    return [str(p) for p in files]


def create_views(warehouse: Warehouse, schema: str, tables: Sequence[dict[str, Any]]) -> int:
    """Create `schema`.<table> views for Glue tables (get_tables' dicts); returns how many."""
    con = warehouse.con
    with warehouse.lock:
        con.execute(f'create schema if not exists "{schema}"')
        for table in tables:
            name = table["Name"]
            descriptor = table["StorageDescriptor"]
            files = data_files(descriptor["Location"])
            parquet: dict[str, str] = {}
            if files:
                described = con.execute(
                    "describe select * from read_parquet(?, union_by_name = true)", [files]
                ).fetchall()
                parquet = {str(row[0]).lower(): str(row[1]) for row in described}
            selected = []
            for column in descriptor["Columns"]:
                column_name, glue_type = column["Name"], column["Type"]
                if column_name not in parquet:
                    selected.append(
                        f'cast(null as {_null_of(warehouse.dialect, glue_type)}) as "{column_name}"'
                    )
                    continue
                how = _reading(warehouse.dialect, glue_type, parquet[column_name])
                if how is None:
                    raise StatementError(
                        f"{warehouse.dialect} cannot read {schema}.{name}.{column_name}: Glue"
                        f" type {glue_type}, Parquet {parquet[column_name]}"
                    )
                selected.append(
                    f'{how.format(c=chr(34) + column_name + chr(34))} as "{column_name}"'
                )
            source = (
                "read_parquet(" + _list(files) + ", union_by_name = true)"
                if files
                else "(select 1) as no_files where false"
            )
            con.execute(
                f'create or replace view "{schema}"."{name}" as select {", ".join(selected)}'
                f" from {source}"
            )
        return len(tables)


def _list(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
