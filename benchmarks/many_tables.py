"""The many-tables benchmark: how the pipeline grows with the number of tables, which is how
users grow. For each table count (10, 30, 100 by default), in a copy of the dbt project under
the work folder (the repository is not touched):

1. onboarding: `dmsw contracts infer` drafts the contracts from the DMS files of
   many_tables_data.py (made-up tables of 3 to 40 columns, 10k-100k rows); the review a user
   would do is applied (the key each table really has, `history: true` on every fifth
   table); `dmsw models generate` writes their bronze and silver models;
2. `dmsw land` of the full loads, then the first `dbt build` with every test (`make run`'s
   vars), per stage from run_results.json;
3. a 1% CDC batch (updates, inserts, deletes) landed and built the same way.

    python benchmarks/many_tables.py [--tables 10 30 100] [--workdir /tmp/dmsw-bench/many]

Prints the figures and the time per table; stores them in docs/benchmarks/many_tables.json
and rewrites the many-tables section and the targets of docs/benchmarks.md. The bank's own
contracts stay in the copy (their tables get no files: empty models, the same fixed cost at
every count); the fit `seconds = a + b * tables` separates that fixed cost from the cost per
table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_report
import dbt_stages
import many_tables_data
import procstats

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DBT = str(BIN / "dbt")
DMSW = str(BIN / "dmsw")
VARS = "{freshness_from: landing}"
PROJECT_PARTS = ("dbt_project.yml", "profiles", "models", "macros", "seeds", "tests/generic",
                 "analyses", "assets", "contracts")  # fmt: skip


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def copy_project(target: Path) -> None:
    """The dbt project and the bank's contracts, without data, targets or Python."""
    for part in PROJECT_PARTS:
        source = PROJECT / part
        destination = target / part
        if source.is_dir():
            shutil.copytree(source, destination, symlinks=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, destination)


def review_contracts(contracts: Path, specs: list[many_tables_data.TableSpec]) -> dict[str, int]:
    """What a user does after `contracts infer`: confirm each table's key (the data's real
    one) and ask for type 2 history where wanted. Returns counts of what changed."""
    changed = {"keys_confirmed": 0, "keys_corrected": 0, "keys_widened": 0, "history_on": 0}
    for spec in specs:
        path = contracts / many_tables_data.SCHEMA / f"{spec.name}.yml"
        contract = yaml.safe_load(path.read_text(encoding="utf-8"))
        key = ["id", "part"] if spec.composite_key else ["id"]
        changed["keys_confirmed" if contract.get("primary_key") == key else "keys_corrected"] += 1
        contract["primary_key"] = key
        for column in contract.get("columns") or []:
            # ids grow: a draft narrower than bigint (infer before main's f36d865 drafted
            # the narrowest integer the sample showed) would quarantine later ids
            if column.get("name") in key and column.get("type") in ("smallint", "integer"):
                column["type"] = "bigint"
                changed["keys_widened"] += 1
        if spec.history:
            contract["history"] = True
            changed["history_on"] += 1
        path.write_text(yaml.safe_dump(contract, sort_keys=False), encoding="utf-8")
    return changed


def prepare_data(root: Path, count: int) -> list[many_tables_data.TableSpec]:
    """DMS output of `count` tables (full load) and its 1% batch, generated once for the
    largest count; the specs are deterministic, so smaller counts are its first tables."""
    specs = many_tables_data.table_specs(count)
    marker = root / f"data-{count}.json"
    if not marker.exists():
        shutil.rmtree(root / "data", ignore_errors=True)
        log(f"writing DMS output for {count} tables")
        started = time.perf_counter()
        rows = many_tables_data.write_full_load(root / "data" / "base", specs)
        delta = many_tables_data.write_batch(root / "data" / "delta", specs, 0.01, 1)
        marker.write_text(
            json.dumps({"rows": rows, "delta_rows": delta,
                        "seconds": time.perf_counter() - started}),
            encoding="utf-8",
        )  # fmt: skip
    return specs


def _link_tables(source: Path, target: Path, specs: list[many_tables_data.TableSpec]) -> None:
    for spec in specs:
        folder = source / many_tables_data.SCHEMA / spec.name
        for path in folder.iterdir():
            destination = target / many_tables_data.SCHEMA / spec.name / path.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, destination)


