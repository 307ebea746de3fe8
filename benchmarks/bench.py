"""The performance benchmark: landing, the dbt build, an incremental build after a 1% CDC
batch, their lower bounds (DuckDB's own CSV-to-Parquet copy; the compiled SQL in one plain
DuckDB connection) and the peer (the same build as a PySpark job), at several data sizes.

    python benchmarks/bench.py --sizes 100000 1000000 --runs 3 [--spark-runs 1] [--no-spark]
                               [--profile] [--workdir /tmp/dmsw-bench]

`make bench` runs it (SIZES=, RUNS=). Results are merged by size into
docs/benchmarks/results.json; docs/benchmarks.md's generated section (table, targets) and
docs/benchmarks/time_vs_size.svg are rewritten from the whole file. Each phase is a separate
process measured by procstats.run (wall, CPU of the process tree, peak RSS of the tree, load
average). A benchmark, not a test: it fails only when a phase itself fails; targets are
printed PASS/FAIL.
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
import procstats

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DBT = str(BIN / "dbt")
DMSW = str(BIN / "dmsw")
PY = sys.executable
BUILD = ["build", "--resource-type", "model", "--resource-type", "seed"]
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
        "duckdb_memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "6GB"),
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


def _env(root: Path, run: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT / "profiles"),
        DBT_TARGET="duckdb",
        LAKE_DIR=str(run / "lake"),
        DUCKDB_PATH=str(run / "warehouse.duckdb"),
        DBT_TARGET_PATH=str(root / "target"),
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
            checks[f"rows.{name}"] = connection.execute(
                f"select count(*) from gold.{name}"
            ).fetchone()[0]  # type: ignore[index]
        total = connection.execute("select sum(signed_amount) from gold.fact_transactions")
        checks["sum.fact_transactions.signed_amount"] = str(total.fetchone()[0])  # type: ignore[index]
    return checks


def _run_results(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    results = data["results"]
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    timings = sorted(
        (
            {"node": r["unique_id"].split(".", 2)[-1], "seconds": round(r["execution_time"], 3)}
            for r in results
            if r["unique_id"].startswith(("model.", "seed."))
        ),
        key=lambda item: -float(item["seconds"]),
    )
    return {
        "elapsed_s": data.get("elapsed_time"),
        "nodes": len(results),
        "statuses": statuses,
        "node_seconds_total": round(sum(r["execution_time"] for r in results), 3),
        "slowest": timings[:8],
    }


def _summarise_pyspy(folded: Path, top: int = 15) -> dict[str, list[dict[str, Any]]]:
    """Shares of py-spy's samples (raw/collapsed output) per function (file, no line):
    inclusive (on the stack) and self (the innermost frame)."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    samples = 0

    def name(frame: str) -> str:
        function, _, where = frame.partition(" (")
        return f"{function} ({where.rsplit(':', 1)[0]})" if where else function

    for line in folded.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        frames = [name(f) for f in stack.split(";")[1:]]  # [0] is the process
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + count

    def ranked(totals: dict[str, int]) -> list[dict[str, Any]]:
        items = sorted(totals.items(), key=lambda item: -item[1])[:top]
        return [{"function": f, "share": round(c / samples, 3)} for f, c in items if samples]

    return {"samples": [{"n": samples}], "inclusive": ranked(inclusive), "self": ranked(own)}


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

    def measure(name: str, command: list[str], check: bool = True) -> procstats.Measurement:
        log(f"  {size:>10,} run {index + 1}: {name}")
        measured = procstats.run(command, env=env, cwd=PROJECT, check=check)
        out[name] = measured.as_dict()
        out[name].pop("stdout_tail")
        log(
            f"      {measured.wall_s:8.2f} s wall {measured.cpu_s:8.2f} s cpu "
            f"{measured.peak_rss_tree_mb:8.0f} MB peak  load {measured.load_before[0]:.2f}"
        )
        return measured

    measure("land", [DMSW, "land", "--source", str(run / "dms"), "--lake", str(run / "lake")])
    if index == 0:
        measure("dbt_parse", [DBT, "parse", "--quiet"])
    measure("dbt_startup", [DBT, "build", "--select", "tag:bench_selects_nothing", "--quiet"])
    build = measure("dbt_build", [DBT, *BUILD], check=False)
    shutil.copy(root / "target" / "run_results.json", root / f"run_results_build_{index}.json")
    out["dbt_build"]["run_results"] = _run_results(root / "target" / "run_results.json")
    if build.returncode != 0:
        raise RuntimeError(f"dbt build failed at {size}:\n{build.stdout_tail}")
    compiled = root / "compiled_full"
    shutil.rmtree(compiled, ignore_errors=True)
    shutil.copytree(root / "target" / "compiled", compiled)
    shutil.copy(root / "target" / "manifest.json", root / "manifest_full.json")
    out["checks_ours"] = _gold_checks(run / "warehouse.duckdb")

    if index == 0 and options.tests:  # data and unit tests: once per size (no data change)
        measure("dbt_test", [DBT, "test", "--quiet"], check=False)
        out["dbt_test"]["run_results"] = _run_results(root / "target" / "run_results.json")

    explain = ""
    if options.profile and index == 0:
        slowest = [
            item["node"].split(".")[-1]
            for item in out["dbt_build"]["run_results"]["slowest"]
            if not item["node"].startswith("seed")
        ][:3]
        explain = ",".join(slowest)
    plain = measure(
        "plain_duckdb",
        [PY, str(PROJECT / "benchmarks" / "plain_duckdb.py"),
         "--manifest", str(root / "manifest_full.json"), "--compiled", str(compiled),
         "--database", str(run / "plain" / "warehouse.duckdb"),
         "--seeds-from", str(run / "warehouse.duckdb"),
         *(["--explain", explain, "--explain-out", str(options.profile_dir / str(size))]
           if explain else [])],
    )  # fmt: skip
    plain_result = json.loads(plain.stdout_tail.strip().splitlines()[-1])
    out["plain_duckdb"]["inner_s"] = plain_result["seconds"]
    out["plain_duckdb"]["per_model_top"] = sorted(
        plain_result["per_model"].items(), key=lambda item: -item[1]
    )[:8]
    shutil.rmtree(run / "plain", ignore_errors=True)

    (run / "copy").mkdir()
    copy = measure(
        "duckdb_copy",
        [PY, str(PROJECT / "benchmarks" / "landing.py"), "--phase", "duckdb",
         "--dms", str(run / "dms"), "--out", str(run / "copy")],
    )  # fmt: skip
    out["duckdb_copy"]["rows"] = json.loads(copy.stdout_tail.strip().splitlines()[-1])["rows"]
    shutil.rmtree(run / "copy", ignore_errors=True)

    if options.profile and index == 0:
        folded = options.profile_dir / str(size) / "landing.pyspy.txt"
        folded.parent.mkdir(parents=True, exist_ok=True)
        measure(
            "land_under_pyspy",
            [str(BIN / "py-spy"), "record", "--format", "raw", "--rate", "50", "--subprocesses",
             "--output", str(folded), "--", DMSW, "land", "--source", str(run / "dms"),
             "--lake", str(run / "lake_profile")],
            check=False,
        )  # fmt: skip
        if folded.exists():
            out["land_profile"] = _summarise_pyspy(folded)
        shutil.rmtree(run / "lake_profile", ignore_errors=True)

    if options.spark and index < options.spark_runs:
        spark = measure(
            "spark",
            [PY, str(PROJECT / "benchmarks" / "spark_job.py"), "--lake", str(run / "lake"),
             "--out", str(run / "spark"), "--driver-memory", options.spark_memory],
            check=False,
        )  # fmt: skip
        if spark.returncode == 0:
            result = json.loads(spark.stdout_tail.strip().splitlines()[-1])
            out["spark"]["inner_s"] = result.pop("seconds")
            out["spark"]["session_s"] = result.pop("session_seconds")
            out["checks_spark"] = result
        else:
            out["spark"]["error"] = spark.stdout_tail[-2000:]
        shutil.rmtree(run / "spark", ignore_errors=True)

    delta = sorted(p for p in (root / "delta").rglob("*") if p.is_file())
    _link_tree(delta, root / "delta", run / "dms")
    measure(
        "land_incremental",
        [DMSW, "land", "--source", str(run / "dms"), "--lake", str(run / "lake")],
    )
    measure("dbt_build_incremental", [DBT, *BUILD])
    out["dbt_build_incremental"]["run_results"] = _run_results(root / "target" / "run_results.json")
    out["checks_after_increment"] = _gold_checks(run / "warehouse.duckdb")
    if not options.keep:
        shutil.rmtree(run, ignore_errors=True)
    return out


