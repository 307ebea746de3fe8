"""Evidence for the tuning recommendations in docs/benchmarks.md: the slowest model
(stg_events__transaction_events) and its sibling stg_core_banking__transactions, built from a
landed lake as `create table` in plain DuckDB, as compiled and with one cost removed at a time.

    python benchmarks/model_variants.py --lake LAKE [--repeat 3]

Each variant runs in a fresh in-memory database with the profile's settings (2 threads, 5GB,
UTC); prints the median seconds per variant. Not part of `make bench` (run it by hand).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb

EVENT_FIELDS = {
    "transaction_id_text": '$."transaction_id"',
    "event_type": '$."event_type"',
    "channel": '$."channel"',
    "occurred_at_text": '$."occurred_at"."$date"',
    "device_os": '$."device"."os"',
    "device_app_version": '$."device"."app_version"',
    "device_ip": '$."device"."ip"',
    "geo_country": '$."geo"."country"',
    "geo_city": '$."geo"."city"',
    "risk_score_text": '$."risk"."score"',
}
MD5_ID = (
    "md5(coalesce(cast(_dms_file as text), '_null_') || '|' || "
    "coalesce(cast(_dms_row as text), '_null_'))"
)
META = (
    "_dms_op as change_op, _dms_commit_ts as change_committed_at, "
    "_dms_change_seq as change_seq, _dms_file as source_file, "
    "_dms_file_order as source_file_order, _dms_row as source_row, "
    "_landing_run_id as landing_run_id, _landed_at as landed_at"
)


def events(lake: Path, change_id: str = MD5_ID, document: bool = True, json: bool = True) -> str:
    paths = ", ".join(f"'{p}'" for p in EVENT_FIELDS.values())
    extract = (
        f"case when json_valid(_doc) then json_extract_string(_doc, [{paths}]) end"
        if json
        else "cast(null as varchar[])"
    )
    fields = ", ".join(f"j[{i}] as {name}" for i, name in enumerate(EVENT_FIELDS, start=1))
    return f"""
        select {change_id} as change_id, _id as event_id,
            coalesce(json_valid(_doc), false) as is_valid_json,
            try_cast(transaction_id_text as bigint) as transaction_id, transaction_id_text,
            event_type, channel,
            cast(timezone('UTC', try_cast(occurred_at_text as timestamptz)) as timestamp)
                as occurred_at,
            device_os, device_app_version, device_ip, geo_country, geo_city,
            try_cast(risk_score_text as double) as risk_score,
            {"_doc as document," if document else ""} {META}
        from (
            select *, {fields} from (
                select *, {extract} as j
                from read_parquet('{lake}/raw/events/transaction_events/*.parquet',
                                  union_by_name = true)))
    """


def transactions(lake: Path, change_id: str = MD5_ID) -> str:
    return f"""
        select {change_id} as change_id, * exclude (_dms_op, _dms_commit_ts, _dms_change_seq,
            _dms_file, _dms_file_order, _dms_row, _landing_run_id, _landed_at), {META}
        from read_parquet('{lake}/raw/core_banking/transactions/*.parquet',
                          union_by_name = true)
    """


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lake = args.lake
    hashed = "hash(_dms_file, _dms_row)"
    variants = {
        "events: as compiled": events(lake),
        "events: change_id = hash() instead of md5 text": events(lake, change_id=hashed),
        "events: without the document copy": events(lake, document=False),
        "events: without JSON extraction": events(lake, json=False),
        "transactions: as compiled": transactions(lake),
        "transactions: change_id = hash() instead of md5 text": transactions(lake, hashed),
    }
    for name, sql in variants.items():
        seconds = []
        for _ in range(args.repeat):
            connection = duckdb.connect(config={"threads": 2, "memory_limit": "5GB"})
            connection.execute("set TimeZone = 'UTC'")
            started = time.perf_counter()
            connection.execute(f"create table t as {sql}")
            seconds.append(time.perf_counter() - started)
            connection.close()
        print(f"{statistics.median(seconds):7.2f} s  {name}", flush=True)


if __name__ == "__main__":
    main()
