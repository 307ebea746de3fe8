"""Smoke tests of the benchmark harness (benchmarks/): the measuring, the 1% batch split, the
plain-DuckDB model order, the targets and the report, at tiny sizes and without dbt or Spark
(`make bench` runs the real thing; it is not a timed test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench  # noqa: E402
import procstats  # noqa: E402


def test_a_command_is_measured_with_cpu_memory_and_load() -> None:
    # the 80 MB are held for half a second: the tree is sampled every 0.1 s, and getrusage
    # cannot stand in when an earlier child of this test process (dbt) was larger
    code = "import time; x = bytearray(80 * 1024 * 1024); sum(range(3_000_000)); time.sleep(0.5)"
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
