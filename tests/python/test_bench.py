"""Smoke tests of the benchmark harness (benchmarks/): the measuring, the 1% batch split, the
plain-DuckDB model order, the targets and the report, at tiny sizes and without dbt or Spark
(`make bench` runs the real thing; it is not a timed test)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench  # noqa: E402
import bench_report  # noqa: E402
import plain_duckdb  # noqa: E402
import procstats  # noqa: E402


def test_a_command_is_measured_with_cpu_memory_and_load() -> None:
    code = "x = bytearray(80 * 1024 * 1024); sum(range(3_000_000))"
    measured = procstats.run([sys.executable, "-c", code])
    assert measured.returncode == 0
    assert measured.wall_s > 0
    assert measured.cpu_s > 0
    assert measured.peak_rss_tree_mb >= 80
    assert len(measured.load_before) == 3


def test_a_failing_command_raises_unless_asked_not_to() -> None:
    with pytest.raises(RuntimeError):
        procstats.run([sys.executable, "-c", "raise SystemExit(3)"])
    assert procstats.run([sys.executable, "-c", "raise SystemExit(3)"], check=False).returncode == 3


def test_record_ends_keep_quoted_newlines_inside_a_record() -> None:
    data = b'Op,a\nI,"x\ny"\nU,z\n'
    assert bench._record_ends(data) == [5, 13, 17]


def test_the_held_back_batch_is_cut_to_one_percent(tmp_path: Path) -> None:
    data = bench.prepare_data(2000, tmp_path / "data", seed=3)
    assert data["base_rows"]["core_banking/transactions"] > 2000
    for table, rows in data["delta_rows"].items():
        assert 1 <= rows <= max(1, round(data["base_rows"][table] * bench.DELTA_SHARE))
    delta = list((tmp_path / "data" / "delta").rglob("*.csv"))
    assert delta and all(not path.name.startswith("LOAD") for path in delta)
    assert not any(Path(rel) in {p.relative_to(tmp_path / "data" / "delta") for p in delta}
                   for rel in data["base_files"])  # fmt: skip


def test_models_run_after_their_parents() -> None:
    def node(name: str, *parents: str) -> dict[str, Any]:
        return {
            "resource_type": "model",
            "name": name,
            "depends_on": {"nodes": [f"model.p.{p}" for p in parents] + ["seed.p.s"]},
        }

    manifest = {
        "nodes": {
            "model.p.gold": node("gold", "silver", "bronze"),
            "model.p.silver": node("silver", "bronze"),
            "model.p.bronze": node("bronze"),
            "seed.p.s": {"resource_type": "seed", "name": "s", "depends_on": {"nodes": []}},
        }
    }
    assert [n["name"] for n in plain_duckdb.model_order(manifest)] == ["bronze", "silver", "gold"]


def _phase(wall: float, peak: float = 500.0) -> dict[str, Any]:
    return {"wall_s": wall, "cpu_s": wall, "peak_rss_tree_mb": peak, "load_1m": 1.0, "n": 1}


def _size(scale: float) -> dict[str, Any]:
    return {
        "runs": 1,
        "data": {"base_rows": {"t": int(200_000 * scale)}, "delta_rows": {"t": int(2000 * scale)}},
        "median": {
            "land": _phase(3 * scale),
            "dbt_build": _phase(10 * scale),
            "dbt_test": _phase(5),
            "dbt_startup": _phase(4),
            "plain_duckdb": _phase(5 * scale),
            "duckdb_copy": _phase(1 * scale),
            "spark": _phase(60 * scale),
            "land_incremental": _phase(1),
            "dbt_build_incremental": _phase(1 * scale),
        },
        "raw_runs": [{"duckdb_copy": {"rows": int(200_000 * scale)}}],
        "checks_ours": {"rows.fact_transactions": 10},
        "checks_spark": {"rows.fact_transactions": 10},
    }


def test_targets_report_and_chart(tmp_path: Path) -> None:
    results = {
        "machine": bench.machine(),
        "sizes": {"100000": _size(1), "1000000": _size(10)},
    }
    targets = {t["target"]: t["status"] for t in bench_report.evaluate(results)}
    assert targets["ours >= 5x faster than the PySpark job"] == "PASS"
    assert targets["landing >= 0.5 x DuckDB copy rows/s"] == "FAIL"
    assert targets["10M: land + full build <= 90 s"] == "N/A"
    assert targets["time grows linearly with size (log-log slope <= 1.1)"] == "PASS"
    results["targets"] = bench_report.evaluate(results)
    chart, doc = tmp_path / "b" / "chart.svg", tmp_path / "benchmarks.md"
    bench_report.write_chart(results, chart)
    assert chart.read_text().startswith("<svg") and "polyline" in chart.read_text()
    stale = f"# Benchmarks\n\nprose\n\n{bench_report.START}\nSTALE-SECTION\n{bench_report.END}"
    doc.write_text(stale)
    bench_report.write_doc(results, doc, chart)
    text = doc.read_text()
    assert "prose" in text and "STALE-SECTION" not in text and "| 1,000,000 |" in text
    assert "PASS" in bench_report.summary_text(results)
    json.dumps(results)
