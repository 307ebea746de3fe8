"""The benchmarks' pure logic (benchmarks/ is not a package: loaded by path): per-stage
timings from a dbt run's run_results.json, the targets' PASS/FAIL, the many-tables fit and
contract review. Figures here are written by hand; nothing is timed."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from support.project import PROJECT

BENCHMARKS = PROJECT / "benchmarks"


def _load(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _result(uid: str, seconds: float, start: str, end: str, status: str = "pass") -> dict[str, Any]:
    return {
        "unique_id": uid,
        "status": status,
        "execution_time": seconds,
        "timing": [
            {"name": "compile", "started_at": start, "completed_at": start},
            {"name": "execute", "started_at": start, "completed_at": end},
        ],
    }


MANIFEST: dict[str, Any] = {
    "nodes": {
        "model.p.stg_a": {"resource_type": "model", "fqn": ["p", "bronze", "x", "stg_a"]},
        "model.p.slv_a": {"resource_type": "model", "fqn": ["p", "silver", "a", "slv_a"]},
        "model.p.dim_a": {"resource_type": "model", "fqn": ["p", "gold", "dim_a"]},
        "seed.p.codes": {"resource_type": "seed", "fqn": ["p", "codes"]},
        "test.p.unique_slv_a_id": {
            "resource_type": "test",
            "attached_node": "model.p.slv_a",
            "depends_on": {"nodes": ["model.p.slv_a"]},
        },
        # a relationship test without attached_node: the first model it depends on
        "test.p.rel_dim_a": {
            "resource_type": "test",
            "depends_on": {"nodes": ["model.p.dim_a", "model.p.slv_a"]},
        },
        "test.p.source_not_null": {
            "resource_type": "test",
            "attached_node": "source.p.raw.a",
            "depends_on": {"nodes": ["source.p.raw.a"]},
        },
    },
    "sources": {"source.p.raw.a": {"resource_type": "source", "fqn": ["p", "raw", "a"]}},
    "unit_tests": {
        "unit_test.p.slv_a.collapses": {
            "resource_type": "unit_test",
            "depends_on": {"nodes": ["model.p.slv_a"]},
        }
    },
}


def test_each_node_lands_in_its_stage() -> None:
    stages = _load("dbt_stages")
    expected = {
        "model.p.stg_a": "models: bronze",
        "model.p.slv_a": "models: silver",
        "seed.p.codes": "seeds",
        "test.p.unique_slv_a_id": "tests: silver",
        "test.p.rel_dim_a": "tests: gold",
        "test.p.source_not_null": "tests: bronze",
        "unit_test.p.slv_a.collapses": "unit tests: silver",
        "operation.p.p-on-run-end-0": "hooks",
    }
    for uid, stage in expected.items():
        assert stages.stage_of(MANIFEST, uid) == stage, uid


def test_stage_totals_and_spans() -> None:
    stages = _load("dbt_stages")
    results = {
        "results": [
            _result("model.p.slv_a", 2.0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:02Z"),
            _result(
                "test.p.unique_slv_a_id", 1.5, "2026-01-01T00:00:03Z", "2026-01-01T00:00:04.5Z"
            ),
            _result(
                "unit_test.p.slv_a.collapses",
                0.5,
                "2026-01-01T00:00:01Z",
                "2026-01-01T00:00:01.5Z",
                status="fail",
            ),
            _result("test.p.rel_dim_a", 0.25, "2026-01-01T00:00:05Z", "2026-01-01T00:00:05.25Z"),
            _result("model.p.stg_a", 1.0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
            _result("test.p.source_not_null", 3.0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:10Z"),
        ]
    }
    found = stages.stages(results, MANIFEST)
    assert list(found) == [  # by node-seconds, largest first
        "tests: bronze", "models: silver", "tests: silver", "models: bronze",
        "unit tests: silver", "tests: gold",
    ]  # fmt: skip
    assert found["models: silver"] == {"nodes": 1, "node_s": 2.0, "span_s": 2.0, "failed": 0}
    assert found["unit tests: silver"]["failed"] == 1
    assert found["tests: bronze"]["span_s"] == 10.0
    assert stages.statuses(results) == {"pass": 5, "fail": 1}
    assert [n["seconds"] for n in stages.slowest(results, MANIFEST, top=2)] == [3.0, 2.0]


def _size(walls: dict[str, float], returncode: int = 0) -> dict[str, Any]:
    return {
        "data": {"base_rows": {"a": 100}, "delta_rows": {"a": 1}},
        "median": {
            phase: {
                "wall_s": wall,
                "cpu_s": wall,
                "peak_rss_tree_mb": 1000.0,
                "load_1m": 1.0,
                "returncode": returncode,
            }
            for phase, wall in walls.items()
        },
        "runs": 1,
    }


def test_targets_pass_and_fail_on_the_issue_thresholds() -> None:
    report = _load("bench_report")
    ten = _size({"land": 30.0, "dbt_build": 80.0, "plain_duckdb": 20.0, "spark": 600.0,
                 "land_incremental": 2.0, "dbt_build_incremental": 8.0})  # fmt: skip
    two = _size({"land": 6.0, "dbt_build": 20.0, "plain_duckdb": 10.0, "make_run": 31.0})
    results = {"sizes": {"2000000": two, "10000000": ten}}
    targets = {t["target"].split(":")[0]: t["status"] for t in report.evaluate(results)}
    assert targets["10M"] == "PASS"  # 110 s <= 120 s; 1000 MB <= 6 GB
    assert targets["make run on 2M <= 3.0 x plain DuckDB landing + star build"] == "FAIL"
    # the peer against our dbt build with its tests: 600 / 80 s
    spark = next(t for t in report.evaluate(results) if "PySpark" in t["target"])
    assert spark["status"] == "PASS" and "7.50x" in spark["measured"]
    incremental = next(t for t in report.evaluate(results) if "incremental" in t["target"])
    assert incremental["status"] == "PASS" and "9%" in incremental["measured"]


def test_failing_tests_fail_the_main_target() -> None:
    report = _load("bench_report")
    ten = _size({"land": 30.0, "dbt_build": 80.0}, returncode=1)
    target = report.evaluate({"sizes": {"10000000": ten}})[0]
    assert target["status"] == "FAIL" and "tests failed" in target["measured"]


def test_many_tables_targets_and_fit() -> None:
    report = _load("bench_report")
    many = _load("many_tables")
    assert many.linear_fit([(10, 35.0), (30, 75.0), (100, 215.0)]) == pytest.approx((15.0, 2.0))
    scaling = {
        "10": {"build_s": 40.0, "land_s": 5.0},
        "100": {"build_s": 350.0, "land_s": 40.0},
    }
    targets = {t["target"]: t for t in report.evaluate({"sizes": {}}, {"scaling": scaling})}
    assert targets["100 tables: first build + tests <= 5 minutes"]["status"] == "FAIL"
    linear = targets["100 tables: time grows at most linearly with tables"]
    assert linear["status"] == "PASS" and "0.94" in linear["measured"]


def test_review_sets_the_real_key_and_history(tmp_path: Path) -> None:
    many = _load("many_tables")
    specs = many.many_tables_data.table_specs(10)
    folder = tmp_path / "bench"
    folder.mkdir()
    for spec in specs:
        (folder / f"{spec.name}.yml").write_text(
            yaml.safe_dump(
                {
                    "table": spec.name,
                    "primary_key": ["id"],
                    "columns": [
                        {"name": "id", "type": "smallint"},
                        {"name": "c", "type": "integer"},
                    ],
                }
            ),
            encoding="utf-8",
        )
    changed = many.review_contracts(tmp_path, specs)
    composite = [s for s in specs if s.composite_key]
    history = [s for s in specs if s.history]
    assert changed == {
        "keys_confirmed": len(specs) - len(composite),
        "keys_corrected": len(composite),
        "keys_widened": len(specs),
        "history_on": len(history),
    }
    contract = yaml.safe_load((folder / f"{composite[0].name}.yml").read_text(encoding="utf-8"))
    assert contract["primary_key"] == ["id", "part"]
    assert contract["columns"] == [
        {"name": "id", "type": "bigint"},
        {"name": "c", "type": "integer"},
    ]
    assert yaml.safe_load((folder / f"{history[0].name}.yml").read_text())["history"] is True


def _recorded_results() -> dict[str, Any]:
    """The figures file as bench.py writes it (its real shape), copied so that a test can
    change values by hand."""
    recorded = PROJECT / "docs" / "benchmarks" / "results.json"
    return json.loads(recorded.read_text(encoding="utf-8"))


def test_the_doc_section_is_replaced_and_shows_the_figures(tmp_path: Path) -> None:
    report = _load("bench_report")
    results = _recorded_results()
    size = next(iter(results["sizes"]))
    results["sizes"][size]["median"]["land"]["wall_s"] = 12.34
    results["sizes"][size]["median"]["dbt_build"]["wall_s"] = 56.78
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        f"# Title\n\nkept above\n\n{report.START}\nold figures\n{report.END}\n\nkept below\n"
    )
    report.write_doc(results, doc, tmp_path / "benchmarks" / "chart.svg")
    text = doc.read_text()
    assert text.startswith("# Title\n\nkept above\n\n") and text.endswith("\n\nkept below\n")
    assert "old figures" not in text and text.count(report.START) == 1
    row = next(line for line in text.splitlines() if line.startswith(f"| {int(size):,} |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # land, build+tests, land+build: 12.34 + 56.78 = 69.12, shown with one decimal
    assert cells[2:4] == ["12.3", "56.8"] and cells[5] == "69.1"
    assert "](benchmarks/chart.svg)" in text


def test_the_chart_has_one_point_per_measured_phase_and_size(tmp_path: Path) -> None:
    report = _load("bench_report")
    results = {"sizes": {
        "100000": _size({"land": 2.0, "dbt_build": 10.0, "plain_duckdb": 1.0}),
        "1000000": _size({"land": 20.0, "dbt_build": 100.0, "plain_duckdb": 10.0, "spark": 300.0}),
    }}  # fmt: skip
    chart = tmp_path / "chart.svg"
    report.write_chart(results, chart)
    svg = ElementTree.parse(chart).getroot()
    circles = [c for c in svg.iter() if c.tag.endswith("circle")]
    colour = {key: col for key, _, col, _ in report.SERIES}
    by_colour: dict[str, list[tuple[float, float]]] = {}
    for circle in circles:
        by_colour.setdefault(circle.get("fill", ""), []).append(
            (float(circle.get("cx", "0")), float(circle.get("cy", "0")))
        )
    assert {k: len(by_colour.get(colour[k], [])) for k in ("land", "build", "plain", "spark")} == {
        "land": 2, "build": 2, "plain": 2, "spark": 1,
    }  # fmt: skip
    # ten times the rows and ten times the seconds: the same step right and up (log-log)
    (x0, y0), (x1, y1) = sorted(by_colour[colour["land"]])
    (bx0, by0), (bx1, by1) = sorted(by_colour[colour["build"]])
    assert x1 > x0 and y1 < y0
    assert abs((x1 - x0) - (bx1 - bx0)) < 0.2 and abs((y0 - y1) - (by0 - by1)) < 0.2
