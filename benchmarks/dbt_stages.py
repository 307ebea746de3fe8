"""Where a `dbt build` spends its time, per stage, from the run's own target/run_results.json
and target/manifest.json (no separate dbt invocations).

A stage is a kind of node and the layer it belongs to: `models: silver`, `tests: gold`,
`unit tests: silver`, `seeds`, `hooks`. A model's layer is its folder under models/ (fqn);
a data test belongs to the layer of the node it tests (`attached_node`, else the first model,
seed or source it depends on; sources are `bronze`); a unit test to its model's layer.
Per stage: nodes, node-seconds (the sum of dbt's execution_time: with several threads they
overlap, so stages add up to more than the wall time) and the span (first start to last end).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _layer(node: dict[str, Any]) -> str:
    if node.get("resource_type") == "source":
        return "bronze"
    if node.get("resource_type") == "seed":
        return "seeds"
    fqn = node.get("fqn") or []
    return str(fqn[1]) if len(fqn) > 2 else "other"


def _node(manifest: dict[str, Any], unique_id: str) -> dict[str, Any]:
    for section in ("nodes", "sources", "unit_tests"):
        found = manifest.get(section, {}).get(unique_id)
        if found is not None:
            return dict(found)
    return {}


def stage_of(manifest: dict[str, Any], unique_id: str) -> str:
    """The stage a run result's node belongs to (see the module docstring)."""
    kind = unique_id.split(".", 1)[0]
    node = _node(manifest, unique_id)
    if kind == "model":
        return f"models: {_layer(node)}"
    if kind == "seed":
        return "seeds"
    if kind == "operation":
        return "hooks"
    if kind in ("test", "unit_test"):
        attached = node.get("attached_node")
        if not attached:
            depends = node.get("depends_on", {}).get("nodes", [])
            attached = next((d for d in depends if d.split(".")[0] in ("model", "seed")), None)
            attached = attached or next(iter(depends), None)
        layer = _layer(_node(manifest, attached)) if attached else "other"
        return f"{'unit tests' if kind == 'unit_test' else 'tests'}: {layer}"
    return kind


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stages(run_results: dict[str, Any], manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{stage: {nodes, node_s, span_s, failed}} for one run, stages sorted by node_s."""
    found: dict[str, dict[str, Any]] = {}
    for result in run_results["results"]:
        stage = stage_of(manifest, result["unique_id"])
        entry = found.setdefault(
            stage, {"nodes": 0, "node_s": 0.0, "failed": 0, "start": None, "end": None}
        )
        entry["nodes"] += 1
        entry["node_s"] += float(result.get("execution_time") or 0.0)
        if result.get("status") in ("error", "fail", "runtime error"):
            entry["failed"] += 1
        for timing in result.get("timing") or []:
            start, end = _moment(timing.get("started_at")), _moment(timing.get("completed_at"))
            if start and (entry["start"] is None or start < entry["start"]):
                entry["start"] = start
            if end and (entry["end"] is None or end > entry["end"]):
                entry["end"] = end
    out: dict[str, dict[str, Any]] = {}
    for stage, entry in sorted(found.items(), key=lambda item: -float(item[1]["node_s"])):
        span = (entry["end"] - entry["start"]).total_seconds() if entry["start"] else 0.0
        out[stage] = {
            "nodes": entry["nodes"],
            "node_s": round(entry["node_s"], 3),
            "span_s": round(span, 3),
            "failed": entry["failed"],
        }
    return out


def slowest(
    run_results: dict[str, Any], manifest: dict[str, Any], top: int = 12
) -> list[dict[str, Any]]:
    """The `top` nodes by execution time, with their stage."""
    ranked = sorted(run_results["results"], key=lambda r: -float(r.get("execution_time") or 0))
    return [
        {
            "node": r["unique_id"].split(".", 2)[-1],
            "stage": stage_of(manifest, r["unique_id"]),
            "seconds": round(float(r.get("execution_time") or 0), 3),
        }
        for r in ranked[:top]
    ]


def statuses(run_results: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in run_results["results"]:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts
