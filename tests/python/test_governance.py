"""Governance gates on the dbt project, run against the session's demo warehouse artifacts.

- dbt-bouncer (.dbt-bouncer.yml): naming per layer, folders, descriptions, a uniqueness test
  on every model, source() only in bronze, exposures with owners;
- every model has a primary-key test: our primary_key on one column (unique and not null in
  one scan), unique on one column that is not null (a not_null test on it, or listed in the
  model's columns_are_not_null), or our unique_combination_of_columns; a
  generated `slv_<entity>__changes` view, which passes its bronze model's rows on one for
  one, names that model in `meta.primary_key_tested_in` and is covered by its `change_id`
  test there (not re-derived over the view chain); the generated current and `__rejects`
  views, which filter `slv_<entity>__latest`'s rows, name it there;
- dbt-coverage: silver and gold columns at least 95% documented; at least 90% tested where
  their values are produced (scripts/column_test_coverage.py: a column passed on from an
  upstream model counts as tested when it is tested there, since each column is tested once);
- sqlfluff (.sqlfluff): our SQL style on models/;
- the star schema picture in assets/ is the one the manifest draws.

dbt-bouncer runs from .venv-tools (make tools; `make test` creates it): it pins another
DuckDB than the warehouse.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.built_project import BuiltProject
from support.project import BIN, PROJECT

from report.erd import render_from_manifest

sys.path.insert(0, str(PROJECT / "scripts"))
import column_test_coverage

pytestmark = pytest.mark.dbt

BOUNCER = PROJECT / ".venv-tools" / "bin" / "dbt-bouncer"
MIN_DOCUMENTED = 0.95
MIN_TESTED = 0.90


def _manifest(built: BuiltProject) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((built.target / "manifest.json").read_text())
    return manifest


def test_dbt_bouncer_rules_pass(built_project: BuiltProject, tmp_path: Path) -> None:
    if not BOUNCER.exists():
        pytest.fail(f"{BOUNCER} is missing: run `make tools` (make test creates it)")
    config = yaml.safe_load((PROJECT / ".dbt-bouncer.yml").read_text())
    config["dbt_artifacts_dir"] = str(built_project.target)
    config_file = tmp_path / "dbt-bouncer.yml"
    config_file.write_text(yaml.safe_dump(config))
    result = built_project.run(
        str(BOUNCER),
        "run",
        "--config-file",
        str(config_file),
        "--output-file",
        str(tmp_path / "bouncer.json"),
        "--output-format",
        "json",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    outcome = json.loads((tmp_path / "bouncer.json").read_text())
    assert outcome, "dbt-bouncer ran no check"


def test_every_model_has_a_primary_key_test(built_project: BuiltProject) -> None:
    manifest = _manifest(built_project)
    tests: dict[str, dict[str, set[str]]] = {}
    compound: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        name = (node.get("test_metadata") or {}).get("name")
        if name == "unique_combination_of_columns":
            arguments = node["test_metadata"]["kwargs"]
            compound[node["attached_node"]] = {c.lower() for c in arguments["columns"]}
        elif name in ("primary_key", "unique", "not_null") and node.get("column_name"):
            per_column = tests.setdefault(node["attached_node"], {})
            per_column.setdefault(node["column_name"].lower(), set()).add(name)
        elif name == "columns_are_not_null":
            # each column it lists is proven not null, as by a not_null test on it
            per_column = tests.setdefault(node["attached_node"], {})
            for column in node["test_metadata"]["kwargs"]["columns"]:
                per_column.setdefault(str(column).lower(), set()).add("not_null")
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    by_name = {model["name"]: model for model in models}

    def key_columns(model: dict[str, Any]) -> set[str] | None:
        """The columns of the model's own primary-key test, or None without one."""
        if model["unique_id"] in compound:
            return compound[model["unique_id"]]
        keys = {
            column
            for column, kinds in tests.get(model["unique_id"], {}).items()
            if "primary_key" in kinds or kinds >= {"unique", "not_null"}
        }
        return keys or None

    def key_tested_upstream(model: dict[str, Any]) -> bool:
        """A model passing on an upstream model's rows one for one (a generated __changes
        view), or a filter of them (the generated current and __rejects views), may name it
        in meta.primary_key_tested_in: that model must be one it reads directly, have a
        primary-key test, and its key column(s) must be here."""
        named = (model.get("config", {}).get("meta") or {}).get("primary_key_tested_in")
        upstream = by_name.get(str(named))
        if upstream is None or upstream["unique_id"] not in model["depends_on"]["nodes"]:
            return False
        keys = key_columns(upstream)
        columns = {c.lower() for c in model.get("columns", {})}
        return keys is not None and bool(keys) and keys <= columns

    missing = [
        model["name"]
        for model in models
        if key_columns(model) is None and not key_tested_upstream(model)
    ]
    upstream_tested = [m["name"] for m in models if key_columns(m) is None]
    assert len(models) >= 20
    assert missing == [], f"models without a primary-key test: {missing}"
    # only the generated change-log, current and rejects views rely on an upstream key test;
    # every other model has its own
    roles = {m["name"]: (m.get("config", {}).get("meta") or {}).get("role") for m in models}
    assert upstream_tested and all(
        roles[name] in ("changes", "current", "rejects") for name in upstream_tested
    ), upstream_tested


