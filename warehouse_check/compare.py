"""Row-by-row comparison of an emulated warehouse's relations with the native DuckDB build.

The relations compared are discovered from the native build's manifest: every model whose
schema is one of the given layers (silver and gold), tables and views alike. Each relation is
read in its own database with the connection its SQL needs (an emulated view calls the
dialect's shims), then both sides meet in a scratch DuckDB: the emulated columns are cast to
the native column types (Athena's timestamp(3) and (6) are DuckDB TIMESTAMP_MS / TIMESTAMP)
and compared as multisets with EXCEPT ALL both ways. Every column counts, surrogate keys
included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse_check import shims
from warehouse_check.shims import Dialect


@dataclass
class Difference:
    relation: str
    native_rows: int
    emulated_rows: int
    problem: str = ""  # missing relation, other columns, ...
    only_native: list[tuple[Any, ...]] = field(default_factory=list)
    only_emulated: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.problem or self.only_native or self.only_emulated)


def relations_to_compare(manifest: Path, layers: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, name) of every model of the given layers, from a dbt manifest."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    found = {
        (n["schema"], n["alias"])
        for n in nodes
        if n["resource_type"] == "model"
        and n["schema"] in layers
        and n["config"].get("materialized") != "ephemeral"
    }
    return sorted(found)


def _read(path: Path, dialect: Dialect | None, schema: str, name: str) -> Any:
    """The relation as an Arrow table (None when it does not exist)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        if dialect is not None:
            shims.install(con, dialect)
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = ?"
            " and table_name = ?",
            [schema, name],
        ).fetchall()
        if not exists[0][0]:
            return None
        return con.sql(f'select * from "{schema}"."{name}"').to_arrow_table()
    finally:
        con.close()


def compare(
    native: Path, emulated: Path, dialect: Dialect, relations: list[tuple[str, str]]
) -> list[Difference]:
    results = []
    scratch = duckdb.connect()
    for schema, name in relations:
        label = f"{schema}.{name}"
        try:
            left = _read(native, None, schema, name)
            right = _read(emulated, dialect, schema, name)
        except duckdb.Error as exc:  # a view whose query fails when read
            message = str(exc).splitlines()[0][:200]
            results.append(Difference(label, 0, 0, f"cannot be read: {message}"))
            continue
        if left is None or right is None:
            which = "native build" if left is None else f"{dialect} emulation"
            results.append(Difference(label, 0, 0, f"missing in the {which}"))
            continue
        scratch.register("native_side", left)
        scratch.register("emulated_side", right)
        columns = scratch.execute("describe native_side").fetchall()
        emulated_columns = {str(r[0]) for r in scratch.execute("describe emulated_side").fetchall()}
        names = [str(c[0]) for c in columns]
        if set(names) != emulated_columns:
            results.append(
                Difference(
                    label,
                    left.num_rows,
                    right.num_rows,
                    f"columns differ: native only {sorted(set(names) - emulated_columns)},"
                    f" {dialect} only {sorted(emulated_columns - set(names))}",
                )
            )
            continue
        native_select = ", ".join(f'"{n}"' for n in names)
        emulated_select = ", ".join(f'cast("{n}" as {t}) as "{n}"' for n, t, *_ in columns)
        only_native = scratch.execute(
            f"select {native_select} from native_side except all"
            f" select {emulated_select} from emulated_side"
        ).fetchall()
        only_emulated = scratch.execute(
            f"select {emulated_select} from emulated_side except all"
            f" select {native_select} from native_side"
        ).fetchall()
        results.append(
            Difference(label, left.num_rows, right.num_rows, "", only_native, only_emulated)
        )
        scratch.unregister("native_side")
        scratch.unregister("emulated_side")
    scratch.close()
    return results


def report(dialect: str, run: str, differences: list[Difference]) -> str:
    """A short text table: one line per relation, differing rows shown (at most 3 each)."""
    lines = [f"{dialect} {run}: {sum(d.identical for d in differences)}/{len(differences)}"
             " relations identical to the native DuckDB build"]  # fmt: skip
    for diff in differences:
        status = "identical" if diff.identical else (diff.problem or "DIFFERENT")
        lines.append(
            f"  {diff.relation:<44} {diff.native_rows:>6} rows  {status}"
            + (f" ({len(diff.only_native)} native-only, {len(diff.only_emulated)} "
               f"{dialect}-only rows)" if diff.only_native or diff.only_emulated else "")
        )  # fmt: skip
        for row in diff.only_native[:3]:
            lines.append(f"      native : {row}")
        for row in diff.only_emulated[:3]:
            lines.append(f"      {dialect:<7}: {row}")
    return "\n".join(lines)