PHASES = (
    "land", "dbt_startup", "dbt_build", "dbt_test", "plain_duckdb", "duckdb_copy", "spark",
    "land_incremental", "dbt_build_incremental",
)  # fmt: skip


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    medians: dict[str, Any] = {}
    for phase in PHASES:
        measured = [r[phase] for r in runs if phase in r and r[phase].get("returncode") == 0]
        if phase == "dbt_test":  # failing tests still measure the test run
            measured = [r[phase] for r in runs if phase in r]
        if not measured:
            continue
        medians[phase] = {
            "n": len(measured),
            "wall_s": statistics.median(m["wall_s"] for m in measured),
            "cpu_s": statistics.median(m["cpu_s"] for m in measured),
            "peak_rss_tree_mb": statistics.median(m["peak_rss_tree_mb"] for m in measured),
            "load_1m": statistics.median(m["load_before"][0] for m in measured),
        }
    return medians


def run_size(size: int, options: argparse.Namespace) -> dict[str, Any]:
    root = options.workdir / str(size)
    data = prepare_data(size, root, options.seed)
    runs = [one_run(size, root, index, data, options) for index in range(options.runs)]
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": options.runs,
        "data": {k: v for k, v in data.items() if k != "base_files"},
        "median": summarise(runs),
        "checks_ours": runs[0].get("checks_ours"),
        "checks_spark": next((r["checks_spark"] for r in runs if "checks_spark" in r), None),
        "checks_after_increment": runs[0].get("checks_after_increment"),
        "dbt_build_run_results": runs[0]["dbt_build"]["run_results"],
        "dbt_test_run_results": runs[0].get("dbt_test", {}).get("run_results"),
        "dbt_incremental_run_results": runs[0]["dbt_build_incremental"]["run_results"],
        "plain_duckdb_per_model_top": runs[0]["plain_duckdb"]["per_model_top"],
        "land_profile": runs[0].get("land_profile"),
        "raw_runs": runs,
    }


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
    parser.add_argument("--tests", action=argparse.BooleanOptionalAction, default=True,
                        help="also time `dbt test` (first run of each size)")  # fmt: skip
    parser.add_argument("--spark-memory", default="4g")
    parser.add_argument("--profile", action="store_true", help="EXPLAIN ANALYZE + py-spy")
    parser.add_argument("--keep", action="store_true", help="keep the last run's folders")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite targets, doc and chart; measure nothing"
    )
    options = parser.parse_args()
    options.profile_dir = options.results.parent / "profile"
    if options.spark:
        try:
            importlib.metadata.version("pyspark")
        except importlib.metadata.PackageNotFoundError:
            log("pyspark is not installed (pip install -e '.[bench]'): the peer is skipped")
            options.spark = False

    results: dict[str, Any] = {"sizes": {}}
    if options.results.exists():
        results = json.loads(options.results.read_text(encoding="utf-8"))
    if not options.report_only or "machine" not in results:
        results["machine"] = machine()
    started = time.perf_counter()
    if options.report_only:
        results["targets"] = bench_report.evaluate(results)
        options.results.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    for size in [] if options.report_only else options.sizes:
        results["sizes"][str(size)] = run_size(size, options)
        results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda kv: int(kv[0])))
        results["targets"] = bench_report.evaluate(results)
        results["generated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        options.results.parent.mkdir(parents=True, exist_ok=True)
        options.results.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    bench_report.write_chart(results, options.chart)
    bench_report.write_chart(
        results, options.chart.with_name(options.chart.stem + "_cpu.svg"), metric="cpu_s"
    )
    bench_report.write_doc(results, options.doc, options.chart)
    print()
    print(bench_report.summary_text(results))
    log(f"done in {time.perf_counter() - started:.0f} s; results in {options.results}")


if __name__ == "__main__":
    main()
