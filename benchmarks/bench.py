"""The performance benchmark, as users run the pipeline: land the DMS files, then `dbt build`
with every test (seeds, models, data and unit tests, the on-run-end hook), the command and
vars `make run` uses; per stage from dbt's own run_results.json (dbt_stages.py); the docs;
then a 1% CDC batch landed and built the same way. Against the lower bound (the same files
landed and built into the same star by plain DuckDB SQL written once: plain_star.sql), in the
same run, and the peer (the same build as a PySpark job, spark_job.py); optionally `make run`
itself (--make-run) against the same lower bound.

    python benchmarks/bench.py --sizes 1000000 --runs 1 [--no-spark] [--make-run]
                               [--workdir /tmp/dmsw-bench]

`make bench` runs it (SIZES=, RUNS=, BENCH_ARGS=). Results are merged by size into
docs/benchmarks/results.json; docs/benchmarks.md's generated section (tables, stages,
targets) and the charts are rewritten from the whole file. Each phase is a separate process
measured by procstats.run (wall, CPU of the process tree, peak RSS of the tree, load average:
the machine may be shared, so every figure carries the load seen). A benchmark, not a test:
it fails only when a phase itself fails; targets are printed PASS/FAIL.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_report
import dbt_stages
import procstats

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DBT = str(BIN / "dbt")
DMSW = str(BIN / "dmsw")
PY = sys.executable
# the vars `make run` passes on the demo data (Makefile DBT_VARS): the same on every dbt
# command, so nothing is parsed twice
VARS = "{freshness_from: landing}"
BUILD = ["build", "--vars", VARS]
RESULTS_VERSION = 2  # 2: the build runs every test; the plain bound starts from the DMS files
GOLD = ("dim_customers", "dim_accounts", "dim_dates", "fact_transactions")
DELTA_SHARE = 0.01


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# -- the machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text(encoding="utf-8").split()[1])

    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "models", "macros", "ingestion", "profiles"],
        cwd=PROJECT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "dbt-core": version("dbt-core"),
        "dbt-duckdb": version("dbt-duckdb"),
        "pyarrow": version("pyarrow"),
        "pyspark": version("pyspark"),
        "java": (java.stderr.splitlines() or [""])[0],
        "git_commit": commit.stdout.strip() + (" + uncommitted changes" if dirty.stdout else ""),
        "duckdb_threads": int(os.environ.get("DUCKDB_THREADS", "2")),
        "duckdb_memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "5GB"),
        "duckdb_block_allocator_memory": os.environ.get("DUCKDB_BLOCK_ALLOCATOR_MEMORY", "3GB"),
        "dbt_threads": int(os.environ.get("DBT_THREADS", "2")),
    }


# -- data: the simulated DMS output, split into a base and a 1% CDC batch ------------------


def _record_ends(data: bytes) -> list[int]:
    """Offsets just past each record's line end in CSV bytes (RFC 4180: a newline inside
    double quotes belongs to the value). Vectorised: a newline ends a record when an even
    number of quotes precedes it."""
    import numpy as np

    array = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(array == 0x22)
    newlines = np.flatnonzero(array == 0x0A)
    outside = np.searchsorted(quotes, newlines) % 2 == 0
    return [int(i) + 1 for i in newlines[outside]]


def _count_records(path: Path) -> int:
    return max(0, len(_record_ends(path.read_bytes())) - 1)  # minus the header


def prepare_data(size: int, root: Path, seed: int) -> dict[str, Any]:
    """Simulate `size` transactions into root/sim; the last CDC batch is held back and cut to
    1% of each table's rows into root/delta (its first records: the files are in commit
    order, so this is the start of that day's changes). root/base lists the rest."""
    sim = root / "sim"
    if not (root / "data.json").exists():
        marker = root / "simulated.json"
        if not marker.exists():
            shutil.rmtree(root, ignore_errors=True)
            log(f"simulating {size:,} transactions")
            measured = procstats.run(
                [DMSW, "simulate", "--out", str(sim), "--truth", str(root / "truth"),
                 "--transactions", str(size), "--seed", str(seed), "--batches", "4"],
                cwd=PROJECT,
            )  # fmt: skip
            marker.write_text(json.dumps({"simulate_s": measured.wall_s}), encoding="utf-8")
        simulate_s = json.loads(marker.read_text(encoding="utf-8"))["simulate_s"]
        log("splitting off the 1% batch")
        files = sorted(p for p in sim.rglob("*") if p.is_file())
        cdc_days = sorted({p.name[:8] for p in files if not p.name.startswith("LOAD")})
        last_day = cdc_days[-1] if cdc_days else None
        base = [p for p in files if p.name[:8] != last_day or p.name.startswith("LOAD")]
        held = [p for p in files if p not in base]
        base_rows: dict[str, int] = {}
        for path in base:
            table = str(path.parent.relative_to(sim))
            base_rows[table] = base_rows.get(table, 0) + _count_records(path)
        delta_rows: dict[str, int] = {}
        for path in held:
            table = str(path.parent.relative_to(sim))
            data = path.read_bytes()
            ends = _record_ends(data)
            keep = min(len(ends) - 1, max(1, round(base_rows.get(table, 0) * DELTA_SHARE)))
            target = root / "delta" / path.relative_to(sim)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data[: ends[keep]])
            delta_rows[table] = keep
        info = {
            "transactions": size,
            "seed": seed,
            "simulate_s": simulate_s,
            "base_files": [str(p.relative_to(sim)) for p in base],
            "base_rows": base_rows,
            "delta_rows": delta_rows,
            "dms_bytes": sum(p.stat().st_size for p in base),
        }
        (root / "data.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return dict(json.loads((root / "data.json").read_text(encoding="utf-8")))


def _link_tree(files: list[Path], source: Path, target: Path) -> None:
    for path in files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, destination)


