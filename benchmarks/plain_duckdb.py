"""The lower bound of the whole pipeline: the same DMS files landed and built into the same star
by plain DuckDB SQL written once by hand (benchmarks/plain_star.sql), without dmsw or dbt.

    python benchmarks/plain_duckdb.py --dms DMS_ROOT --database DIR/plain.duckdb

Runs plain_star.sql statement by statement in one DuckDB connection with the profile's
settings (DUCKDB_THREADS, DUCKDB_MEMORY_LIMIT, DUCKDB_BLOCK_ALLOCATOR_MEMORY, UTC, insertion
order not preserved) and prints one JSON line: seconds in total, seconds per step (`-- step:`
comments of the file), the rows of the four gold tables and sum(signed_amount).
tests/python/test_plain_star.py proves on simulated data that its star equals the project's
gold.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import duckdb

PROJECT = Path(__file__).resolve().parents[1]
SQL = Path(__file__).resolve().parent / "plain_star.sql"
GOLD = ("dim_customers", "dim_accounts", "dim_dates", "fact_transactions")


def steps(dms: Path, seeds: Path, sql_path: Path = SQL) -> list[tuple[str, str]]:
    """(step name, statement) in file order: statements end with ';' at a line end; each
    belongs to the last `-- step: <name>` comment above it."""
    text = sql_path.read_text(encoding="utf-8")
    text = text.replace("{dms}", dms.as_posix()).replace("{seeds}", seeds.as_posix())
    result: list[tuple[str, str]] = []
    step = "setup"
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("-- step:"):
            step = stripped.removeprefix("-- step:").strip()
            continue
        if stripped.startswith("--") and not lines:
            continue
        lines.append(line)
        if stripped.endswith(";"):
            statement = "\n".join(lines).strip().rstrip(";")
            if statement:
                result.append((step, statement))
            lines = []
    return result


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    connection = duckdb.connect(
        str(database),
        config={
            "threads": int(os.environ.get("DUCKDB_THREADS", "2")),
            "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "5GB"),
            "preserve_insertion_order": False,
            "block_allocator_memory": os.environ.get("DUCKDB_BLOCK_ALLOCATOR_MEMORY", "3GB"),
        },
    )
    connection.execute("set TimeZone = 'UTC'")
    return connection


def build(
    connection: duckdb.DuckDBPyConnection, dms: Path, seeds: Path = PROJECT / "seeds"
) -> dict[str, float]:
    """Run every statement; seconds per step."""
    seconds: dict[str, float] = {}
    for step, statement in steps(dms, seeds):
        started = time.perf_counter()
        connection.execute(statement)
        seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - started
    return seconds


def checks(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Row counts of the gold tables and sum(signed_amount), as bench.py reads ours."""
    result: dict[str, Any] = {}
    for name in GOLD:
        row = connection.execute(f"select count(*) from {name}").fetchone()
        result[f"rows.{name}"] = row[0] if row else None
    total = connection.execute("select sum(signed_amount) from fact_transactions").fetchone()
    result["sum.fact_transactions.signed_amount"] = str(total[0]) if total else None
    rejected = connection.execute("select count(*) from reject_errors").fetchone()
    result["rows_rejected_at_landing"] = rejected[0] if rejected else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dms", type=Path, required=True, help="the DMS root")
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, default=PROJECT / "seeds")
    args = parser.parse_args()
    started = time.perf_counter()
    connection = connect(args.database)
    per_step = build(connection, args.dms, args.seeds)
    connection.execute("checkpoint")
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "per_step": per_step, **checks(connection)}
    connection.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
