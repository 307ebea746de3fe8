"""Test coverage of the silver and gold columns, counted where each value is produced.

Each column is tested once, in the model that produces (or first stores) its values; the
models that pass it on carry their key tests (docs/contracts.md). So a column counts as
tested when a data test is attached to it in its model, or, under the same name, in a model
it is derived from (its upstream models, transitively), or in the model its model's
`meta.tested_in` names (a generated `slv_<entity>__changes` view is tested where
`slv_<entity>__latest` stores its rows). A model-level test that checks several columns in one
pass (the bronze `change_metadata_is_valid`) lists them in its `meta.tested_columns`; each
counts as tested there (`<model>.<column>`: a column of another model the test reads, as the
bronze `change_log_reconciles` proves the current and rejects views' `last_change_id`).
`columns_are_not_null` needs no such list: each column of its `columns` argument counts.
dbt-coverage counts only tests attached to the column's own model, which would require every
passed-on column to be tested again in every model; this counts the same tests, following
the lineage.

    python scripts/column_test_coverage.py --target target --fail-under 0.90
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAYERS = ("silver", "gold")


@dataclass
class Coverage:
    covered: int = 0
    total: int = 0
    misses: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 1.0


def _tests_by_model(manifest: dict[str, Any]) -> dict[str, set[str]]:
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        column = node.get("column_name") or (node.get("test_metadata") or {}).get("kwargs", {}).get(
            "column_name"
        )
        columns = [column] if column else []
        # columns_are_not_null names the columns it checks in its own argument
        metadata = node.get("test_metadata") or {}
        if metadata.get("name") == "columns_are_not_null":
            columns += metadata.get("kwargs", {}).get("columns") or []
        # a model-level test checking several columns in one pass names them in its meta;
        # `<model>.<column>` names a column of another model the test reads (depends on)
        columns += (node.get("config", {}).get("meta") or {}).get("tested_columns") or []
        read = {str(u).rsplit(".", 1)[-1]: str(u) for u in node["depends_on"]["nodes"]}
        for name in (str(c).lower() for c in columns):
            model, _, column = name.rpartition(".")
            if model and model in read:
                tested.setdefault(read[model], set()).add(column)
            elif not model:
                tested.setdefault(node["attached_node"], set()).add(column)
    return tested


def compute(manifest: dict[str, Any], catalog: dict[str, Any]) -> Coverage:
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    by_name = {n["name"]: k for k, n in models.items()}
    tests = _tests_by_model(manifest)

    def tested(model: str, column: str, seen: frozenset[str]) -> bool:
        if model in seen or model not in models:
            return False
        seen = seen | {model}
        node = models[model]
        found = column in tests.get(model, set())
        tested_in = (node.get("config", {}).get("meta") or {}).get("tested_in")
        if not found and tested_in in by_name:
            found = tested(by_name[tested_in], column, seen)
        for upstream in node["depends_on"]["nodes"]:
            if found:
                break
            found = tested(upstream, column, seen)
        return found

    result = Coverage()
    for unique_id, node in sorted(models.items()):
        if node["schema"] not in LAYERS or unique_id not in catalog["nodes"]:
            continue
        for column in sorted(c.lower() for c in catalog["nodes"][unique_id]["columns"]):
            result.total += 1
            if tested(unique_id, column, frozenset()):
                result.covered += 1
            else:
                result.misses.setdefault(f"{node['schema']}.{node['name']}", []).append(column)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=Path("target"), help="dbt's target folder")
    parser.add_argument("--fail-under", type=float, default=0.0)
    args = parser.parse_args(argv)
    manifest = json.loads((args.target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((args.target / "catalog.json").read_text(encoding="utf-8"))
    coverage = compute(manifest, catalog)
    print(f"silver and gold columns tested where produced: {coverage.covered}/{coverage.total}")
    print(f"= {coverage.ratio:.1%} (fail under {args.fail_under:.0%})")
    for model, columns in sorted(coverage.misses.items()):
        print(f"  not tested: {model}: {', '.join(columns)}")
    return 0 if coverage.ratio >= args.fail_under else 1


if __name__ == "__main__":
    sys.exit(main())