def _coverage(built: BuiltProject, kind: str, tmp_path: Path) -> dict[str, Any]:
    report = tmp_path / f"coverage-{kind}.json"
    result = built.run(
        str(BIN / "dbt-coverage"),
        "compute",
        kind,
        "--project-dir",
        str(PROJECT),
        "--run-artifacts-dir",
        str(built.target),
        "--model-path-filter",
        "models/silver",
        "--model-path-filter",
        "models/gold",
        "--cov-report",
        str(report),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    coverage: dict[str, Any] = json.loads(report.read_text())
    return coverage


def _misses(coverage: dict[str, Any]) -> dict[str, list[str]]:
    return {
        table["name"]: sorted(c["name"] for c in table["columns"] if not c["hits"])
        for table in coverage["tables"]
        if any(not c["hits"] for c in table["columns"])
    }


@pytest.mark.parametrize(("kind", "minimum"), [("doc", MIN_DOCUMENTED)])
def test_silver_and_gold_column_coverage(
    built_project: BuiltProject, tmp_path: Path, kind: str, minimum: float
) -> None:
    coverage = _coverage(built_project, kind, tmp_path)
    tables = {table["name"] for table in coverage["tables"]}
    assert {"gold.fact_transactions", "silver.slv_customers"} <= tables
    assert coverage["total"] > 200
    assert coverage["coverage"] >= minimum, (
        f"{kind} coverage {coverage['covered']}/{coverage['total']} = "
        f"{coverage['coverage']:.1%} < {minimum:.0%}; not covered: {_misses(coverage)}"
    )


def test_silver_and_gold_columns_are_tested_where_they_are_produced(
    built_project: BuiltProject,
) -> None:
    manifest = _manifest(built_project)
    catalog = json.loads((built_project.target / "catalog.json").read_text())
    coverage = column_test_coverage.compute(manifest, catalog)
    assert coverage.total > 300
    assert coverage.ratio >= MIN_TESTED, (
        f"{coverage.covered}/{coverage.total} = {coverage.ratio:.1%} < {MIN_TESTED:.0%}; "
        f"not tested: {coverage.misses}"
    )
    # the count follows lineage, not names alone: a column nothing tests stays a miss
    assert "balance_after" in coverage.misses.get("gold.fact_transactions", [])


def test_sql_follows_our_style(built_project: BuiltProject) -> None:
    result = built_project.run(
        str(BIN / "sqlfluff"), "lint", "models", "--format", "json", "--nocolor", timeout=900
    )
    try:
        files = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"sqlfluff did not run:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    assert len(files) >= 20, "sqlfluff linted fewer models than the project has"
    violations = [
        f"{f['filepath']}:{v['start_line_no']} {v['code']} {v['description']}"
        for f in files
        for v in f["violations"]
    ]
    assert violations == [], "sqlfluff:\n" + "\n".join(violations)


def test_star_schema_picture_is_current(built_project: BuiltProject) -> None:
    picture = render_from_manifest(built_project.target / "manifest.json")
    committed = PROJECT / "assets" / "star_schema.svg"
    assert committed.exists(), "assets/star_schema.svg is missing: run `make erd`"
    assert committed.read_text(encoding="utf-8") == picture, (
        "assets/star_schema.svg is out of date with the gold models: run `make erd`"
    )
    for table in ("fact_transactions", "dim_customers", "dim_accounts", "dim_dates"):
        assert f'id="erd-{table}"' in picture
