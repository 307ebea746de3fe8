"""The quarantine: records that could not land, each with its file, row, reason and text.

Rows of one table from one DMS file are written to ``quarantine/<schema>/<table>/`` beside
(and named like) that file's raw-zone output; records of tables without a contract (found
in PreserveTransactions files) go under ``_transactions/_unknown``. A file that cannot be
read at all is kept whole under ``quarantine_files/`` and gets one row here with no row
number.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ingestion.contracts import Column, TableContract
from ingestion.schemas import QUARANTINE_SCHEMA

UNKNOWN = ("_transactions", "_unknown")
"""Where records of tables without a contract go in the quarantine."""


def timestamp_scalar(moment: datetime) -> pa.Scalar:
    """A UTC moment as the lake stores it (timestamp[us], no zone)."""
    return pa.scalar(moment.replace(tzinfo=None), pa.timestamp("us"))


def quarantine_rows(
    contract: TableContract,
    key: str,
    rows: list[int | None],
    reasons: list[str],
    texts: list[str | None],
    *,
    run_id: str,
    landed_at: datetime,
) -> pa.Table:
    """Quarantine rows of one table from the DMS file ``key``: row numbers, reasons, texts."""
    n = len(rows)
    return pa.table(
        {
            "schema_name": pa.repeat(pa.scalar(contract.schema), n),
            "table_name": pa.repeat(pa.scalar(contract.table), n),
            "dms_file": pa.repeat(pa.scalar(key), n),
            "dms_row": pa.array(rows, pa.int64()),
            "reason": pa.array(reasons, pa.string()),
            "raw_record": pa.array(texts, pa.string()),
            "landing_run_id": pa.repeat(pa.scalar(run_id), n),
            "landed_at": pa.repeat(timestamp_scalar(landed_at), n),
        },
        schema=QUARANTINE_SCHEMA,
    )


def unknown_contract() -> TableContract:
    """Where rows of tables without a contract go in the quarantine (never the raw zone)."""
    return TableContract(*UNKNOWN, (Column("record", "varchar"),), ("record",))
