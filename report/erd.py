"""Entity-relationship picture of the gold star, drawn from dbt's manifest.

    python -m report.erd --manifest target/manifest.json --out assets/star_schema.svg

Tables are the gold models (the aggregates built from the star, tag `aggregate`, left out);
columns, types and descriptions come from their YAML; primary keys are the columns with a
`unique` or `primary_key` test, foreign keys the `relationships` tests between gold models and
the columns of our `relationships_on_columns` tests (a key and its natural id, each to the
same column of the referenced model). `make docs` redraws it before generating the docs site,
which shows it on the overview page (dbt copies assets/ into target/).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from report.svg import FONT

ROW, HEADER, WIDTH, GAP_X, GAP_Y, MARGIN = 18, 26, 270, 150, 30, 20
UNIQUE_TESTS = ("unique", "primary_key")  # primary_key: unique and not null in one test


@dataclass
class Table:
    name: str
    columns: list[tuple[str, str]]  # (name, data type)
    primary_keys: set[str] = field(default_factory=set)
    x: float = 0.0
    y: float = 0.0

    @property
    def primary_key(self) -> str | None:
        """The unique column named *_key (a surrogate key), else the first unique column."""
        unique = [name for name, _ in self.columns if name in self.primary_keys]
        return next((n for n in unique if n.endswith("_key")), unique[0] if unique else None)

    @property
    def height(self) -> float:
        return HEADER + ROW * len(self.columns) + 6

    def row_y(self, column: str) -> float:
        names = [name for name, _ in self.columns]
        return self.y + HEADER + ROW * names.index(column) + ROW / 2


@dataclass(frozen=True)
class Relationship:
    table: str
    column: str
    to_table: str
    to_column: str


def _gold_models(manifest: dict[str, Any], schema: str) -> dict[str, dict[str, Any]]:
    return {
        node["unique_id"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] == schema
        and node.get("time_spine") is None
        and "metricflow_time_spine" not in node["name"]
        and "aggregate" not in node.get("tags", [])
    }


def _referenced(models: dict[str, dict[str, Any]], test: dict[str, Any], table: str) -> str | None:
    """The gold model a relationship test on `table` points to."""
    return next(
        (
            models[d]["name"]
            for d in test["depends_on"]["nodes"]
            if d in models and models[d]["name"] != table
        ),
        None,
    )


def read_star(
    manifest: dict[str, Any], schema: str = "gold"
) -> tuple[list[Table], list[Relationship]]:
    models = _gold_models(manifest, schema)
    tables = {
        node["name"]: Table(
            node["name"],
            [(name, (col.get("data_type") or "").lower()) for name, col in node["columns"].items()],
        )
        for node in models.values()
    }
    relationships: set[Relationship] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or node.get("attached_node") not in models:
            continue
        meta = node.get("test_metadata") or {}
        table = models[node["attached_node"]]["name"]
        column = node.get("column_name")
        if meta.get("name") == "relationships_on_columns":
            target = _referenced(models, node, table)
            for name in (meta.get("kwargs") or {}).get("columns") or []:
                known = target and name in dict(tables[target].columns)
                if known and name in dict(tables[table].columns):
                    relationships.add(Relationship(table, name, str(target), name))
            continue
        if column is None or column not in dict(tables[table].columns):
            continue
        if meta.get("name") in UNIQUE_TESTS:
            tables[table].primary_keys.add(column)
        elif meta.get("name") == "relationships":
            kwargs = meta.get("kwargs", {})
            target = _referenced(models, node, table)
            to_column = kwargs.get("field")
            if target and to_column in dict(tables[target].columns):
                relationships.add(Relationship(table, column, target, to_column))
    return sorted(tables.values(), key=lambda t: t.name), sorted(
        relationships, key=lambda r: (r.table, r.column)
    )


def layout(tables: list[Table], relationships: list[Relationship]) -> tuple[float, float]:
    """Facts (tables with outgoing keys to several others) in the middle, dimensions around."""
    outgoing: dict[str, int] = {}
    for rel in relationships:
        outgoing[rel.table] = outgoing.get(rel.table, 0) + 1
    centre = [t for t in tables if t.name.startswith("fact_")] or [
        max(tables, key=lambda t: outgoing.get(t.name, 0))
    ]
    others = [t for t in tables if t not in centre]
    # Dimensions that reference each other (an outrigger) share a side, so their line does
    # not cross the fact; the others go to the other side.
    names = {t.name for t in others}
    linked = {
        name
        for rel in relationships
        if rel.table in names and rel.to_table in names
        for name in (rel.table, rel.to_table)
    }
    left = [t for t in others if t.name in linked]
    right = [t for t in others if t.name not in linked]
    if not left or not right:
        left, right = others[0::2], others[1::2]
    columns = [left, centre, right]
    heights = [sum(t.height for t in col) + GAP_Y * max(0, len(col) - 1) for col in columns]
    total = max(heights, default=0.0)
    for i, col in enumerate(columns):
        y = MARGIN + (total - heights[i]) / 2
        for table in col:
            table.x = MARGIN + i * (WIDTH + GAP_X)
            table.y = y
            y += table.height + GAP_Y
    return MARGIN * 2 + 3 * WIDTH + 2 * GAP_X, MARGIN * 2 + total + 20


def draw(tables: list[Table], relationships: list[Relationship]) -> str:
    width, height = layout(tables, relationships)
    by_name = {t.name: t for t in tables}
    foreign = {(r.table, r.column) for r in relationships}
    body: list[str] = [
        "<defs><marker id='one' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='10' "
        "markerHeight='10' orient='auto-start-reverse'><path d='M9,0 L9,10' stroke='#333'/>"
        "</marker></defs>"
    ]
    for rel in relationships:
        source, target = by_name[rel.table], by_name[rel.to_table]
        y1, y2 = source.row_y(rel.column), target.row_y(rel.to_column)
        if target.x > source.x:
            x1, x2 = source.x + WIDTH, target.x
        elif target.x < source.x:
            x1, x2 = source.x, target.x + WIDTH
        else:  # same column: loop out to the right
            x1 = x2 = source.x + WIDTH
        bend = (x1 + x2) / 2 if x1 != x2 else x1 + 40
        body.append(
            f'<path class="relationship" d="M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} '
            f'{bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" fill="none" stroke="#555" '
            f'stroke-width="1.3" marker-end="url(#one)"><title>{rel.table}.{rel.column} '
            f"-&gt; {rel.to_table}.{rel.to_column} (many to one)</title></path>"
        )
    for table in tables:
        fill = "#d4af37" if table.name.startswith(("fact_", "dim_")) else "#a8a9ad"
        body.append(
            f'<g class="table" id="erd-{escape(table.name)}">'
            f'<rect x="{table.x}" y="{table.y}" width="{WIDTH}" height="{table.height}" '
            f'rx="5" fill="#fff" stroke="#7a6a2a"/>'
            f'<rect x="{table.x}" y="{table.y}" width="{WIDTH}" height="{HEADER}" rx="5" '
            f'fill="{fill}"/><text x="{table.x + 10}" y="{table.y + 18}" font-weight="bold" '
            f'font-size="14">{escape(table.name)}</text>'
        )
        for name, data_type in table.columns:
            y = table.row_y(name) + 4
            badge = []
            if name == table.primary_key:
                badge.append("PK")
            elif name in table.primary_keys:
                badge.append("UK")
            if (table.name, name) in foreign:
                badge.append("FK")
            weight = ' font-weight="bold"' if badge else ""
            body.append(
                f'<text x="{table.x + 10}" y="{y:.0f}"{weight}>{escape(name)}</text>'
                f'<text x="{table.x + WIDTH - 58}" y="{y:.0f}" fill="#666" text-anchor="end">'
                f"{escape(data_type)}</text>"
                f'<text x="{table.x + WIDTH - 10}" y="{y:.0f}" fill="#8a6d00" '
                f'text-anchor="end" font-weight="bold">{" ".join(badge)}</text>'
            )
        body.append("</g>")
    body.append(
        f'<text x="{MARGIN}" y="{height - 8:.0f}" fill="#666">PK primary key, UK other '
        "unique column (both tested); FK relationships test, many to one, the line ends at "
        "the referenced key. Drawn from the dbt manifest by report/erd.py.</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" style="{FONT};font-size:12px">'
        "<title>Gold star schema</title>"
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fbfbf8"/>'
        + "".join(body)
        + "</svg>\n"
    )


def render_from_manifest(manifest_path: Path) -> str:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    tables, relationships = read_star(manifest)
    if not tables:
        raise SystemExit(f"{manifest_path}: no gold models found")
    return draw(tables, relationships)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report.erd", description=__doc__)
    parser.add_argument("--manifest", type=Path, default=Path("target/manifest.json"))
    parser.add_argument("--out", type=Path, default=Path("assets/star_schema.svg"))
    args = parser.parse_args(argv)
    picture = render_from_manifest(args.manifest)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.out.exists() or args.out.read_text(encoding="utf-8") != picture:
        args.out.write_text(picture, encoding="utf-8")
        print(f"erd: wrote {args.out}")
    else:
        print(f"erd: {args.out} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
