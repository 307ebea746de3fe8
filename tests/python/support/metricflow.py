"""MetricFlow's `mf query` on a built warehouse, run as a user runs it (a subprocess).

MetricFlow reads target/semantic_manifest.json under the dbt project folder (it ignores
DBT_TARGET_PATH), so each query gets a folder of its own holding dbt_project.yml and the
semantic manifest dbt wrote for that warehouse. Results come back as CSV rows (text).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from support.pipeline import Pipeline
from support.project import BIN, PROJECT

MF = BIN / "mf"


def mf_query(
    built: Pipeline,
    workdir: Path,
    metrics: Iterable[str] = (),
    group_by: Iterable[str] = (),
    *,
    saved_query: str | None = None,
) -> list[dict[str, str]]:
    project = workdir / "mf_project"
    (project / "target").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "dbt_project.yml", project / "dbt_project.yml")
    shutil.copy(built.target / "semantic_manifest.json", project / "target")
    out = workdir / "mf_result.csv"
    out.unlink(missing_ok=True)
    command = [str(MF), "query"]
    if saved_query:
        command += ["--saved-query", saved_query]
    else:
        command += ["--metrics", ",".join(metrics), "--group-by", ",".join(group_by)]
    command += ["--csv", str(out)]
    result = subprocess.run(
        command,
        cwd=project,
        env=built.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-2000:]
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
