"""Run dbt for the `athena` or `redshift` target with no AWS account: every statement the real
adapter sends is executed on an emulated warehouse (DuckDB, warehouse_check/).

    python scripts/dbt_offline.py athena --database DIR/awsdatacatalog.duckdb --lake LAKE \
        [--log statements.jsonl] -- build --exclude-resource-type unit_test
    python scripts/dbt_offline.py redshift --database DIR/dev.duckdb --lake LAKE \
        -- test --select test_type:unit -- compile --select resource_type:analysis

athena: dbt-athena against moto (S3, Glue, Athena) in this process; each Athena query runs on
the warehouse. redshift: dbt-redshift with its driver replaced by one that runs each statement
on the warehouse. The raw zone is the lake folder LAKE, registered in Glue by the landing's own
code. Statements the warehouse refuses fail as the engine would (warehouse_check/engine.py,
engine_rules.py, ddl.py); they are listed in DIR/failures.jsonl. The same database file
carries over between runs, so a second run is an incremental run. Several dbt commands, each
after its own `--`, run one after the other on the same emulation. Exit code: 0 when every
dbt command succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=["athena", "redshift"])
    parser.add_argument("--database", type=Path, required=True, help="the warehouse's file")
    parser.add_argument("--lake", type=Path, required=True, help="the lake (raw zone) folder")
    parser.add_argument("--log", type=Path, help="append every statement sent (JSON lines)")
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    invocations: list[list[str]] = []
    for word in argv[split:]:
        if word == "--":
            invocations.append([])
        else:
            invocations[-1].append(word)
    os.environ["DBT_TARGET"] = args.engine
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT / "profiles"))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    args.database.parent.mkdir(parents=True, exist_ok=True)

    from dbt.cli.main import dbtRunner

    from warehouse_check.athena import athena_backend
    from warehouse_check.redshift import redshift_backend

    backend = athena_backend if args.engine == "athena" else redshift_backend
    succeeded = True
    with backend(args.database.resolve(), args.lake.resolve(), args.log) as warehouse:
        for dbt_args in invocations:
            result = dbtRunner().invoke([*dbt_args, "--target", args.engine])
            if result.exception is not None:
                print(f"dbt failed: {result.exception}", file=sys.stderr)
            succeeded = succeeded and result.success
        counts = dict(warehouse.counts)
    summary = args.database.with_name("summary.json")
    summary.write_text(json.dumps(counts, indent=2, sort_keys=True), encoding="utf-8")
    return 0 if succeeded else 1


if __name__ == "__main__":
    raise SystemExit(main())
