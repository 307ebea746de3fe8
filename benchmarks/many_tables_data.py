"""DMS output for many made-up tables: the input of the many-tables benchmark.

Each table gets a deterministic shape from its number: 3 to 40 columns of mixed types, 10k to
100k rows, some with a composite key, some with type 2 history. Files are what a DMS task with
AddColumnName=true, IncludeOpForFullLoad=true and TimestampColumnName=dms_commit_ts writes:
a full load (``LOAD00000001.csv``), then CDC batches (``yyyymmdd-hhmmssfff.csv``) that change
a share of the rows (updates, inserts of new keys, deletes). Nothing here uses the project's
code: the benchmark must measure onboarding (contract inference) too.

    python benchmarks/many_tables_data.py --out /tmp/many --tables 100 [--batch 0.01]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

SCHEMA = "bench"
TS_COLUMN = "dms_commit_ts"
_KINDS = ("integer", "decimal", "text", "timestamp", "date", "boolean", "bigint", "amount")
_WORDS = np.array(
    ["alpha", "beta", "gamma", "delta", "north", "south", "east", "west", "Brno", "Praha"]
)
_EPOCH = datetime(2024, 1, 1)


@dataclass(frozen=True)
class TableSpec:
    number: int
    columns: int
    rows: int
    composite_key: bool
    history: bool

    @property
    def name(self) -> str:
        return f"table_{self.number:03d}"

    @property
    def kinds(self) -> list[str]:
        """The kind of each non-key column."""
        width = self.columns - (2 if self.composite_key else 1)
        return [_KINDS[(self.number + i) % len(_KINDS)] for i in range(width)]


def table_specs(count: int, seed: int = 7) -> list[TableSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for number in range(1, count + 1):
        specs.append(
            TableSpec(
                number=number,
                columns=int(rng.integers(3, 41)),
                rows=int(rng.integers(10_000, 100_001)),
                composite_key=number % 7 == 0,
                history=number % 5 == 0,
            )
        )
    return specs


def _text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _fixed(units: np.ndarray, scale: int) -> pa.Array:
    """Signed fixed-point text of integer ``units`` with ``scale`` decimals: -12.0034."""
    whole = _text(np.abs(units) // 10**scale)
    fraction = pc.utf8_lpad(_text(np.abs(units) % 10**scale), scale, "0")
    sign = pa.array(np.where(units < 0, "-", ""))
    return pc.binary_join_element_wise(sign, whole, ".", fraction, "")


def _column(kind: str, keys: np.ndarray, salt: int) -> pa.Array:
    """Deterministic text values of one column for the given keys (as DMS writes them)."""
    mixed = (keys * 2654435761 + salt * 40503) % 1_000_003
    if kind == "integer":
        values = _text(mixed - 500_000)
    elif kind == "bigint":
        values = _text(mixed * 9_000_000_017)
    elif kind == "decimal":
        values = _fixed(mixed, 2)
    elif kind == "amount":
        values = _fixed(mixed * 7 - 3_500_000, 4)
    elif kind == "text":
        values = pc.binary_join_element_wise(
            pa.array(_WORDS[mixed % len(_WORDS)]), _text(mixed % 997), " "
        )
    elif kind == "timestamp":
        seconds = np.datetime64(_EPOCH, "s") + (mixed * 17).astype("timedelta64[s]")
        values = pc.cast(pa.array(seconds), pa.string())
    elif kind == "date":
        days = np.datetime64(_EPOCH.date(), "D") + (mixed % 3000).astype("timedelta64[D]")
        values = pc.cast(pa.array(days), pa.string())
    else:
        values = pa.array(np.where(mixed % 2 == 1, "true", "false"))
    return pc.if_else(pa.array(mixed % 37 == 0), pa.scalar(None, pa.string()), values)


def _rows(spec: TableSpec, keys: np.ndarray, op: list[str], ts: str, salt: int) -> pa.Table:
    columns: dict[str, pa.Array] = {
        "Op": pa.array(op, pa.string()),
        TS_COLUMN: pa.array([ts] * len(keys), pa.string()),
    }
    if spec.composite_key:  # row k is (k // 3 + 1, k % 3 + 1): ids repeat across parts
        columns["id"] = pa.array([str(int(k) // 3 + 1) for k in keys], pa.string())
        columns["part"] = pa.array([str(int(k) % 3 + 1) for k in keys], pa.string())
    else:
        columns["id"] = pa.array([str(k) for k in keys], pa.string())
    for index, kind in enumerate(spec.kinds):
        columns[f"c{index + 1:02d}_{kind}"] = _column(kind, keys, salt + index)
    return pa.table(columns)


def _write(path: Path, table: pa.Table) -> None:
    """A CSV file as DMS writes it: a plain header row, NULL as an empty unquoted field (no
    generated value needs quotes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def write_full_load(out: Path, specs: list[TableSpec]) -> int:
    """Every table's full load; returns the rows written."""
    total = 0
    for spec in specs:
        keys = np.arange(1, spec.rows + 1, dtype=np.int64)
        table = _rows(spec, keys, ["I"] * spec.rows, "2026-01-01 00:00:00.000000", 0)
        _write(out / SCHEMA / spec.name / "LOAD00000001.csv", table)
        total += spec.rows
    return total


def write_batch(out: Path, specs: list[TableSpec], share: float, batch: int) -> int:
    """A CDC batch changing ``share`` of each table's rows: 60% updates, 30% inserts of new
    keys, 10% deletes. Returns the rows written."""
    total = 0
    moment = _EPOCH.replace(year=2026) + timedelta(days=batch)
    stamp = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    for spec in specs:
        changed = max(1, int(spec.rows * share))
        rng = np.random.default_rng(spec.number * 1000 + batch)
        updates = rng.choice(spec.rows, int(changed * 0.6), replace=False) + 1
        inserts = np.arange(changed - len(updates) - changed // 10) + spec.rows * (batch + 1) + 1
        deletes = rng.choice(spec.rows, changed // 10, replace=False) + 1
        deletes = np.setdiff1d(deletes, updates)
        keys = np.concatenate([updates, inserts, deletes]).astype(np.int64)
        ops = ["U"] * len(updates) + ["I"] * len(inserts) + ["D"] * len(deletes)
        table = _rows(spec, keys, ops, stamp, batch)
        name = moment.strftime("%Y%m%d-%H%M%S") + f"{batch:03d}.csv"
        _write(out / SCHEMA / spec.name / name, table)
        total += len(keys)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--batch", type=float, default=0.0, help="also write a CDC batch")
    args = parser.parse_args()
    specs = table_specs(args.tables)
    rows = write_full_load(args.out, specs)
    print(f"{len(specs)} tables, {rows} full-load rows under {args.out}")
    if args.batch:
        print(f"CDC batch: {write_batch(args.out, specs, args.batch, 1)} rows")


if __name__ == "__main__":
    main()
