"""The transformation's lower bound: every dbt model's compiled SQL run as plain SQL in one
DuckDB connection, without dbt.

    python benchmarks/plain_duckdb.py --manifest T/manifest.json --compiled T/compiled \
        --database DIR/warehouse.duckdb --seeds-from dbt-built-warehouse.duckdb \
        [--explain model,model --explain-out DIR]

The compiled SQL must be the full-refresh form (copy target/compiled/ right after a build into
an empty warehouse). Models run in the manifest's dependency order as
`create or replace view|table <relation> as <sql>` (views stay views, tables and incremental
models become tables; hooks, tests and dbt's own bookkeeping are left out: that is the point).
Seeds are tiny reference tables: they are copied from the dbt-built warehouse rather than
parsed from CSV again. The database file must have the same name as dbt's (the compiled SQL
names the catalog), in another folder.

Prints one JSON line: seconds in total and per model. With --explain, the named models are
run again under EXPLAIN ANALYZE afterwards (not counted) and their plans written to files.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb


def model_order(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The enabled models of the manifest, each after the models it depends on."""
    models = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    graph = {
        uid: [dep for dep in node["depends_on"]["nodes"] if dep in models]
        for uid, node in models.items()
    }
    return [models[uid] for uid in TopologicalSorter(graph).static_order()]


def compiled_sql(node: dict[str, Any], compiled_dir: Path) -> str:
    path = compiled_dir / node["package_name"] / node["original_file_path"]
    if path.exists():
        return path.read_text(encoding="utf-8")
    code = node.get("compiled_code")
    if not code:
        raise FileNotFoundError(f"no compiled SQL for {node['unique_id']} at {path}")
    return str(code)


def statement(node: dict[str, Any], sql: str) -> str:
    kind = "view" if node["config"]["materialized"] in ("view", "ephemeral") else "table"
    return f"create or replace {kind} {node['relation_name']} as (\n{sql}\n)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--compiled", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--seeds-from", type=Path, required=True)
    parser.add_argument("--explain", default="", help="comma-separated model names")
    parser.add_argument("--explain-out", type=Path)
    args = parser.parse_args()

    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    nodes = model_order(manifest)
    statements = [(node, statement(node, compiled_sql(node, args.compiled))) for node in nodes]
    seeds = [n for n in manifest["nodes"].values() if n["resource_type"] == "seed"]

    args.database.unlink(missing_ok=True)
    args.database.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    connection = duckdb.connect(
        str(args.database),
        config={
            "threads": int(os.environ.get("DUCKDB_THREADS", "2")),
            "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "6GB"),
            "preserve_insertion_order": False,
        },
    )
    connection.execute("set TimeZone = 'UTC'")  # as the profile; needs icu, loaded by SET
    connection.execute(f"attach '{args.seeds_from}' as seed_source (read_only)")
    schemas = {n["schema"] for n in nodes} | {n["schema"] for n in seeds}
    for schema in sorted(schemas):
        connection.execute(f'create schema if not exists "{schema}"')
    for seed in seeds:
        connection.execute(
            f"create or replace table {seed['relation_name']} as "
            f'select * from seed_source."{seed["schema"]}"."{seed["alias"]}"'
        )
    connection.execute("detach seed_source")
    per_model: dict[str, float] = {}
    for node, sql in statements:
        model_started = time.perf_counter()
        connection.execute(sql)
        per_model[node["name"]] = time.perf_counter() - model_started
    connection.execute("checkpoint")
    seconds = time.perf_counter() - started

    if args.explain and args.explain_out:
        args.explain_out.mkdir(parents=True, exist_ok=True)
        by_name = {node["name"]: sql for node, sql in statements}
        for name in args.explain.split(","):
            node = next(n for n in nodes if n["name"] == name)
            query = compiled_sql(node, args.compiled)
            rows = connection.execute(f"explain analyze {query}").fetchall()
            text = "\n".join(str(row[-1]) for row in rows)
            (args.explain_out / f"{name}.txt").write_text(
                f"-- EXPLAIN ANALYZE of {name} (full-refresh form)\n{by_name[name]}\n\n{text}\n",
                encoding="utf-8",
            )
    connection.close()
    print(json.dumps({"seconds": seconds, "models": len(nodes), "per_model": per_model}))


if __name__ == "__main__":
    main()
