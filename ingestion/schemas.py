"""The Arrow schemas of the lake's tables: the raw zone (per contract) and the quarantine.

A raw-zone file holds the DMS change metadata, the contract's columns typed, any columns the
contract does not know (schema drift, as text) and the lineage of each row (with the full load
of its table it belongs to: ``generations``). The quarantine
holds the records that could not land, with their file, row, reason and text.
"""

from __future__ import annotations

import pyarrow as pa

from ingestion.contracts import TableContract

LINEAGE_FIELDS = [
    pa.field("_dms_op", pa.string()),
    pa.field("_dms_commit_ts", pa.timestamp("us")),
    pa.field("_dms_change_seq", pa.string()),
]
TRAILER_FIELDS = [
    pa.field("_dms_file", pa.string()),
    pa.field("_dms_file_order", pa.string()),
    pa.field("_dms_row", pa.int64()),
    pa.field("_landing_run_id", pa.string()),
    pa.field("_landed_at", pa.timestamp("us")),
    pa.field("_load_generation", pa.int32()),
]
QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("schema_name", pa.string()),
        pa.field("table_name", pa.string()),
        pa.field("dms_file", pa.string()),
        pa.field("dms_row", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("raw_record", pa.string()),
        pa.field("landing_run_id", pa.string()),
        pa.field("landed_at", pa.timestamp("us")),
    ]
)


def raw_schema(contract: TableContract, drift: list[str] | None = None) -> pa.Schema:
    """The raw-zone schema: DMS change metadata, typed contract columns, drift, lineage."""
    data = [pa.field(c.name, c.arrow_type) for c in contract.columns]
    extra = [pa.field(name, pa.string()) for name in drift or []]
    return pa.schema([*LINEAGE_FIELDS, *data, *extra, *TRAILER_FIELDS])