def measure_count(
    root: Path,
    count: int,
    specs: list[many_tables_data.TableSpec],
    threads: int,
    sample_rows: int = 100_000,
    incremental: bool = True,
) -> dict[str, Any]:
    work = root / f"{count}-tables"
    shutil.rmtree(work, ignore_errors=True)
    project = work / "project"
    copy_project(project)
    _link_tables(root / "data" / "base", work / "dms", specs)
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(project / "profiles"),
        DBT_TARGET="duckdb",
        DBT_THREADS=str(threads),
        LAKE_DIR=str(work / "lake"),
        DUCKDB_PATH=str(work / "warehouse.duckdb"),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        CONTRACTS_DIR=str(project / "contracts"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    out: dict[str, Any] = {"tables": count, "threads": threads}

    def measure(name: str, command: list[str], check: bool = True) -> procstats.Measurement:
        log(f"  {count} tables: {name}  (load {os.getloadavg()[0]:.2f})")
        measured = procstats.run(command, env=env, cwd=project, check=check)
        out[name] = measured.as_dict()
        out[name].pop("stdout_tail")
        out[name].pop("command")
        log(f"      {measured.wall_s:8.2f} s wall {measured.cpu_s:8.2f} s cpu "
            f"{measured.peak_rss_tree_mb:8.0f} MB peak")  # fmt: skip
        if measured.returncode != 0:
            log(measured.stdout_tail[-3000:])
        return measured

    def breakdown() -> dict[str, Any]:
        results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))
        manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
        return {
            "nodes": len(results["results"]),
            "elapsed_s": results.get("elapsed_time"),
            "statuses": dbt_stages.statuses(results),
            "stages": dbt_stages.stages(results, manifest),
            "slowest": dbt_stages.slowest(results, manifest, top=6),
        }

    contracts = project / "contracts"
    # --sample-rows 100000 reads every record of every file (the largest table has 100k);
    # the figures in docs/benchmarks.md: 10 and 30 tables so, 100 tables from the default
    # 10,000-record sample
    measure("infer", [DMSW, "contracts", "infer", "--source", str(work / "dms"),
                      "--out", str(contracts), "--sample-rows", str(sample_rows)])  # fmt: skip
    out["sample_rows"] = sample_rows
    out["review"] = review_contracts(contracts, specs)
    measure("generate", [DMSW, "models", "generate", "--contracts", str(contracts),
                         "--project", str(project)])  # fmt: skip
    measure("land", [DMSW, "land", "--source", str(work / "dms"), "--lake", str(work / "lake")])
    measure("dbt_build", [DBT, "build", "--vars", VARS, "--quiet"], check=False)
    out["dbt_build"]["dbt"] = breakdown()
    if incremental:
        _link_tables(root / "data" / "delta", work / "dms", specs)
        land = [DMSW, "land", "--source", str(work / "dms"), "--lake", str(work / "lake")]
        measure("land_incremental", land)
        measure("dbt_build_incremental", [DBT, "build", "--vars", VARS, "--quiet"], check=False)
        out["dbt_build_incremental"]["dbt"] = breakdown()
    out["models"] = sum(1 for _ in (project / "models").rglob("*.sql"))
    shutil.rmtree(work, ignore_errors=True)
    return out


def summary(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "infer_s": entry["infer"]["wall_s"],
        "generate_s": entry["generate"]["wall_s"],
        "land_s": entry["land"]["wall_s"],
        "build_s": entry["dbt_build"]["wall_s"],
        "build_cpu_s": entry["dbt_build"]["cpu_s"],
        "build_ok": entry["dbt_build"]["returncode"] == 0,
        "nodes": entry["dbt_build"]["dbt"]["nodes"],
        "incr_land_s": entry.get("land_incremental", {}).get("wall_s"),
        "incr_build_s": entry.get("dbt_build_incremental", {}).get("wall_s"),
        "peak_mb": max(entry["land"]["peak_rss_tree_mb"], entry["dbt_build"]["peak_rss_tree_mb"]),
        "load_1m": max(entry[p]["load_before"][0] for p in ("land", "dbt_build")),
    }


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares a + b * x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0
    return mean_y - slope * mean_x, slope


def fit(stored: dict[str, Any]) -> None:
    """The least-squares lines of build and landing time against the table count."""
    scaling = stored.get("scaling", {})
    if len(scaling) >= 2:
        a, b = linear_fit([(int(n), s["build_s"]) for n, s in scaling.items()])
        stored["fit_build"] = {"fixed_s": a, "per_table_s": b}
        a, b = linear_fit([(int(n), s["land_s"]) for n, s in scaling.items()])
        stored["fit_land"] = {"fixed_s": a, "per_table_s": b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--threads", type=int, default=int(os.environ.get("DBT_THREADS", "2")))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dmsw-bench/many"))
    parser.add_argument("--sample-rows", type=int, default=100_000,
                        help="records infer reads per file (100,000: every record)")  # fmt: skip
    parser.add_argument("--incremental", action=argparse.BooleanOptionalAction, default=True,
                        help="also land and build a 1%% batch")  # fmt: skip
    parser.add_argument(
        "--results", type=Path, default=PROJECT / "docs/benchmarks/many_tables.json"
    )
    parser.add_argument("--doc", type=Path, default=PROJECT / "docs/benchmarks.md")
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    specs = prepare_data(options.workdir, max(options.tables))
    stored: dict[str, Any] = {}
    if options.results.exists():
        stored = json.loads(options.results.read_text(encoding="utf-8"))
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    stored.setdefault("runs", {})
    for count in sorted(options.tables):
        entry = measure_count(options.workdir, count, specs[:count], options.threads,
                              options.sample_rows, options.incremental)  # fmt: skip
        entry["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        entry["uptime_before"] = uptime.strip()
        entry["uptime_after"] = subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
        entry["rows"] = sum(s.rows for s in specs[:count])
        entry["summary"] = summary(entry)
        stored["runs"][f"{count}@{options.threads}"] = entry
        if options.threads == 2:
            stored.setdefault("scaling", {})[str(count)] = entry["summary"]
        uptime = entry["uptime_after"]
        fit(stored)
        options.results.parent.mkdir(parents=True, exist_ok=True)  # after every count
        options.results.write_text(json.dumps(stored, indent=1, default=str), encoding="utf-8")
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(json.dumps(stored, indent=1, default=str), encoding="utf-8")
    bench_report.refresh_doc(options.results.with_name("results.json"), options.results,
                             options.doc)  # fmt: skip
    print(bench_report.many_tables_text(stored))


if __name__ == "__main__":
    main()