# -- one run at one size ---------------------------------------------------------------------


def _env(root: Path, run: Path, target: str = "target") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT / "profiles"),
        DBT_TARGET="duckdb",
        LAKE_DIR=str(run / "lake"),
        DUCKDB_PATH=str(run / "warehouse.duckdb"),
        DBT_TARGET_PATH=str(root / target),
        DBT_LOG_PATH=str(root / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def _gold_checks(database: Path) -> dict[str, Any]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        checks: dict[str, Any] = {}
        for name in GOLD:
            row = connection.execute(f"select count(*) from gold.{name}").fetchone()
            checks[f"rows.{name}"] = row[0] if row else None
        total = connection.execute("select sum(signed_amount) from gold.fact_transactions")
        row = total.fetchone()
        checks["sum.fact_transactions.signed_amount"] = str(row[0]) if row else None
    return checks


def _dbt_breakdown(target: Path, keep_as: str) -> dict[str, Any]:
    """Stages, slowest nodes and statuses of the dbt build that just wrote `target`; its
    run_results.json is kept beside the target folder as `keep_as` (every node's timing)."""
    shutil.copy(target / "run_results.json", target.parent / keep_as)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return {
        "elapsed_s": results.get("elapsed_time"),
        "nodes": len(results["results"]),
        "statuses": dbt_stages.statuses(results),
        "stages": dbt_stages.stages(results, manifest),
        "slowest": dbt_stages.slowest(results, manifest),
    }


def _last_json(text: str) -> dict[str, Any]:
    return dict(json.loads(text.strip().splitlines()[-1]))


def one_run(
    size: int, root: Path, index: int, data: dict[str, Any], options: argparse.Namespace
) -> dict[str, Any]:
    run = root / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    sim = root / "sim"
    base = [sim / rel for rel in data["base_files"]]
    _link_tree(base, sim, run / "dms")
    env = _env(root, run)
    out: dict[str, Any] = {}

    def measure(
        name: str, command: list[str], check: bool = True, environment: dict[str, str] = env
    ) -> procstats.Measurement:
        log(f"  {size:>10,} run {index + 1}: {name}  (load {os.getloadavg()[0]:.2f})")
        measured = procstats.run(command, env=environment, cwd=PROJECT, check=check)
        out[name] = measured.as_dict()
        out[name].pop("stdout_tail")
        log(
            f"      {measured.wall_s:8.2f} s wall {measured.cpu_s:8.2f} s cpu "
            f"{measured.peak_rss_tree_mb:8.0f} MB peak  load {measured.load_before[0]:.2f}"
        )
        return measured

    # what users run: land, then dbt build with every test, then the docs
    measure("land", [DMSW, "land", "--source", str(run / "dms"), "--lake", str(run / "lake")])
    if index == 0:
        measure("dbt_parse", [DBT, "parse", "--quiet", "--vars", VARS])
    measure("dbt_startup", [DBT, "build", "--select", "tag:bench_selects_nothing", "--quiet",
                            "--vars", VARS])  # fmt: skip
    build = measure("dbt_build", [DBT, *BUILD, "--quiet"], check=False)
    out["dbt_build"]["dbt"] = _dbt_breakdown(root / "target", f"run_results_full_{index}.json")
    if build.returncode != 0:
        log(f"      dbt build exited {build.returncode}: {out['dbt_build']['dbt']['statuses']}")
        log(build.stdout_tail[-3000:])
    out["checks_ours"] = _gold_checks(run / "warehouse.duckdb")
    measure("dbt_docs", [DBT, "docs", "generate", "--static", "--quiet", "--vars", VARS])

    # the lower bound, from the same files
    plain = measure(
        "plain_duckdb",
        [PY, str(PROJECT / "benchmarks" / "plain_duckdb.py"), "--dms", str(run / "dms"),
         "--database", str(run / "plain" / "plain.duckdb")],
    )  # fmt: skip
    plain_result = _last_json(plain.stdout_tail)
    out["plain_duckdb"]["inner_s"] = plain_result.pop("seconds")
    out["plain_duckdb"]["per_step"] = plain_result.pop("per_step")
    out["checks_plain"] = plain_result
    shutil.rmtree(run / "plain", ignore_errors=True)

    if options.spark and index < options.spark_runs:
        spark = measure(
            "spark",
            [PY, str(PROJECT / "benchmarks" / "spark_job.py"), "--lake", str(run / "lake"),
             "--out", str(run / "spark"), "--driver-memory", options.spark_memory],
            check=False,
        )  # fmt: skip
        if spark.returncode == 0:
            result = _last_json(spark.stdout_tail)
            out["spark"]["inner_s"] = result.pop("seconds")
            out["spark"]["session_s"] = result.pop("session_seconds")
            out["checks_spark"] = result
        else:
            out["spark"]["error"] = spark.stdout_tail[-2000:]
        shutil.rmtree(run / "spark", ignore_errors=True)

    if options.make_run and index == 0:
        # `make run` on the same files as a user's SOURCE: land, models, build, docs,
        # freshness, health; into a lake and warehouse of its own
        mr = run / "make_run"
        mr.mkdir()
        make_env = _env(root, mr, target="target_make_run")
        make_env.pop("LAKE_DIR")
        make_env.pop("DUCKDB_PATH")
        measure(
            "make_run",
            ["make", "--no-print-directory", "run", f"SOURCE={run / 'dms'}",
             f"LAKE_DIR={mr / 'lake'}", f"DUCKDB_PATH={mr / 'warehouse.duckdb'}"],
            environment=make_env,
        )  # fmt: skip
        shutil.rmtree(mr, ignore_errors=True)

    # the 1% batch: land and build it the same way, into the full build's lake and warehouse
    delta = sorted(p for p in (root / "delta").rglob("*") if p.is_file())
    _link_tree(delta, root / "delta", run / "dms")
    measure(
        "land_incremental",
        [DMSW, "land", "--source", str(run / "dms"), "--lake", str(run / "lake")],
    )
    measure("dbt_build_incremental", [DBT, *BUILD, "--quiet"], check=False)
    out["dbt_build_incremental"]["dbt"] = _dbt_breakdown(
        root / "target", f"run_results_incremental_{index}.json"
    )
    out["checks_after_increment"] = _gold_checks(run / "warehouse.duckdb")
    if not options.keep:
        shutil.rmtree(run, ignore_errors=True)
    return out


PHASES = (
    "land", "dbt_startup", "dbt_build", "dbt_docs", "plain_duckdb", "spark", "make_run",
    "land_incremental", "dbt_build_incremental",
)  # fmt: skip


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    medians: dict[str, Any] = {}
    for phase in PHASES:
        measured = [r[phase] for r in runs if phase in r]
        if phase not in ("dbt_build", "dbt_build_incremental"):  # a failing test still builds
            measured = [m for m in measured if m.get("returncode") == 0]
        if not measured:
            continue
        medians[phase] = {
            "n": len(measured),
            "wall_s": statistics.median(m["wall_s"] for m in measured),
            "cpu_s": statistics.median(m["cpu_s"] for m in measured),
            "peak_rss_tree_mb": statistics.median(m["peak_rss_tree_mb"] for m in measured),
            "load_1m": statistics.median(m["load_before"][0] for m in measured),
            "load_1m_after": statistics.median(m["load_after"][0] for m in measured),
            "returncode": max(m.get("returncode", 0) for m in measured),
        }
    return medians


def run_size(size: int, options: argparse.Namespace) -> dict[str, Any]:
    root = options.workdir / str(size)
    data = prepare_data(size, root, options.seed)
    uptime_before = _uptime()
    runs = [one_run(size, root, index, data, options) for index in range(options.runs)]
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "uptime_before": uptime_before,
        "uptime_after": _uptime(),
        "runs": options.runs,
        "data": {k: v for k, v in data.items() if k != "base_files"},
        "median": summarise(runs),
        "checks_ours": runs[0].get("checks_ours"),
        "checks_plain": runs[0].get("checks_plain"),
        "checks_spark": next((r["checks_spark"] for r in runs if "checks_spark" in r), None),
        "checks_after_increment": runs[0].get("checks_after_increment"),
        "dbt_build": runs[0]["dbt_build"]["dbt"],
        "dbt_build_incremental": runs[0]["dbt_build_incremental"]["dbt"],
        "plain_per_step": runs[0]["plain_duckdb"]["per_step"],
        "raw_runs": runs,
    }


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dmsw-bench"))
    parser.add_argument("--results", type=Path, default=PROJECT / "docs/benchmarks/results.json")
    parser.add_argument("--doc", type=Path, default=PROJECT / "docs/benchmarks.md")
    parser.add_argument("--chart", type=Path, default=PROJECT / "docs/benchmarks/time_vs_size.svg")
    parser.add_argument("--spark", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--spark-runs", type=int, default=1)
    parser.add_argument("--spark-memory", default="4g")
    parser.add_argument("--make-run", action="store_true",
                        help="also time `make run SOURCE=<the files>` (first run)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the last run's folders")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite targets, doc and chart; measure nothing"
    )
    options = parser.parse_args()
    if options.spark:
        try:
            importlib.metadata.version("pyspark")
        except importlib.metadata.PackageNotFoundError:
            log("pyspark is not installed (pip install -e '.[bench]'): the peer is skipped")
            options.spark = False

    results: dict[str, Any] = {"version": RESULTS_VERSION, "sizes": {}}
    if options.results.exists():
        stored = json.loads(options.results.read_text(encoding="utf-8"))
        if stored.get("version") == RESULTS_VERSION:  # figures of another method are dropped
            results = stored
    if not options.report_only or "machine" not in results:
        results["machine"] = machine()
    started = time.perf_counter()
    for size in [] if options.report_only else options.sizes:
        results["sizes"][str(size)] = run_size(size, options)
        results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda kv: int(kv[0])))
        results["generated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        results["targets"] = bench_report.evaluate(results)
        options.results.parent.mkdir(parents=True, exist_ok=True)
        options.results.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    many = options.results.with_name("many_tables.json")
    many_results = json.loads(many.read_text(encoding="utf-8")) if many.exists() else None
    results["targets"] = bench_report.evaluate(results, many_results)
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    bench_report.write_chart(results, options.chart)
    bench_report.write_doc(results, options.doc, options.chart)
    print()
    print(bench_report.summary_text(results))
    log(f"done in {time.perf_counter() - started:.0f} s; results in {options.results}")


if __name__ == "__main__":
    main()
