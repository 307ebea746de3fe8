"""Landing throughput against DuckDB's own CSV-to-Parquet copy of the same DMS files.

    .venv/bin/python benchmarks/landing.py [--transactions 1000000] [--workdir data/bench]

Writes simulator output (``simulator.simulate``), then, each in a fresh process so
peak memory is its own:

- ours: ``Lander`` from a local folder into a fresh local lake (parse, cast to the contract,
  quarantine, lineage, Parquet, ledger);
- duckdb: for every file, ``COPY (select * from read_csv(file, all_varchar = true)) TO
  out.parquet (FORMAT parquet)``: parsing and writing only, no typing or checks.

Prints rows/s for both, the ratio (target: ours at least half of DuckDB's) and peak memory.
A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_ours(dms: Path, out: Path) -> dict[str, float]:
    from ingestion.contracts import load_contracts
    from ingestion.lake import Lake
    from ingestion.landing import Lander
    from ingestion.sources import LocalSource

    contracts = load_contracts(PROJECT / "contracts")
    started = time.perf_counter()
    summary = Lander(LocalSource(dms), Lake(out), contracts).run()
    seconds = time.perf_counter() - started
    rows = summary.rows_landed + summary.rows_quarantined
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}


def phase_duckdb(dms: Path, out: Path) -> dict[str, float]:
    import duckdb

    connection = duckdb.connect()
    files = sorted(p for p in dms.rglob("*") if p.is_file() and p.name.endswith((".csv", ".gz")))
    started = time.perf_counter()
    rows = 0
    for index, path in enumerate(files):
        target = out / f"{index}.parquet"
        result = connection.execute(
            f"copy (select * from read_csv('{path}', all_varchar = true)) "
            f"to '{target}' (format parquet)"
        ).fetchone()
        rows += int(result[0]) if result else 0
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}


def run_phase(name: str, dms: Path, out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [sys.executable, __file__, "--phase", name, "--dms", str(dms), "--out", str(out)]
    result = subprocess.run(command, check=True, capture_output=True, text=True, cwd=PROJECT)
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=PROJECT / "data" / "bench")
    parser.add_argument("--phase", choices=["ours", "duckdb"], help=argparse.SUPPRESS)
    parser.add_argument("--dms", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase = phase_ours if args.phase == "ours" else phase_duckdb
        print(json.dumps(phase(args.dms, args.out)))
        return

    from simulator import SimulationConfig, simulate

    dms = args.workdir / "dms"
    for own in ("dms", "truth", "duckdb", "lake"):  # only what this script writes
        shutil.rmtree(args.workdir / own, ignore_errors=True)
    print(f"simulating {args.transactions:,} transactions into {dms} ...", flush=True)
    simulate(
        SimulationConfig(
            out_dir=dms,
            truth_dir=args.workdir / "truth",
            seed=args.seed,
            transactions=args.transactions,
        )
    )
    size = sum(p.stat().st_size for p in dms.rglob("*") if p.is_file())
    print(f"  {size / 1e6:,.0f} MB of DMS files; {os.cpu_count()} CPUs", flush=True)
    results = {
        "duckdb": run_phase("duckdb", dms, args.workdir / "duckdb"),
        "ours": run_phase("ours", dms, args.workdir / "lake"),
    }
    for name, r in results.items():
        rate = r["rows"] / r["seconds"]
        print(
            f"  {name:7} {int(r['rows']):>12,} rows {r['seconds']:8.2f} s "
            f"{rate:>12,.0f} rows/s  peak {r['peak_mb']:,.0f} MB"
        )
    ours = results["ours"]["rows"] / results["ours"]["seconds"]
    theirs = results["duckdb"]["rows"] / results["duckdb"]["seconds"]
    verdict = "meets" if ours >= theirs / 2 else "MISSES"
    print(f"  ratio ours/duckdb: {ours / theirs:.2f} ({verdict} the target of 0.5)")


if __name__ == "__main__":
    main()
